"""Cash on delivery remitted by a carrier: the money its couriers collected at the door, paid over to us."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CodRemittance(models.Model):
    """One payment of collected cash on delivery by a carrier (its statement or bank transfer)."""

    carrier = models.ForeignKey(
        "fulfillment.Carrier",
        verbose_name=_("carrier"),
        on_delete=models.PROTECT,
        related_name="cod_remittances",
    )
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    remitted_on = models.DateField(_("remitted on"))
    reference = models.CharField(_("reference"), max_length=100)
    note = models.CharField(_("note"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        app_label = "fulfillment"
        ordering = ["-remitted_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="cod_remittance_amount_gt_0"),
            # A carrier's statement is entered once.
            models.UniqueConstraint(fields=["carrier", "reference"], name="cod_remittance_reference_unique"),
        ]
        verbose_name = _("COD remittance")
        verbose_name_plural = _("COD remittances")

    def __str__(self) -> str:
        return f"{self.carrier_id} {self.remitted_on} {self.amount}"
