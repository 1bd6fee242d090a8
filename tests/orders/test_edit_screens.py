"""Edit, split and merge screens: buttons only when possible and allowed, field errors kept, HTMX rows."""

from __future__ import annotations

from decimal import Decimal

import pytest

from fulfillment.services import shipments_create_for_order
from orders import services
from orders.models import Order

pytestmark = pytest.mark.django_db


def edit_post(order, **changes) -> dict:
    a = order.shipping_address
    lines = list(order.lines.order_by("line_no"))
    data = {
        "province": a.province,
        "city": a.city,
        "district": a.district,
        "line1": a.line1,
        "postcode": a.postcode,
        "name": a.name,
        "phone": a.phone,
        "shipping_fee": str(order.shipping_fee),
        "discount": str(order.discount),
        "reason": "customer called",
        "lines-TOTAL_FORMS": str(len(lines)),
        "lines-INITIAL_FORMS": str(len(lines)),
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for i, line in enumerate(lines):
        data.update(
            {
                f"lines-{i}-id": str(line.pk),
                f"lines-{i}-sku": line.sku_code,
                f"lines-{i}-quantity": str(line.quantity),
                f"lines-{i}-unit_price": str(line.unit_price),
            }
        )
    data.update(changes)
    return data


def test_order_page_offers_edit_split_to_operations_only(client_for, ops_user, finance_user, order_in):
    order = order_in("allocated")
    page = client_for(ops_user).get(f"/orders/{order.pk}/").content.decode()
    assert f'href="/orders/{order.pk}/edit/"' in page and f'href="/orders/{order.pk}/split/"' in page
    page = client_for(finance_user).get(f"/orders/{order.pk}/").content.decode()
    assert "/edit/" not in page and "/split/" not in page
    assert client_for(finance_user).get(f"/orders/{order.pk}/edit/").status_code == 403


def test_released_order_shows_hold_first_hint_and_no_edit(client_for, ops_user, order_in):
    order = order_in("allocated")
    shipments_create_for_order(order_id=order.pk)
    page = client_for(ops_user).get(f"/orders/{order.pk}/").content.decode()
    assert 'data-testid="change-hint"' in page and "hold it first" in page
    assert f'href="/orders/{order.pk}/edit/"' not in page
    response = client_for(ops_user).get(f"/orders/{order.pk}/edit/")
    assert response.status_code == 302  # refused with the reason, back to the order


def test_edit_refused_field_by_field_keeps_what_was_typed(client_for, ops_user, order_in):
    order = order_in("allocated")
    client = client_for(ops_user)
    response = client.post(
        f"/orders/{order.pk}/edit/",
        edit_post(order, district="", **{"lines-0-sku": "SKU-9999", "line1": "新地址路8号"}),
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'data-error-for="district"' in html and 'data-error-for="lines-0-sku"' in html
    assert "Unknown SKU SKU-9999" in html and 'value="新地址路8号"' in html
    order.refresh_from_db()
    assert order.shipping_address.line1 != "新地址路8号"


def test_edit_saves_and_adds_a_line(client_for, ops_user, order_in, sku2):
    order = order_in("allocated")
    client = client_for(ops_user)
    data = edit_post(
        order,
        line1="新地址路8号",
        **{
            "lines-TOTAL_FORMS": "2",
            "lines-1-id": "",
            "lines-1-sku": "SKU-0002",
            "lines-1-quantity": "1",
            "lines-1-unit_price": "",
        },
    )
    response = client.post(f"/orders/{order.pk}/edit/", data, follow=True)
    assert response.redirect_chain[-1][0] == f"/orders/{order.pk}/"
    html = response.content.decode()
    assert "changed." in html and "until the customer pays 20.00 more" in html
    order.refresh_from_db()
    assert order.total == Decimal("139.80") and order.status == "on_hold"
    assert [ln.sku_code for ln in order.lines.all()] == ["SKU-0001", "SKU-0002"]


def test_htmx_add_row_and_sku_lookup(client_for, ops_user, order_in):
    order = order_in("allocated")
    client = client_for(ops_user)
    html = client.get(f"/orders/{order.pk}/edit/line/?index=1", HTTP_HX_REQUEST="true").content.decode()
    assert 'name="lines-1-sku"' in html and 'name="lines-1-DELETE"' in html
    assert 'id="id_lines-TOTAL_FORMS"' in html and 'value="2"' in html and "index=2" in html
    assert client.get(f"/orders/{order.pk}/edit/line/?index=500").status_code == 400
    found = client.get(f"/orders/{order.pk}/edit/sku/?lines-1-sku=SKU-0001").content.decode()
    assert "龙井茶 250g · 59.90" in found
    assert "Unknown SKU NOPE" in client.get(f"/orders/{order.pk}/edit/sku/?lines-0-sku=NOPE").content.decode()


def test_split_screen(client_for, ops_user, order_in):
    order = order_in("allocated")
    line = order.lines.get()
    client = client_for(ops_user)
    assert client.get(f"/orders/{order.pk}/split/").status_code == 200
    bad = client.post(f"/orders/{order.pk}/split/", {f"move-{line.pk}": "2"})
    assert bad.status_code == 400 and "Leave at least one unit" in bad.content.decode()
    response = client.post(f"/orders/{order.pk}/split/", {f"move-{line.pk}": "1", "reason": "two parcels"})
    new = Order.objects.get(split_from=order)
    assert response.status_code == 302 and response["Location"] == f"/orders/{new.pk}/"
    page = client.get(f"/orders/{new.pk}/").content.decode()
    assert f'data-testid="split-from">{order.number}' in page


def test_merge_from_the_order_page(client_for, ops_user, make_order, sku):
    a = services.order_allocate(order_id=make_order().pk)
    b = make_order()
    if b.status == "on_review":
        b = services.order_approve(order_id=b.pk, by=ops_user)
    client = client_for(ops_user)
    page = client.get(f"/orders/{a.pk}/").content.decode()
    assert 'data-testid="merge-form"' in page and b.number in page
    response = client.post(f"/orders/{a.pk}/merge/", {"orders": [str(b.pk)]}, follow=True)
    assert f"{b.number} merged into {a.number}" in response.content.decode()
    b.refresh_from_db()
    assert b.status == "cancelled" and b.merged_into_id == a.pk
    assert (
        client.post(f"/orders/{a.pk}/merge/", {"orders": [str(b.pk)]}).status_code == 302
    )  # refused, no 500
