"""What one order costs the database: the statements and commits of the single-order API, pinned so that they
cannot creep back (issue #18: at most 12 statements and 1 commit per order, allocation included).

These run without the test's wrapping transaction (``transactional_db``): the intake then owns its transaction,
as in production, and allocates in it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Reservation, StockLevel
from oms.models import OutboxMessage
from orders.models import Order, OrderLineAllocation
from orders.services import orders_intake_batch
from tests.factories import order_body, stock_in

pytestmark = pytest.mark.django_db(transaction=True)

MAX_STATEMENTS = 12  # every statement sent, BEGIN and COMMIT included


@pytest.fixture(autouse=True)
def _tasks_to_the_broker(monkeypatch):
    """Tasks go to the worker, as in production: the tests eager Celery would deliver the notice inside the
    request and count its statements as the intake's."""
    sent = []
    monkeypatch.setattr(
        "oms.notifications.task_send_after", lambda name, seconds, **kwargs: sent.append(name) or True
    )
    return sent


def post(api, body: dict):
    with CaptureQueriesContext(connection) as ctx:
        response = api.post("/api/v1/orders/", body, format="json")
    sql = [q["sql"] for q in ctx.captured_queries]
    return response, sql


def commits(sql: list[str]) -> int:
    return sum(
        1 for s in sql if (s or "").strip().upper() == "COMMIT"
    )  # None: a bound statement Django could not render


def new_body(n: int, **overrides) -> dict:
    body = order_body(external_id=f"Q-{n:04d}", **overrides)
    phone = f"1390000{n:04d}"
    body["customer"].update(phone=phone, name=f"买家{n}")
    body["shipping_address"].update(phone=phone, line1=f"世纪大道{n}号")
    return body


def test_a_new_customers_order_is_taken_allocated_and_told_in_one_commit(
    api, sku, sku2, _tasks_to_the_broker
):
    post(api, new_body(1))  # content types, rules and the like are cached from here on
    lines = [
        {"sku": "SKU-0001", "quantity": 2, "unit_price": "59.90"},
        {"sku": "SKU-0002", "quantity": 1, "unit_price": "20.00"},
    ]
    body = new_body(2, lines=lines)
    body["payment"]["amount"] = "139.80"
    response, sql = post(api, body)

    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "allocated"
    assert len(sql) <= MAX_STATEMENTS, "\n".join(sql)
    assert commits(sql) == 1, "\n".join(sql)
    order = Order.objects.get(number=response.json()["number"])
    # Everything the statement wrote is there: lines, their allocation and reservations, stock, the notice.
    assert [(a.line.sku_code, a.quantity) for a in OrderLineAllocation.objects.filter(line__order=order)] == [
        ("SKU-0001", 2),
        ("SKU-0002", 1),
    ]
    refs = [f"order-line:{pk}" for pk in order.lines.order_by("line_no").values_list("pk", flat=True)]
    assert sorted(Reservation.objects.filter(demand_ref__in=refs).values_list("quantity", flat=True)) == [
        1,
        2,
    ]
    assert StockLevel.objects.get(sku=sku).reserved == 2 + 2  # the first order (2 by default) and this one
    assert OutboxMessage.objects.filter(dedupe_key=f"order:{order.pk}:paid", status="pending").exists()
    assert _tasks_to_the_broker, "delivery of the notice was asked for after commit"


