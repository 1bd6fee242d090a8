"""Exports of the customer list (the search applied, personal data masked)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from orders.models import Customer

pytestmark = pytest.mark.django_db


def test_customer_export_follows_the_search_and_masks(client_for, ops_user, warehouse_user, make_order):
    make_order()
    other = make_order(customer={"name": "李四", "phone": "13900002222", "email": "li@example.com"})
    client = client_for(ops_user)
    response = client.get("/orders/customers/", {"q": "13900002222", "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert len(rows) == 2
    assert rows[1][0] == other.customer_id
    assert rows[1][1] == "李*" and rows[1][2] == "139****2222" and rows[1][3] == "l***@example.com"
    assert rows[1][6] == 1  # orders: a number
    every = client.get("/orders/customers/", {"export": "xlsx"})
    assert openpyxl.load_workbook(io.BytesIO(every.content)).active.max_row == 1 + Customer.objects.count()
    assert client_for(warehouse_user).get("/orders/customers/", {"export": "csv"}).status_code == 403
