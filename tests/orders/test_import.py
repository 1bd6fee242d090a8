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


def _check(content: bytes, channel):
    from orders.importers import check

    report, good = check(content=content, name="orders.csv", default_channel=channel)
    return [(e["row"], e["message"]) for e in report.errors], [g["data"]["external_id"] for g in good]


def test_a_gbk_file_from_chinese_excel_is_read_as_chinese(channel, sku):
    errors, good = _check((HEADER + row("GB-1") + row("GB-2")).encode("gbk"), channel)
    assert errors == []
    assert good == ["GB-1", "GB-2"]


def test_one_row_in_another_encoding_is_reported_alone_and_the_others_are_still_checked(channel, sku):
    content = (
        (HEADER + row("MX-1")).encode("utf-8")
        + row("MX-2").encode("gbk")  # row 3: saved by another program
        + row("MX-3", qty="0").encode("utf-8")  # row 4: its own error still shows
        + row("MX-4").encode("utf-8")
    )
    errors, good = _check(content, channel)
    assert errors == [
        (3, "This row is not readable as UTF-8 text (byte 0xD5 at position 12)."),
        (4, "quantity: Enter a whole number above zero."),
    ]
    assert good == ["MX-1", "MX-4"]


def test_an_over_long_cell_is_that_rows_error_only(channel, sku):
    long_note = HEADER.strip() + ",note\n"
    content = (
        long_note
        + row("LG-1").strip()
        + ",ok\n"
        + row("LG-2").strip()
        + ","
        + "备" * 100_001
        + "\n"
        + row("LG-3", phone="12345").strip()
        + ",ok\n"
    )
    errors, good = _check(content.encode("utf-8"), channel)
    assert errors == [
        (3, "Cell 16 is 100001 characters long; at most 100000."),
        (
            4,
            "customer_phone: Enter a mobile number like 13812345678, or an international number like +85291234567.",
        ),
    ]
    assert good == ["LG-1"]


def test_a_latin1_file_is_refused_with_what_to_do_not_imported_mangled(channel, sku):
    line = "tmall,L1-1,José Nuñez,13812345678,Bayern,München,Schwabing,Müllerstraße 5,SKU-0001,1,59.90,alipay,paid,59.90,T-1\n"
    content = (HEADER + line).encode("latin-1")
    errors, good = _check(content, channel)
    assert good == []
    assert len(errors) == 1
    row_no, message = errors[0]
    assert row_no == 1
    assert "Save it from Excel as “CSV UTF-8 (comma delimited)”" in message
    assert Order.objects.count() == 0


def test_errors_name_the_files_own_columns(channel, sku):
    errors, _good = _check((HEADER + row("CN-1", phone="12345")).encode("utf-8"), channel)
    assert errors == [
        (
            2,
            "customer_phone: Enter a mobile number like 13812345678, or an international number like +85291234567.",
        )
    ]
