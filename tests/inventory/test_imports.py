"""`manage.py import skus|suppliers|stock FILE`: row errors with row numbers, all-or-nothing, good rows only."""

from __future__ import annotations

import pytest
import tablib
from django.core.management import call_command

from inventory.models import SKU, StockLevel, StockMovement, Supplier
from inventory.services import stock_reserve
from tests.factories import SKUFactory, WarehouseFactory, stock_in

pytestmark = pytest.mark.django_db


def write_csv(tmp_path, text: str, name="file.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(kind, path, *flags):
    """Returns (exit code, stdout, stderr)."""
    import io

    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import", kind, str(path), *flags, stdout=out, stderr=err)
        code = 0
    except SystemExit as exc:
        code = exc.code
    return code, out.getvalue(), err.getvalue()


SKUS_CSV = """code,product_code,product_name,category,variant,barcode,price,weight_g
TEE-W-M,P-TEE,纯棉T恤,服装,白色 / M,6900000000011,59.90,200
TEE-W-L,P-TEE,纯棉T恤,服装,白色 / L,6900000000028,abc,200
TEE-W-M,P-TEE,纯棉T恤,服装,重复,,59.90,200
CUP-1,,保温杯,家居,银色,,79,-5
"""


def test_bad_sku_rows_are_reported_by_row_number_and_nothing_is_written(tmp_path):
    code, out, err = run("skus", write_csv(tmp_path, SKUS_CSV))

    assert code == 1
    assert "row 3: price: “abc” is not an amount." in err
    assert "row 4: Same code as row 2." in err
    assert "row 5: weight_g: Must be 0 or more." in err
    assert "product_code: A new SKU needs a product code." in err
    assert "4 rows, 3 bad, 0 written (nothing written" in err
    assert SKU.objects.count() == 0


def test_good_rows_only_imports_the_good_ones(tmp_path):
    code, out, err = run("skus", write_csv(tmp_path, SKUS_CSV), "--good-rows-only")

    assert code == 1  # bad rows are still reported
    assert list(SKU.objects.values_list("code", "name", "barcode", "product__name")) == [
        ("TEE-W-M", "白色 / M", "6900000000011", "纯棉T恤")
    ]


def test_dry_run_of_a_good_file_writes_nothing_then_the_import_does(tmp_path):
    path = write_csv(tmp_path, SKUS_CSV.splitlines()[0] + "\n" + SKUS_CSV.splitlines()[1] + "\n")

    assert run("skus", path, "--dry-run")[0] == 0
    assert SKU.objects.count() == 0
    code, out, _err = run("skus", path)
    assert (code, SKU.objects.count()) == (0, 1)
    assert "1 rows, 0 bad, 1 written" in out
    assert run("skus", path)[0] == 0  # importing again updates, does not duplicate
    assert SKU.objects.count() == 1


def test_barcode_taken_by_another_sku_is_a_row_error(tmp_path):
    SKUFactory(code="OTHER", barcode="6900000000011")
    code, _out, err = run("skus", write_csv(tmp_path, "\n".join(SKUS_CSV.splitlines()[:2]) + "\n"))
    assert code == 1
    assert "row 2: barcode: Barcode already used by OTHER." in err


def test_stock_count_sheet_goes_through_the_count_service(tmp_path):
    wh = WarehouseFactory(code="SH")
    a = SKUFactory(code="A-1", barcode="6900000000035")
    b = SKUFactory(code="B-1")
    stock_in(a, wh, 10)
    stock_in(b, wh, 5)
    stock_reserve(sku_id=b.pk, warehouse_id=wh.pk, quantity=4, demand_ref="l1")
    sheet = "sku,warehouse,counted,reference\n6900000000035,SH,7,CC-1\nB-1,SH,2,CC-1\nZZZ,SH,1,\nA-1,XX,1,\n"

    code, _out, err = run("stock", write_csv(tmp_path, sheet))

    assert code == 1
    assert "row 3: B-1 in SH would have 2 on hand but 4 are reserved" in err
    assert "row 4: sku: Unknown SKU “ZZZ”." in err
    assert "row 5: warehouse: Unknown warehouse “XX”." in err
    assert StockMovement.objects.filter(kind="count").count() == 0  # nothing written

    code, _out, _err = run("stock", write_csv(tmp_path, sheet), "--good-rows-only")
    assert list(
        StockMovement.objects.filter(kind="count").values_list("sku__code", "quantity", "reference")
    ) == [("A-1", -3, "CC-1")]
    assert StockLevel.objects.get(sku=a).on_hand == 7


def test_xlsx_suppliers_and_missing_columns(tmp_path):
    data = tablib.Dataset(headers=["code", "name", "contact", "phone", "email"])
    data.append(["SUP-1", "杭州织造", "王丽", "0571-1", "a@example.com"])
    data.append(["SUP-2", "", "", "", "not-an-email"])
    path = tmp_path / "s.xlsx"
    path.write_bytes(data.export("xlsx"))

    code, _out, err = run("suppliers", path)
    assert code == 1
    assert "row 3:" in err and "Supplier name is required." in err and "not an e-mail address" in err
    assert Supplier.objects.count() == 0

    code, _out, err = run("suppliers", write_csv(tmp_path, "code,phone\nX,1\n"))
    assert (code, err.splitlines()[0]) == (1, "row 1: Missing column(s): name.")


def test_unknown_kind_lists_the_registered_ones(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="skus"):
        call_command("import", "widgets", str(write_csv(tmp_path, "a\n")))
