"""CSV / XLSX downloads of the inventory lists (tablib: the library django-import-export uses)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import tablib
from django.http import HttpResponse
from django.utils import timezone

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_response(*, name: str, fmt: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    dataset = tablib.Dataset(headers=[str(h) for h in headers])
    for row in rows:
        dataset.append(["" if v is None else v for v in row])
    if fmt == "xlsx":
        body = dataset.export("xlsx")
    else:
        fmt = "csv"
        body = "\ufeff" + dataset.export("csv")  # BOM: Excel opens Chinese CSV correctly
    response = HttpResponse(body, content_type=CONTENT_TYPES[fmt])
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="{name}-{stamp}.{fmt}"'
    return response
