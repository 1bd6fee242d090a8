"""Stock counts (盘点): a session per warehouse or zone, its counted lines, and a manager's approval."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from inventory.choices import COUNT_TRANSITION_LABELS, STATUS_BADGES, StockCountStatus
from inventory.models.catalogue import SKU, Warehouse
from oms.audit import logged

S = StockCountStatus
COUNT = "inventory.count_stock"
APPROVE = "inventory.approve_stockcount"


class StockCount(FSMModelMixin, models.Model):
    """A count of a warehouse, or of the bins whose code starts with ``zone``.

    On hand is taken for every SKU when the count starts, and again each time a SKU is scanned (for SKUs
    never scanned: when the count is submitted). On approval each line's difference, counted − expected
    at count time, is booked to the ledger: units shipped or received while the count ran are not
    mistaken for a variance.
    """

    transition_labels = COUNT_TRANSITION_LABELS

    number = models.CharField(_("count number"), max_length=32, unique=True)
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="stock_counts"
    )
    zone = models.CharField(
        _("zone (bin prefix)"), max_length=32, blank=True, help_text=_("Blank: the whole warehouse.")
    )
    status = FSMField(_("status"), max_length=20, choices=S.choices, default=S.COUNTING, protected=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
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
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_stockcount", _("Can approve stock counts (adjusts the ledger)"))]
        verbose_name = _("stock count")
        verbose_name_plural = _("stock counts")

    def __str__(self) -> str:
        return self.number

    @property
    def badge(self) -> str:
        return STATUS_BADGES.get(self.status, "secondary")

    # --- transitions: run only by inventory.services.counts through oms.audit.run_transition ---

    @logged
    @transition(field=status, source=S.COUNTING, target=S.SUBMITTED, permission=COUNT)
    def submit(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.SUBMITTED, target=S.COUNTING, permission=APPROVE)
    def reopen(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.SUBMITTED, target=S.APPROVED, permission=APPROVE)
    def approve(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=[S.COUNTING, S.SUBMITTED], target=S.CANCELLED, permission=APPROVE)
    def cancel(self, by=None, description=None):
        pass


class StockCountLine(models.Model):
    """One SKU of a count: on hand when counted (``expected``), counted by scanning, and its unit cost."""

    count = models.ForeignKey(
        StockCount, verbose_name=_("count"), on_delete=models.CASCADE, related_name="lines"
    )
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+")
    expected_at_start = models.IntegerField(_("on hand when the count started"))
    expected = models.IntegerField(
        _("expected"),
        help_text=_("On hand when the SKU was last scanned (or at submission if never scanned)."),
    )
    counted = models.PositiveIntegerField(_("counted"), default=0)
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2, default=0)
    adjusted = models.IntegerField(_("booked to the ledger"), null=True, blank=True)
    counted_at = models.DateTimeField(_("last scanned"), null=True, blank=True)

    class Meta:
        ordering = ["count", "sku__code"]
        constraints = [
            models.UniqueConstraint(fields=["count", "sku"], name="count_line_sku_unique"),
            models.CheckConstraint(condition=Q(unit_cost__gte=0), name="count_line_cost_gte_0"),
        ]
        verbose_name = _("stock count line")
        verbose_name_plural = _("stock count lines")

    def __str__(self) -> str:
        return f"{self.count_id} · {self.sku_id}: {self.counted}/{self.expected}"

    @property
    def variance(self) -> int:
        return self.counted - self.expected

    @property
    def variance_value(self):
        return self.unit_cost * self.variance
