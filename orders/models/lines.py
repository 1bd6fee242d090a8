"""Order lines and each line's allocation (the link to inventory's reservation)."""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from orders.models.base import MONEY
from orders.models.order import Order


class OrderLine(models.Model):
    # Both keys are served by the composite indexes below (order_line_no_unique, order_line_sku_idx).
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines", db_index=False
    )
    line_no = models.PositiveSmallIntegerField(_("line"))
    sku = models.ForeignKey(
        "inventory.SKU", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    sku_code = models.CharField(_("SKU code"), max_length=64)
    name = models.CharField(_("item"), max_length=300)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price"), **MONEY)
    line_total = models.DecimalField(_("line total"), **MONEY)
    # The line's share of each order-level deduction (orders.money.allocate_deductions) and what is left: the
    # amount a refund of the whole line gives back. Empty net: not allocated (no deductions), the line total.
    discount_share = models.DecimalField(_("discount share"), default=Decimal("0.00"), **MONEY)
    coupon_share = models.DecimalField(_("shop coupon share"), default=Decimal("0.00"), **MONEY)
    platform_coupon_share = models.DecimalField(_("platform coupon share"), default=Decimal("0.00"), **MONEY)
    points_share = models.DecimalField(_("points share"), default=Decimal("0.00"), **MONEY)
    net_total = models.DecimalField(_("net amount"), null=True, blank=True, **MONEY)

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
    def net_amount(self) -> Decimal:
        """The line's value after its share of the order's discounts, coupons and points."""
        return self.line_total if self.net_total is None else self.net_total

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
