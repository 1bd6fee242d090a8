"""A real Celery worker waits the settling time after a parcel ships, then sends ONE message for all the
customer's parcels that left meanwhile (the delayed task of the second parcel finds nothing left)."""

import pytest

from fulfillment.models import Shipment
from fulfillment.services import shipments_create_for_order
from oms.models import OutboxMessage
from tests.factories import WarehouseFactory, stock_in
from tests.fulfillment.conftest import allocated_order_through_services
from tests.fulfillment.test_customer_notices import _pack_and_ship
from tests.utils import wait_until

pytestmark = pytest.mark.celery_worker


def test_parcels_shipped_within_the_settling_time_share_one_message(
    celery_worker_real, settings, skus, warehouse, manual_service, warehouse_user
):
    settings.OMS_SHIPPED_NOTICE_SETTLE_SECONDS = 8
    tee, mug, _ = skus
    stock_in(tee, warehouse, 1)
    stock_in(mug, WarehouseFactory(code="WH-BJ", name="北京仓"), 1)
    order = allocated_order_through_services(
        lines=[(tee, 1, "59.90"), (mug, 1, "39.00")],
        phone="13800000031",
        external_id="W-1",
        warehouse=warehouse,
        stock=False,
    )
    first, second = shipments_create_for_order(order_id=order.pk)

    _pack_and_ship(first, "ZT501", warehouse_user)  # each commits and asks for the message 8 s later
    _pack_and_ship(second, "ZT502", warehouse_user)

    wait_until(lambda: not Shipment.objects.filter(customer_notified_at__isnull=True).exists(), timeout=30)
    [message] = OutboxMessage.objects.filter(event__in=["fulfillment.shipped", "order.shipped"])
    assert "ZT501" in message.body and "ZT502" in message.body
