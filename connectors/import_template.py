"""The order import's template in each language: the columns with English or Chinese headers (both are read
back by the import), and a second sheet saying what each column holds, with an example."""

from __future__ import annotations

import tablib
from django.utils.translation import gettext as _

from orders.hooks import ImportTranslation
from orders.import_columns import ORDER_COLUMNS
from orders.importers import COLUMNS, REQUIRED_COLUMNS

# One description of the import's columns (orders.import_columns): the Chinese header, what a column holds
# and an example are the ones the order import's own templates use.
CHINESE_HEADERS = {c.key: c.zh for c in ORDER_COLUMNS}
MEANINGS = {c.key: (c.allowed, str(c.example)) for c in ORDER_COLUMNS}
# The import hands translators its headers in lower case.
ZH_SIGNATURE = {CHINESE_HEADERS[c].lower() for c in REQUIRED_COLUMNS}
ZH_TO_COLUMN = {v.lower(): k for k, v in CHINESE_HEADERS.items()}


def template_headers(language: str) -> list[str]:
    if language.startswith("zh"):
        return [CHINESE_HEADERS[c] for c in COLUMNS]
    return list(COLUMNS)


def template_xlsx(language: str) -> bytes:
    """Sheet 1: the headers only (the rows to fill in); sheet 2: what each column holds, with an example."""
    orders = tablib.Dataset(headers=template_headers(language), title=_("Orders"))
    help_sheet = tablib.Dataset(
        headers=[_("Column"), _("What it holds"), _("Required"), _("Example")], title=_("Columns")
    )
    for header, column in zip(template_headers(language), COLUMNS, strict=True):
        meaning, example = MEANINGS[column]
        help_sheet.append([header, str(meaning), _("yes") if column in REQUIRED_COLUMNS else "", example])
    return tablib.Databook([orders, help_sheet]).export("xlsx")


def translate_chinese_template(
    *, headers: list[str], rows: list[list[str]], channel
) -> ImportTranslation | None:
    """The Chinese template's headers read as the import's own columns (same columns, same rows)."""
    if not set(headers) >= ZH_SIGNATURE:
        return None
    return ImportTranslation(
        label=_("Order import template (Chinese headers)"),
        headers=[ZH_TO_COLUMN.get(h, h) for h in headers],
        rows=rows,
    )
