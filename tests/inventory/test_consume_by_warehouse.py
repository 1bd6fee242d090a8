"""reservation_consume(warehouse_id=...): a line split over two warehouses is consumed one parcel at a time."""

import pytest

from inventory.exceptions import NoActiveReservation
from inventory.models import Reservation
from inventory.services import DemandLine, allocate, reservation_consume
from tests.factories import SKUFactory, WarehouseFactory, stock_in
from tests.inventory.helpers import assert_invariants, level

pytestmark = pytest.mark.django_db


@pytest.fixture
def split_line():
    sh = WarehouseFactory(code="SH", regions=["上海"], priority=10)
    gz = WarehouseFactory(code="GZ", regions=["广东"], priority=20)
    sku = SKUFactory()
    stock_in(sku, sh, 3)
    stock_in(sku, gz, 3)
    allocate(lines=[DemandLine(ref="l1", sku_id=sku.pk, quantity=5)], province="上海")
    return sku, sh, gz


def test_consume_limited_to_one_warehouse_leaves_the_other_reserved(split_line):
    sku, sh, gz = split_line

    first = reservation_consume(demand_ref="l1", reference="SHP-1", warehouse_id=sh.pk)
    again = reservation_consume(demand_ref="l1", reference="SHP-1", warehouse_id=sh.pk)

    assert [(m.warehouse_id, m.quantity, m.reference) for m in first] == [(sh.pk, -3, "SHP-1")]
    assert again == []
    assert [(lv.on_hand, lv.reserved) for lv in (level(sku, sh), level(sku, gz))] == [(0, 0), (3, 2)]
    assert sorted(Reservation.objects.values_list("warehouse__code", "status", "quantity")) == [
        ("GZ", "active", 2),
        ("SH", "consumed", 3),
    ]

    second = reservation_consume(demand_ref="l1", reference="SHP-2", warehouse_id=gz.pk)

    assert [(m.warehouse_id, m.quantity, m.reference) for m in second] == [(gz.pk, -2, "SHP-2")]
    assert [(lv.on_hand, lv.reserved) for lv in (level(sku, sh), level(sku, gz))] == [(0, 0), (1, 0)]
    assert_invariants()


def test_consume_in_a_warehouse_without_its_reservation_is_refused_and_changes_nothing(split_line):
    sku, sh, gz = split_line
    other = WarehouseFactory(code="BJ")

    with pytest.raises(NoActiveReservation):
        reservation_consume(demand_ref="l1", reference="SHP-9", warehouse_id=other.pk)

    assert [(lv.on_hand, lv.reserved) for lv in (level(sku, sh), level(sku, gz))] == [(3, 3), (3, 2)]
    assert set(Reservation.objects.values_list("status", flat=True)) == {"active"}
