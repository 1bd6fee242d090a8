"""The one CSV / XLSX download helper every list, report, statement and invoice export uses.

Cells are neutralised against formula injection: a text cell that a spreadsheet would read as a formula
(it starts with ``= + - @``, a tab or a carriage return) is written with a leading apostrophe, so a
channel-supplied ``=HYPERLINK(...)`` arrives as text. Numbers, dates and booleans stay typed values.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

import tablib
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_BOM = "\ufeff"  # Excel opens Chinese CSV correctly only with a BOM


def safe_cell(value):
    """The value as a spreadsheet should store it: typed values as they are, text never a formula."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def safe_row(row: Iterable) -> list:
    return [safe_cell(v) for v in row]


def export_filename(name: str, fmt: str, *, stamp: bool = True) -> str:
    suffix = timezone.localtime().strftime("-%Y%m%d-%H%M") if stamp else ""
    return f"{name}{suffix}.{fmt}"


def export_response(
    *, name: str, fmt: str, headers: Sequence, rows: Iterable[Sequence], stamp: bool = True
) -> HttpResponse:
    """A download of ``rows`` under ``headers`` as ``csv`` (the default) or ``xlsx``."""
    fmt = "xlsx" if fmt == "xlsx" else "csv"
    dataset = tablib.Dataset(headers=[str(h) for h in headers])
    for row in rows:
        dataset.append(safe_row(row))
    body = dataset.export("xlsx") if fmt == "xlsx" else CSV_BOM + dataset.export("csv")
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(name, fmt, stamp=stamp)}"'
    return response


class _Echo:
    def write(self, value):
        return value


def csv_streaming_response(
    *, name: str, headers: Sequence, rows: Iterable[Sequence], stamp: bool = True
) -> StreamingHttpResponse:
    """A CSV download written row by row (for exports too large to build in memory)."""
    writer = csv.writer(_Echo())

    def lines():
        yield CSV_BOM + writer.writerow([str(h) for h in headers])
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(lines(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{export_filename(name, "csv", stamp=stamp)}"'
    return response


class ListExportMixin:
    """``?export=csv|xlsx`` on a list view downloads the whole filtered list (not one page).

    The view names the file (``export_name``), the permission it needs (``export_permission``), its columns
    (``export_headers()``), one record's cells (``export_row(obj)``) and the records (``export_queryset()``,
    by default ``get_queryset()``: the list with the page's filter applied). ``export_rows(qs, fmt)`` is also
    the bulk bar's "export" of the selected records. The page shows ``inc/export_links.html``.
    """

    export_name = "export"
    export_permission = ""
    export_limit = 100_000

    def export_headers(self) -> list:
        raise NotImplementedError

    def export_row(self, obj) -> list:
        raise NotImplementedError

    def export_queryset(self):
        return self.get_queryset()

    def can_export(self) -> bool:
        return not self.export_permission or self.request.user.has_perm(self.export_permission)

    def export_rows(self, qs, fmt: str) -> HttpResponse:
        rows = (self.export_row(obj) for obj in qs[: self.export_limit].iterator(chunk_size=2000))
        if fmt == "csv":
            return csv_streaming_response(name=self.export_name, headers=self.export_headers(), rows=rows)
        return export_response(name=self.export_name, fmt="xlsx", headers=self.export_headers(), rows=rows)

    def bulk_export(self, qs, fmt: str) -> HttpResponse:
        return self.export_rows(qs, fmt)

    def get(self, request, *args, **kwargs):
        fmt = request.GET.get("export")
        if fmt in ("csv", "xlsx"):
            if not self.can_export():
                raise PermissionDenied
            return self.export_rows(self.export_queryset(), fmt)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_export"] = self.can_export()
        return ctx
