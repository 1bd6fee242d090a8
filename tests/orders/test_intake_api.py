"""Intake through the JSON API: created / existing / refused by field, tokens scoped to their channel."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.core.management import call_command

from orders.models import ChannelToken, Order, OrderLine, Payment
from tests.factories import ChannelFactory, ProductFactory, SKUFactory, order_body

pytestmark = pytest.mark.django_db


def test_a_new_order_is_created_paid_and_approved(api, sku):
    # given a paid order body; when it is posted
    response = api.post("/api/v1/orders/", order_body(external_id="TB-1"), format="json")
    # then 201 with the order
    assert response.status_code == 201, response.json()
    body = response.json()
    order = Order.objects.get()
    assert body["number"] == order.number
    assert body["status"] == "approved"
    assert body["total"] == "119.80"
    assert order.number.startswith("SO") and len(order.number) == 12
    line = OrderLine.objects.get()
    assert (line.sku_code, line.quantity, line.unit_price, line.line_total) == (
        "SKU-0001",
        2,
        Decimal("59.90"),
        Decimal("119.80"),
    )
    payment = Payment.objects.get()
    assert (payment.method, payment.amount, payment.status) == ("alipay", Decimal("119.80"), "paid")


def test_the_same_order_twice_answers_200_with_the_same_order(api, sku):
    first = api.post("/api/v1/orders/", order_body(external_id="TB-2"), format="json")
    second = api.post("/api/v1/orders/", order_body(external_id="TB-2"), format="json")
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json()["number"] == first.json()["number"]
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1


def test_field_errors_come_back_by_name_and_nothing_is_written(api, sku):
    body = order_body(
        external_id="TB-3",
        lines=[
            {"sku": "SKU-0001", "quantity": 1, "unit_price": "59.90"},
            {"sku": "SKU-999", "quantity": 0, "unit_price": "1.234"},
        ],
    )
    body["customer"]["phone"] = "12345"
    del body["shipping_address"]["district"]
    body["payment"]["method"] = "bitcoin"
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert errors["lines[1].sku"] == ["Unknown SKU SKU-999"]
    assert errors["lines[1].quantity"] == ["Enter a whole number above zero."]
    assert errors["lines[1].unit_price"] == ["Use at most 2 decimals."]
    assert errors["shipping_address.district"] == ["This field is required."]
    assert errors["customer.phone"] == [
        "Enter a mobile number like 13812345678, or an international number like +85291234567."
    ]
    assert errors["payment.method"] == ["Choose one of: alipay, wechat, card, bank_transfer, cod, none."]
    assert Order.objects.count() == 0


def test_money_must_add_up(api, sku):
    body = order_body(external_id="TB-4", shipping_fee="10.00", discount="5.00")
    body["payment"]["amount"] = "119.80"
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "payment.amount": [
            "Payment amount 119.80 does not match the order total 124.80 "
            "(lines 119.80 + shipping 10.00 − discount 5.00)."
        ]
    }


def test_an_unsellable_sku_is_refused_by_name(api, sku):
    SKUFactory(product=ProductFactory(), code="SKU-OLD", is_sellable=False)
    body = order_body(external_id="TB-5", lines=[{"sku": "SKU-OLD", "quantity": 1, "unit_price": "1.00"}])
    response = api.post("/api/v1/orders/", body, format="json")
    assert response.status_code == 400
    assert response.json() == {"lines[0].sku": ["SKU SKU-OLD is not for sale"]}


def test_international_phone_is_accepted(api, sku):
    body = order_body(external_id="TB-6")
    body["customer"]["phone"] = "+85291234567"
    body["shipping_address"]["phone"] = "+852 9123 4567"
    assert api.post("/api/v1/orders/", body, format="json").status_code == 201


def test_without_a_token_401_and_with_a_wrong_one_401(client, sku):
    assert client.post("/api/v1/orders/", order_body(), content_type="application/json").status_code == 401
    response = client.post(
        "/api/v1/orders/", order_body(), content_type="application/json", HTTP_AUTHORIZATION="Token nope"
    )
    assert response.status_code == 401
    assert Order.objects.count() == 0


def test_a_token_sees_only_its_own_channel(api, sku):
    number = api.post("/api/v1/orders/", order_body(external_id="TB-7"), format="json").json()["number"]
    assert api.get(f"/api/v1/orders/{number}/").json()["external_id"] == "TB-7"
    from rest_framework.test import APIClient

    from orders.services import channel_token_create

    _token, raw = channel_token_create(channel=ChannelFactory(code="jd"))
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert other.get(f"/api/v1/orders/{number}/").status_code == 404
    # the same external id in another channel is another order
    assert other.post("/api/v1/orders/", order_body(external_id="TB-7"), format="json").status_code == 201
    assert Order.objects.count() == 2


def test_batch_each_order_succeeds_or_fails_on_its_own(api, sku):
    api.post("/api/v1/orders/", order_body(external_id="B-0"), format="json")
    bad = order_body(external_id="B-2")
    bad["lines"][0]["sku"] = "SKU-404"
    response = api.post(
        "/api/v1/orders/batch/",
        {"orders": [order_body(external_id="B-1"), bad, order_body(external_id="B-0")]},
        format="json",
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["external_id"], r["status"]) for r in results] == [("B-1", 201), ("B-2", 400), ("B-0", 200)]
    assert results[1]["errors"] == {"lines[0].sku": ["Unknown SKU SKU-404"]}
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["B-0", "B-1"]


def test_batch_with_a_nul_byte_in_a_sku_refuses_that_order_by_field(api, sku):
    bad = order_body(external_id="N-1")
    bad["lines"][0]["sku"] = "SKU\x00-1"
    response = api.post(
        "/api/v1/orders/batch/", {"orders": [bad, order_body(external_id="N-2")]}, format="json"
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["external_id"], r["status"]) for r in results] == [("N-1", 400), ("N-2", 201)]
    assert results[0]["errors"] == {"lines[0].sku": ["Enter text without control characters."]}
    assert list(Order.objects.values_list("external_id", flat=True)) == ["N-2"]


def test_batch_over_500_is_refused(api, sku):
    response = api.post("/api/v1/orders/batch/", {"orders": [{}] * 501}, format="json")
    assert response.status_code == 400
    assert response.json() == {"orders": ["At most 500 orders per batch."]}


def test_create_api_token_prints_the_raw_token_once_and_stores_only_its_hash(channel, capsys):
    call_command("create_api_token", "tmall")
    raw = capsys.readouterr().out.strip()
    token = ChannelToken.objects.get()
    assert token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert raw.startswith(token.prefix)
    assert raw not in {token.key_hash, token.prefix}


def test_illegal_actions_in_the_api_answer_409_and_change_nothing(api, order_in, ops_user):
    # given a shipped order; when the channel asks to cancel it
    order = order_in("shipped")
    response = api.post(
        f"/api/v1/orders/{order.number}/cancel/", {"reason": "buyer cancelled"}, format="json"
    )
    # then 409 with a clear message, nothing changed
    assert response.status_code == 409
    assert response.json()["detail"].startswith(
        f"{order.number} is Shipped, so “Cancelled” is not possible now."
    )
    assert Order.objects.get(pk=order.pk).status == "shipped"
    # paying an order that is already paid: 409 too
    response = api.post(f"/api/v1/orders/{order.number}/paid/", {"transaction_id": "X"}, format="json")
    assert response.status_code == 409


def test_the_channel_cancels_and_confirms_payment(api, order_in):
    order = order_in("approved")
    response = api.post(
        f"/api/v1/orders/{order.number}/cancel/", {"reason": "buyer cancelled"}, format="json"
    )
    assert (response.status_code, response.json()["status"]) == (200, "cancelled")
    pending = order_in("pending_payment")
    response = api.post(f"/api/v1/orders/{pending.number}/paid/", {"transaction_id": "ALI-77"}, format="json")
    assert (response.status_code, response.json()["status"]) == (200, "approved")


def test_the_same_external_id_with_other_content_is_a_409_naming_what_differs(api, sku):
    first = api.post("/api/v1/orders/", order_body(external_id="TB-409"), format="json")
    assert first.status_code == 201
    changed = order_body(
        external_id="TB-409", lines=[{"sku": "SKU-0001", "quantity": 3, "unit_price": "59.90"}]
    )
    changed["shipping_address"]["line1"] = "另一个地址 8号"
    response = api.post("/api/v1/orders/", changed, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["order_number"] == first.json()["number"]
    assert body["fields"] == ["shipping_address", "lines", "payment"]
    assert "TB-409" in body["detail"] and "shipping_address, lines, payment" in body["detail"]
    order = Order.objects.get()
    assert (order.lines.get().quantity, order.shipping_address.line1) == (2, "世纪大道100号 2栋 301室")


def test_a_resend_with_the_same_content_written_differently_is_still_200(api, sku):
    first = api.post("/api/v1/orders/", order_body(external_id="TB-SAME"), format="json")
    again = order_body(external_id="TB-SAME")
    again["lines"][0]["unit_price"] = "59.9"  # the same amount, written without the trailing zero
    again["payment"]["amount"] = "119.8"
    response = api.post("/api/v1/orders/", again, format="json")
    assert (first.status_code, response.status_code) == (201, 200)
    assert response.json()["number"] == first.json()["number"]


def test_a_batch_answers_409_for_the_changed_order_only(api, sku):
    api.post("/api/v1/orders/", order_body(external_id="BT-1"), format="json")
    changed = order_body(external_id="BT-1")
    changed["customer"]["name"] = "李四"
    response = api.post(
        "/api/v1/orders/batch/",
        {"orders": [changed, order_body(external_id="BT-2"), order_body(external_id="BT-1")]},
        format="json",
    )
    results = response.json()["results"]
    assert [(r["external_id"], r["status"]) for r in results] == [("BT-1", 409), ("BT-2", 201), ("BT-1", 200)]
    assert results[0]["fields"] == ["customer"]
    assert Order.objects.count() == 2
