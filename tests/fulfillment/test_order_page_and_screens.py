"""What operations and the warehouse see around a parcel: the order page's parcels, translated histories."""

from datetime import timedelta

import pytest
from django.utils import timezone

from fulfillment.carriers import TrackingUpdate
from fulfillment.services import (
    pack_scan,
    shipment_mark_packed,
    shipment_ship,
    shipments_create_for_order,
    tracking_record,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped(allocated_order, skus, warehouse_user):
    tee, mug, _ = skus
    order = allocated_order([(tee, 1), (mug, 1)])
    [shipment] = shipments_create_for_order(order_id=order.pk)
    for code in ("TEE-RED-L", "MUG-500"):
        pack_scan(shipment_id=shipment.pk, code=code, by=warehouse_user)
    shipment_mark_packed(shipment_id=shipment.pk, by=warehouse_user)
    shipment = shipment_ship(shipment_id=shipment.pk, tracking_number="ZT42", by=warehouse_user)
    return order, shipment


def test_the_order_page_shows_where_each_parcel_is(shipped, client_for, ops_user):
    # given a shipped parcel with a tracking event
    order, shipment = shipped
    tracking_record(
        shipment_id=shipment.pk,
        updates=[
            TrackingUpdate(
                occurred_at=timezone.now() - timedelta(hours=1),
                kind="picked_up",
                description="快递员已揽收",
                location="上海",
            )
        ],
    )
    # when operations open the order
    page = client_for(ops_user).get(f"/orders/{order.pk}/").content.decode()
    # then the parcel, its state, carrier, tracking number and last event are on it, linked to the parcel
    assert 'data-testid="order-parcels"' in page
    assert f'<a href="/fulfillment/shipments/{shipment.pk}/">{shipment.number}</a>' in page
    assert "In transit" in page and "ZT42" in page and "快递员已揽收" in page


def test_an_order_without_parcels_shows_no_parcel_panel(allocated_order, skus, client_for, ops_user):
    order = allocated_order([(skus[0], 1)])
    page = client_for(ops_user).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="order-parcels"' not in page


@pytest.fixture
def packed(allocated_order, skus, warehouse_user):
    order = allocated_order([(skus[0], 1)])
    [shipment] = shipments_create_for_order(order_id=order.pk)
    pack_scan(shipment_id=shipment.pk, code="TEE-RED-L", by=warehouse_user)
    return shipment_mark_packed(shipment_id=shipment.pk, by=warehouse_user)


def test_after_shipping_the_to_ship_page_offers_the_parcels_slip(packed, client_for, warehouse_user):
    client = client_for(warehouse_user)
    response = client.post(f"/fulfillment/shipments/{packed.pk}/ship/", {"tracking_number": "ZT9"})
    assert response.status_code == 302
    assert response["Location"] == f"/fulfillment/to-ship/?shipped={packed.pk}"
    page = client.get(response["Location"]).content.decode()
    assert f"Print the shipping slip of {packed.number} (tracking number ZT9):" in page
    assert f'href="/fulfillment/shipments/{packed.pk}/slip.pdf"' in page


def test_shipping_never_redirects_to_another_site(packed, client_for, warehouse_user):
    response = client_for(warehouse_user).post(
        f"/fulfillment/shipments/{packed.pk}/ship/",
        {"tracking_number": "ZT9", "next": "https://evil.example/"},
    )
    assert response["Location"] == f"/fulfillment/to-ship/?shipped={packed.pk}"


def test_the_parcels_timeline_names_each_step_in_the_users_language(packed, client_for, warehouse_user):
    warehouse_user.language = "zh-hans"
    warehouse_user.save(update_fields=["language"])
    page = client_for(warehouse_user).get(f"/fulfillment/shipments/{packed.pk}/").content.decode()
    assert "<strong>开始拣货</strong>" not in page  # built from pending: no picking step on this parcel
    assert "<strong>已打包</strong>: 待拣货 → 已打包" in page
    assert "<strong>Pack</strong>" not in page
