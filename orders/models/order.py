"""The order: its fields, constraints and the status machine (transitions logged through oms.audit)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import RETURN_VALUE, FSMField, FSMModelMixin, transition

from oms.audit import logged
from orders.choices import (
    BEFORE_SHIPPED,
    ORDER_FIELD_LABELS,
    ORDER_TRANSITION_LABELS,
    SLA_STATUSES,
    OrderSource,
    OrderStatus,
)
from orders.models.base import MONEY, S
from orders.models.channel import Channel
from orders.models.customer import Address, Customer
from orders.models.rule import Tag


class Order(FSMModelMixin, models.Model):
    transition_labels = ORDER_TRANSITION_LABELS
    field_labels = ORDER_FIELD_LABELS
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
        db_index=False,  # a partial index below: most orders have none
        verbose_name=_("reship of"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reships",
    )
    # A manual split keeps a link to the order it came from; a merged order to the one that took its lines.
    split_from = models.ForeignKey(
        "self",
        db_index=False,  # a partial index below: most orders have none
        verbose_name=_("split from"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="splits",
    )
    merged_into = models.ForeignKey(
        "self",
        db_index=False,  # a partial index below: most orders have none
        verbose_name=_("merged into"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_orders",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        related_name="orders",
        db_index=False,  # order_customer_idx (customer, placed_at) serves it
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
    # The after-sales window (the channel's days) runs from here; the completion sweep reads it.
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    subtotal = models.DecimalField(_("subtotal"), **MONEY)
    shipping_fee = models.DecimalField(_("shipping fee"), default=Decimal("0.00"), **MONEY)
    # Every deduction from the goods: the seller's own discount plus the three below (kept whole, so the total
    # still adds up the same way for every reader); orders.money allocates each kind to the lines.
    discount = models.DecimalField(_("discount"), default=Decimal("0.00"), **MONEY)
    coupon_amount = models.DecimalField(_("shop coupon"), default=Decimal("0.00"), **MONEY)
    platform_coupon_amount = models.DecimalField(_("platform coupon"), default=Decimal("0.00"), **MONEY)
    points_amount = models.DecimalField(_("points used"), default=Decimal("0.00"), **MONEY)
    total = models.DecimalField(pgettext_lazy("money", "total"), **MONEY)

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
    # One hash per part of the payload the channel sent (orders.services.digest): a resend with other
    # content under the same external id is refused with the parts that differ.
    intake_digest = models.JSONField(_("intake digest"), default=dict, blank=True, editable=False)
    allocation_explanation = models.JSONField(_("allocation explanation"), default=dict, blank=True)
    backorder_info = models.JSONField(
        _("backorder details"),
        default=dict,
        blank=True,
        help_text=_("Short SKUs, restock dates and suggestions"),
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="orders")

    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    sla_alerted_at = models.DateTimeField(
        _("late against SLA since"),
        null=True,
        blank=True,
        help_text=_("When the periodic review found it waiting past its SLA and told operations."),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        db_index=False,  # a partial index below: orders from channels have none
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
            models.CheckConstraint(
                condition=Q(coupon_amount__gte=0, platform_coupon_amount__gte=0, points_amount__gte=0)
                & Q(discount__gte=F("coupon_amount") + F("platform_coupon_amount") + F("points_amount")),
                name="order_deductions_within_discount",
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
            # Links most orders do not have: indexed only where set, so taking an order in does not write
            # four index entries of NULL (every order written pays for each index of this table).
            *(
                models.Index(
                    fields=[name], name=f"order_{name}_idx", condition=Q(**{f"{name}__isnull": False})
                )
                for name in ("reship_of", "split_from", "merged_into", "created_by")
            ),
            # The completion sweep reads only delivered orders, oldest delivery first.
            models.Index(
                fields=["delivered_at"], name="order_delivered_idx", condition=Q(status=S.DELIVERED)
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
            ("edit_order", _("Can edit, split and merge orders before they are packed")),
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
    def held_from_label(self) -> str:
        """The status the order was held from, as its label (``in_fulfillment`` → "In fulfillment")."""
        return (
            str(S(self.held_from_status).label)
            if self.held_from_status in S.values
            else self.held_from_status
        )

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None

    @property
    def seller_discount(self) -> Decimal:
        """The seller's own order discount: the whole discount less the coupons and the points."""
        return self.discount - self.coupon_amount - self.platform_coupon_amount - self.points_amount

    def deductions(self) -> dict[str, Decimal]:
        """Each kind of deduction (``orders.money.KINDS``) and its amount."""
        return {
            "discount": self.seller_discount,
            "coupon": self.coupon_amount,
            "platform_coupon": self.platform_coupon_amount,
            "points": self.points_amount,
        }
