"""pack_station_scan, the pack station's one entry: what a scanned code is, and what the screen is told."""

import pytest

from fulfillment.services import PackStationKind, pack_station_scan, shipments_create_for_order

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_parcels(allocated_order, skus):
    tee, mug, _ = skus
    [first] = shipments_create_for_order(order_id=allocated_order([(tee, 1)], phone="13900000071").pk)
    [second] = shipments_create_for_order(order_id=allocated_order([(mug, 1)], phone="13900000072").pk)
    return first, second


def test_a_parcel_opens_then_its_items_verify_it_complete(two_parcels, warehouse_user):
    first, _second = two_parcels
    opened = pack_station_scan(open_shipment_id=None, code=f" {first.number.lower()} ", by=warehouse_user)
    assert (opened.kind, opened.shipment, opened.parcel_scan) == (PackStationKind.OPENED, first, True)
    assert opened.message == f"Parcel {first.number}: scan each item."

    wrong = pack_station_scan(open_shipment_id=first.pk, code="MUG-500", by=warehouse_user)
    assert (wrong.kind, wrong.shipment, wrong.parcel_scan) == (PackStationKind.WRONG_ITEM, first, False)

    done = pack_station_scan(open_shipment_id=first.pk, code="TEE-RED-L", by=warehouse_user)
    assert (done.kind, done.message, done.outcome.verified, done.outcome.total) == (
        PackStationKind.COMPLETE,
        "TEE-RED-L 1 / 1",
        1,
        1,
    )


def test_another_parcels_number_switches_and_an_unknown_one_is_refused(two_parcels, warehouse_user):
    first, second = two_parcels
    switched = pack_station_scan(open_shipment_id=first.pk, code=second.number, by=warehouse_user)
    assert (switched.kind, switched.shipment, switched.parcel_scan) == (
        PackStationKind.SWITCHED,
        second,
        True,
    )

    own = pack_station_scan(open_shipment_id=first.pk, code=first.number, by=warehouse_user)
    assert (own.kind, own.parcel_scan) == (PackStationKind.WRONG_ITEM, False)  # an item scan, as before

    unknown = pack_station_scan(open_shipment_id=None, code="SHP-999999", by=warehouse_user)
    assert (unknown.kind, unknown.shipment, unknown.parcel_scan) == (PackStationKind.REFUSED, None, True)
