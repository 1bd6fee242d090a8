"""Purchase order PDF (for the supplier, attached to its e-mail) rendered by oms.pdf with the CJK font stack."""

from __future__ import annotations

from django.utils import timezone

from inventory.models import PurchaseOrder
from inventory.selectors_purchasing import purchase_order_lines
from oms.pdf import barcode_svg, render_pdf


def purchase_order_pdf(po: PurchaseOrder, *, language: str | None = None) -> bytes:
    lines = purchase_order_lines(po)
    return render_pdf(
        "inventory/pdf/purchase_order.html",
        {
            "po": po,
            "lines": lines,
            "total": sum((line.line_total for line in lines), 0),
            "units": sum(line.quantity_ordered for line in lines),
            "barcode": barcode_svg(po.number),
            "printed": timezone.localtime(),
        },
        language=language,
    )


def purchase_order_attachments(message) -> list[tuple[str, bytes, str]]:
    """The outbox's attachment builder for "inventory.purchase_order_sent" (key ``purchase-order:<id>:sent``)."""
    po_id = int((message.dedupe_key or "").split(":")[1])
    po = PurchaseOrder.objects.select_related("supplier", "warehouse").get(pk=po_id)
    return [(f"{po.number}.pdf", purchase_order_pdf(po, language=message.language), "application/pdf")]
