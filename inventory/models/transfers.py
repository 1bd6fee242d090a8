"""Transfers between warehouses: shipped from one, in transit, received at the other."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from inventory.choices import STATUS_BADGES, TRANSFER_TRANSITION_LABELS, TransferStatus
from inventory.models.catalogue import SKU, Warehouse
from oms.audit import logged

S = TransferStatus
TRANSFER = "inventory.transfer_stock"


class StockTransfer(FSMModelMixin, models.Model):
    """Goods sent from one warehouse to another. While shipped they are in transit: sellable at neither end."""

    transition_labels = TRANSFER_TRANSITION_LABELS

    number = models.CharField(_("transfer number"), max_length=32, unique=True)
    from_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("from"), on_delete=models.PROTECT, related_name="transfers_out"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("to"), on_delete=models.PROTECT, related_name="transfers_in"
    )
    status = FSMField(_("status"), max_length=20, choices=S.choices, default=S.DRAFT, protected=True)
    carrier_reference = models.CharField(_("carrier / truck reference"), max_length=100, blank=True)
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
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_warehouse=F("to_warehouse")), name="transfer_two_warehouses"
            ),
        ]
        verbose_name = _("stock transfer")
        verbose_name_plural = _("stock transfers")

    def __str__(self) -> str:
        return self.number

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "secondary")

    @logged
    @transition(field=status, source=S.DRAFT, target=S.SHIPPED, permission=TRANSFER)
    def ship(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.SHIPPED, target=S.RECEIVED, permission=TRANSFER)
    def receive(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.DRAFT, target=S.CANCELLED, permission=TRANSFER)
    def cancel(self, by=None, description=None):
        pass


class StockTransferLine(models.Model):
    transfer = models.ForeignKey(
        StockTransfer, verbose_name=_("transfer"), on_delete=models.CASCADE, related_name="lines"
    )
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["transfer", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "sku"], name="transfer_line_sku_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="transfer_line_quantity_gt_0"),
        ]
        verbose_name = _("transfer line")
        verbose_name_plural = _("transfer lines")

    def __str__(self) -> str:
        return f"{self.transfer_id} · {self.sku_id} × {self.quantity}"
