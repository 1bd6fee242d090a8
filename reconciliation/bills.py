"""Reading a supplier's bill (CSV in UTF-8 or GBK, or XLSX): headers, then rows checked one by one."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterator
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from oms.tabular import UnreadableText, decode_text
from reconciliation.exceptions import BillColumnsMissing, BillUnreadable

CENT = Decimal("0.01")
# Rows suppliers add under the data (totals); skipped, not reported as bad.
TOTAL_MARKERS = {"合计", "总计", "小计", "TOTAL", "SUBTOTAL", "SUM"}
_NUMBER_JUNK = re.compile(r"[¥￥,\s元]|RMB|CNY", re.IGNORECASE)
DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%d/%m/%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
)


def _is_xlsx(name: str, head: bytes) -> bool:
    return (name or "").lower().endswith((".xlsx", ".xlsm")) or head.startswith(b"PK\x03\x04")


def _text(raw: bytes) -> str:
    """The bill's text (UTF-8, GB18030 or an encoding named with confidence: ``oms.tabular``).

    A bill is money: a line that cannot be read refuses the file (naming the line) rather than drop a charge.
    """
    try:
        decoded = decode_text(raw)
    except UnreadableText as exc:
        raise BillUnreadable(str(exc)) from exc
    if decoded.bad_lines:
        line, message = min(decoded.bad_lines.items())
        raise BillUnreadable(_("line %(line)s: %(message)s") % {"line": line, "message": message})
    return decoded.text


def _rows(handle, name: str) -> tuple[Iterator[list], int]:
    """The rows of the first sheet (or of the CSV) and how many there are, roughly (for progress)."""
    raw = handle.read()
    if isinstance(raw, str):
        raw = raw.encode()
    if _is_xlsx(name, raw[:4]):
        try:
            from openpyxl import load_workbook

            workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - any reader error means "not a workbook we can read"
            raise BillUnreadable(str(exc)[:200]) from exc
        sheet = workbook.worksheets[0]

        def sheet_rows() -> Iterator[list]:
            for row in sheet.iter_rows(values_only=True):
                yield list(row)
            workbook.close()

        return sheet_rows(), sheet.max_row or 0
    text = _text(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    return csv.reader(io.StringIO(text), dialect), text.count("\n")


def _header_cells(row: list) -> list[str]:
    return [str(c).strip() if c is not None else "" for c in row]


def read_headers(upload) -> list[str]:
    """The column names of the bill's first non-empty row."""
    rows, _total = _rows(upload, getattr(upload, "name", ""))
    for row in rows:
        cells = _header_cells(row)
        if any(cells):
            return [c for c in cells if c]
    raise BillUnreadable(_("the file is empty"))


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _amount(value) -> Decimal:
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return Decimal(str(value)).quantize(CENT)
    text = _NUMBER_JUNK.sub("", str(value or ""))
    if text.startswith("(") and text.endswith(")"):
        text = "-" + text[1:-1]
    return Decimal(text).quantize(CENT)


def _quantity(value) -> int | None:
    if value in (None, ""):
        return None
    number = Decimal(_NUMBER_JUNK.sub("", str(value)))
    if number != number.to_integral_value():
        raise InvalidOperation
    return int(number)


def _date(value) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = str(value).strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(text)


def _header_row(rows: Iterator[list]) -> tuple[int, list[str]]:
    """The first non-empty row (the headers) and its row number; ``rows`` goes on from the next row."""
    for header_at, row in enumerate(rows, start=1):
        headers = _header_cells(row)
        if any(headers):
            return header_at, headers
    raise BillUnreadable(_("the file is empty"))


def _column_index(headers: list[str], mapping: dict[str, str]) -> dict[str, int]:
    """Where each mapped column is; refuses a bill without one of them."""
    wanted = {k: v for k, v in mapping.items() if v}
    missing = [v for v in wanted.values() if v not in headers]
    if missing:
        raise BillColumnsMissing(missing)
    return {k: headers.index(v) for k, v in wanted.items()}


def _get(cells: list, index: dict[str, int], key: str):
    position = index.get(key)
    return cells[position] if position is not None and position < len(cells) else None


def _check_row(cells: list, index: dict[str, int], reference: str) -> tuple[tuple, list[str]]:
    """The row's (reference, sku, quantity, amount, date) and what is wrong with it, in words."""
    errors = []
    if not reference:
        errors.append(_("the shipment / order number is empty"))
    elif len(reference) > 100:
        errors.append(_("the shipment / order number is longer than 100 characters"))
    sku = _cell(_get(cells, index, "sku"))[:64]
    try:
        quantity = _quantity(_get(cells, index, "quantity"))
    except (InvalidOperation, ValueError):
        quantity = None
        errors.append(
            _("quantity “%(value)s” is not a whole number") % {"value": _cell(_get(cells, index, "quantity"))}
        )
    raw_amount = _get(cells, index, "amount")
    try:
        amount = _amount(raw_amount)
        if abs(amount) >= Decimal("1e12"):
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        amount = None
        errors.append(_("amount “%(value)s” is not a number") % {"value": _cell(raw_amount)})
    try:
        line_date = _date(_get(cells, index, "date"))
    except ValueError:
        line_date = None
        errors.append(
            _("date “%(value)s” is not a date (use 2026-10-31)")
            % {"value": _cell(_get(cells, index, "date"))}
        )
    return (reference, sku, quantity, amount, line_date), errors


def parse_bill(
    handle, *, name: str, mapping: dict[str, str], progress: Callable[[int, int], None] | None = None
) -> tuple[list[tuple], list[dict]]:
    """Good rows as (row_number, reference, sku, quantity, amount, date) and bad rows with their reasons.

    Row numbers are those a person sees in the spreadsheet (the header is row 1 when it is the first).
    """
    rows, estimated = _rows(handle, name)
    header_at, headers = _header_row(rows)
    index = _column_index(headers, mapping)
    good: list[tuple] = []
    bad: list[dict] = []
    for row_number, cells in enumerate(rows, start=header_at + 1):
        if not any(_cell(c) for c in cells):
            continue
        reference = _cell(_get(cells, index, "reference"))
        if reference.replace(" ", "").upper() in TOTAL_MARKERS:
            continue
        values, errors = _check_row(cells, index, reference)
        if errors:
            bad.append({"row": row_number, "reference": reference[:100], "errors": errors})
        else:
            good.append((row_number, *values))
        if progress and row_number % 10000 == 0:
            progress(row_number, max(estimated, row_number))
    return good, bad
