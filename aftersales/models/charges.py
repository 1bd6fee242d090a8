"""Supplier charges: the supplier's share of a case, open until the reconciliation app settles it."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.choices import ReconciliationStatus
from aftersales.models._common import MONEY
from aftersales.models.cases import AftersalesCase


class SupplierCharge(models.Model):
    """The supplier's share of a case, open for supplier reconciliation. Negative: the supplier owes us."""

    supplier = models.ForeignKey(
        "inventory.Supplier",
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        related_name="aftersales_charges",
    )
    case = models.OneToOneField(
        AftersalesCase, verbose_name=_("case"), on_delete=models.PROTECT, related_name="supplier_charge"
    )
    amount = models.DecimalField(_("amount"), help_text=_("Negative: the supplier owes us."), **MONEY)
    date = models.DateField(_("date"), default=timezone.localdate)
    description = models.CharField(_("description"), max_length=300, blank=True)
    reconciliation_status = models.CharField(
        _("reconciliation"),
        max_length=14,
        choices=ReconciliationStatus.choices,
        default=ReconciliationStatus.OPEN,
    )
    statement_id = models.BigIntegerField(_("statement"), null=True, blank=True, db_index=True)
    reconciled_at = models.DateField(_("reconciled on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["supplier", "date", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="aftersales_charge_amount_not_0"),
            models.CheckConstraint(
                condition=(
                    Q(
                        reconciliation_status=ReconciliationStatus.OPEN,
                        statement_id__isnull=True,
                        reconciled_at__isnull=True,
                    )
                    | Q(
                        reconciliation_status=ReconciliationStatus.IN_STATEMENT,
                        statement_id__isnull=False,
                        reconciled_at__isnull=True,
                    )
                    | Q(
                        reconciliation_status=ReconciliationStatus.RECONCILED,
                        statement_id__isnull=False,
                        reconciled_at__isnull=False,
                    )
                ),
                name="aftersales_charge_status_consistent",
            ),
        ]
        indexes = [
            models.Index(
                fields=["supplier", "date"],
                condition=Q(reconciliation_status=ReconciliationStatus.OPEN),
                name="charge_open_idx",
            )
        ]
        verbose_name = _("supplier charge")
        verbose_name_plural = _("supplier charges")

    def __str__(self) -> str:
        return f"{self.supplier} {self.amount} ({self.case})"
