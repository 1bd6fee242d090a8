"""Reconciliation screens: permissions per role, the builder's HTMX selection, and query counts that do
not grow with rows on every list."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from reconciliation.models import ReconcilableItem, SupplierStatement
from reconciliation.selectors import ItemFilter
from reconciliation.services import items_collect, statement_create, statement_select, statement_submit

pytestmark = pytest.mark.django_db


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(ctx)


@pytest.fixture
def receipts(supplier, cup, receive):
    def make(n: int, start: int = 0):
        for i in range(start, start + n):
            receive(cup, 2, f"PO-{i:04d}")
        items_collect()

    return make


def test_operations_and_warehouse_see_no_reconciliation_screen(client, ops_user, warehouse_user, supplier):
    statement = statement_create(supplier_id=supplier.pk)
    for user in (ops_user, warehouse_user):
        client.force_login(user)
        for url in (
            reverse("reconciliation:suppliers"),
            reverse("reconciliation:statements"),
            reverse("reconciliation:approvals"),
            reverse("reconciliation:statement-detail", args=[statement.pk]),
        ):
            assert client.get(url).status_code == 403, (user, url)
        assert (
            client.post(
                reverse("reconciliation:statement-action", args=[statement.pk, "approve"])
            ).status_code
            == 403
        )


def test_dashboard_link_filters_submitted_statements(client, finance_user, supplier, receipts):
    receipts(2)
    draft = statement_create(supplier_id=supplier.pk)
    submitted = statement_create(supplier_id=supplier.pk)
    statement_select(statement_id=submitted.pk, filters=ItemFilter())
    statement_submit(statement_id=submitted.pk, by=finance_user)
    client.force_login(finance_user)
    page = client.get(reverse("reconciliation:statements") + "?status=submitted").content.decode()
    assert submitted.number in page and draft.number not in page


def test_htmx_checkbox_updates_the_totals(client, finance_user, supplier, receipts):
    receipts(3)
    statement = statement_create(supplier_id=supplier.pk)
    item = ReconcilableItem.objects.order_by("pk").first()
    client.force_login(finance_user)
    url = reverse("reconciliation:statement-select", args=[statement.pk])
    response = client.post(url, {"action": "select", "toggle": item.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="statement-total">¥25.00<' in body and 'data-testid="line-count">1<' in body
    response = client.post(url, {"action": "deselect", "toggle": item.pk}, headers={"HX-Request": "true"})
    assert 'data-testid="statement-total">¥0.00<' in response.content.decode()


def test_lists_do_not_grow_queries_with_rows(
    client, finance_manager_user, supplier, other_supplier, receipts
):
    client.force_login(finance_manager_user)
    receipts(3)
    statement = statement_create(supplier_id=supplier.pk)
    statement_select(
        statement_id=statement.pk, item_ids=list(ReconcilableItem.objects.values_list("pk", flat=True)[:2])
    )
    urls = [
        reverse("reconciliation:suppliers"),
        reverse("reconciliation:statements"),
        reverse("reconciliation:approvals"),
        reverse("reconciliation:statement-detail", args=[statement.pk]),
        reverse("reconciliation:statement-detail", args=[statement.pk]) + "?tab=lines",
    ]
    before = {url: count_queries(client, url) for url in urls}
    receipts(12, start=100)
    statement_select(statement_id=statement.pk, filters=ItemFilter(q="PO-01"))
    for _ in range(3):
        s = statement_create(supplier_id=other_supplier.pk)
        SupplierStatement.objects.filter(pk=s.pk).update(note="x")
    after = {url: count_queries(client, url) for url in urls}
    assert after == before
    assert statement.__class__.objects.get(pk=statement.pk).line_count == 14
    assert statement.__class__.objects.get(pk=statement.pk).total == Decimal("350.00")


def test_money_shows_grouping_and_the_sign_before_the_symbol():
    from django.utils import translation

    from reconciliation.templatetags.reconciliation_tags import yuan

    with translation.override("en"):
        assert [yuan(Decimal("129033")), yuan(Decimal("-30.5")), yuan(None)] == [
            "¥129,033.00",
            "-¥30.50",
            "—",
        ]


def test_the_builder_date_filter_keeps_iso_dates_in_chinese(client, finance_user, supplier):
    statement = statement_create(supplier_id=supplier.pk)
    finance_user.language = "zh-hans"
    finance_user.save(update_fields=["language"])
    client.force_login(finance_user)
    url = reverse("reconciliation:statement-detail", args=[statement.pk]) + "?date_from=2026-10-01"
    page = client.get(url).content.decode()
    assert 'name="date_from" value="2026-10-01"' in page


def test_timeline_and_approval_queue_speak_the_readers_language(
    client, finance_manager_user, finance_user, supplier, receipts
):
    receipts(1)
    statement = statement_create(supplier_id=supplier.pk, by=finance_user)
    statement_select(statement_id=statement.pk, filters=ItemFilter())
    statement_submit(statement_id=statement.pk, by=finance_user)
    finance_manager_user.language = "zh-hans"
    finance_manager_user.save(update_fields=["language"])
    client.force_login(finance_manager_user)
    detail = client.get(reverse("reconciliation:statement-detail", args=[statement.pk]))
    assert [e.title for e in detail.context["timeline"]] == ["创建", "提交"]
    queue = client.get(reverse("reconciliation:approvals")).content.decode()
    assert "未导入账单" in queue
