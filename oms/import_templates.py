"""Import templates to download, and the headers an importer accepts (English keys or Chinese names).

Each importer declares its columns once (``TemplateColumn``: key, Chinese header, example value, allowed
values) and registers them (``register_import_template``) from its ``AppConfig.ready``. Then:

- ``/imports/templates/<key>/?lang=en|zh&format=xlsx|csv`` downloads the template: the header row (English
  keys or Chinese names), one example row and the allowed values (a second sheet in XLSX; ``#`` comment rows
  after the example in CSV, which the importers skip);
- ``canonical_headers(headers, columns)`` turns a file's header row into the keys the importer reads and
  remembers the file's own names, so an error names the column as the file spells it (``column_name``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

import tablib
from django.http import HttpResponse
from django.utils.translation import gettext as _

from oms.exports import CONTENT_TYPES, CSV_BOM, safe_row

COMMENT = "#"


@dataclass(frozen=True)
class TemplateColumn:
    key: str
    zh: str
    example: object = ""
    allowed: object = ""  # what the column takes (lazy text), shown on the allowed-values sheet
    required: bool = False


@dataclass(frozen=True)
class ImportTemplate:
    key: str
    label: object
    columns: tuple[TemplateColumn, ...]
    permission: str = ""
    url: str = ""  # the import screen (empty: imported with ``manage.py import``)


_templates: dict[str, ImportTemplate] = {}


def register_import_template(template: ImportTemplate) -> None:
    _templates[template.key] = template


def import_template(key: str) -> ImportTemplate | None:
    return _templates.get(key)


def import_templates_for(user) -> list[ImportTemplate]:
    return [t for t in _templates.values() if not t.permission or user.has_perm(t.permission)]


def header_aliases(columns: Sequence[TemplateColumn]) -> dict[str, str]:
    """Every accepted spelling of a header (lower-case English key, Chinese name) -> the key."""
    aliases = {}
    for column in columns:
        aliases[column.key.lower()] = column.key
        aliases[column.zh.strip().lower()] = column.key
    return aliases


def canonical_headers(
    headers: Sequence[str], columns: Sequence[TemplateColumn]
) -> tuple[list[str], dict[str, str]]:
    """The file's headers as keys (unknown headers kept as they are) and {key: the file's own header}."""
    aliases = header_aliases(columns)
    keys, names = [], {}
    for header in headers:
        text = str(header or "").strip()
        key = aliases.get(text.lower(), text.lower())
        keys.append(key)
        names.setdefault(key, text)
    return keys, names


def column_name(key: str, names: dict[str, str] | None) -> str:
    """How the file calls column ``key`` (its own header), else the key."""
    return (names or {}).get(key) or key


def is_comment_row(values: Sequence) -> bool:
    return bool(values) and str(values[0] or "").lstrip().startswith(COMMENT)


def _allowed_rows(template: ImportTemplate, zh: bool) -> list[list]:
    rows = []
    for c in template.columns:
        rows.append(
            [c.zh if zh else c.key, _("required") if c.required else _("optional"), str(c.allowed), c.example]
        )
    return rows


def template_response(template: ImportTemplate, *, language: str, fmt: str) -> HttpResponse:
    """The template file: headers in ``language`` (``zh`` or ``en``), an example row, the allowed values."""
    zh = language.startswith("zh")
    headers = [c.zh if zh else c.key for c in template.columns]
    example = [c.example for c in template.columns]
    name = f"{template.key}-template-{'zh' if zh else 'en'}.{'xlsx' if fmt == 'xlsx' else 'csv'}"
    if fmt == "xlsx":
        data = tablib.Dataset(example, headers=headers, title=str(_("Data"))[:31])
        allowed = tablib.Dataset(
            *[safe_row(r) for r in _allowed_rows(template, zh)],
            headers=[_("Column"), _("Required"), _("Allowed values"), _("Example")],
            title=str(_("Allowed values"))[:31],
        )
        body = tablib.Databook([data, allowed]).export("xlsx")
        response = HttpResponse(body, content_type=CONTENT_TYPES["xlsx"])
    else:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(headers)
        writer.writerow(example)
        for column, required, allowed, _example in _allowed_rows(template, zh):
            writer.writerow([f"{COMMENT} {column}: {required}; {allowed}".strip().rstrip(";")])
        response = HttpResponse(CSV_BOM + out.getvalue(), content_type=CONTENT_TYPES["csv"])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
