"""Every download goes through oms.exports: text that a spreadsheet would run as a formula is neutralised,
numbers stay numbers."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from oms.exports import safe_cell


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ("=1+2", "'=1+2"),
        ('=HYPERLINK("http://evil.example","click")', '\'=HYPERLINK("http://evil.example","click")'),
        ("+86 138", "'+86 138"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("张三", "张三"),
        ("SKU-001", "SKU-001"),
        (None, ""),
    ],
)
def test_text_that_would_run_as_a_formula_is_written_as_text(value, written):
    assert safe_cell(value) == written


@pytest.mark.parametrize("value", [Decimal("-12.50"), -3, 4.5, date(2026, 12, 3), True])
def test_numbers_dates_and_booleans_stay_typed(value):
    assert safe_cell(value) == value


@pytest.mark.django_db
def test_a_channel_supplied_formula_comes_out_inert_in_the_order_exports(client_for, ops_user, make_order):
    evil = '=HYPERLINK("http://evil.example","ok")'
    order = make_order(external_id=evil)
    client = client_for(ops_user)

    csv_body = b"".join(client.get("/orders/?export=csv").streaming_content).decode("utf-8-sig")
    assert f"'{evil}".replace('"', '""') in csv_body
    assert f",{evil}".replace('"', '""') not in csv_body

    workbook = load_workbook(io.BytesIO(client.get("/orders/?export=xlsx").content))
    sheet = workbook.active
    header = [c.value for c in sheet[1]]
    row = [c.value for c in sheet[2]]
    assert row[0] == order.number
    assert row[header.index("Channel order id")] == f"'{evil}"
    assert sheet.cell(row=2, column=header.index("Channel order id") + 1).data_type == "s"
    total = row[header.index("Total")]
    assert isinstance(total, int | float) and total == float(order.total)
