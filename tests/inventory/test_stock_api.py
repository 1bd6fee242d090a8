"""GET /api/v1/stock/?sku=…: sellable quantity per SKU and warehouse, for staff and channel tokens."""

from __future__ import annotations

import hashlib

import pytest

from inventory.services import stock_reserve
from tests.factories import SKUFactory, WarehouseFactory, stock_in

pytestmark = pytest.mark.django_db

URL = "/api/v1/stock/"


@pytest.fixture
def stock():
    sh = WarehouseFactory(code="SH", priority=10)
    gz = WarehouseFactory(code="GZ", priority=20)
    off = WarehouseFactory(code="OFF", priority=30)
    a, b = SKUFactory(code="SKU-001"), SKUFactory(code="SKU-002")
    stock_in(a, sh, 10)
    stock_in(a, gz, 4)
    stock_in(a, off, 50)
    stock_in(b, gz, 2)
    off.is_active = False  # closed: its stock is not offered to channels
    off.save()
    stock_reserve(sku_id=a.pk, warehouse_id=sh.pk, quantity=3, demand_ref="l1")
    return a, b


def test_staff_with_view_permission_sees_sellable_per_sku_and_warehouse(stock, ops_user, client_for):
    response = client_for(ops_user).get(URL, {"sku": "SKU-001,SKU-002,NOPE"})

    assert response.status_code == 200
    assert response.json() == {
        "results": [
            {
                "sku": "SKU-001",
                "sellable": 11,
                "warehouses": [{"code": "SH", "sellable": 7}, {"code": "GZ", "sellable": 4}],
            },
            {"sku": "SKU-002", "sellable": 2, "warehouses": [{"code": "GZ", "sellable": 2}]},
        ],
        "unknown": ["NOPE"],
    }


def test_a_channel_token_may_read_stock(stock, client):
    from orders.models import ChannelToken
    from tests.factories import ChannelFactory

    raw = "test-token-123"
    ChannelToken.objects.create(
        channel=ChannelFactory(), prefix=raw[:8], key_hash=hashlib.sha256(raw.encode()).hexdigest()
    )

    response = client.get(URL, {"sku": "SKU-002"}, HTTP_AUTHORIZATION=f"Token {raw}")

    assert response.status_code == 200
    assert response.json()["results"][0]["sellable"] == 2
    assert client.get(URL, {"sku": "SKU-002"}, HTTP_AUTHORIZATION="Token wrong").status_code in (401, 403)


def test_without_permission_or_login_it_is_refused(stock, make_user, client_for, client):
    assert client.get(URL, {"sku": "SKU-001"}).status_code in (401, 403)
    nobody = make_user("nobody")
    assert client_for(nobody).get(URL, {"sku": "SKU-001"}).status_code == 403


def test_sku_parameter_is_required(ops_user, client_for):
    response = client_for(ops_user).get(URL)
    assert response.status_code == 400
    assert "sku" in response.json()
