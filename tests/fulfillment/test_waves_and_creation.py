"""Parcels from allocated orders (beat task and wave build), waves, and a line split over two warehouses."""

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.urls import reverse

from fulfillment.choices import ShipmentStatus as S
from fulfillment.exceptions import WaveEmpty
from fulfillment.models import PickWave, Shipment
from fulfillment.services import (
    pack_scan,
    shipment_mark_packed,
    shipment_ship,
    shipments_create_for_order,
    shipments_create_pending,
    wave_build,
)
from fulfillment.tasks import shipments_create_pending_task
from inventory.models import Reservation, StockLevel, StockMovement
from orders.models import Order
from tests.factories import SKUFactory, WarehouseFactory, stock_in
from tests.fulfillment.conftest import allocated_order_through_services

pytestmark = pytest.mark.django_db


def order_shipments(order):
    return list(Shipment.objects.filter(lines__order_line__order=order).distinct().order_by("pk"))


def test_beat_entry_runs_the_task_every_minute():
    from datetime import timedelta

    assert settings.CELERY_BEAT_SCHEDULE["fulfillment-create-shipments"] == {
        "task": "fulfillment.tasks.shipments_create_pending_task",
        "schedule": timedelta(minutes=1),
    }


def test_task_turns_allocated_orders_into_parcels_highest_priority_first(allocated_order, skus):
    tee, mug, sock = skus
    low = allocated_order([(tee, 1)], phone="13900000001")
    high = allocated_order([(mug, 1)], phone="13900000002")
    mid = allocated_order([(sock, 1)], phone="13900000003")
    Order.objects.filter(pk=low.pk).update(priority=1)
    Order.objects.filter(pk=high.pk).update(priority=90)
    Order.objects.filter(pk=mid.pk).update(priority=50)

    counts = shipments_create_pending_task.delay(batch_size=2).get()

    assert counts == {"orders": 3, "skipped": 0}
    created = list(Shipment.objects.order_by("pk").values_list("order__number", "status"))
    assert created == [(high.number, S.PENDING), (mid.number, S.PENDING), (low.number, S.PENDING)]
    assert set(Order.objects.values_list("status", flat=True)) == {"in_fulfillment"}
    # A second run (beat fires again, or the task is delivered twice) finds nothing to do.
    assert shipments_create_pending_task.delay().get() == {"orders": 0, "skipped": 0}
    assert Shipment.objects.count() == 3


def test_task_stops_at_its_limit_and_leaves_the_rest_for_the_next_run(allocated_order, skus):
    orders = [allocated_order([(skus[0], 1)], phone=f"1390000001{i}") for i in range(3)]

    assert shipments_create_pending(batch_size=1, max_orders=2) == {"orders": 2, "skipped": 0}
    assert Shipment.objects.count() == 2
    assert shipments_create_pending(batch_size=1, max_orders=2) == {"orders": 1, "skipped": 0}
    assert sorted(s.order_id for s in Shipment.objects.all()) == sorted(o.pk for o in orders)


def test_a_held_order_is_skipped_not_parcelled(allocated_order, skus, ops_user):
    from orders.services import order_hold

    held = allocated_order([(skus[0], 1)], phone="13900000021")
    order_hold(order_id=held.pk, by=ops_user, reason="address check")

    assert shipments_create_pending() == {"orders": 0, "skipped": 0}
    assert Shipment.objects.count() == 0


def test_building_a_wave_first_turns_allocated_orders_into_parcels(allocated_order, skus, warehouse):
    tee, mug, _ = skus
    urgent = allocated_order([(tee, 1)], phone="13900000031")
    normal = allocated_order([(mug, 2)], phone="13900000032")
    Order.objects.filter(pk=urgent.pk).update(priority=80)
    other_wh = WarehouseFactory(code="WH-BJ")
    elsewhere_sku = SKUFactory(code="BJ-ONLY")
    elsewhere = allocated_order_through_services(
        lines=[(elsewhere_sku, 1, "9.90")], phone="13900000033", external_id="BJ-1", warehouse=other_wh
    )

    wave = wave_build(warehouse_id=warehouse.pk)

    parcels = list(wave.shipments.order_by("pk"))
    assert [(s.order_id, s.status) for s in parcels] == [(urgent.pk, S.PICKING), (normal.pk, S.PICKING)]
    assert wave.number == f"W-{wave.pk:06d}"
    elsewhere.refresh_from_db()
    assert (elsewhere.status, order_shipments(elsewhere)) == ("allocated", [])


