"""Models of the orders app: channels and their API tokens, customers, orders, lines, payments, rules."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Upper
from django.utils.translation import gettext_lazy as _
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from oms.audit import logged
from orders.choices import (
    BEFORE_SHIPPED,
    INVOICE_TRANSITION_LABELS,
    LIVE_INVOICE_STATUSES,
    ORDER_TRANSITION_LABELS,
    SLA_STATUSES,
    ChannelKind,
    ContactChannel,
    CustomerTier,
    InvoiceStatus,
    InvoiceType,
    OrderSource,
    OrderStatus,
    PaymentMethod,
    PaymentStatus,
    RefundStatus,
    RuleCondition,
    RuleKind,
)

S = OrderStatus
MONEY = {"max_digits": 12, "decimal_places": 2}


class Channel(models.Model):
    """A store the orders come from: a marketplace shop, the own web shop, the phone line."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    sla_hours = models.PositiveSmallIntegerField(
        _("SLA (hours)"), default=24, help_text=_("Paid orders should leave the warehouse within this time.")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("channel")
        verbose_name_plural = _("channels")

    def __str__(self) -> str:
        return self.name


class ChannelToken(models.Model):
    """An API token of a channel. Only its SHA-256 hash and a short prefix are stored, never the token."""

    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.CASCADE, related_name="tokens"
    )
    name = models.CharField(_("name"), max_length=100, blank=True)
    prefix = models.CharField(_("prefix"), max_length=12, db_index=True)
    key_hash = models.CharField(_("SHA-256 of the token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.channel.code} {self.prefix}…"


class Customer(models.Model):
    """A buyer, matched across channels by phone (then e-mail); a merged duplicate points to the one kept."""

    # Personal data: masked on screens, shown in full only through the logged reveal (oms.privacy).
    pii_fields = ("name", "phone", "email")
    name = models.CharField(_("name"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32)
    email = models.EmailField(_("e-mail"), blank=True)
    tier = models.CharField(
        _("tier"), max_length=10, choices=CustomerTier.choices, default=CustomerTier.NORMAL
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, default="zh-hans")
    preferred_contact = models.CharField(
        _("preferred contact channel"),
        max_length=10,
        choices=ContactChannel.choices,
        default=ContactChannel.SMS,
    )
    do_not_contact = models.BooleanField(
        _("do not contact"), default=False, help_text=_("No surveys or marketing; order messages only.")
    )
    is_blacklisted = models.BooleanField(_("blacklisted"), default=False)
    blacklist_reason = models.CharField(_("blacklist reason"), max_length=300, blank=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_duplicates",
        help_text=_("This record was a duplicate: its orders moved to that customer."),
    )
    merged_at = models.DateTimeField(_("merged"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["phone"], name="customer_phone_unique"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | ~Q(merged_into=F("pk")),
                name="customer_not_merged_into_self",
            ),
        ]
        indexes = [
            models.Index(fields=["email"], name="customer_email_idx"),
            # Intake matches customers by e-mail case-insensitively (email__iexact is UPPER(email) = UPPER(%s)).
            models.Index(Upper("email"), name="customer_email_upper_idx"),
        ]
        permissions = [
            ("merge_customer", _("Can merge duplicate customers")),
            ("anonymise_customer", _("Can anonymise a customer on request")),
        ]
        verbose_name = _("customer")
        verbose_name_plural = _("customers")

    def __str__(self) -> str:
        # Masked: this text lands in logs (change log, personal-data access log), which must not leak it.
        from oms.privacy import mask_name, mask_phone

        if self.anonymised_at:
            return str(_("anonymised customer #%(pk)s") % {"pk": self.pk})
        return f"{mask_name(self.name)} {mask_phone(self.phone)}"

    @property
    def is_vip(self) -> bool:
        return self.tier == CustomerTier.VIP


class Address(models.Model):
    pii_fields = ("name", "phone", "province", "city", "district", "line1", "postcode")
    """A delivery address as given with an order (kept as it was, even if the customer moves)."""

    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="addresses",
    )
    name = models.CharField(_("recipient"), max_length=100)
    phone = models.CharField(_("phone"), max_length=32, db_index=True)
    province = models.CharField(_("province"), max_length=50)
    city = models.CharField(_("city"), max_length=50)
    district = models.CharField(_("district"), max_length=50)
    line1 = models.CharField(_("street address"), max_length=300)
    postcode = models.CharField(_("postcode"), max_length=12, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CN")

    class Meta:
        verbose_name = _("address")
        verbose_name_plural = _("addresses")

    def __str__(self) -> str:
        return f"{self.province}{self.city}{self.district}{self.line1}"


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    colour = models.CharField(
        _("colour"), max_length=16, default="secondary", help_text=_("Bootstrap colour name")
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class OrderRule(models.Model):
    """A priority, risk or review rule; admins edit them in Django admin."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=RuleKind.choices)
    condition = models.CharField(_("condition"), max_length=32, choices=RuleCondition.choices)
    threshold = models.DecimalField(_("threshold"), null=True, blank=True, **MONEY)
    value = models.CharField(_("value"), max_length=100, blank=True, help_text=_("e.g. a promotion name"))
    window_hours = models.PositiveIntegerField(_("window (hours)"), default=24)
    points = models.IntegerField(
        _("points"),
        default=0,
        help_text=_("Added to the priority (priority rules) or the risk score (risk rules)."),
    )
    tag = models.ForeignKey(
        Tag, verbose_name=_("tag"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason shown to users"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    sort = models.PositiveSmallIntegerField(_("sort"), default=100)

    class Meta:
        ordering = ["kind", "sort", "code"]
        verbose_name = _("order rule")
        verbose_name_plural = _("order rules")

    def __str__(self) -> str:
        return self.name


class Order(FSMModelMixin, models.Model):
    transition_labels = ORDER_TRANSITION_LABELS
    number = models.CharField(_("order number"), max_length=20, unique=True)
    channel = models.ForeignKey(
        Channel, verbose_name=_("channel"), on_delete=models.PROTECT, related_name="orders"
    )
    external_id = models.CharField(_("channel order id"), max_length=64, blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=OrderSource.choices, default=OrderSource.API
    )
    reship_of = models.ForeignKey(
        "self",
        verbose_name=_("reship of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reships",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="orders"
    )
    shipping_address = models.ForeignKey(
        Address, verbose_name=_("shipping address"), on_delete=models.PROTECT, related_name="+"
    )
    # Denormalised from the address for the risk checks and the search (indexed, no join).
    contact_phone = models.CharField(_("contact phone"), max_length=32)
    address_key = models.CharField(_("address key"), max_length=40)
    province = models.CharField(_("province"), max_length=50)

    status = FSMField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=S.PENDING_PAYMENT, protected=True
    )
    held_from_status = models.CharField(_("held from"), max_length=20, blank=True)
    hold_reason = models.CharField(_("hold reason"), max_length=300, blank=True)
    cancel_reason = models.CharField(_("cancel reason"), max_length=300, blank=True)

    placed_at = models.DateTimeField(_("placed"))
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    allocated_at = models.DateTimeField(_("allocated"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)

    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    shipping_fee = models.DecimalField(_("shipping fee"), default=Decimal("0.00"), **MONEY)
    discount = models.DecimalField(_("discount"), default=Decimal("0.00"), **MONEY)
    total = models.DecimalField(_("total"), **MONEY)

    is_urgent = models.BooleanField(_("urgent"), default=False)
    promotion = models.CharField(_("promotion"), max_length=50, blank=True)
    note = models.TextField(_("buyer remark"), blank=True)
    priority = models.IntegerField(_("priority"), default=0, help_text=_("Higher is worked first."))
    priority_reasons = models.JSONField(_("priority reasons"), default=list, blank=True)
    risk_score = models.IntegerField(_("risk score"), default=0)
    risk_reasons = models.JSONField(_("risk reasons"), default=list, blank=True)
    review_reasons = models.JSONField(_("review reasons"), default=list, blank=True)
    needs_finance_review = models.BooleanField(_("needs finance review"), default=False)
    review_note = models.CharField(_("review note"), max_length=300, blank=True)
    allocation_explanation = models.JSONField(_("allocation explanation"), default=dict, blank=True)
    backorder_info = models.JSONField(
        _("backorder details"),
        default=dict,
        blank=True,
        help_text=_("Short SKUs, restock dates and suggestions"),
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="orders")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = [F("priority").desc(), F("paid_at").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_id"],
                condition=~Q(external_id=""),
                name="order_channel_external_id_unique",
            ),
            models.CheckConstraint(condition=Q(total__gte=0), name="order_total_gte_0"),
            models.CheckConstraint(
                condition=Q(total=F("subtotal") + F("shipping_fee") - F("discount")),
                name="order_total_adds_up",
            ),
        ]
        indexes = [
            models.Index(
                F("priority").desc(), F("paid_at").asc(nulls_last=True), "id", name="order_queue_idx"
            ),
            models.Index(
                "status",
                F("priority").desc(),
                F("paid_at").asc(nulls_last=True),
                "id",
                name="order_status_queue_idx",
            ),
            models.Index(fields=["contact_phone", "placed_at"], name="order_phone_idx"),
            models.Index(fields=["address_key", "placed_at"], name="order_address_idx"),
            models.Index(fields=["placed_at"], name="order_placed_idx"),
            models.Index(fields=["customer", "placed_at"], name="order_customer_idx"),
            models.Index(fields=["external_id"], name="order_external_id_idx"),
            # "Late against SLA" (dashboard, exception queue) reads only open orders: a small partial index
            # that answers it without visiting the table.
            models.Index(
                fields=["paid_at", "channel"], name="order_sla_open_idx", condition=Q(status__in=SLA_STATUSES)
            ),
        ]
        permissions = [
            ("review_order", _("Can review orders (approve / reject)")),
            ("finance_review_order", _("Can do the finance review of large orders")),
            ("hold_order", _("Can hold and resume orders")),
            ("cancel_order", _("Can cancel orders")),
            ("import_order", _("Can import orders from files")),
            ("export_order", _("Can export order lists")),
            ("allocate_order", _("Can allocate and re-allocate orders")),
            ("fulfil_order", _("Can move orders through fulfilment")),
        ]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.number

    # --- transitions: called only from orders.services through oms.audit.run_transition ---------

    @logged
    @transition(field=status, source=S.PENDING_PAYMENT, target=S.PAID, permission="orders.add_order")
    def pay(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.PAID, target=S.APPROVED, permission="orders.add_order")
    def auto_approve(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.PAID, target=S.ON_REVIEW, permission="orders.add_order")
    def send_to_review(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=S.ON_REVIEW,
        target=S.APPROVED,
        permission="orders.review_order",
        conditions=[lambda o: not o.needs_finance_review],
    )
    def approve(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=S.ON_REVIEW,
        target=S.FINANCE_REVIEW,
        permission="orders.review_order",
        conditions=[lambda o: o.needs_finance_review],
    )
    def send_to_finance(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.ON_REVIEW, target=S.CANCELLED, permission="orders.review_order")
    def reject(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status, source=S.FINANCE_REVIEW, target=S.APPROVED, permission="orders.finance_review_order"
    )
    def finance_approve(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status, source=S.FINANCE_REVIEW, target=S.CANCELLED, permission="orders.finance_review_order"
    )
    def finance_reject(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[S.APPROVED, S.BACKORDERED],
        target=S.ALLOCATED,
        permission="orders.allocate_order",
    )
    def allocate(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.APPROVED, target=S.BACKORDERED, permission="orders.allocate_order")
    def backorder(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[S.ALLOCATED, S.BACKORDERED],
        target=S.APPROVED,
        permission="orders.allocate_order",
    )
    def deallocate(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.ALLOCATED, target=S.IN_FULFILLMENT, permission="orders.fulfil_order")
    def release_to_floor(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[S.IN_FULFILLMENT, S.PARTIALLY_SHIPPED],
        target=S.PARTIALLY_SHIPPED,
        permission="orders.fulfil_order",
    )
    def ship_partially(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[S.IN_FULFILLMENT, S.PARTIALLY_SHIPPED],
        target=S.SHIPPED,
        permission="orders.fulfil_order",
    )
    def ship(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.SHIPPED, target=S.DELIVERED, permission="orders.fulfil_order")
    def deliver(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.DELIVERED, target=S.COMPLETED, permission="orders.fulfil_order")
    def complete(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=BEFORE_SHIPPED + [S.ON_HOLD],
        target=S.CANCELLED,
        permission="orders.cancel_order",
    )
    def cancel(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=BEFORE_SHIPPED, target=S.ON_HOLD, permission="orders.hold_order")
    def hold(self, by=None, description=None):
        self.held_from_status = self.status

    @logged
    @transition(
        field=status, source=S.ON_HOLD, target=RETURN_VALUE(*BEFORE_SHIPPED), permission="orders.hold_order"
    )
    def resume(self, by=None, description=None):
        previous, self.held_from_status = self.held_from_status, ""
        return previous

    # --- read helpers -----------------------------------------------------------------------------

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class OrderLine(models.Model):
    order = models.ForeignKey(Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField(_("line"))
    sku = models.ForeignKey(
        "inventory.SKU", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+"
    )
    sku_code = models.CharField(_("SKU code"), max_length=64)
    name = models.CharField(_("item"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    line_total = models.DecimalField(_("line total"), **MONEY)

    class Meta:
        ordering = ["order", "line_no"]
        constraints = [
            models.UniqueConstraint(fields=["order", "line_no"], name="order_line_no_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="order_line_quantity_gt_0"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="order_line_price_gte_0"),
        ]
        indexes = [models.Index(fields=["sku", "order"], name="order_line_sku_idx")]
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.order_id}#{self.line_no} {self.quantity} × {self.sku_code}"

    @property
    def demand_ref(self) -> str:
        return f"order-line:{self.pk}"


class OrderLineAllocation(models.Model):
    """Where a line's stock is reserved: the link from an order line to inventory's reservation."""

    line = models.ForeignKey(
        OrderLine, verbose_name=_("line"), on_delete=models.CASCADE, related_name="allocations"
    )
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    reservation_id = models.BigIntegerField(_("reservation"), null=True, blank=True)
    demand_ref = models.CharField(_("demand"), max_length=100, db_index=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)

    class Meta:
        ordering = ["line", "pk"]
        indexes = [
            models.Index(
                fields=["warehouse"], condition=Q(released_at__isnull=True), name="alloc_active_wh_idx"
            ),
        ]
        verbose_name = _("line allocation")
        verbose_name_plural = _("line allocations")

    def __str__(self) -> str:
        return f"{self.demand_ref}: {self.quantity} @ {self.warehouse_id}"


class Payment(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="payments"
    )
    method = models.CharField(_("method"), max_length=16, choices=PaymentMethod.choices)
    amount = models.DecimalField(_("amount"), **MONEY)
    status = models.CharField(
        _("status"), max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.PENDING
    )
    transaction_id = models.CharField(_("transaction id"), max_length=100, blank=True)
    paid_at = models.DateTimeField(_("paid"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="payment_amount_gte_0")]
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.amount}"


class RefundRecord(models.Model):
    """A refund owed because a paid order was cancelled; after-sales/finance carry it out."""

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.DecimalField(_("amount"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=RefundStatus.choices, default=RefundStatus.OPEN
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="refund_amount_gt_0"),
            # One cancellation refund per order: a second cancel attempt cannot open another.
            models.UniqueConstraint(fields=["order"], name="refund_one_per_order"),
        ]
        verbose_name = _("refund record")
        verbose_name_plural = _("refund records")

    def __str__(self) -> str:
        return f"{self.order} {self.amount}"


class Invoice(FSMModelMixin, models.Model):
    """A tax invoice (发票) for a delivered order: requested, issued by finance, sent, or voided.

    A refund after issuance flags it for a red-letter (credit) invoice; finance then voids it with the
    red-letter number, and a new invoice may be requested for what remains paid.
    """

    transition_labels = INVOICE_TRANSITION_LABELS

    # The e-mail may be a person's; title and taxpayer id are what the tax system needs and stay in full.
    pii_fields = ("email",)

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(_("invoice number"), max_length=32, unique=True, null=True, blank=True)
    status = FSMField(
        _("status"),
        max_length=20,
        choices=InvoiceStatus.choices,
        default=InvoiceStatus.REQUESTED,
        protected=True,
    )
    invoice_type = models.CharField(
        _("type"), max_length=10, choices=InvoiceType.choices, default=InvoiceType.ORDINARY
    )
    title = models.CharField(_("invoice title"), max_length=200, help_text=_("Company or person named on it"))
    taxpayer_id = models.CharField(
        _("taxpayer id"),
        max_length=20,
        blank=True,
        help_text=_("Unified social credit code, 15–20 characters"),
    )
    email = models.EmailField(_("e-mail"))
    amount = models.DecimalField(_("amount"), null=True, blank=True, **MONEY)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    issued_on = models.DateField(_("invoice date"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    void_reason = models.CharField(_("void reason"), max_length=300, blank=True)
    red_letter_number = models.CharField(_("red-letter invoice number"), max_length=32, blank=True)
    red_letter_reason = models.CharField(_("why a red-letter invoice is needed"), max_length=300, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("requested"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    issued_at = models.DateTimeField(_("issued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    voided_at = models.DateTimeField(_("voided"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gte=0), name="invoice_amount_gte_0"),
            models.UniqueConstraint(
                fields=["order"],
                condition=Q(status__in=[str(s) for s in LIVE_INVOICE_STATUSES]),
                name="invoice_one_live_per_order",
            ),
            models.CheckConstraint(
                condition=Q(status__in=["requested", "voided"])
                | Q(number__isnull=False, amount__isnull=False, issued_on__isnull=False),
                name="invoice_issued_has_number_amount_date",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "created_at"], name="invoice_queue_idx"),
            models.Index(fields=["issued_on"], name="invoice_issued_on_idx"),
        ]
        permissions = [
            ("request_invoice", _("Can request invoices for delivered orders")),
            ("issue_invoice", _("Can issue, send and void invoices")),
            ("export_invoice", _("Can export invoices for the tax system")),
        ]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number or _("invoice request #%(pk)s") % {"pk": self.pk}

    # --- transitions: called only from orders.services through oms.audit.run_transition ---------

    @logged
    @transition(
        field=status,
        source=InvoiceStatus.REQUESTED,
        target=InvoiceStatus.ISSUED,
        permission="orders.issue_invoice",
    )
    def issue(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=InvoiceStatus.ISSUED,
        target=InvoiceStatus.SENT,
        permission="orders.issue_invoice",
    )
    def send(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[InvoiceStatus.ISSUED, InvoiceStatus.SENT],
        target=InvoiceStatus.RED_LETTER_NEEDED,
        permission="orders.issue_invoice",
    )
    def flag_red_letter(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[
            InvoiceStatus.REQUESTED,
            InvoiceStatus.ISSUED,
            InvoiceStatus.SENT,
            InvoiceStatus.RED_LETTER_NEEDED,
        ],
        target=InvoiceStatus.VOIDED,
        permission="orders.issue_invoice",
    )
    def void(self, by=None, description=None):
        pass
