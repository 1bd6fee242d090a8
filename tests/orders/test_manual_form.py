"""The manual order form's helpers: SKU search with price and stock, a known customer's address by phone,
unit price and amount paid really optional."""

from __future__ import annotations

import pytest

from orders.models import Order
from tests.orders.test_screens import manual_post

pytestmark = pytest.mark.django_db


def test_sku_search_finds_by_code_name_or_barcode_with_price_and_stock(client_for, ops_user, sku, sku2):
    client = client_for(ops_user)
    by_code = client.get("/orders/new/skus/", {"lines-0-sku": "SKU-000"}).context["matches"]
    assert [(m["code"], str(m["price"]), m["sellable"]) for m in by_code] == [
        ("SKU-0001", "59.90", 100),
        ("SKU-0002", "20.00", 5),
    ]
    by_name = client.get("/orders/new/skus/", {"lines-3-sku": "茶杯"}).context["matches"]
    assert [m["code"] for m in by_name] == ["SKU-0002"]
    by_barcode = client.get("/orders/new/skus/", {"q": sku.barcode}).context["matches"]
    assert [m["code"] for m in by_barcode] == ["SKU-0001"]
    page = client.get("/orders/new/skus/", {"q": "SKU-0002"}).content.decode()
    assert 'data-sku-pick="SKU-0002"' in page and "¥20.00" in page and "5 in stock" in page
    assert client_for(ops_user).get("/orders/new/skus/", {"q": "x"}).context["matches"] == []


def test_the_form_has_the_search_the_add_line_button_and_the_lookup(client_for, ops_user, channel):
    page = client_for(ops_user).get("/orders/new/").content.decode()
    assert 'hx-get="/orders/new/skus/"' in page and "data-add-line" in page
    assert 'id="line-template"' in page and "lines-__prefix__-sku" in page
    assert 'hx-get="/orders/new/customer/"' in page


def test_known_customer_by_phone_and_their_address_is_copied(client_for, ops_user, make_order, channel, sku):
    known = make_order()  # 张三 13812345678, 世纪大道100号 2栋 301室
    client = client_for(ops_user)
    lookup = client.get("/orders/new/customer/", {"customer_phone": "138 1234 5678"})
    (match,) = lookup.context["matches"]
    html = lookup.content.decode()
    assert "世纪大道100号" not in html  # the street stays masked on the page
    assert f'data-address-pick="{known.shipping_address_id}"' in html
    data = manual_post(
        channel=channel.pk,
        customer_name="",
        customer_phone="13812345678",
        line1="",
        address_from=known.shipping_address_id,
        province="",
        city="",
        district="",
    )
    response = client.post("/orders/new/", data)
    assert response.status_code == 302, response.context["form"].errors
    order = Order.objects.exclude(pk=known.pk).get()
    assert (order.customer_id, order.shipping_address.line1) == (known.customer_id, "世纪大道100号 2栋 301室")
    # another phone cannot copy that address
    other = manual_post(
        channel=channel.pk, customer_phone="13900009999", line1="", address_from=known.shipping_address_id
    )
    assert client.post("/orders/new/", other).status_code == 400


def test_blank_price_and_blank_amount_make_an_unpaid_order_at_list_price(client_for, ops_user, channel, sku):
    data = manual_post(channel=channel.pk, payment_status="", payment_amount="", payment_method="alipay")
    response = client_for(ops_user).post("/orders/new/", data)
    assert response.status_code == 302
    order = Order.objects.get()
    assert (str(order.total), order.status) == ("119.80", "pending_payment")


def test_an_amount_typed_with_the_status_left_to_it_is_paid(client_for, ops_user, channel, sku):
    data = manual_post(channel=channel.pk, payment_status="", payment_amount="119.80", payment_method="cod")
    assert client_for(ops_user).post("/orders/new/", data).status_code == 302
    assert Order.objects.get().status != "pending_payment"


def test_cash_on_delivery_without_an_amount_goes_ahead(client_for, ops_user, channel, sku):
    data = manual_post(channel=channel.pk, payment_status="", payment_amount="", payment_method="cod")
    assert client_for(ops_user).post("/orders/new/", data).status_code == 302
    assert Order.objects.get().status != "pending_payment"
