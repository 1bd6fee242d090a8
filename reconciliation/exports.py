"""Statement documents for the supplier: PDF (Chinese) and XLSX, from the statement's lines."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from oms.exports import safe_cell, safe_row
from oms.notes import render_note
from oms.pdf import render_pdf
from reconciliation import selectors
from reconciliation.choices import ItemKind
from reconciliation.models import SupplierStatement


def _rows(statement: SupplierStatement):
    labels = dict(ItemKind.choices)
    for (
        kind,
        item_date,
        reference,
        order_number,
        sku,
        description,
        quantity,
        unit_cost,
        amount,
    ) in selectors.statement_lines_for_export(statement_id=statement.pk).iterator(chunk_size=5000):
        yield {
            "kind": str(labels.get(kind, kind)),
            "date": item_date,
            "reference": reference,
            "order": order_number,
            "sku": sku,
            "description": render_note(description),
            "quantity": quantity or "",
            "unit_cost": unit_cost if unit_cost is not None else "",
            "amount": amount,
        }


def statement_pdf(statement: SupplierStatement, *, language: str = "zh-hans") -> bytes:
    with override(language):
        rows = list(_rows(statement))
        breakdown = selectors.statement_breakdown(statement_id=statement.pk)
    return render_pdf(
        "reconciliation/pdf/statement.html",
        {"statement": statement, "rows": rows, "breakdown": breakdown, "printed": timezone.localtime()},
        language=language,
    )


XLSX_COLUMNS = ("kind", "date", "reference", "order", "sku", "description", "quantity", "unit_cost", "amount")


def _xlsx_heading(statement: SupplierStatement) -> list[list]:
    """The title rows and the column headers, in the active language."""
    rows = [
        [
            _("Statement"),
            statement.number,
            _("Supplier"),
            statement.supplier.name,
            _("Status"),
            statement.get_status_display(),
        ]
    ]
    if statement.period_start or statement.period_end:
        rows.append([_("Period"), str(statement.period_start or ""), str(statement.period_end or "")])
    rows.append([])
    rows.append(
        [
            _("Kind"),
            _("Date"),
            _("Reference"),
            _("Order"),
            _("SKU"),
            _("Description"),
            _("Quantity"),
            _("Unit cost"),
            _("Amount"),
        ]
    )
    return rows


def statement_xlsx(statement: SupplierStatement, *, language: str = "zh-hans") -> bytes:
    """The statement as a workbook; every text cell goes through ``safe_row`` (never read as a formula)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    with override(language):
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(statement.number or "statement")
        for row in _xlsx_heading(statement):
            sheet.append(safe_row(row))
        for row in _rows(statement):
            sheet.append(safe_row(row[k] for k in XLSX_COLUMNS))
        bold = Font(bold=True)
        label = WriteOnlyCell(sheet, value=safe_cell(_("Total")))
        label.font = bold
        total = WriteOnlyCell(sheet, value=statement.total)
        total.font = bold
        total.number_format = "#,##0.00"
        sheet.append(["", "", "", "", "", "", "", label, total])
        buffer = io.BytesIO()
        workbook.save(buffer)
    return buffer.getvalue()