def test_a_line_split_between_warehouses_is_allocated_with_both_reservations(api, sku, warehouse):
    # given 100 units of SKU-0001 in SH (the fixture) and 30 more in GZ, a line of 120 needs both
    from tests.factories import WarehouseFactory

    gz = WarehouseFactory(code="GZ", name="广州仓", province="广东", regions=["广东"], priority=2)
    stock_in(sku, gz, 30)
    body = new_body(6, lines=[{"sku": "SKU-0001", "quantity": 120, "unit_price": "1.00"}])
    body["payment"]["amount"] = "120.00"
    response, sql = post(api, body)

    # then it is allocated in one commit: 2 reservations for 1 line (one id was read ahead: a second
    # statement writes the line allocations once the reservations' ids come back)
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "allocated"
    assert commits(sql) == 1
    order = Order.objects.get(number=response.json()["number"])
    allocations = OrderLineAllocation.objects.filter(line__order=order).select_related("warehouse")
    assert sorted((a.warehouse.code, a.quantity) for a in allocations) == [("GZ", 30), ("SH", 90)] or sorted(
        (a.warehouse.code, a.quantity) for a in allocations
    ) == [("GZ", 20), ("SH", 100)]
    for allocation in allocations:  # each points at its own reservation
        reservation = Reservation.objects.get(pk=allocation.reservation_id)
        assert (reservation.warehouse_id, reservation.quantity, reservation.status) == (
            allocation.warehouse_id,
            allocation.quantity,
            "active",
        )
    assert sum(StockLevel.objects.filter(sku=sku).values_list("reserved", flat=True)) == 120


def test_a_returning_customer_costs_no_more(api, sku):
    post(api, new_body(3))
    again = new_body(4)
    again["customer"].update(phone="13900000003")
    again["shipping_address"].update(phone="13900000003")
    response, sql = post(api, again)

    assert response.status_code == 201
    assert len(sql) <= MAX_STATEMENTS - 1, "\n".join(sql)
    assert commits(sql) == 1
    assert Order.objects.filter(customer__phone="13900000003").count() == 2


def test_a_resend_answers_the_order_taken_in_and_writes_nothing(api, sku):
    first, _sql = post(api, new_body(5))
    before = (Order.objects.count(), StockLevel.objects.get(sku=sku).reserved, OutboxMessage.objects.count())
    again, sql = post(api, new_body(5))

    assert again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert (
        Order.objects.count(),
        StockLevel.objects.get(sku=sku).reserved,
        OutboxMessage.objects.count(),
    ) == before
    assert commits(sql) == 0  # the optimistic write rolled back


def test_a_batch_costs_the_same_statements_for_100_orders_as_for_10(channel, sku, warehouse):
    stock_in(sku, warehouse, 1000)  # every order is allocated (a backorder costs its own notice and advice)

    def statements(n: int, prefix: str, first: int) -> int:
        bodies = [new_body(first + k) for k in range(n)]  # other buyers each time: no risk rule holds them
        for k, body in enumerate(bodies):
            body["external_id"] = f"{prefix}-{k}"
        with CaptureQueriesContext(connection) as ctx:
            results = orders_intake_batch(channel=channel, bodies=bodies)
        assert [r.order.status for r in results] == ["allocated"] * n
        # Its new buyers first, on their own (a concurrent batch with an order of the same buyer then waits
        # for that commit, not for this whole batch), then the batch with its allocation.
        assert commits([q["sql"] for q in ctx.captured_queries]) == 2
        return len(ctx.captured_queries)

    statements(1, "W", 1000)
    ten = statements(10, "B10", 1100)
    assert statements(100, "B100", 1200) == ten
    assert ten <= 36  # intake and allocation of the whole batch: ~0.35 statements per order at 100 a batch


def test_a_batch_is_allocated_in_its_own_transaction_in_priority_order(api, sku, warehouse):
    # given stock for only one of two orders, the urgent one sent second
    StockLevel.objects.filter(sku=sku).update(on_hand=2)
    first, urgent = new_body(20), new_body(21, flags={"urgent": True, "promotion": ""})
    response = api.post("/api/v1/orders/batch/", {"orders": [first, urgent]}, format="json")

    # then the answer already says what happened: the urgent order got the stock, the other waits for it
    assert [r["order"]["status"] for r in response.json()["results"]] == ["backordered", "allocated"]
    level = StockLevel.objects.get(sku=sku)
    assert (level.on_hand, level.reserved) == (2, 2)
