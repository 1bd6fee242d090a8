"""``oms.db.bulk_insert`` takes plain values from the instances when Django's preparation would hand them back
unchanged; everything else goes through the field. Checked here against Django's own preparation on the rows a
real batch intake writes."""

from __future__ import annotations

import pytest
from django.db import connection

from oms import db
from orders.models import Customer

pytestmark = pytest.mark.django_db(transaction=True)


def test_bulk_insert_prepares_every_value_as_a_save_would(api, sku, sku2):
    """``bulk_insert`` takes plain values from the instance when the field would hand them back unchanged:
    for every row a batch intake writes (orders, lines, addresses, payments, logs, notices, reservations,
    allocations), the columns it sends equal Django's own preparation, value and type."""
    from django_fsm_log.models import StateLog

    from inventory.models import Reservation, StockLevel
    from oms.models import ChangeLog, OutboxMessage
    from orders.models import Address, Order, OrderLine, OrderLineAllocation, Payment
    from tests.factories import order_body

    bodies = []
    for n in range(3):
        body = order_body(
            external_id=f"PREP-{n}",
            note="请周末送货" if n else "",
            lines=[
                {"sku": "SKU-0001", "quantity": 1 + n, "unit_price": "59.90"},
                {"sku": "SKU-0002", "quantity": 1, "unit_price": "20.00"},
            ],
        )
        body["customer"].update(phone=f"1380000000{n}", email=f"b{n}@example.com" if n else "")
        bodies.append(body)
    response = api.post("/api/v1/orders/batch/", {"orders": bodies}, format="json")
    assert response.status_code == 200, response.json()
    checked = 0
    for model in (Order, OrderLine, Address, Customer, Payment, ChangeLog, StateLog, OutboxMessage):
        checked += _same_preparation(list(model.objects.all()))
    for model in (Reservation, OrderLineAllocation, StockLevel):
        checked += _same_preparation(list(model.objects.all()))
    assert checked > 100  # values compared

    # Values the fast path must not take as they are: each goes through the field and comes out as a save
    # would make it (a lazy string resolved, a naive datetime made aware, a non-finite decimal refused).
    import datetime
    import decimal

    from django.utils.translation import gettext_lazy

    order = Order.objects.first()
    order.note = gettext_lazy("Order")
    order.placed_at = datetime.datetime(2026, 12, 1, 8, 0)  # noqa: DTZ001 - naive on purpose
    (note, placed_at) = _columns(order, ["note", "placed_at"])
    assert type(note) is str and note == "Order"
    assert placed_at.tzinfo is not None
    order.total = decimal.Decimal("NaN")
    with pytest.raises(Exception, match="Enter a number|decimal|finite"):
        _columns(order, ["total"])


def _columns(obj, names: list[str]) -> list:
    fields = [obj._meta.get_field(name) for name in names]
    return [column[0] for column in db._prepared_columns([obj], fields)]


def _same_preparation(objs: list) -> int:
    """Compare the fast columns with ``get_db_prep_save(pre_save())`` for every field a plain value can take."""
    assert objs
    compared = 0
    for f in objs[0]._meta.concrete_fields:
        plain, _check, _wrap = db._plain_values(f)
        if f.primary_key or not plain:
            continue
        (fast,) = db._prepared_columns(objs, [f])
        slow = [f.get_db_prep_save(f.pre_save(obj, True), connection) for obj in objs]
        assert [(type(v), v) for v in fast] == [(type(v), v) for v in slow], f
        compared += len(objs)
    return compared


def test_rows_that_conflict_are_skipped_and_the_others_get_their_ids():
    from oms.db import bulk_insert

    taken = Customer.objects.create(name="先来", phone="13900000001")
    mine = [Customer(name="后到", phone="13900000001"), Customer(name="新客", phone="13900000002")]
    bulk_insert(mine, skip_conflicts_by="phone")
    assert mine[0].pk is None  # the phone was taken: the existing row stays, this instance is not saved
    assert mine[1].pk is not None and mine[1]._state.adding is False
    assert Customer.objects.get(phone="13900000001").name == "先来"
    assert Customer.objects.get(pk=mine[1].pk).name == "新客"
    # a column left to its database default holds, in memory, what the database wrote
    assert mine[1].webhook_url == "" == Customer.objects.get(pk=mine[1].pk).webhook_url
    assert taken.pk != mine[1].pk
