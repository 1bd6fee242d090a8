"""Screens: lists with a constant number of queries, the order page and its actions, review, manual form."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from orders.models import Order
from tests.factories import order_body

pytestmark = pytest.mark.django_db


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url", ["/orders/", "/orders/review/", "/orders/exceptions/", "/orders/?status=approved&q=张"]
)
def test_list_queries_do_not_grow_with_rows(client_for, ops_user, make_order, url):
    client = client_for(ops_user)
    for _ in range(2):
        make_order(note="请周末送货")
    few = queries_for(client, url)
    for _ in range(12):
        make_order(note="请周末送货", flags={"urgent": True, "promotion": "x"})
    assert queries_for(client, url) == few


def test_list_filters_and_search(client_for, ops_user, make_order):
    client = client_for(ops_user)
    a = make_order()
    b = make_order(note="请周末送货")
    assert [o.pk for o in client.get("/orders/?status=on_review").context["page"]["rows"]] == [b.pk]
    assert [o.pk for o in client.get(f"/orders/?q={a.number}").context["page"]["rows"]] == [a.pk]
    assert [o.pk for o in client.get(f"/orders/?q={a.external_id}").context["page"]["rows"]] == [a.pk]
    assert len(client.get("/orders/?q=138 1234 5678").context["page"]["rows"]) == 2


def test_csv_export_of_the_filtered_list(client_for, ops_user, make_order):
    a = make_order()
    make_order(note="请周末送货")
    response = client_for(ops_user).get("/orders/?status=approved&export=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()
    assert len(body) == 2
    assert body[1].startswith(f"{a.number},")


def test_xlsx_export(client_for, ops_user, make_order):
    make_order()
    response = client_for(ops_user).get("/orders/?export=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_warehouse_cannot_open_orders_and_finance_cannot_create(client_for, warehouse_user, finance_user):
    assert client_for(warehouse_user).get("/orders/").status_code == 403
    assert client_for(finance_user).get("/orders/").status_code == 200
    assert client_for(finance_user).get("/orders/new/").status_code == 403
    assert client_for(finance_user).post("/orders/1/cancel/", {"reason": "x"}).status_code == 403


def test_detail_shows_only_the_actions_allowed_now(client_for, ops_user, order_in):
    order = order_in("on_review")
    response = client_for(ops_user).get(f"/orders/{order.pk}/")
    assert [a["name"] for a in response.context["actions"]] == ["approve", "reject", "hold", "cancel"]
    assert "Buyer left a remark" in response.content.decode()


def test_approve_from_the_page_and_a_refusal_is_a_message_not_a_500(client_for, ops_user, order_in):
    client = client_for(ops_user)
    order = order_in("on_review")
    response = client.post(f"/orders/{order.pk}/approve/", {"reason": "ok"}, follow=True)
    assert response.status_code == 200
    assert Order.objects.get(pk=order.pk).status == "approved"
    response = client.post(f"/orders/{order.pk}/resume/", follow=True)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]][0].startswith(
        f"{order.number} is Approved, so “Resumed” is not possible now."
    )
    assert Order.objects.get(pk=order.pk).status == "approved"


def test_reject_without_reason_is_refused_by_name(client_for, ops_user, order_in):
    order = order_in("on_review")
    response = client_for(ops_user).post(f"/orders/{order.pk}/reject/", {"reason": ""}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Give a reason."]
    assert Order.objects.get(pk=order.pk).status == "on_review"


def test_bulk_approve(client_for, ops_user, order_in):
    orders = [order_in("on_review") for _ in range(3)]
    response = client_for(ops_user).post("/orders/review/approve/", {"orders": [o.pk for o in orders[:2]]})
    assert response.status_code == 302
    assert [Order.objects.get(pk=o.pk).status for o in orders] == ["approved", "approved", "on_review"]


def manual_post(**overrides) -> dict:
    data = {
        "channel": "",
        "external_id": "",
        "customer_name": "李四",
        "customer_phone": "13900001111",
        "customer_email": "",
        "address_name": "",
        "address_phone": "",
        "province": "上海",
        "city": "上海市",
        "district": "徐汇区",
        "line1": "漕溪北路 88 号",
        "postcode": "",
        "shipping_fee": "0.00",
        "discount": "0.00",
        "payment_method": "cod",
        "payment_status": "paid",
        "payment_amount": "",
        "transaction_id": "",
        "promotion": "",
        "note": "",
        "lines-TOTAL_FORMS": "3",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "50",
        "lines-0-sku": "SKU-0001",
        "lines-0-quantity": "2",
        "lines-0-unit_price": "",
        "lines-1-sku": "",
        "lines-1-quantity": "",
        "lines-1-unit_price": "",
        "lines-2-sku": "",
        "lines-2-quantity": "",
        "lines-2-unit_price": "",
    }
    data.update(overrides)
    return data


def test_manual_order_is_created_with_list_prices(client_for, ops_user, channel, sku):
    from tests.factories import ChannelFactory

    phone = ChannelFactory(code="phone", name="电话订购", kind="phone")
    response = client_for(ops_user).post("/orders/new/", manual_post(channel=phone.pk))
    order = Order.objects.get()
    assert response.status_code == 302
    assert (order.source, order.channel, str(order.total), order.status) == (
        "manual",
        phone,
        "119.80",
        "approved",
    )
    assert order.created_by == ops_user


def test_manual_form_refuses_field_by_field_and_keeps_what_was_typed(client_for, ops_user, channel, sku):
    data = manual_post(
        channel=channel.pk, district="", **{"lines-1-sku": "SKU-00O1", "lines-1-quantity": "1"}
    )
    response = client_for(ops_user).post("/orders/new/", data)
    assert response.status_code == 400
    form, formset = response.context["form"], response.context["formset"]
    assert form.errors["district"] == ["This field is required."]
    assert formset.forms[1].errors["sku"] == ["Unknown SKU SKU-00O1"]
    html = response.content.decode()
    assert 'value="SKU-00O1"' in html and 'value="漕溪北路 88 号"' in html and 'value="李四"' in html
    assert Order.objects.count() == 0


def test_api_schema_is_served(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    assert b"/api/v1/orders/batch/" in response.content
    assert order_body()  # the body the schema describes


def test_personal_data_is_masked_on_the_order_page_and_each_full_view_is_logged(
    client_for, ops_user, finance_user, make_order
):
    from oms.models import PersonalDataAccess

    order = make_order()  # 张三, 13812345678, 世纪大道100号…
    page = client_for(finance_user).get(f"/orders/{order.pk}/").content.decode()
    assert "138****5678" in page
    assert "13812345678" not in page
    assert "世纪大道" not in page
    assert "Show in full" not in page  # finance may not see it at all
    ops = client_for(ops_user)
    page = ops.get(f"/orders/{order.pk}/").content.decode()
    assert "13812345678" not in page  # masked for operations too, until asked for
    assert "Show in full" in page
    revealed = ops.post(
        f"/privacy/reveal/orders.address/{order.shipping_address_id}/", {"purpose": order.number}
    )
    assert "世纪大道100号" in revealed.content.decode()
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.object_id, log.purpose) == (ops_user, order.shipping_address_id, order.number)


@pytest.mark.parametrize("role", ["finance_user", "ops_user"])
def test_list_export_masks_personal_data(request, client_for, role, make_order):
    make_order()
    response = client_for(request.getfixturevalue(role)).get("/orders/", {"export": "csv"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    assert content.count("\n") == 2  # header and the order
    assert "13812345678" not in content
    assert ",张*,138****5678," in content


@pytest.mark.parametrize(
    "next_url",
    ["https://evil.example/phish", "//evil.example/", "javascript:alert(1)", "http:\\\\evil.example"],
)
def test_an_action_never_redirects_off_site(client_for, ops_user, order_in, next_url):
    order = order_in("on_review")
    response = client_for(ops_user).post(f"/orders/{order.pk}/approve/", {"reason": "ok", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == f"/orders/{order.pk}/"
    assert Order.objects.get(pk=order.pk).status == "approved"


def test_an_action_returns_to_the_list_it_came_from(client_for, ops_user, order_in):
    order = order_in("on_review")
    response = client_for(ops_user).post(f"/orders/{order.pk}/approve/", {"next": "/orders/review/?page=2"})
    assert response["Location"] == "/orders/review/?page=2"
