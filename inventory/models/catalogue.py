"""Models of the catalogue and the places: products, SKUs, suppliers and what they supply, warehouses, bins."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from inventory.choices import LocationKind


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
