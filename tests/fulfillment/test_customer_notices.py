"""One message per event: parcels that ship together are announced once, a merged parcel's orders are
delivered in one message, and operations hear about a carrier's exception once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment.carriers import TrackingUpdate
from fulfillment.models import Shipment
from fulfillment.services import (
    pack_scan,
    shipment_mark_packed,
    shipment_ship,
    shipments_create_for_order,
    tracking_record,
)
from fulfillment.tasks import shipped_notices_due_task, shipped_notices_task
from oms.models import OutboxMessage
from orders.models import Order
from tests.factories import WarehouseFactory, stock_in
from tests.fulfillment.conftest import allocated_order_through_services

pytestmark = pytest.mark.django_db


def _pack_and_ship(shipment, tracking, user):
    for line in shipment.lines.select_related("sku"):
        for _ in range(line.quantity):
            pack_scan(shipment_id=shipment.pk, code=line.sku.code, by=user)
    shipment_mark_packed(shipment_id=shipment.pk, by=user)
    return shipment_ship(shipment_id=shipment.pk, tracking_number=tracking, by=user)


def test_two_parcels_of_one_order_shipped_together_make_one_message(
    skus, warehouse, manual_service, warehouse_user, django_capture_on_commit_callbacks
):
    # given an order split over two warehouses (the tee in one, the mug in the other)
    tee, mug, _ = skus
    other = WarehouseFactory(code="WH-GZ", name="广州仓")
    stock_in(tee, warehouse, 1)
    stock_in(mug, other, 1)
    order = allocated_order_through_services(
        lines=[(tee, 1, "59.90"), (mug, 1, "39.00")],
        phone="13800000011",
        external_id="N-1",
        warehouse=warehouse,
        stock=False,
    )
    parcels = shipments_create_for_order(order_id=order.pk)
    assert len(parcels) == 2
    # when both leave (each its own transaction); the delayed message task runs after both
    with django_capture_on_commit_callbacks() as callbacks:
        _pack_and_ship(parcels[0], "ZT100", warehouse_user)
        _pack_and_ship(parcels[1], "ZT200", warehouse_user)
    assert OutboxMessage.objects.filter(event__in=["fulfillment.shipped", "order.shipped"]).count() == 0
    assert len(callbacks) == 2  # one delayed task request per shipped parcel
    assert shipped_notices_task(customer_id=order.customer_id) is True
    assert shipped_notices_task(customer_id=order.customer_id) is False  # the second finds nothing new

    # then one message names both tracking numbers and the order, and nothing else was sent about it
    [message] = OutboxMessage.objects.filter(event__in=["fulfillment.shipped", "order.shipped"])
    assert message.event == "fulfillment.shipped"
    assert "ZT100" in message.body and "ZT200" in message.body and order.number in message.body
    assert Order.objects.get(pk=order.pk).status == "shipped"
    assert not Shipment.objects.filter(customer_notified_at__isnull=True).exists()


def test_a_merged_parcel_of_two_orders_is_announced_and_delivered_in_one_message_each(
    allocated_order, skus, warehouse_user, settings
):
    tee, mug, _ = skus
    one = allocated_order([(tee, 1)])
    two = allocated_order([(mug, 2)])
    [parcel] = shipments_create_for_order(order_id=one.pk)
    assert shipments_create_for_order(order_id=two.pk) == [parcel]
    parcel = _pack_and_ship(parcel, "ZT300", warehouse_user)
    # the sweep announces what the delayed task did not (e.g. the broker was down) once it has settled
    settings.OMS_SHIPPED_NOTICE_SETTLE_SECONDS = 0
    assert shipped_notices_due_task() == 1
    assert shipped_notices_due_task() == 0

    tracking_record(
        shipment_id=parcel.pk,
        updates=[
            TrackingUpdate(
                occurred_at=timezone.now(), kind="delivered", description="已签收", location="上海"
            )
        ],
    )

    shipped = OutboxMessage.objects.filter(event__endswith=".shipped")
    delivered = OutboxMessage.objects.filter(event__endswith=".delivered")
    assert (shipped.count(), delivered.count()) == (1, 1)
    for message in (shipped.get(), delivered.get()):
        assert one.number in message.body and two.number in message.body
    assert set(Order.objects.filter(pk__in=[one.pk, two.pk]).values_list("status", flat=True)) == {
        "delivered"
    }


def test_a_carrier_exception_emails_operations_once(allocated_order, skus, warehouse_user, make_user):
    make_user("ops_x", "operations", email="x@ops.example.com", language="zh-hans")
    make_user("wh_x", "warehouse", email="wh@example.com")
    order = allocated_order([(skus[0], 1)])
    [parcel] = shipments_create_for_order(order_id=order.pk)
    parcel = _pack_and_ship(parcel, "ZT400", warehouse_user)
    failed = TrackingUpdate(
        occurred_at=timezone.now() - timedelta(minutes=5),
        kind="exception",
        description="地址不详,无法派送",
        location="杭州",
    )

    assert tracking_record(shipment_id=parcel.pk, updates=[failed]) == 1
    assert tracking_record(shipment_id=parcel.pk, updates=[failed]) == 0  # the carrier repeats itself

    [alert] = OutboxMessage.objects.filter(event="staff.carrier_exception")
    assert alert.recipient == "x@ops.example.com"
    assert alert.subject == f"包裹 {parcel.number} 物流异常"  # in the clerk's language
    assert "地址不详,无法派送" in alert.body and "ZT400" in alert.body
    assert f"/fulfillment/shipments/{parcel.pk}/" in alert.body
    assert Shipment.objects.get(pk=parcel.pk).status == "exception"
