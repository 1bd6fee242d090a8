"""Models of stock: levels per SKU × warehouse, the ledger, reservations, low-stock alerts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import AlertStatus, MovementKind, ReservationStatus, StockBucket
from inventory.models.catalogue import SKU, Location, Supplier, Warehouse


class StockLevel(models.Model):
    """Stock of one SKU in one warehouse. Changed only by inventory services, always with ledger rows."""

    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="stock_levels")
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="stock_levels"
    )
    on_hand = models.IntegerField(_("on hand"), default=0)
    reserved = models.IntegerField(_("reserved"), default=0)
    available = models.GeneratedField(
        expression=F("on_hand") - F("reserved"),
        output_field=models.IntegerField(),
        db_persist=True,
        verbose_name=_("available"),
    )
    damaged = models.IntegerField(
        _("damaged"), default=0, help_text=_("Held in the damaged location; not sellable.")
    )
    on_order = models.IntegerField(
        _("on order"), default=0, help_text=_("Still to come on sent purchase orders to this warehouse.")
    )
    in_transit = models.IntegerField(
        _("in transit"), default=0, help_text=_("Shipped to this warehouse by a transfer, not yet received.")
    )
    safety_stock = models.PositiveIntegerField(_("safety stock"), default=0)
    reorder_point = models.PositiveIntegerField(_("reorder point"), default=0)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["sku", "warehouse"]
        constraints = [
            models.UniqueConstraint(fields=["sku", "warehouse"], name="stock_level_unique"),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="stock_reserved_gte_0"),
            models.CheckConstraint(
                condition=Q(on_hand__gte=F("reserved")), name="stock_reserved_lte_on_hand"
            ),
            models.CheckConstraint(condition=Q(damaged__gte=0), name="stock_damaged_gte_0"),
            models.CheckConstraint(condition=Q(on_order__gte=0), name="stock_on_order_gte_0"),
            models.CheckConstraint(condition=Q(in_transit__gte=0), name="stock_in_transit_gte_0"),
        ]
        indexes = [models.Index(fields=["warehouse", "sku"], name="stock_wh_sku_idx")]
        permissions = [
            ("receive_stock", _("Can receive goods into stock")),
            ("adjust_stock", _("Can adjust stock with a reason")),
            ("count_stock", _("Can record a stock count")),
            ("transfer_stock", _("Can transfer stock between warehouses")),
            ("export_stock", _("Can export stock lists")),
        ]
        verbose_name = _("stock level")
        verbose_name_plural = _("stock levels")

    def __str__(self) -> str:
        return f"{self.sku.code} @ {self.warehouse.code}: {self.on_hand}/{self.reserved}"


class StockMovement(models.Model):
    """The ledger: every change of on hand (bucket sellable) or damaged stock (bucket damaged) is one row."""

    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="movements")
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    location = models.ForeignKey(
        Location,
        verbose_name=_("location"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MovementKind.choices)
    bucket = models.CharField(
        _("bucket"), max_length=10, choices=StockBucket.choices, default=StockBucket.SELLABLE
    )
    quantity = models.IntegerField(_("quantity"), help_text=_("Positive in, negative out."))
    balance_after = models.IntegerField(_("balance after"))
    reference = models.CharField(_("reference"), max_length=100, blank=True, db_index=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    supplier = models.ForeignKey(
        Supplier,
        verbose_name=_("supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
    )
    unit_cost = models.DecimalField(_("unit cost"), max_digits=12, decimal_places=2, null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(quantity=0), name="movement_quantity_not_0")]
        indexes = [models.Index(fields=["sku", "warehouse", "created_at"], name="movement_sku_wh_time_idx")]
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.quantity:+d} {self.sku.code} @ {self.warehouse.code}"


class Reservation(models.Model):
    """Stock held for a demand (e.g. an order line), by a plain reference: inventory never imports orders."""

    sku = models.ForeignKey(SKU, verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="reservations")
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="reservations"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    demand_ref = models.CharField(
        _("demand"),
        max_length=100,
        db_index=True,
        help_text=_("What the stock is held for, e.g. order-line:123"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReservationStatus.choices, default=ReservationStatus.ACTIVE
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("released or consumed"), null=True, blank=True)
    closed_reason = models.CharField(_("why released"), max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="reservation_quantity_gt_0")]
        indexes = [
            models.Index(
                fields=["sku", "warehouse"],
                condition=Q(status=ReservationStatus.ACTIVE),
                name="reservation_active_idx",
            ),
            models.Index(
                fields=["warehouse", "created_at"],
                condition=Q(status=ReservationStatus.ACTIVE),
                name="reservation_active_wh_day_idx",
            ),
        ]
        verbose_name = _("reservation")
        verbose_name_plural = _("reservations")

    def __str__(self) -> str:
        return f"{self.quantity} × {self.sku.code} @ {self.warehouse.code} for {self.demand_ref}"


class LowStockAlert(models.Model):
    """Open while available stock is below safety stock; one open alert per SKU × warehouse."""

    sku = models.ForeignKey(
        SKU, verbose_name=_("SKU"), on_delete=models.CASCADE, related_name="low_stock_alerts"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="low_stock_alerts"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.OPEN
    )
    available_at_open = models.IntegerField(_("available when opened"))
    safety_stock = models.PositiveIntegerField(_("safety stock"))
    opened_at = models.DateTimeField(_("opened"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    class Meta:
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sku", "warehouse"],
                condition=Q(status=AlertStatus.OPEN),
                name="one_open_low_stock_alert",
            ),
        ]
        verbose_name = _("low-stock alert")
        verbose_name_plural = _("low-stock alerts")

    def __str__(self) -> str:
        return f"{self.sku.code} @ {self.warehouse.code}: {self.available_at_open} < {self.safety_stock}"
