"""Purchase orders to suppliers and their lines: what was ordered, at what cost, and what has arrived."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from inventory.choices import PO_TRANSITION_LABELS, STATUS_BADGES, PurchaseOrderStatus
from inventory.models.catalogue import SKU, Supplier, Warehouse
from oms.audit import logged

S = PurchaseOrderStatus
MANAGE = "inventory.manage_purchaseorder"
RECEIVE = "inventory.receive_stock"


class PurchaseOrder(FSMModelMixin, models.Model):
    """An order to a supplier for goods delivered to one warehouse.

    draft → sent → partially received → received; a partially received order may be closed when no more
    will come; a draft or sent one may be cancelled. While sent or partially received, what is still to
    come counts as ``on_order`` on the warehouse's stock levels.
    """

    transition_labels = PO_TRANSITION_LABELS

    number = models.CharField(_("PO number"), max_length=32, unique=True)
    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.PROTECT, related_name="purchase_orders"
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("deliver to"),
        on_delete=models.PROTECT,
        related_name="purchase_orders",
    )
    status = FSMField(_("status"), max_length=20, choices=S.choices, default=S.DRAFT, protected=True)
    expected_date = models.DateField(_("expected delivery"), null=True, blank=True)
    over_receipt_pct = models.PositiveSmallIntegerField(
        _("over-receipt tolerance (%)"),
        default=0,
        help_text=_("How much more than ordered may be received per line, flagged; beyond it is refused."),
    )
    note = models.CharField(_("note to the supplier"), max_length=300, blank=True)
    close_reason = models.CharField(_("why closed or cancelled"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "supplier"], name="po_status_supplier_idx")]
        permissions = [
            ("manage_purchaseorder", _("Can create, send, close and cancel purchase orders")),
        ]
        verbose_name = _("purchase order")
        verbose_name_plural = _("purchase orders")

    def __str__(self) -> str:
        return self.number

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "secondary")

    # --- transitions: run only by inventory.services.purchasing through oms.audit.run_transition ---

    @logged
    @transition(field=status, source=S.DRAFT, target=S.SENT, permission=MANAGE)
    def send(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status, source=[S.SENT, S.PARTIALLY_RECEIVED], target=S.PARTIALLY_RECEIVED, permission=RECEIVE
    )
    def receive_part(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=[S.SENT, S.PARTIALLY_RECEIVED], target=S.RECEIVED, permission=RECEIVE)
    def receive_all(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.PARTIALLY_RECEIVED, target=S.CLOSED, permission=MANAGE)
    def close(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=[S.DRAFT, S.SENT], target=S.CANCELLED, permission=MANAGE)
    def cancel(self, by=None, description=None):
        pass


class PurchaseOrderLine(models.Model):
    """One SKU on a purchase order: ordered, received so far, and the agreed unit cost."""

    purchase_order = models.ForeignKey(
        PurchaseOrder, verbose_name=_("purchase order"), on_delete=models.CASCADE, related_name="lines"
    )
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="po_lines")
    supplier_sku_code = models.CharField(_("supplier's code"), max_length=64, blank=True)
    quantity_ordered = models.PositiveIntegerField(_("ordered"))
    quantity_received = models.PositiveIntegerField(_("received"), default=0)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["purchase_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["purchase_order", "sku"], name="po_line_sku_unique"),
            models.CheckConstraint(condition=Q(quantity_ordered__gt=0), name="po_line_ordered_gt_0"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="po_line_cost_gte_0"),
            # Never more than double what was ordered, whatever the tolerance (the service enforces it).
            models.CheckConstraint(
                condition=Q(quantity_received__lte=F("quantity_ordered") * 2), name="po_line_received_bounded"
            ),
        ]
        verbose_name = _("purchase order line")
        verbose_name_plural = _("purchase order lines")

    def __str__(self) -> str:
        return f"{self.purchase_order_id} · {self.sku_id} × {self.quantity_ordered}"

    @property
    def outstanding(self) -> int:
        return max(self.quantity_ordered - self.quantity_received, 0)

    @property
    def line_total(self) -> Decimal:
        return self.unit_cost * self.quantity_ordered
