"""Demo data of the fulfillment app: carriers with rate tables and rules, parcels for the allocated demo
orders, one wave, a packed parcel and a shipped one with tracking events, all through the services.

Runs after the orders demo. Idempotent: carriers are keyed by code; parcels are made only for allocated
orders without one; the wave, the packed and the shipped parcel only when none exists yet.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from fulfillment import services
from fulfillment.carriers import TrackingUpdate
from fulfillment.choices import CarrierKind, RuleCondition, ShipmentStatus
from fulfillment.models import Carrier, CarrierRule, CarrierService, PickWave, RateRow, Shipment
from oms.exceptions import DomainError

S = ShipmentStatus

# code, name, kind, services [(code, name, kind, max weight g, first price, each further kg)]
CARRIERS = [
    (
        "ZTO",
        "中通快递",
        CarrierKind.STANDARD,
        [("STD", "标准快递", CarrierKind.STANDARD, 30000, "8.00", "2.00")],
    ),
    (
        "SF",
        "顺丰速运",
        CarrierKind.EXPRESS,
        [("NEXT", "顺丰次日", CarrierKind.EXPRESS, 30000, "18.00", "5.00")],
    ),
    (
        "DBL",
        "德邦物流",
        CarrierKind.FREIGHT,
        [("HEAVY", "大件快递", CarrierKind.FREIGHT, None, "30.00", "1.50")],
    ),
]
# Cheaper first weight for nearby provinces (the demo warehouses are in 上海 and 广东).
NEAR = {"ZTO": ["上海", "江苏", "浙江"], "SF": ["上海", "广东"]}


def seed(*, stdout) -> None:
    _carriers()
    created = services.shipments_create_pending(max_orders=1000)
    stdout.write(
        f"  fulfillment: parcels for {created['orders']} allocated orders ({created['skipped']} skipped)"
    )
    warehouse_user = get_user_model().objects.filter(username="warehouse").first()
    if not PickWave.objects.exists():
        _wave(stdout, by=warehouse_user)
    if not Shipment.objects.filter(status__in=[S.PACKED, S.SHIPPED, S.IN_TRANSIT, S.DELIVERED]).exists():
        _pack_and_ship(stdout, by=warehouse_user)


def _carriers() -> None:
    for code, name, kind, service_rows in CARRIERS:
        carrier, _ = Carrier.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "webhook_secret": f"demo-{code.lower()}-secret",
                "tracking_url_template": f"https://www.example.com/{code.lower()}/track/{{number}}",
            },
        )
        for s_code, s_name, s_kind, max_g, first, extra in service_rows:
            service, _ = CarrierService.objects.get_or_create(
                carrier=carrier, code=s_code, defaults={"name": s_name, "kind": s_kind, "max_weight_g": max_g}
            )
            RateRow.objects.get_or_create(
                service=service, province="", defaults={"first_price": first, "extra_kg_price": extra}
            )
            for province in NEAR.get(code, []):
                RateRow.objects.get_or_create(
                    service=service,
                    province=province,
                    defaults={"first_price": Decimal(first) - 2, "extra_kg_price": extra},
                )
    rules = [
        ("加急订单走顺丰", 10, RuleCondition.URGENT, None, "SF"),
        ("20 公斤以上走大件", 20, RuleCondition.WEIGHT_GTE, 20000, "DBL"),
        ("大件商品走德邦", 30, RuleCondition.BULKY, None, "DBL"),
    ]
    for name, priority, condition, threshold, carrier_code in rules:
        CarrierRule.objects.get_or_create(
            name=name,
            defaults={
                "priority": priority,
                "condition": condition,
                "threshold": threshold,
                "service": CarrierService.objects.filter(carrier__code=carrier_code).order_by("pk").first(),
            },
        )


def _wave(stdout, *, by) -> None:
    busiest = (
        Shipment.objects.filter(status=S.PENDING, wave__isnull=True, is_drop_ship=False)
        .values("warehouse_id")
        .annotate(n=Count("pk"))
        .order_by("-n", "warehouse_id")
        .first()
    )
    if busiest is None:
        stdout.write("  fulfillment: no pending parcels; no wave built")
        return
    try:
        wave = services.wave_build(warehouse_id=busiest["warehouse_id"], limit=12, by=by)
    except DomainError as exc:
        stdout.write(f"  fulfillment: no wave ({exc.message})")
        return
    stdout.write(f"  fulfillment: wave {wave.number} with {wave.shipments.count()} parcels")


def _pack_and_ship(stdout, *, by) -> None:
    candidates = list(
        Shipment.objects.filter(status=S.PICKING, is_drop_ship=False, carrier_service__isnull=False).order_by(
            "pk"
        )[:2]
    )
    done = []
    for shipment in candidates:
        try:
            for line in shipment.lines.select_related("sku").order_by("pk"):
                for _unit in range(line.quantity):
                    services.pack_scan(shipment_id=shipment.pk, code=line.sku.code, by=by)
            services.shipment_mark_packed(shipment_id=shipment.pk, by=by)
        except DomainError as exc:
            stdout.write(f"  fulfillment: {shipment.number} not packed ({exc.message})")
            continue
        done.append(shipment)
    if len(done) < 2:
        return
    shipped = services.shipment_ship(shipment_id=done[1].pk, tracking_number=f"ZT7{done[1].pk:09d}", by=by)
    now = timezone.now()
    services.tracking_record(
        shipment_id=shipped.pk,
        updates=[
            TrackingUpdate(
                occurred_at=now - timedelta(hours=5),
                kind="picked_up",
                description="快递员已揽收",
                location="上海",
            ),
            TrackingUpdate(
                occurred_at=now - timedelta(hours=1),
                kind="info",
                description="已到达杭州转运中心",
                location="杭州",
            ),
        ],
        source="demo",
    )
    stdout.write(f"  fulfillment: {done[0].number} packed, {shipped.number} shipped with tracking events")
