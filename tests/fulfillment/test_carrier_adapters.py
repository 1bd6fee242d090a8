"""Carrier adapters: manual (typed numbers), HTTP (labels and polling against a fake on 127.0.0.1), push auth."""

import json
from datetime import UTC, datetime

import pytest

from fulfillment.carriers import LabelRequest, TrackingUpdate, adapter_for
from fulfillment.carriers.base import SIGNATURE_HEADER, TOKEN_HEADER, sign
from fulfillment.exceptions import CarrierAdapterError
from tests.factories import CarrierFactory
from tests.fulfillment.fake_carrier import fake_carrier_server

pytestmark = pytest.mark.django_db

LABEL = LabelRequest(reference="SHP-000001", service_code="STD", weight_g=1200, province="上海", city="上海")


def test_manual_adapter_leaves_the_number_to_the_user():
    adapter = adapter_for(CarrierFactory(adapter="manual"))
    assert adapter.request_tracking_number(LABEL) is None
    assert adapter.fetch_events("YT123") == []


def test_http_adapter_gets_a_number_and_events_from_the_carrier():
    with fake_carrier_server() as fake:
        carrier = CarrierFactory(adapter="http", api_base_url=fake.url, api_token="tok-1")
        fake.events["FAKE00000001"] = [
            {
                "time": "2026-11-21T10:00:00+08:00",
                "status": "picked_up",
                "description": "揽收",
                "location": "上海",
            },
            {
                "time": "2026-11-22T09:30:00+08:00",
                "status": "delivered",
                "description": "签收",
                "location": "杭州",
            },
        ]
        adapter = adapter_for(carrier)
        number = adapter.request_tracking_number(LABEL)
        events = adapter.fetch_events(number)
    assert number == "FAKE00000001"
    method, path, headers, body = fake.requests[0]
    assert (method, path, headers["Authorization"]) == ("POST", "/labels", "Bearer tok-1")
    assert body == {
        "reference": "SHP-000001",
        "service": "STD",
        "weight_g": 1200,
        "province": "上海",
        "city": "上海",
    }
    assert [(e.kind, e.description, e.location, e.occurred_at.astimezone(UTC)) for e in events] == [
        ("picked_up", "揽收", "上海", datetime(2026, 11, 21, 2, 0, tzinfo=UTC)),
        ("delivered", "签收", "杭州", datetime(2026, 11, 22, 1, 30, tzinfo=UTC)),
    ]


def test_http_adapter_reports_a_carrier_failure_clearly():
    with fake_carrier_server() as fake:
        fake.fail_with = 503
        adapter = adapter_for(CarrierFactory(name="ZTO", adapter="http", api_base_url=fake.url))
        with pytest.raises(CarrierAdapterError) as exc:
            adapter.request_tracking_number(LABEL)
    assert str(exc.value) == (
        "The carrier ZTO did not answer as expected (HTTP 503). Try again or type the number."
    )


def test_hmac_push_is_verified_against_the_carriers_secret():
    adapter = adapter_for(CarrierFactory(webhook_auth="hmac", webhook_secret="s3cret"))
    body = json.dumps({"events": []}).encode()
    assert adapter.verify_push(body, {SIGNATURE_HEADER: sign("s3cret", body)}) is True
    assert adapter.verify_push(body, {SIGNATURE_HEADER: sign("other", body)}) is False
    assert adapter.verify_push(body + b" ", {SIGNATURE_HEADER: sign("s3cret", body)}) is False
    assert adapter.verify_push(body, {}) is False


def test_token_push_is_verified_and_an_empty_secret_refuses_everything():
    adapter = adapter_for(CarrierFactory(webhook_auth="token", webhook_secret="tok"))
    assert adapter.verify_push(b"{}", {TOKEN_HEADER: "tok"}) is True
    assert adapter.verify_push(b"{}", {TOKEN_HEADER: "tok2"}) is False
    no_secret = adapter_for(CarrierFactory(webhook_auth="token", webhook_secret=""))
    assert no_secret.verify_push(b"{}", {TOKEN_HEADER: ""}) is False


def test_push_payload_is_parsed_and_bad_status_refused():
    adapter = adapter_for(CarrierFactory())
    body = json.dumps(
        {"events": [{"time": "2026-11-21T10:00:00+08:00", "status": "exception", "description": "拒收"}]}
    ).encode()
    [update] = adapter.parse_push(body)
    assert isinstance(update, TrackingUpdate)
    assert (update.kind, update.description, update.location) == ("exception", "拒收", "")
    with pytest.raises(ValueError):
        adapter.parse_push(json.dumps({"events": [{"time": "x", "status": "delivered"}]}).encode())
