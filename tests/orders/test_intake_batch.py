"""Batch intake (``orders_intake_batch``, the batch API): one transaction per batch, the same outcome per order as
one-by-one intake (rules, audit rows, outbox, customers), allocation by the batch task after commit."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_fsm_log.models import StateLog

from oms.audit import timeline_for
from oms.models import ChangeLog, OutboxMessage
from oms.notes import render_note
from orders.models import Address, Customer, Order, OrderLine, Payment
from orders.services import order_intake, orders_intake_batch
from tests.factories import ChannelFactory, order_body

pytestmark = pytest.mark.django_db


def body(external_id: str, phone: str, line1: str, *, email: str = "", **overrides) -> dict:
    data = order_body(external_id=external_id, **overrides)
    data["customer"].update(phone=phone, email=email)
    data["shipping_address"].update(phone=phone, line1=line1)
    return data


def outcome(order: Order) -> tuple:
    return (
        order.status,
        order.priority,
        order.priority_reasons,
        order.risk_score,
        [r["rule"] for r in order.risk_reasons],
        order.review_reasons,
        order.needs_finance_review,
        sorted(order.tags.values_list("name", flat=True)),
        [(s.transition, s.source_state, s.state) for s in StateLog.objects.for_(order).order_by("pk")],
        list(OutboxMessage.objects.filter(dedupe_key__startswith=f"order:{order.pk}:").values_list("event")),
    )


def scenario(prefix: str) -> list[dict]:
    """Orders that exercise the rules: a remark (review), urgent + promotion, three to one address (risk),
    a large amount (finance review), a pending payment, a big new customer."""
    big = [{"sku": "SKU-0001", "quantity": 1, "unit_price": "25000.00"}]
    return [
        body(f"{prefix}-1", "13800000001", f"{prefix}区世纪大道1号 2栋", note="请周末送货"),
        body(
            f"{prefix}-2",
            "13800000002",
            f"{prefix}区世纪大道2号 2栋",
            flags={"urgent": True, "promotion": "double11"},
        ),
        body(f"{prefix}-3", "13800000003", f"{prefix}区世纪大道3号 2栋"),
        body(f"{prefix}-4", "13800000004", f"{prefix}区世纪大道3号 2栋"),
        body(f"{prefix}-5", "13800000005", f"{prefix}区世纪大道3号 2栋"),
        body(f"{prefix}-6", "13800000006", f"{prefix}区世纪大道6号 2栋", lines=big),
        body(f"{prefix}-7", "13800000007", f"{prefix}区世纪大道7号 2栋", paid=False),
    ]


def test_a_batch_decides_each_order_as_one_by_one_intake_does(channel, sku):
    # given the same orders taken one by one on one channel (distinct addresses: the risk windows are global)
    one_by_one = [order_intake(channel=channel, data=b, allocate_now=False).order for b in scenario("A")]
    # when they come as one batch on another channel, from other phones
    other = ChannelFactory(code="jd")
    batch = scenario("B")
    for i, b in enumerate(batch):
        b["customer"]["phone"] = b["shipping_address"]["phone"] = f"1390000000{i + 1}"
    results = orders_intake_batch(channel=other, bodies=batch)
    # then every order has the same status, scores, reasons, tags, state logs and notifications
    assert [r.created for r in results] == [True] * 7
    assert [outcome(r.order) for r in results] == [outcome(o) for o in one_by_one]
    assert [r.order.status for r in results] == [
        "on_review",
        "approved",
        "approved",
        "approved",
        "approved",
        "on_review",
        "pending_payment",
    ]
    # the third order to one address within 24 hours is the one the risk rule flags
    assert [bool(r.order.risk_score) for r in results[2:5]] == [False, False, True]


def test_a_batch_writes_lines_payments_and_a_timeline_in_order(api, sku):
    response = api.post("/api/v1/orders/batch/", {"orders": [order_body(external_id="TL-1")]}, format="json")
    assert response.json()["results"][0]["status"] == 201
    order = Order.objects.get()
    line = OrderLine.objects.get()
    assert (line.order_id, line.line_no, line.sku_code, line.quantity) == (order.pk, 1, "SKU-0001", 2)
    assert Payment.objects.get().order_id == order.pk
    assert [(e.kind, e.title) for e in timeline_for(order)] == [
        ("change", "create"),
        ("transition", "Paid"),
        ("transition", "Approved automatically"),
    ]
    assert render_note(ChangeLog.objects.get().note) == "Received through API"
    message = OutboxMessage.objects.get()
    assert (message.event, message.dedupe_key, message.recipient) == (
        "order.paid",
        f"order:{order.pk}:paid",
        "13812345678",
    )


def test_batch_answers_approved_and_the_batch_task_allocates_after_commit(
    api, sku, django_capture_on_commit_callbacks
):
    # given two paid orders in one batch; when the batch commits (callbacks run, the task runs eagerly)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = api.post(
            "/api/v1/orders/batch/",
            {"orders": [order_body(external_id="AL-1"), order_body(external_id="AL-2")]},
            format="json",
        )
    # then the answer shows them approved, one allocation task and one delivery task were sent for the batch
    assert [r["order"]["status"] for r in response.json()["results"]] == ["approved", "approved"]
    assert len(callbacks) == 2
    # and the batch task allocated both, in the same state flow as before (approved -> allocated)
    assert sorted(Order.objects.values_list("status", flat=True)) == ["allocated", "allocated"]
    for order in Order.objects.all():
        assert [s.transition for s in StateLog.objects.for_(order).order_by("pk")] == [
            "pay",
            "auto_approve",
            "allocate",
        ]
    assert sorted(OutboxMessage.objects.values_list("status", flat=True)) == ["sent", "sent"]


def test_a_refused_batch_order_queues_nothing(api, sku, django_capture_on_commit_callbacks):
    bad = order_body(external_id="RF-1")
    bad["lines"][0]["sku"] = "SKU-404"
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post("/api/v1/orders/batch/", {"orders": [bad]}, format="json")
    assert response.json()["results"][0]["status"] == 400
    assert callbacks == []
    assert (Order.objects.count(), Address.objects.count(), OutboxMessage.objects.count()) == (0, 0, 0)


def test_the_same_order_twice_in_one_batch_is_one_order(api, sku):
    response = api.post(
        "/api/v1/orders/batch/",
        {"orders": [order_body(external_id="D-1"), order_body(external_id="D-1")]},
        format="json",
    )
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201, 200]
    assert results[0]["order"]["number"] == results[1]["order"]["number"]
    assert (Order.objects.count(), Address.objects.count(), Payment.objects.count()) == (1, 1, 1)


def test_batch_matches_customers_by_phone_then_email_also_within_the_batch(channel, sku, make_order):
    # given a customer known with an e-mail
    known = make_order(**body("K-0", "13811110000", "甲路1号", email="zhang@example.com"))
    # when a batch brings: a new phone with that e-mail in capitals, two new phones sharing a new e-mail,
    # and the known phone again
    results = orders_intake_batch(
        channel=channel,
        bodies=[
            body("K-1", "13811110001", "甲路2号", email="ZHANG@example.com"),
            body("K-2", "13811110002", "甲路3号", email="li@example.com"),
            body("K-3", "13811110003", "甲路4号", email="Li@Example.com"),
            body("K-4", "13811110000", "甲路5号"),
        ],
    )
    # then the e-mail and phone matches find the same customers, and the batch makes one new customer
    customers = [r.order.customer_id for r in results]
    assert customers[0] == customers[3] == known.customer_id
    assert customers[1] == customers[2] != known.customer_id
    assert Customer.objects.count() == 2


def test_batch_queries_do_not_grow_with_orders(api, sku):
    def queries(n: int, prefix: str) -> int:
        orders = [order_body(external_id=f"{prefix}-{i}") for i in range(n)]
        with CaptureQueriesContext(connection) as ctx:
            response = api.post("/api/v1/orders/batch/", {"orders": orders}, format="json")
        assert [r["status"] for r in response.json()["results"]] == [201] * n
        return len(ctx.captured_queries)

    queries(1, "W")  # content types and the like are cached from here on
    # every statement is per batch: the orders too are inserted in one statement
    assert queries(20, "Q2") == queries(10, "Q1")


@pytest.mark.django_db(transaction=True)
def test_concurrent_batches_with_the_same_orders_make_each_order_once(channel, sku):
    # given two batches sharing orders in opposite order, delivered at the same moment
    batches = [
        [order_body(external_id=f"C-{i}") for i in (1, 2, 3, 4)],
        [order_body(external_id=f"C-{i}") for i in (4, 3, 2, 5)],
    ]
    barrier = threading.Barrier(2)
    answers, failures = {}, []

    def deliver(k: int) -> None:
        try:
            barrier.wait(timeout=10)
            answers[k] = orders_intake_batch(channel=channel, bodies=batches[k])
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver, args=(k,)) for k in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    # then each channel order exists once, every answer names it, and nothing was half-written
    assert failures == []
    by_external = {}
    for k in (0, 1):
        for data, result in zip(batches[k], answers[k], strict=True):
            assert not result.errors
            by_external.setdefault(data["external_id"], []).append((result.created, result.order.pk))
    for external_id, seen in by_external.items():
        assert len({pk for _c, pk in seen}) == 1, external_id
        assert sum(created for created, _pk in seen) == 1, external_id
    assert Order.objects.count() == 5
    assert (Address.objects.count(), Payment.objects.count(), OrderLine.objects.count()) == (5, 5, 5)
    for order in Order.objects.all():  # paid and routed once each (the approved ones then allocated)
        transitions = [s.transition for s in StateLog.objects.for_(order).order_by("pk")]
        assert transitions in (["pay", "auto_approve", "allocate"], ["pay", "send_to_review"]), transitions
    assert OutboxMessage.objects.count() == 5


@pytest.mark.parametrize(
    ("external_ids", "expected"),
    [(["F-1", "F-2", "F-3"], [True, False, True]), (["F-2", "F-2", "F-1"], [False, False, True])],
)
def test_an_order_delivered_meanwhile_gives_way_and_the_others_are_written(
    channel, sku, monkeypatch, external_ids, expected
):
    # given another request creates F-2 after the batch looked for existing orders, before it writes
    from orders.services import intake_batch

    numbers = intake_batch._order_numbers
    competitor = {}

    def numbers_then_competitor(n: int) -> list[str]:
        competitor["order"] = order_intake(
            channel=channel, data=order_body(external_id="F-2"), allocate_now=False
        ).order
        return numbers(n)

    monkeypatch.setattr(intake_batch, "_order_numbers", numbers_then_competitor)
    # when the batch is written
    results = orders_intake_batch(channel=channel, bodies=[order_body(external_id=e) for e in external_ids])
    # then F-2 answers the order that won, the others are created, and nothing of the loser is left
    assert [r.created for r in results] == expected
    assert all(r.order.pk == competitor["order"].pk for r in results if not r.created)
    assert sorted(Order.objects.values_list("external_id", flat=True)) == sorted(set(external_ids))
    n = len(set(external_ids))
    assert (Address.objects.count(), Payment.objects.count(), OutboxMessage.objects.count()) == (n, n, n)
    assert StateLog.objects.count() == 2 * n
    assert ChangeLog.objects.filter(action="create").count() == n


@pytest.mark.django_db(transaction=True)
def test_an_order_delivered_meanwhile_undoes_the_decided_write_and_the_batch_is_still_allocated(
    channel, sku, monkeypatch, caplog
):
    # given the batch owns its transaction (it decides the allocation before writing its orders) and another
    # request creates F-2 after the batch looked for existing orders, before it writes
    from inventory.models import Reservation, StockLevel
    from orders.services import intake_batch

    numbers = intake_batch._order_numbers
    competitor = {}

    def numbers_then_competitor(n: int) -> list[str]:
        competitor["order"] = order_intake(
            channel=channel, data=body("F-2", "13800000002", "世纪大道2号"), allocate_now=False
        ).order
        return numbers(n)

    monkeypatch.setattr(intake_batch, "_order_numbers", numbers_then_competitor)
    # when the batch is written
    with caplog.at_level("INFO", logger="orders.services.intake_batch"):
        results = orders_intake_batch(
            channel=channel, bodies=[body(f"F-{n}", f"1380000000{n}", f"世纪大道{n}号") for n in (1, 2, 3)]
        )
    assert "a batch of 3 orders is written before its allocation instead: IntegrityError" in caplog.text
    # then F-2 answers the order that won; F-1 and F-3 are created and allocated all the same
    assert [r.created for r in results] == [True, False, True]
    assert results[1].order.pk == competitor["order"].pk
    assert [r.order.status for r in results] == ["allocated", "approved", "allocated"], [
        (r.order.review_reasons, r.order.risk_reasons) for r in results
    ]
    for r in (results[0], results[2]):
        assert Order.objects.get(pk=r.order.pk).status == "allocated"
        transitions = [s.transition for s in StateLog.objects.for_(r.order).order_by("pk")]
        assert transitions == ["pay", "auto_approve", "allocate"]
    # only what the two allocated orders hold is reserved: the first, undone decision left nothing behind
    assert Reservation.objects.filter(status="active").count() == 2
    assert sum(StockLevel.objects.values_list("reserved", flat=True)) == 4  # 2 units each
    assert OrderLine.objects.count() == 3 and Payment.objects.count() == 3
    assert OutboxMessage.objects.count() == 3
