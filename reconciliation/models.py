"""Models of the reconciliation app: what can be reconciled with a supplier, statements and their lines,
supplier bills matched against them, the differences and how they were resolved, and settlements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_fsm import FSMField, FSMModelMixin, transition

from oms.audit import logged
from reconciliation.choices import (
    BADGE_COLOURS,
    STATEMENT_TRANSITION_LABELS,
    BillStatus,
    ItemKind,
    ItemStatus,
    MatchKind,
    Resolution,
    StatementStatus,
)

S = StatementStatus
MONEY = {"max_digits": 14, "decimal_places": 2}


class ReconcilableItem(models.Model):
    """One thing a supplier bills us for or owes us, collected once from its source (never twice)."""

    supplier = models.ForeignKey(
        "inventory.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    # Exactly one source for every kind except adjustments (FKs point down the app chain).
    shipment_line = models.ForeignKey(
        "fulfillment.ShipmentLine",
        verbose_name=_("shipment line"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,  # the unique constraint's index serves
    )
    stock_movement = models.ForeignKey(
        "inventory.StockMovement",
        verbose_name=_("receipt"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    supplier_charge = models.ForeignKey(
        "aftersales.SupplierCharge",
        verbose_name=_("after-sales charge"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    reference = models.CharField(
        _("reference"), max_length=100, help_text=_("Shipment, receipt or case number")
    )
    order_number = models.CharField(_("order"), max_length=40, blank=True)
    sku_code = models.CharField(_("SKU"), max_length=64, blank=True)
    description = models.CharField(_("description"), max_length=300, blank=True)
    quantity = models.IntegerField(_("quantity"), default=0)
    unit_cost = models.DecimalField(_("unit cost"), null=True, blank=True, max_digits=12, decimal_places=2)
    amount = models.DecimalField(_("amount"), help_text=_("Negative: the supplier owes us."), **MONEY)
    item_date = models.DateField(_("date"))
    status = models.CharField(
        _("reconciliation"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    statement = models.ForeignKey(
        "SupplierStatement",
        verbose_name=_("statement"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="items",
    )
    reconciled_at = models.DateField(_("reconciled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("collected"), auto_now_add=True)

    class Meta:
        ordering = ["item_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["shipment_line"], name="recon_item_shipment_line_once"),
            models.UniqueConstraint(fields=["stock_movement"], name="recon_item_movement_once"),
            models.UniqueConstraint(fields=["supplier_charge"], name="recon_item_charge_once"),
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="drop_ship",
                        shipment_line__isnull=False,
                        stock_movement__isnull=True,
                        supplier_charge__isnull=True,
                    )
                    | Q(
                        kind="receipt",
                        shipment_line__isnull=True,
                        stock_movement__isnull=False,
                        supplier_charge__isnull=True,
                    )
                    | Q(
                        kind="aftersales",
                        shipment_line__isnull=True,
                        stock_movement__isnull=True,
                        supplier_charge__isnull=False,
                    )
                    | Q(
                        kind="adjustment",
                        shipment_line__isnull=True,
                        stock_movement__isnull=True,
                        supplier_charge__isnull=True,
                    )
                ),
                name="recon_item_one_source",
            ),
            models.CheckConstraint(
                condition=(
                    Q(status=ItemStatus.OPEN, statement__isnull=True, reconciled_at__isnull=True)
                    | Q(status=ItemStatus.IN_STATEMENT, statement__isnull=False, reconciled_at__isnull=True)
                    | Q(status=ItemStatus.RECONCILED, statement__isnull=False, reconciled_at__isnull=False)
                ),
                name="recon_item_status_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["supplier", "status", "item_date", "id"], name="recon_item_open_idx"),
            models.Index(fields=["reference"], name="recon_item_reference_idx"),
            models.Index(fields=["sku_code"], name="recon_item_sku_idx"),
        ]
        verbose_name = _("reconcilable item")
        verbose_name_plural = _("reconcilable items")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} {self.sku_code} {self.amount}"


class SupplierStatement(FSMModelMixin, models.Model):
    """对账单: what we and a supplier agree we owe each other for a set of items."""

    transition_labels = STATEMENT_TRANSITION_LABELS

    number = models.CharField(_("statement"), max_length=20, unique=True, null=True, blank=True)
    supplier = models.ForeignKey(
        "inventory.Supplier", verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("from"), null=True, blank=True)
    period_end = models.DateField(_("to"), null=True, blank=True)
    status = FSMField(
        _("status"), max_length=12, choices=StatementStatus.choices, default=S.DRAFT, protected=True
    )
    # The sum of the lines, kept by the services that change the lines (invariant 4).
    total = models.DecimalField(pgettext_lazy("money", "total"), default=0, **MONEY)
    line_count = models.PositiveIntegerField(_("lines"), default=0)
    note = models.TextField(_("note"), blank=True)
    reject_reason = models.CharField(_("rejection reason"), max_length=500, blank=True)
    # The items a rejection freed (ids), put back by reopening when no other statement took them meanwhile.
    released_items = models.JSONField(_("items freed by the rejection"), default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    reconciled_on = models.DateField(_("reconciled on"), null=True, blank=True)
    settled_at = models.DateTimeField(_("settled"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "supplier"], name="statement_status_idx")]
        permissions = [("approve_statement", _("Can approve or reject supplier statements"))]
        verbose_name = _("supplier statement")
        verbose_name_plural = _("supplier statements")

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    @property
    def badge(self) -> str:
        return BADGE_COLOURS.get(self.status, "secondary")

    @property
    def is_draft(self) -> bool:
        return self.status == S.DRAFT

    # --- transitions: called only from reconciliation.services through oms.audit.run_transition ----

    @logged
    @transition(
        field=status, source=S.DRAFT, target=S.SUBMITTED, permission="reconciliation.change_supplierstatement"
    )
    def submit(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status, source=S.SUBMITTED, target=S.APPROVED, permission="reconciliation.approve_statement"
    )
    def approve(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status, source=S.SUBMITTED, target=S.REJECTED, permission="reconciliation.approve_statement"
    )
    def reject(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status, source=S.REJECTED, target=S.DRAFT, permission="reconciliation.change_supplierstatement"
    )
    def reopen(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.APPROVED, target=S.SETTLED, permission="reconciliation.add_settlement")
    def settle(self, by=None, description=None):
        pass


class StatementLine(models.Model):
    """An item on a statement: the draft's selection is these rows. An item is on one statement, ever."""

    statement = models.ForeignKey(
        SupplierStatement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="lines"
    )
    item = models.ForeignKey(
        ReconcilableItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=ItemKind.choices)
    quantity = models.IntegerField(_("quantity"), default=0)
    amount = models.DecimalField(_("amount"), **MONEY)

    class Meta:
        ordering = ["statement", "pk"]
        constraints = [models.UniqueConstraint(fields=["item"], name="statement_line_item_once")]
        indexes = [models.Index(fields=["statement", "kind"], name="statement_line_kind_idx")]
        verbose_name = _("statement line")
        verbose_name_plural = _("statement lines")

    def __str__(self) -> str:
        return f"{self.statement_id}: {self.item_id} {self.amount}"


