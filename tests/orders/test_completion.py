"""Delivered orders reach completed when their channel's after-sales window closes; COD is never cancelled unpaid."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from fulfillment.carriers import TrackingUpdate
from fulfillment.choices import TrackingKind
from fulfillment.models import Shipment
from fulfillment.services import tracking_record
from oms.celery import app as celery_app
from orders import hooks, services
from orders.choices import OrderStatus, PaymentMethod
from orders.models import Order
from orders.tasks import cancel_unpaid_orders_task, complete_delivered_orders_task
from tests.factories import ChannelFactory, order_body, order_through_services

pytestmark = pytest.mark.django_db

S = OrderStatus


@pytest.fixture
def blocker():
    """Register a completion blocker for the test (the way aftersales does in its AppConfig.ready)."""
    blocked: dict[int, str] = {}

    def provider(order_ids):
        return {pk: reason for pk, reason in blocked.items() if pk in order_ids}

    hooks.register_completion_blocker(provider)
    yield blocked
    hooks._completion_blockers.remove(provider)


def delivered_orders(order_in, count: int) -> list[Order]:
    """``count`` delivered orders of different customers (one address many times would go to review)."""
    orders = []
    for i in range(count):
        phone = f"1390000{i:04d}"
        body = order_body()
        body["customer"].update({"name": f"客户{i}", "phone": phone})
        body["shipping_address"].update({"phone": phone, "line1": f"世纪大道{100 + i}号 2栋 301室"})
        orders.append(
            order_in("delivered", customer=body["customer"], shipping_address=body["shipping_address"])
        )
    return orders


def status_of(order) -> str:
    return Order.objects.values_list("status", flat=True).get(pk=order.pk)


def deliver_by_carrier(order, *, days_ago: float) -> Order:
    """The carrier reports every parcel of ``order`` delivered ``days_ago`` days ago (tracking push)."""
    at = timezone.now() - timedelta(days=days_ago)
    for shipment in Shipment.objects.filter(lines__order_line__order=order).distinct().order_by("pk"):
        tracking_record(
            shipment_id=shipment.pk,
            updates=[TrackingUpdate(occurred_at=at, kind=TrackingKind.DELIVERED, description="已签收")],
        )
    order.refresh_from_db()
    return order


# --- the window -----------------------------------------------------------------------------


def test_a_delivered_order_completes_when_the_window_closes_and_not_before(order_in):
    order = order_in("delivered")
    assert order.delivered_at is not None
    assert order.channel.aftersales_window_days == 15
    closes = order.delivered_at + timedelta(days=15)

    assert services.orders_complete_due(now=closes - timedelta(seconds=1)) == {
        "completed": 0,
        "blocked": 0,
        "skipped": 0,
    }
    assert status_of(order) == S.DELIVERED

    assert services.orders_complete_due(now=closes)["completed"] == 1
    assert status_of(order) == S.COMPLETED
    log = StateLog.objects.filter(object_id=order.pk, transition="complete").get()
    assert (log.source_state, log.state, log.by) == (S.DELIVERED, S.COMPLETED, None)
    assert log.description in ("", None)  # the step speaks for itself, in each reader's language


def test_each_channel_has_its_own_window(order_in):
    short = ChannelFactory(code="short", aftersales_window_days=3)
    long = ChannelFactory(code="long", aftersales_window_days=30)
    a, b = delivered_orders(order_in, 2)
    Order.objects.filter(pk=a.pk).update(channel=short)
    Order.objects.filter(pk=b.pk).update(channel=long)
    later = timezone.now() + timedelta(days=4)

    assert services.orders_complete_due(now=later)["completed"] == 1
    assert (status_of(a), status_of(b)) == (S.COMPLETED, S.DELIVERED)
    assert services.orders_complete_due(now=timezone.now() + timedelta(days=31))["completed"] == 1
    assert status_of(b) == S.COMPLETED


def test_orders_not_delivered_are_left_alone(order_in):
    shipped = order_in("shipped")
    in_fulfillment = order_in("in_fulfillment")
    far = timezone.now() + timedelta(days=365)
    assert services.orders_complete_due(now=far)["completed"] == 0
    assert (status_of(shipped), status_of(in_fulfillment)) == (S.SHIPPED, S.IN_FULFILLMENT)


def test_running_twice_completes_once(order_in):
    order = order_in("delivered")
    later = timezone.now() + timedelta(days=16)
    assert services.orders_complete_due(now=later)["completed"] == 1
    assert services.orders_complete_due(now=later)["completed"] == 0
    assert StateLog.objects.filter(object_id=order.pk, transition="complete").count() == 1


def test_a_blocked_order_stays_delivered_and_completes_once_unblocked(order_in, blocker):
    order = order_in("delivered")
    later = timezone.now() + timedelta(days=16)
    blocker[order.pk] = "case open"

    assert services.orders_complete_due(now=later) == {"completed": 0, "blocked": 1, "skipped": 0}
    assert status_of(order) == S.DELIVERED
    assert not StateLog.objects.filter(object_id=order.pk, transition="complete").exists()

    del blocker[order.pk]
    assert services.orders_complete_due(now=later)["completed"] == 1
    assert status_of(order) == S.COMPLETED


def test_blocked_orders_do_not_use_up_the_limit(order_in, blocker):
    orders = delivered_orders(order_in, 4)
    for order in orders[:2]:  # the lowest ids, read first
        blocker[order.pk] = "case open"
    later = timezone.now() + timedelta(days=16)

    counts = services.orders_complete_due(now=later, limit=2)

    assert counts["completed"] == 2
    assert [status_of(o) for o in orders] == [S.DELIVERED, S.DELIVERED, S.COMPLETED, S.COMPLETED]


def test_limit_caps_one_run(order_in):
    orders = delivered_orders(order_in, 3)
    later = timezone.now() + timedelta(days=16)
    assert services.orders_complete_due(now=later, limit=2)["completed"] == 2
    assert sorted(status_of(o) for o in orders) == [S.COMPLETED, S.COMPLETED, S.DELIVERED]
    assert services.orders_complete_due(now=later, limit=2)["completed"] == 1
    assert [status_of(o) for o in orders] == [S.COMPLETED] * 3


# --- in real use: carrier delivery → window passes → beat task ------------------------------


def test_carrier_delivery_then_the_beat_task_completes_the_order(sku, warehouse):
    order = order_through_services(lines=[(sku, 1, "59.90")], warehouse=warehouse)
    assert order.status == S.SHIPPED

    order = deliver_by_carrier(order, days_ago=14)
    assert order.status == S.DELIVERED
    shipment = Shipment.objects.filter(lines__order_line__order=order).first()
    assert order.delivered_at == shipment.delivered_at  # the carrier's time, not when we heard of it
    assert complete_delivered_orders_task() == {"completed": 0, "blocked": 0, "skipped": 0}
    assert status_of(order) == S.DELIVERED

    Order.objects.filter(pk=order.pk).update(delivered_at=order.delivered_at - timedelta(days=1, seconds=1))
    assert complete_delivered_orders_task()["completed"] == 1
    assert status_of(order) == S.COMPLETED


def test_the_completion_shows_on_the_order_timeline_in_chinese(order_in, make_user, client):
    order = order_in("delivered")
    services.orders_complete_due(now=timezone.now() + timedelta(days=16))
    user = make_user("zh-ops", "operations", language="zh-hans")
    client.force_login(user)

    response = client.get(reverse("orders:detail", args=[order.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    timeline = html[html.index('data-testid="timeline"') :]
    assert "<strong>已完成</strong>: 已签收 → 已完成" in timeline
    assert "after-sales window" not in timeline  # no English on a Chinese screen


def test_the_beat_runs_the_completion_task_hourly():
    entry = next(
        e
        for e in django_settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "orders.tasks.complete_delivered_orders_task"
    )
    assert entry["schedule"].remaining_estimate(timezone.now()) <= timedelta(hours=1)
    assert "orders.tasks.complete_delivered_orders_task" in celery_app.tasks


def test_the_window_is_edited_in_the_channel_admin(admin_user_role, client, channel):
    client.force_login(admin_user_role)
    url = reverse("admin:orders_channel_change", args=[channel.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="aftersales_window_days"' in page.content.decode()
    response = client.post(
        url,
        {
            "code": channel.code,
            "name": channel.name,
            "kind": channel.kind,
            "currency": channel.currency,
            "sla_hours": channel.sla_hours,
            "aftersales_window_days": "7",
            "is_active": "on",
            "tokens-TOTAL_FORMS": "0",
            "tokens-INITIAL_FORMS": "0",
            "tokens-MIN_NUM_FORMS": "0",
            "tokens-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    channel.refresh_from_db()
    assert channel.aftersales_window_days == 7


# --- cash on delivery is never cancelled as unpaid ------------------------------------------


def test_cash_on_delivery_is_never_cancelled_as_unpaid(make_order, settings):
    settings.OMS_UNPAID_CANCEL_MINUTES = 30
    long_ago = (timezone.now() - timedelta(days=3)).isoformat()
    cod = make_order(
        paid=False,
        placed_at=long_ago,
        payment={"method": PaymentMethod.COD, "status": "pending", "amount": "119.80", "transaction_id": ""},
    )
    alipay = make_order(paid=False, placed_at=long_ago)
    assert cod.status == alipay.status == S.PENDING_PAYMENT

    assert cancel_unpaid_orders_task() == 1
    assert cancel_unpaid_orders_task() == 0

    assert (status_of(cod), status_of(alipay)) == (S.PENDING_PAYMENT, S.CANCELLED)
    assert Order.objects.get(pk=cod.pk).cancelled_at is None
