"""Import: every bad row reported with its row number and reason; nothing written until the user chooses."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from orders.models import Order

pytestmark = pytest.mark.django_db


def import_command():
    # django-import-export also ships an `import` command and comes first in INSTALLED_APPS, so
    # `manage.py import` resolves to its command; call the project's dispatcher directly.
    return importlib.import_module("oms.management.commands.import").Command()


HEADER = "channel,external_id,customer_name,customer_phone,province,city,district,line1,sku,quantity,unit_price,payment_method,payment_status,payment_amount,transaction_id\n"


def row(
    ext, sku="SKU-0001", qty="1", price="59.90", amount="59.90", district="浦东新区", phone="13812345678"
):
    return f"tmall,{ext},张三,{phone},上海,上海市,{district},世纪大道100号,{sku},{qty},{price},alipay,paid,{amount},T-{ext}\n"


CSV = (
    HEADER
    + row("IM-1")
    + row("IM-2", sku="SKU-999")  # row 3: unknown SKU
    + row("IM-3", district="")  # row 4: missing district
    + row("IM-4", amount="119.80")  # two lines of one order: rows 5 and 6
    + row("IM-4", amount="119.80")
    + row("IM-5", qty="0")  # row 7
)


def test_preview_reports_bad_rows_and_writes_nothing_until_confirmed(
    client_for, ops_user, channel, sku, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(ops_user)
    upload = SimpleUploadedFile("orders.csv", CSV.encode("utf-8"), content_type="text/csv")
    response = client.post("/orders/import/", {"file": upload})
    assert response.status_code == 302
    preview = client.get(response["Location"])
    report = preview.context["report"]
    assert [(e["row"], e["message"]) for e in report.errors] == [
        (3, "sku: Unknown SKU SKU-999"),
        (4, "district: This field is required."),
        (7, "quantity: Enter a whole number above zero."),
    ]
    assert (report.total, report.rows_good, report.orders_good) == (6, 3, 2)
    assert Order.objects.count() == 0  # the preview wrote nothing
    bad = client.get(response["Location"] + "?download=bad").content.decode("utf-8-sig").splitlines()
    assert [line.split(",")[0] for line in bad] == ["row", "3", "4", "7"]
    # when the user imports the good rows
    client.post(response["Location"])
    assert sorted(Order.objects.values_list("external_id", flat=True)) == ["IM-1", "IM-4"]
    assert Order.objects.get(external_id="IM-4").lines.count() == 2


def test_command_dry_run_and_refusal_write_nothing(channel, sku, tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text(CSV, encoding="utf-8")
    with pytest.raises(SystemExit):
        call_command(import_command(), "orders", str(path), "--dry-run")
    assert Order.objects.count() == 0
    with pytest.raises(SystemExit):
        call_command(import_command(), "orders", str(path))
    assert Order.objects.count() == 0
    err = capsys.readouterr().err
    assert "row 3: sku: Unknown SKU SKU-999" in err
    with pytest.raises(SystemExit):
        call_command(import_command(), "orders", str(path), "--good-rows-only")
    assert Order.objects.count() == 2


def test_a_clean_file_imports_and_a_second_run_finds_them_existing(channel, sku, tmp_path, capsys):
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + row("OK-1") + row("OK-2"), encoding="utf-8")
    call_command(import_command(), "orders", str(path))
    call_command(import_command(), "orders", str(path))
    assert Order.objects.count() == 2
    assert "2 rows, 0 bad, 0 written" in capsys.readouterr().out