class BillColumnMapping(models.Model):
    """Which column of a supplier's bill holds what; saved per supplier and reused for the next bill."""

    supplier = models.OneToOneField(
        "inventory.Supplier", verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="+"
    )
    reference_column = models.CharField(_("shipment / order number column"), max_length=100)
    sku_column = models.CharField(_("SKU column"), max_length=100, blank=True)
    quantity_column = models.CharField(_("quantity column"), max_length=100, blank=True)
    amount_column = models.CharField(_("amount column"), max_length=100)
    date_column = models.CharField(_("date column"), max_length=100, blank=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("bill column mapping")
        verbose_name_plural = _("bill column mappings")

    def __str__(self) -> str:
        return str(self.supplier_id)

    def columns(self) -> dict[str, str]:
        return {
            "reference": self.reference_column,
            "sku": self.sku_column,
            "quantity": self.quantity_column,
            "amount": self.amount_column,
            "date": self.date_column,
        }


class SupplierBill(models.Model):
    """The supplier's own bill for a statement, as uploaded; its lines are matched to ours in SQL."""

    statement = models.ForeignKey(
        SupplierStatement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="bills"
    )
    file = models.FileField(_("file"), upload_to="reconciliation/bills/%Y/%m/")
    original_name = models.CharField(_("file name"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=BillStatus.choices, default=BillStatus.UPLOADED
    )
    skip_bad_rows = models.BooleanField(_("match the good rows only"), default=False)
    row_count = models.PositiveIntegerField(_("rows"), default=0)
    bad_rows = models.JSONField(_("bad rows"), default=list, blank=True)
    counts = models.JSONField(_("result"), default=dict, blank=True)
    job_id = models.BigIntegerField(_("matching job"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    matched_at = models.DateTimeField(_("matched"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("supplier bill")
        verbose_name_plural = _("supplier bills")

    def __str__(self) -> str:
        return self.original_name


class SupplierBillLine(models.Model):
    """One row of a supplier's bill (loaded with COPY)."""

    bill = models.ForeignKey(
        SupplierBill, verbose_name=_("bill"), on_delete=models.CASCADE, related_name="lines"
    )
    row_number = models.PositiveIntegerField(_("row"))
    reference = models.CharField(_("reference"), max_length=100)
    sku_code = models.CharField(_("SKU"), max_length=64, blank=True)
    quantity = models.IntegerField(_("quantity"), null=True, blank=True)
    amount = models.DecimalField(_("amount"), **MONEY)
    line_date = models.DateField(_("date"), null=True, blank=True)

    class Meta:
        ordering = ["bill", "row_number"]
        indexes = [models.Index(fields=["bill", "reference", "sku_code"], name="bill_line_key_idx")]
        verbose_name = _("bill line")
        verbose_name_plural = _("bill lines")

    def __str__(self) -> str:
        return f"{self.bill_id}:{self.row_number}"


class BillMatch(models.Model):
    """The result of matching one bill line and / or one of our lines; differences wait for a resolution."""

    statement = models.ForeignKey(
        SupplierStatement, verbose_name=_("statement"), on_delete=models.CASCADE, related_name="matches"
    )
    bill = models.ForeignKey(
        SupplierBill, verbose_name=_("bill"), on_delete=models.CASCADE, related_name="matches"
    )
    kind = models.CharField(_("result"), max_length=12, choices=MatchKind.choices)
    bill_line = models.ForeignKey(
        SupplierBillLine,
        verbose_name=_("bill line"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    item = models.ForeignKey(
        ReconcilableItem,
        verbose_name=_("our item"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    sku_code = models.CharField(_("SKU"), max_length=64, blank=True)
    our_quantity = models.IntegerField(_("our quantity"), null=True, blank=True)
    our_amount = models.DecimalField(_("our amount"), null=True, blank=True, **MONEY)
    their_quantity = models.IntegerField(_("their quantity"), null=True, blank=True)
    their_amount = models.DecimalField(_("their amount"), null=True, blank=True, **MONEY)
    resolution = models.CharField(
        _("resolution"), max_length=14, choices=Resolution.choices, blank=True, default=Resolution.UNRESOLVED
    )
    note = models.CharField(_("note"), max_length=300, blank=True)
    adjustment = models.ForeignKey(
        ReconcilableItem,
        verbose_name=_("adjustment"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)

    class Meta:
        ordering = ["statement", "kind", "reference", "pk"]
        indexes = [
            models.Index(fields=["statement", "kind", "resolution"], name="bill_match_open_idx"),
        ]
        verbose_name = _("bill match")
        verbose_name_plural = _("bill matches")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference} {self.sku_code}"

    @property
    def difference(self):
        if self.our_amount is None or self.their_amount is None:
            return None
        return self.their_amount - self.our_amount

    @property
    def is_difference(self) -> bool:
        return self.kind != MatchKind.MATCHED


class Settlement(models.Model):
    """A payment (or a received refund) that settles an approved statement."""

    statement = models.ForeignKey(
        SupplierStatement, verbose_name=_("statement"), on_delete=models.PROTECT, related_name="settlements"
    )
    paid_on = models.DateField(_("paid on"))
    amount = models.DecimalField(_("amount"), **MONEY)
    reference = models.CharField(_("payment reference"), max_length=100)
    note = models.CharField(_("note"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["statement", "paid_on", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="settlement_amount_not_0")]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")

    def __str__(self) -> str:
        return f"{self.reference} {self.amount}"
