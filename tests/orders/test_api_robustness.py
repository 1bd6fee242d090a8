"""Hostile and careless API input gets a 400 / 401 / 429 with a message, never a 500, and writes nothing."""

from __future__ import annotations

import json
import time

import pytest
from rest_framework.test import APIClient

from orders.models import Order
from tests.factories import order_body

pytestmark = pytest.mark.django_db


def test_a_nul_byte_in_the_stock_query_is_a_400_with_a_message(api, sku):
    response = api.get("/api/v1/stock/?sku=%00")
    assert response.status_code == 400
    assert "NUL" in response.json()["detail"]


def test_a_nul_byte_in_a_back_office_address_is_a_400(client_for, ops_user):
    response = client_for(ops_user).get("/orders/?q=a%00b")
    assert response.status_code == 400
    assert "NUL" in response.content.decode()


@pytest.mark.parametrize("path", ["/api/v1/orders/", "/api/v1/orders/batch/"])
def test_json_nested_1100_levels_is_a_400_and_nothing_is_written(api, sku, path):
    body = "[" * 1100 + "]" * 1100
    response = api.generic("POST", path, body, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper than 64 levels" in response.json()["detail"]
    assert Order.objects.count() == 0


def test_a_nul_character_inside_a_json_string_is_refused_by_its_field(api, sku):
    body = order_body(external_id="TB-NUL")
    body["customer"]["name"] = "王\u0000小明"
    response = api.generic("POST", "/api/v1/orders/", json.dumps(body), content_type="application/json")
    assert response.status_code == 400
    assert "customer.name" in response.json()
    assert Order.objects.count() == 0


@pytest.mark.parametrize("path", ["/api/v1/orders/", "/api/v1/stock/?sku=SKU-0001"])
def test_no_credentials_is_401_with_the_scheme_to_use(path):
    client = APIClient()
    response = client.post(path, {}, format="json") if "orders" in path else client.get(path)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == "Token"


def test_a_channel_over_its_rate_gets_429_with_retry_after(api, sku, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "channel": "3/min"}
    original = SimpleRateThrottle.THROTTLE_RATES
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [api.get("/api/v1/stock/?sku=SKU-0001").status_code for _ in range(4)]
        last = api.get("/api/v1/stock/?sku=SKU-0001")
    finally:
        SimpleRateThrottle.THROTTLE_RATES = original
    assert codes == [200, 200, 200, 429]
    assert last.status_code == 429
    assert int(last.headers["Retry-After"]) > 0


@pytest.fixture
def broker_down(monkeypatch):
    """The real Celery app, not eager, pointed at a port where no broker listens.

    Celery caches its connection pool and producer pool (an earlier test may have used the real Redis):
    both are dropped for the test and put back after it.
    """
    from oms.celery import app

    unreachable = "redis://127.0.0.1:9/0"  # the discard port: nothing answers
    saved = (app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool)
    app.conf.task_always_eager = False
    monkeypatch.setenv("CELERY_BROKER_URL", unreachable)  # Celery reads the environment first
    app.conf.broker_url = unreachable
    app._pool = app.amqp._producer_pool = None
    yield app
    if app._pool is not None:
        app._pool.force_close_all()
    app.conf.task_always_eager, app.conf.broker_url, app._pool, app.amqp._producer_pool = saved


def test_intake_answers_at_once_when_the_broker_is_down(
    api, sku, broker_down, caplog, django_capture_on_commit_callbacks
):
    from oms.models import OutboxMessage

    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/orders/", order_body(external_id="TB-BROKER"), format="json")
    elapsed = time.monotonic() - started
    assert response.status_code == 201, response.content
    assert elapsed < 8, f"intake took {elapsed:.1f} s with the broker down"
    order = Order.objects.get(external_id="TB-BROKER")
    # The notice waits in the outbox for the periodic sweep; the failure to send the task is logged.
    message = OutboxMessage.objects.get(dedupe_key__startswith=f"order:{order.pk}:")
    assert message.status == OutboxMessage.Status.PENDING
    assert any("not sent (broker unreachable" in r.getMessage() for r in caplog.records)
