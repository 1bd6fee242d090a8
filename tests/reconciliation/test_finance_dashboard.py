"""The finance dashboard: statements to approve and supplier balances, in the finance menu; not for operations."""

from __future__ import annotations

import pytest
from django.urls import reverse

from reconciliation.selectors import ItemFilter
from reconciliation.services import items_collect, statement_create, statement_select, statement_submit

pytestmark = pytest.mark.django_db


def test_finance_dashboard_shows_statements_to_approve_and_balances(
    client, finance_user, finance_manager_user, ops_user, supplier, cup, receive
):
    receive(cup, 4, "PO-0001")
    items_collect()
    submitted = statement_create(supplier_id=supplier.pk)
    statement_select(statement_id=submitted.pk, filters=ItemFilter())
    statement_submit(statement_id=submitted.pk, by=finance_user)
    url = reverse("reports:finance-dashboard")
    client.force_login(finance_manager_user)
    home = client.get("/").content.decode()
    assert f'href="{url}"' in home  # in the menu
    response = client.get(url)
    page = response.content.decode()
    assert response.context["statements"]["count"] == 1 and submitted.number in page
    assert response.context["balances"]["remaining"] == 50 and "¥50.00" in page
    assert response.context["refunds"]["count"] == 0
    client.force_login(ops_user)
    assert client.get(url).status_code == 403
