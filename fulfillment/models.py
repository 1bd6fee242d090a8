"""Models of the fulfillment app: carriers and rates, shipments and their lines, waves, pack scans, tracking."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField, FSMModelMixin, transition

from fulfillment.choices import (
    BADGE_COLOURS,
    BEFORE_SHIPPED,
    TRANSITION_LABELS,
    AdapterKind,
    CarrierKind,
    RuleCondition,
    ScanResult,
    ShipmentStatus,
    TrackingKind,
    WaveStatus,
    WebhookAuth,
)
from fulfillment.choices import ShipmentStatus as S
from fulfillment.intercepts import Interception
from inventory.regions import normalise_region, normalise_regions
from oms.audit import logged


class Carrier(models.Model):
    """A parcel or freight company, with how we talk to it (adapter) and how it pushes tracking to us."""

    code = models.CharField(_("carrier code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CarrierKind.choices, default=CarrierKind.STANDARD
    )
    adapter = models.CharField(
        _("adapter"), max_length=10, choices=AdapterKind.choices, default=AdapterKind.MANUAL
    )
    api_base_url = models.URLField(_("API base URL"), blank=True)
    api_token = models.CharField(_("API token"), max_length=200, blank=True)
    webhook_auth = models.CharField(
        _("webhook authentication"), max_length=10, choices=WebhookAuth.choices, default=WebhookAuth.HMAC
    )
    webhook_secret = models.CharField(
        _("webhook shared secret"),
        max_length=200,
        blank=True,
        help_text=_("Tracking pushes without a valid signature or token for this secret are refused."),
    )
    tracking_url_template = models.CharField(
        _("tracking URL template"),
        max_length=300,
        blank=True,
        help_text=_("e.g. https://carrier/track/{number}"),
    )
    late_after_days = models.PositiveSmallIntegerField(_("late after (days without an event)"), default=3)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name


class CarrierService(models.Model):
    """A product of a carrier (e.g. next-day, economy, freight), with its limits and coverage."""

    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), on_delete=models.CASCADE, related_name="services"
    )
    code = models.CharField(_("service code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("kind"), max_length=10, choices=CarrierKind.choices, default=CarrierKind.STANDARD
    )
    max_weight_g = models.PositiveIntegerField(_("max weight (g)"), null=True, blank=True)
    max_volume_cm3 = models.PositiveIntegerField(_("max volume (cm³)"), null=True, blank=True)
    provinces = ArrayField(
        models.CharField(max_length=50),
        verbose_name=_("provinces covered"),
        default=list,
        blank=True,
        help_text=_("Empty: every province."),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["carrier", "code"]
        constraints = [models.UniqueConstraint(fields=["carrier", "code"], name="carrier_service_unique")]
        verbose_name = _("carrier service")
        verbose_name_plural = _("carrier services")

    def __str__(self) -> str:
        return f"{self.carrier.name} · {self.name}"

    def covers(self, province: str) -> bool:
        """Whether the service delivers to ``province``, in any spelling (广东省 = 广东 = Guangdong)."""
        return not self.provinces or normalise_region(province) in normalise_regions(self.provinces)


class RateRow(models.Model):
    """One row of a service's rate table: price for the first weight step plus each further kilogram."""

    service = models.ForeignKey(
        CarrierService, verbose_name=_("service"), on_delete=models.CASCADE, related_name="rates"
    )
    province = models.CharField(
        _("destination province"), max_length=50, blank=True, help_text=_("Empty: every other province.")
    )
    first_weight_g = models.PositiveIntegerField(_("first weight (g)"), default=1000)
    first_price = models.DecimalField(_("first weight price"), max_digits=10, decimal_places=2)
    extra_kg_price = models.DecimalField(_("each further kg"), max_digits=10, decimal_places=2, default=0)

    class Meta:
        ordering = ["service", "province"]
        constraints = [
            models.UniqueConstraint(fields=["service", "province"], name="rate_row_unique"),
            models.CheckConstraint(
                condition=Q(first_price__gte=0) & Q(extra_kg_price__gte=0), name="rate_row_prices_gte_0"
            ),
        ]
        verbose_name = _("rate row")
        verbose_name_plural = _("rate table")

    def __str__(self) -> str:
        return f"{self.service} → {self.province or '*'}"

    def price_for(self, weight_g: int) -> Decimal:
        extra_g = max(weight_g - self.first_weight_g, 0)
        extra_kg = -(-extra_g // 1000)  # whole kilograms, rounded up
        return (self.first_price + self.extra_kg_price * extra_kg).quantize(Decimal("0.01"))


class CarrierRule(models.Model):
    """A rule that sends a kind of parcel to a service (urgent → express, heavy → freight); first match wins."""

    name = models.CharField(_("name"), max_length=100)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=10, help_text=_("Lower is tried first.")
    )
    condition = models.CharField(_("condition"), max_length=20, choices=RuleCondition.choices)
    threshold = models.PositiveIntegerField(_("threshold"), null=True, blank=True)
    provinces = ArrayField(
        models.CharField(max_length=50), verbose_name=_("provinces"), default=list, blank=True
    )
    service = models.ForeignKey(
        CarrierService, verbose_name=_("send with"), on_delete=models.CASCADE, related_name="rules"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["priority", "pk"]
        verbose_name = _("carrier rule")
        verbose_name_plural = _("carrier rules")

    def __str__(self) -> str:
        return self.name


class PickWave(models.Model):
    """A batch of parcels picked together: one warehouse, one carrier, up to one cut-off time."""

    number = models.CharField(_("wave"), max_length=20, unique=True)
    warehouse = models.ForeignKey(
        "inventory.Warehouse", verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    carrier = models.ForeignKey(
        Carrier, verbose_name=_("carrier"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    cutoff_at = models.DateTimeField(_("cut-off"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=WaveStatus.choices, default=WaveStatus.RELEASED
    )
    picklist_job_id = models.BigIntegerField(_("last pick list job"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        permissions = [("print_picklist", _("Can print pick lists"))]
        verbose_name = _("pick wave")
        verbose_name_plural = _("pick waves")

    def __str__(self) -> str:
        return self.number


class Shipment(FSMModelMixin, models.Model):
    """One parcel: an order's lines from one warehouse (several orders when merged, 合单), or a drop-ship."""

    transition_labels = TRANSITION_LABELS

    number = models.CharField(_("shipment"), max_length=20, unique=True)
    order = models.ForeignKey(
        "orders.Order", verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    customer = models.ForeignKey(
        "orders.Customer", verbose_name=_("customer"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.ForeignKey(
        "orders.Address", verbose_name=_("address"), on_delete=models.PROTECT, related_name="+"
    )
    address_key = models.CharField(_("address key"), max_length=40)
    province = models.CharField(_("province"), max_length=50)
    warehouse = models.ForeignKey(
        "inventory.Warehouse",
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    supplier = models.ForeignKey(
        "inventory.Supplier",
        verbose_name=_("drop-ship supplier"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_drop_ship = models.BooleanField(_("drop-ship (厂家发货)"), default=False)
    never_merge = models.BooleanField(_("never merge"), default=False)
    status = FSMField(
        _("status"), max_length=20, choices=ShipmentStatus.choices, default=S.PENDING, protected=True
    )
    wave = models.ForeignKey(
        PickWave,
        verbose_name=_("wave"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="shipments",
    )
    priority = models.IntegerField(_("priority"), default=0)
    is_urgent = models.BooleanField(_("urgent"), default=False)
    cutoff_at = models.DateTimeField(_("cut-off"), null=True, blank=True)
    carrier_service = models.ForeignKey(
        CarrierService,
        verbose_name=_("carrier service"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    carrier_overridden = models.BooleanField(_("carrier chosen by hand"), default=False)
    carrier_reasons = models.JSONField(_("why this carrier"), default=list, blank=True)
    shipping_cost = models.DecimalField(
        _("shipping cost"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    tracking_number = models.CharField(_("tracking number"), max_length=64, blank=True, db_index=True)
    expected_weight_g = models.PositiveIntegerField(_("expected weight (g)"), default=0)
    weight_g = models.PositiveIntegerField(_("weighed (g)"), null=True, blank=True)
    release_signature = models.CharField(_("lines at release"), max_length=64, blank=True)
    review_reason = models.CharField(_("review reason"), max_length=300, blank=True)
    exception_reason = models.CharField(_("exception"), max_length=300, blank=True)
    is_late = models.BooleanField(_("late"), default=False, db_index=True)
    last_event_at = models.DateTimeField(_("last tracking event"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    packed_at = models.DateTimeField(_("packed"), null=True, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    customer_notified_at = models.DateTimeField(
        _("customer told it shipped"),
        null=True,
        blank=True,
        help_text=_("One message for parcels shipped together."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "warehouse"], name="shipment_status_wh_idx"),
            models.Index(
                fields=["customer", "address_key"], name="shipment_merge_idx", condition=Q(status=S.PENDING)
            ),
        ]
        permissions = [
            ("pack_shipment", _("Can scan and pack parcels")),
            ("ship_shipment", _("Can ship parcels and print shipping slips")),
            ("build_wave", _("Can build pick waves")),
            ("override_carrier", _("Can override the chosen carrier")),
            ("approve_dropship", _("Can approve drop-ship shipments")),
            ("review_shipment", _("Can release parcels held for weight review")),
        ]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return self.number

    # --- transitions: called only from fulfillment.services through oms.audit.run_transition ----

    @logged
    @transition(
        field=status, source=S.AWAITING_APPROVAL, target=S.APPROVED, permission="fulfillment.approve_dropship"
    )
    def approve(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.PENDING, target=S.PICKING, permission="fulfillment.build_wave")
    def start_picking(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status,
        source=[S.PENDING, S.PICKING, S.REVIEW],
        target=S.PACKED,
        permission="fulfillment.pack_shipment",
    )
    def pack(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status, source=[S.PENDING, S.PICKING], target=S.REVIEW, permission="fulfillment.pack_shipment"
    )
    def hold_for_review(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.PACKED, target=S.SHIPPED, permission="fulfillment.ship_shipment")
    def ship(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.APPROVED, target=S.SHIPPED, permission="fulfillment.approve_dropship")
    def ship_by_supplier(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=S.SHIPPED, target=S.IN_TRANSIT)
    def move(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=[S.SHIPPED, S.IN_TRANSIT, S.EXCEPTION], target=S.DELIVERED)
    def deliver(self, by=None, description=None):
        pass

    @logged
    @transition(field=status, source=[S.SHIPPED, S.IN_TRANSIT], target=S.EXCEPTION)
    def fail(self, by=None, description=None):
        pass

    @logged
    @transition(
        field=status, source=BEFORE_SHIPPED, target=S.CANCELLED, permission="fulfillment.change_shipment"
    )
    def cancel(self, by=None, description=None):
        pass

    # --- read helpers -----------------------------------------------------------------------

    @property
    def badge(self) -> str:
        return BADGE_COLOURS.get(self.status, "secondary")

    @property
    def interception(self) -> Interception | None:
        """The held or cancelled order stopping this parcel, from the selectors' ``interception_row``."""
        return Interception.from_row(getattr(self, "interception_row", None))


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        "orders.OrderLine",
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="shipment_lines",
    )
    sku = models.ForeignKey(
        "inventory.SKU", verbose_name=_("SKU"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    verified_qty = models.PositiveIntegerField(_("scanned"), default=0)
    shipped_qty = models.PositiveIntegerField(_("shipped"), default=0)
    demand_ref = models.CharField(_("demand"), max_length=100, blank=True)

    class Meta:
        ordering = ["shipment", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="shipment_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(verified_qty__lte=F("quantity")), name="shipment_line_verified_lte_qty"
            ),
            models.CheckConstraint(
                condition=Q(shipped_qty__lte=F("quantity")), name="shipment_line_shipped_lte_qty"
            ),
        ]
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")

    def __str__(self) -> str:
        return f"{self.shipment_id}: {self.quantity} × {self.sku_id}"


class PackScan(models.Model):
    """Every scan at the pack station, right or wrong: what was scanned, the verdict, who, when."""

    shipment = models.ForeignKey(
        Shipment,
        verbose_name=_("shipment"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="scans",
    )
    code = models.CharField(_("scanned code"), max_length=100)
    result = models.CharField(_("result"), max_length=20, choices=ScanResult.choices)
    message = models.CharField(_("message"), max_length=300, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("pack scan")
        verbose_name_plural = _("pack scans")

    def __str__(self) -> str:
        return f"{self.code}: {self.result}"


class TrackingEvent(models.Model):
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="events"
    )
    occurred_at = models.DateTimeField(_("when"))
    kind = models.CharField(_("kind"), max_length=20, choices=TrackingKind.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    location = models.CharField(_("location"), max_length=100, blank=True)
    source = models.CharField(_("source"), max_length=10, default="push")
    received_at = models.DateTimeField(_("received"), auto_now_add=True)

    class Meta:
        ordering = ["occurred_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["shipment", "occurred_at", "kind", "description"], name="tracking_event_unique"
            )
        ]
        verbose_name = _("tracking event")
        verbose_name_plural = _("tracking events")

    def __str__(self) -> str:
        return f"{self.shipment_id} {self.kind} {self.occurred_at:%Y-%m-%d %H:%M}"


# Electronic waybill and COD remittance models live in their own modules (this one stays under 500 lines).
from fulfillment.models_cod import CodRemittance  # noqa: E402, F401
from fulfillment.waybill_models import CarrierAccount, ChannelLabelPrivacy, PoolNumber, Waybill  # noqa: E402, F401
