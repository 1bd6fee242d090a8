"""Import templates: en / zh headers, an example row, allowed values; the importers read the zh headers and
name the file's own columns in errors; after an import the list opens on the imported orders."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.importers import import_stock
from inventory.models import StockLevel
from orders.import_columns import ORDER_COLUMNS
from orders.models import Order
from tests.factories import WarehouseFactory

pytestmark = pytest.mark.django_db


def test_xlsx_template_has_zh_headers_an_example_row_and_the_allowed_values(client_for, ops_user):
    response = client_for(ops_user).get("/orders/import/")
    assert 'data-testid="import-template-links"' in response.content.decode()
    response = client_for(ops_user).get("/imports/templates/orders/", {"lang": "zh", "format": "xlsx"})
    assert 'filename="orders-template-zh.xlsx"' in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    data, allowed = book.worksheets
    rows = list(data.iter_rows(values_only=True))
    assert rows[0][:3] == ("渠道", "渠道订单号", "下单时间")
    assert rows[1][1] == "TB-20261121-0001" and rows[1][14] == 2  # the quantity is a number
    allowed_rows = {r[0]: r for r in allowed.iter_rows(min_row=2, values_only=True)}
    assert "alipay (Alipay)" in allowed_rows["支付方式"][2]
    assert allowed_rows["SKU编码"][1] == "required"


def test_the_csv_template_in_english_imports_as_it_is(client_for, ops_user, channel, sku, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(ops_user)
    template = client.get("/imports/templates/orders/", {"lang": "en", "format": "csv"}).content
    text = template.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("channel,external_id,placed_at")
    assert "# payment_status: optional" in text
    upload = SimpleUploadedFile("orders.csv", template, content_type="text/csv")
    preview = client.get(client.post("/orders/import/", {"file": upload})["Location"])
    report = preview.context["report"]
    assert (report.errors, report.orders_good) == ([], 1)  # the comment rows are skipped


def test_zh_headers_are_read_errors_name_them_and_the_list_opens_on_the_imported_orders(
    client_for, ops_user, channel, sku, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    Order.objects.all().delete()
    zh = {c.key: c.zh for c in ORDER_COLUMNS}
    keys = [
        "channel",
        "external_id",
        "customer_name",
        "customer_phone",
        "province",
        "city",
        "district",
        "line1",
    ]
    keys += ["sku", "quantity", "unit_price", "payment_amount", "transaction_id"]
    lines = [",".join(zh[k] for k in keys)]
    lines.append("tmall,ZH-1,张三,13812345678,上海,上海市,浦东新区,世纪大道100号,SKU-0001,1,59.90,59.90,T-1")
    lines.append("tmall,ZH-2,李四,12345,上海,上海市,浦东新区,世纪大道101号,SKU-0001,1,59.90,59.90,T-2")
    client = client_for(ops_user)
    upload = SimpleUploadedFile("订单.csv", "\n".join(lines).encode("gb18030"), content_type="text/csv")
    location = client.post("/orders/import/", {"file": upload})["Location"]
    report = client.get(location).context["report"]
    assert [(e["row"], e["message"].split(":")[0]) for e in report.errors] == [(3, "客户电话")]
    response = client.post(location)
    assert response.status_code == 302 and "source=import" in response["Location"]
    listed = client.get(response["Location"])
    assert [o.external_id for o in listed.context["page"]["rows"]] == ["ZH-1"]
    assert 'data-testid="import-batch"' in listed.content.decode()


def test_stock_import_reads_zh_headers_and_names_them_in_errors(sku, tmp_path):
    WarehouseFactory(code="BJ")
    WarehouseFactory(code="GZ")
    path = Path(tmp_path) / "count.csv"
    path.write_text("SKU编码,仓库编码,盘点数量\n# 注释行\nSKU-0001,BJ,7\nSKU-0001,GZ,-1\n", encoding="utf-8")
    report = import_stock(path=path, dry_run=True)
    assert [(e["row"], e["message"].split(":")[0]) for e in report["errors"]] == [(4, "盘点数量")]
    report = import_stock(path=path, good_rows_only=True)
    assert report["written"] == 1
    assert StockLevel.objects.get(sku=sku, warehouse__code="BJ").on_hand == 7
