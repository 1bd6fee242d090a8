"""Importers registered on InventoryConfig.importers for `manage.py import skus|suppliers|stock FILE`.

Each checks every row first (a dry run through the django-import-export resource, rolled back);
with any bad row nothing is written unless ``good_rows_only``; the write itself is one transaction,
so a file is imported whole or not at all (DESIGN.md, invariant 6).
"""

from __future__ import annotations

from pathlib import Path

import tablib
from django.db import transaction
from django.utils.translation import gettext as _

from inventory.import_columns import SKU_COLUMNS, STOCK_COLUMNS, SUPPLIER_COLUMNS
from inventory.resources import SKUResource, StockCountResource, SupplierResource
from oms.import_templates import canonical_headers, column_name, is_comment_row

COLUMNS_OF = {SKUResource: SKU_COLUMNS, SupplierResource: SUPPLIER_COLUMNS, StockCountResource: STOCK_COLUMNS}


def load_dataset(path: Path, columns=()) -> tablib.Dataset:
    """The file's rows under its headers as keys (English keys or the Chinese names of ``columns``); the
    file's own header of each key is kept on ``dataset.header_names``; ``#`` comment rows are left out."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        dataset = tablib.Dataset().load(path.read_bytes(), format="xlsx")
    elif suffix in (".csv", ".txt"):
        dataset = tablib.Dataset().load(path.read_text(encoding="utf-8-sig"), format="csv")
    else:
        raise ValueError(_("Use a .csv or .xlsx file (got %(name)s).") % {"name": path.name})
    keys, names = canonical_headers(dataset.headers or [], columns)
    kept = [(number, row) for number, row in enumerate(dataset, start=2) if not is_comment_row(row)]
    dataset = tablib.Dataset(*[row for _n, row in kept], headers=keys)
    dataset.header_names = names
    dataset.row_numbers = [number for number, _row in kept]  # as the spreadsheet numbers them
    return dataset


def _errors(result, dataset) -> dict[int, str]:
    """Data row i (1-based) is the spreadsheet's row ``dataset.row_numbers[i - 1]`` (the header is row 1, comment
    rows are skipped). Columns as the file names them."""
    names, numbers = dataset.header_names, dataset.row_numbers
    errors: dict[int, list[str]] = {}
    for invalid in result.invalid_rows:
        for field, messages in invalid.error_dict.items():
            label = "" if field == "__all__" else f"{column_name(field, names)}: "
            errors.setdefault(numbers[invalid.number - 1], []).extend(f"{label}{m}" for m in messages)
    for number, row_errors in result.row_errors():
        errors.setdefault(numbers[number - 1], []).extend(str(e.error) for e in row_errors)
    return {row: "; ".join(messages) for row, messages in sorted(errors.items())}


def run_import(resource_class, *, path: Path, dry_run: bool, good_rows_only: bool, by=None) -> dict:
    try:
        dataset = load_dataset(path, COLUMNS_OF.get(resource_class, ()))
    except Exception as exc:  # noqa: BLE001 - a file we cannot read is reported, not a traceback
        return {"total": 0, "written": 0, "errors": [{"row": 1, "message": str(exc)}]}
    missing = [c for c in resource_class.required_columns if c not in dataset.headers]
    if missing:
        message = _("Missing column(s): %(columns)s.") % {"columns": ", ".join(missing)}
        return {"total": len(dataset), "written": 0, "errors": [{"row": 1, "message": message}]}
    preview = resource_class(by=by).import_data(
        dataset, dry_run=True, raise_errors=False, use_transactions=True
    )
    errors = _errors(preview, dataset)
    report = {
        "total": len(dataset),
        "written": 0,
        "errors": [{"row": row, "message": message} for row, message in errors.items()],
    }
    if dry_run or (errors and not good_rows_only):
        return report
    good = tablib.Dataset(headers=dataset.headers)
    for index, row in zip(dataset.row_numbers, dataset, strict=True):
        if index not in errors:
            good.append(row)
    with transaction.atomic():
        result = resource_class(by=by).import_data(
            good, dry_run=False, raise_errors=True, use_transactions=True
        )
    report["written"] = len(good) - result.totals.get("skip", 0)
    return report


def import_skus(*, path: Path, dry_run: bool = False, good_rows_only: bool = False, by=None) -> dict:
    return run_import(SKUResource, path=path, dry_run=dry_run, good_rows_only=good_rows_only, by=by)


def import_suppliers(*, path: Path, dry_run: bool = False, good_rows_only: bool = False, by=None) -> dict:
    return run_import(SupplierResource, path=path, dry_run=dry_run, good_rows_only=good_rows_only, by=by)


def import_stock(*, path: Path, dry_run: bool = False, good_rows_only: bool = False, by=None) -> dict:
    return run_import(StockCountResource, path=path, dry_run=dry_run, good_rows_only=good_rows_only, by=by)