def test_a_wave_with_nothing_to_pick_is_refused_and_nothing_is_written(warehouse):
    with pytest.raises(WaveEmpty) as exc:
        wave_build(warehouse_id=warehouse.pk)
    assert str(exc.value) == "No pending shipments match this wave's warehouse, carrier and cut-off."
    assert PickWave.objects.count() == 0


def test_waves_page_counts_orders_awaiting_parcels_and_builds_a_wave(
    allocated_order, skus, warehouse, client_for, warehouse_user
):
    allocated_order([(skus[0], 1)], phone="13900000041")
    client = client_for(warehouse_user)
    page = client.get(reverse("fulfillment:waves")).content.decode()
    assert "1 allocated order is being turned into parcels" in page

    response = client.post(reverse("fulfillment:waves"), {"warehouse": warehouse.pk, "limit": 40})

    wave = PickWave.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("fulfillment:wave", args=[wave.pk])
    assert list(wave.shipments.values_list("status", flat=True)) == [S.PICKING]
    assert [m.message for m in get_messages(response.wsgi_request)] == [f"Wave {wave.number} built."]
    detail = client.get(response["Location"]).content.decode()
    assert wave.shipments.get().number in detail


def test_waves_page_refuses_an_empty_wave_with_a_message(warehouse, client_for, warehouse_user):
    response = client_for(warehouse_user).post(
        reverse("fulfillment:waves"), {"warehouse": warehouse.pk, "limit": 40}
    )
    assert response.status_code == 200
    assert "No pending shipments match this wave" in response.content.decode()
    assert PickWave.objects.count() == 0


def test_a_line_split_over_two_warehouses_ships_in_two_parcels(manual_service, warehouse_user):
    sh = WarehouseFactory(code="WH-SH", regions=["上海"], priority=10)
    gz = WarehouseFactory(code="WH-GZ", regions=["广东"], priority=20)
    sku = SKUFactory(code="KETTLE", weight_g=900)
    stock_in(sku, sh, 3)
    stock_in(sku, gz, 3)
    order = allocated_order_through_services(
        lines=[(sku, 5, "99.00")], phone="13900000051", external_id="SPLIT-1", warehouse=sh, stock=False
    )

    first, second = shipments_create_for_order(order_id=order.pk)

    assert [
        (s.warehouse.code, list(s.lines.values_list("quantity", flat=True))) for s in (first, second)
    ] == [
        ("WH-SH", [3]),
        ("WH-GZ", [2]),
    ]
    for shipment, units in ((first, 3), (second, 2)):
        for _ in range(units):
            assert pack_scan(shipment_id=shipment.pk, code="KETTLE", by=warehouse_user).result == "ok"
        shipment_mark_packed(shipment_id=shipment.pk, by=warehouse_user)

    shipment_ship(shipment_id=first.pk, tracking_number="ZT-SH-1", by=warehouse_user)

    order.refresh_from_db()
    assert order.status == "partially_shipped"
    assert sorted(Reservation.objects.values_list("warehouse__code", "status", "quantity")) == [
        ("WH-GZ", "active", 2),
        ("WH-SH", "consumed", 3),
    ]
    assert sorted(StockLevel.objects.values_list("warehouse__code", "on_hand", "reserved")) == [
        ("WH-GZ", 3, 2),
        ("WH-SH", 0, 0),
    ]

    shipment_ship(shipment_id=second.pk, tracking_number="ZT-GZ-1", by=warehouse_user)

    order.refresh_from_db()
    assert order.status == "shipped"
    assert sorted(StockMovement.objects.filter(kind="shipment").values_list("reference", "quantity")) == [
        (first.number, -3),
        (second.number, -2),
    ]
    assert sorted(StockLevel.objects.values_list("warehouse__code", "on_hand", "reserved")) == [
        ("WH-GZ", 1, 0),
        ("WH-SH", 0, 0),
    ]
