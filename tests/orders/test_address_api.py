"""Channel API: the buyer changes the delivery address until the order is released to the warehouse."""

from __future__ import annotations

import pytest

from fulfillment.services import shipments_create_for_order
from oms.audit import timeline_for

pytestmark = pytest.mark.django_db


def test_channel_changes_the_address_before_release(api, order_in):
    order = order_in("allocated")
    response = api.post(
        f"/api/v1/orders/{order.number}/address/",
        {"shipping_address": {"district": "徐汇区", "line1": "漕溪北路 88 号"}},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "allocated"
    order.refresh_from_db()
    assert (order.shipping_address.district, order.shipping_address.line1) == ("徐汇区", "漕溪北路 88 号")
    assert any("the buyer changed the address on 天猫旗舰店" in e.note for e in timeline_for(order))


def test_bad_address_field_errors_and_nothing_changed(api, order_in):
    order = order_in("allocated")
    response = api.post(
        f"/api/v1/orders/{order.number}/address/",
        {"shipping_address": {"city": "", "phone": "123"}},
        format="json",
    )
    assert response.status_code == 400
    body = response.json()
    assert body["shipping_address.city"] == ["This field is required."]
    assert "shipping_address.phone" in body
    order.refresh_from_db()
    assert order.shipping_address.city == "上海市"


def test_refused_once_released_or_unknown(api, order_in):
    order = order_in("allocated")
    shipments_create_for_order(order_id=order.pk)
    response = api.post(
        f"/api/v1/orders/{order.number}/address/", {"shipping_address": {"line1": "x路1号"}}, format="json"
    )
    assert response.status_code == 409 and "already with the warehouse" in response.json()["detail"]
    assert (
        api.post("/api/v1/orders/SO0/address/", {"shipping_address": {"a": 1}}, format="json").status_code
        == 404
    )
    assert api.post(f"/api/v1/orders/{order.number}/address/", {"x": 1}, format="json").status_code == 400
