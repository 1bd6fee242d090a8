"""Exports of the finance lists follow their filter: statements by state, supplier balances with typed sums."""

from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.urls import reverse

from reconciliation.selectors import ItemFilter
from reconciliation.services import items_collect, statement_create, statement_select, statement_submit

pytestmark = pytest.mark.django_db


def sheet_rows(response) -> list[tuple]:
    assert response.status_code == 200, response.status_code
    return list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))


def test_statement_export_follows_the_state_filter(client, finance_user, supplier, cup, receive):
    for i in range(2):
        receive(cup, 2, f"PO-{i:04d}")
    items_collect()
    draft = statement_create(supplier_id=supplier.pk)
    submitted = statement_create(supplier_id=supplier.pk)
    statement_select(statement_id=submitted.pk, filters=ItemFilter())
    statement_submit(statement_id=submitted.pk, by=finance_user)
    client.force_login(finance_user)
    url = reverse("reconciliation:statements")
    rows = sheet_rows(client.get(url, {"status": "submitted", "export": "xlsx"}))
    assert [r[0] for r in rows[1:]] == [submitted.number]
    assert rows[1][5] == 2 and Decimal(str(rows[1][6])) == Decimal("50.00")  # lines and total stay numbers
    every = sheet_rows(client.get(url, {"export": "xlsx"}))
    assert sorted(r[0] for r in every[1:]) == sorted([draft.number, submitted.number])


def test_supplier_balances_export_one_row_per_supplier(
    client, finance_user, supplier, other_supplier, cup, receive
):
    receive(cup, 4, "PO-0001")
    items_collect()
    client.force_login(finance_user)
    rows = sheet_rows(client.get(reverse("reconciliation:suppliers"), {"export": "xlsx"}))
    by_code = {r[0]: r for r in rows[1:]}
    assert set(by_code) == {supplier.code, other_supplier.code}
    total, reconciled, remaining = (Decimal(str(v)) for v in by_code[supplier.code][2:5])
    assert (total, reconciled, remaining) == (Decimal("50.00"), Decimal("0"), Decimal("50.00"))
