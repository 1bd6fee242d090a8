"""Bulk work on the order list: the bar, the confirmation that states the count, per-order results, jobs."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from oms import bulk
from oms.models import BackgroundJob, ChangeLog
from orders.models import Order, Tag

pytestmark = pytest.mark.django_db


@pytest.fixture
def order_in(order_in):
    """Orders from different buyers at different addresses (the same phone again would go to review)."""
    counter = {"n": 0}

    def make(status: str):
        counter["n"] += 1
        phone = f"1390000{counter['n']:04d}"
        return order_in(
            status,
            customer={"name": "王五", "phone": phone, "email": ""},
            shipping_address={
                "name": "王五",
                "phone": phone,
                "province": "上海",
                "city": "上海市",
                "district": "浦东新区",
                "line1": f"世纪大道{counter['n']}号 2栋 301室",
                "postcode": "200120",
                "country": "CN",
            },
        )

    return make


def post(client, data: dict, url: str = "/orders/"):
    return client.post(url, data)


def test_the_list_shows_the_bar_the_total_and_a_checkbox_per_row(client_for, ops_user, order_in):
    orders = [order_in("allocated") for _ in range(3)]
    page = " ".join(client_for(ops_user).get("/orders/").content.decode().split())
    assert 'data-testid="bulk-bar"' in page
    assert "3 orders match" in page
    for order in orders:
        assert f'name="ids" value="{order.pk}" form="bulk-form"' in page
    for name in ("approve", "reject", "hold", "resume", "cancel", "tag", "export"):
        assert f'data-testid="bulk-{name}"' in page


def test_warehouse_and_finance_see_only_what_they_may_do(client_for, finance_user, order_in):
    order_in("allocated")
    page = client_for(finance_user).get("/orders/").content.decode()
    assert 'data-testid="bulk-approve"' in page  # the finance review
    assert 'data-testid="bulk-hold"' not in page
    response = post(client_for(finance_user), {"action": "hold", "ids": [1], "confirmed": "1", "reason": "x"})
    assert response.status_code == 403


def test_hold_asks_first_stating_the_count_then_reports_each_order(client_for, ops_user, order_in):
    held = [order_in("allocated"), order_in("allocated")]
    already = order_in("on_hold")
    client = client_for(ops_user)
    ids = [o.pk for o in [*held, already]]
    confirm = post(client, {"action": "hold", "ids": ids})
    assert confirm.status_code == 200
    assert "Hold: 3 orders. Go ahead?" in confirm.content.decode()
    assert [o.status for o in Order.objects.filter(pk__in=ids)] == ["allocated", "allocated", "on_hold"]

    # no reason: asked again, nothing changed
    again = post(client, {"action": "hold", "ids": ids, "confirmed": "1", "reason": ""})
    assert "This field is required." in again.content.decode()
    assert Order.objects.filter(pk__in=ids, status="on_hold").count() == 1

    result = post(client, {"action": "hold", "ids": ids, "confirmed": "1", "reason": "address change"})
    page = result.content.decode()
    assert result.status_code == 200
    assert result.context["summary"] == {"done": 2, "refused": 1, "total": 3}
    refused = [r for r in result.context["rows"] if not r["ok"]]
    assert [r["label"] for r in refused] == [already.number]
    assert refused[0]["reason"]  # says why: already on hold
    assert already.number in page and held[0].number in page
    assert {o.hold_reason for o in Order.objects.filter(pk__in=[o.pk for o in held])} == {"address change"}


def test_all_matching_follows_the_filter(client_for, ops_user, order_in, channel):
    reviewed = [order_in("on_review") for _ in range(3)]
    other = order_in("allocated")
    client = client_for(ops_user)
    confirm = post(client, {"action": "approve", "scope": "matching", "query": "status=on_review&page=2"})
    assert "Approve: 3 orders." in confirm.content.decode()
    result = post(
        client, {"action": "approve", "scope": "matching", "query": "status=on_review", "confirmed": "1"}
    )
    assert result.context["summary"] == {"done": 3, "refused": 0, "total": 3}
    assert {Order.objects.get(pk=o.pk).status for o in reviewed} <= {"approved", "allocated"}
    assert Order.objects.get(pk=other.pk).status == "allocated"


def test_ticked_rows_outside_the_filter_are_left_alone(client_for, ops_user, order_in):
    inside, outside = order_in("on_review"), order_in("allocated")
    client = client_for(ops_user)
    result = post(
        client,
        {
            "action": "hold",
            "ids": [inside.pk, outside.pk],
            "query": "status=on_review",
            "confirmed": "1",
            "reason": "r",
        },
    )
    assert result.context["summary"]["total"] == 1
    assert Order.objects.get(pk=outside.pk).status == "allocated"


def test_nothing_selected_is_refused_with_a_message(client_for, ops_user, order_in):
    order_in("allocated")
    response = client_for(ops_user).post("/orders/", {"action": "hold"}, follow=True)
    assert [str(m) for m in response.context["messages"]] == ["Select at least one row first."]


def test_tag_puts_the_tag_on_and_the_timeline_says_so(client_for, ops_user, order_in):
    tag = Tag.objects.create(name="VIP-bulk", colour="info")
    orders = [order_in("allocated"), order_in("allocated")]
    client = client_for(ops_user)
    confirm = post(client, {"action": "tag", "ids": [o.pk for o in orders]})
    assert "VIP-bulk" in confirm.content.decode()
    result = post(
        client, {"action": "tag", "ids": [o.pk for o in orders], "confirmed": "1", "choice": tag.pk}
    )
    assert result.context["summary"]["done"] == 2
    assert all(tag in Order.objects.get(pk=o.pk).tags.all() for o in orders)
    assert ChangeLog.objects.filter(action="tag", object_id=orders[0].pk).count() == 1
    detail = client.get(f"/orders/{orders[0].pk}/").content.decode()
    assert "Tag “VIP-bulk” added" in detail


def test_export_of_the_selection_holds_only_those_orders(client_for, ops_user, order_in):
    orders = [order_in("allocated") for _ in range(3)]
    response = post(client_for(ops_user), {"action": "export", "ids": [orders[0].pk, orders[2].pk]})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    numbers = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert numbers == sorted([orders[0].number, orders[2].number])


def test_a_large_selection_runs_as_a_job_with_per_order_results(
    client_for, ops_user, order_in, monkeypatch, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(bulk, "SYNC_LIMIT", 2)
    orders = [order_in("allocated") for _ in range(3)]
    cancelled = order_in("on_hold")
    client = client_for(ops_user)
    ids = [o.pk for o in [*orders, cancelled]]
    confirm = post(client, {"action": "hold", "ids": ids}).content.decode()
    assert "This runs in the background" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, {"action": "hold", "ids": ids, "confirmed": "1", "reason": "stock check"})
    job = BackgroundJob.objects.get()
    assert response.url == reverse("job-detail", args=[job.pk])
    assert (job.status, job.result["done"], job.result["refused"]) == ("done", 3, 1)
    page = client.get(response.url).content.decode()
    assert "3 done" in page and "1 refused" in page and cancelled.number in page
    assert Order.objects.filter(pk__in=ids, status="on_hold").count() == 4


def test_zh_confirmation_and_results_are_chinese(client_for, ops_user, order_in):
    order = order_in("allocated")
    ops_user.language = "zh-hans"
    ops_user.save()
    client = client_for(ops_user)
    page = post(client, {"action": "cancel", "ids": [order.pk]}).content.decode()
    assert "个订单" in page
