"""Models of the inventory app: catalogue, suppliers, warehouses, stock levels, the ledger, reservations, alerts."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import AlertStatus, LocationKind, MovementKind, ReservationStatus, StockBucket


class Product(models.Model):
    code = models.CharField(_("product code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    brand = models.CharField(_("brand"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=100, blank=True, db_index=True)
    description = models.TextField(_("description"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class SKU(models.Model):
    """A sellable variant of a product: what an order line, a pick and a scan refer to."""

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="skus"
    )
    code = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("variant"), max_length=200, blank=True, help_text=_("e.g. Red / L"))
    barcode = models.CharField(_("barcode"), max_length=64, unique=True, null=True, blank=True)
    price = models.DecimalField(_("list price"), max_digits=12, decimal_places=2, default=0)
    weight_g = models.PositiveIntegerField(_("weight (g)"), default=0)
    volume_cm3 = models.PositiveIntegerField(_("volume (cm³)"), default=0)
    is_fragile = models.BooleanField(_("fragile"), default=False)
    is_high_value = models.BooleanField(_("high value"), default=False)
    is_bulky = models.BooleanField(_("bulky"), default=False)
    is_sellable = models.BooleanField(_("sellable"), default=True, db_index=True)
    expected_restock_date = models.DateField(_("expected restock date"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("SKU")
        verbose_name_plural = _("SKUs")

    def __str__(self) -> str:
        return f"{self.code} {self.product.name}{' ' + self.name if self.name else ''}"


class Supplier(models.Model):
    code = models.CharField(_("supplier code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    contact_name = models.CharField(_("contact"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("supplier")
        verbose_name_plural = _("suppliers")

    def __str__(self) -> str:
        return self.name


class SupplierSKU(models.Model):
    """What a supplier supplies: its cost, lead time, minimum order, and whether it ships to customers itself."""

    supplier = models.ForeignKey(
        Supplier, verbose_name=_("supplier"), on_delete=models.CASCADE, related_name="supplied_skus"
    )
    sku = models.ForeignKey(
        SKU, verbose_name=_("SKU"), on_delete=models.CASCADE, related_name="supplier_skus"
    )
    supplier_sku_code = models.CharField(_("supplier's code"), max_length=64, blank=True)
    cost = models.DecimalField(_("agreed cost"), max_digits=12, decimal_places=2)
    lead_time_days = models.PositiveSmallIntegerField(_("lead time (days)"), default=7)
    min_order_qty = models.PositiveIntegerField(_("minimum order"), default=1)
    is_drop_ship = models.BooleanField(_("drop-ship (厂家发货)"), default=False)
    is_preferred = models.BooleanField(_("preferred supplier"), default=False)

    class Meta:
        ordering = ["supplier", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["supplier", "sku"], name="supplier_sku_unique"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="supplier_sku_cost_gte_0"),
        ]
        verbose_name = _("supplied SKU")
        verbose_name_plural = _("supplied SKUs")

    def __str__(self) -> str:
        return f"{self.supplier} · {self.sku.code}"


class Warehouse(models.Model):
    code = models.CharField(_("warehouse code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    province = models.CharField(_("province"), max_length=50, blank=True)
    city = models.CharField(_("city"), max_length=50, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    regions = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("provinces served"),
        default=list,
        blank=True,
        help_text=_("Provinces (or regions) this warehouse serves first, e.g. 上海, 江苏, 浙江"),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=10, help_text=_("Lower is chosen first.")
    )
    daily_capacity = models.PositiveIntegerField(_("daily capacity (parcels)"), default=1000)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Location(models.Model):
    """A bin: where a SKU is picked from, in the order the picker walks (pick sequence)."""

    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.CASCADE, related_name="locations"
    )
    code = models.CharField(_("bin code"), max_length=32)
    kind = models.CharField(_("kind"), max_length=16, choices=LocationKind.choices, default=LocationKind.PICK)
    pick_sequence = models.PositiveIntegerField(_("pick sequence"), default=0)
    skus = models.ManyToManyField(
        SKU, verbose_name=_("SKUs stored here"), blank=True, related_name="locations"
    )

    class Meta:
        ordering = ["warehouse", "pick_sequence", "code"]
        constraints = [models.UniqueConstraint(fields=["warehouse", "code"], name="location_code_unique")]
        verbose_name = _("location")
        verbose_name_plural = _("locations")

    def __str__(self) -> str:
        return f"{self.warehouse.code}:{self.code}"


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
    on_order = models.IntegerField(_("on order"), default=0)
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
