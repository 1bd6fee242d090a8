"""Pick lists, sort lists and shipping slips as PDF: plain rows in, barcodes added, WeasyPrint out.

WeasyPrint's cost grows with boxes, not with text: a pick row is one line of text (two bold runs) in
a monospaced CJK font, and the barcodes of a block of rows are one image drawn beside them.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from oms.pdf import render_pdf

# Rows per block of the consolidated pick: a block fits a page and is never torn in two (no table spans
# pages: that is WeasyPrint's slow path), so its barcode column lines up with its rows.
PICK_ROWS_PER_BLOCK = 23
PICK_ROW_MM = 10.0
PARCELS_PER_BLOCK = 20
MODULE_MM = 0.25  # one Code128 module printed 0.25 mm wide: read by hand scanners and by zbarimg at 200 dpi
QUIET_MODULES = 10
NAME_CHARS = 30  # monospaced half-width characters kept of an item name (a CJK character counts two)


@lru_cache(maxsize=16384)
def code128_modules(value: str) -> str:
    """The bars of ``value`` as Code128 modules: "1" bar, "0" space, without quiet zones."""
    from barcode import Code128

    return Code128(value).build()[0]


def _png(image) -> str:
    buffer = io.BytesIO()
    image.save(buffer, "PNG", optimize=True)
    return base64.b64encode(buffer.getvalue()).decode()


def barcode_column(
    values: Sequence[str], *, row_mm: float, bar_mm: float, css_class: str = "bcol"
) -> SafeString:
    """The barcodes of consecutive rows as ONE 1-bit image, each bar ``bar_mm`` high centred in its row.

    One pixel is one module wide; the image is scaled without smoothing (``image-rendering: pixelated``),
    so bars stay sharp at any resolution. One image per block instead of one per row: the cost of a
    pick list no longer grows with its barcodes.
    """
    from PIL import Image

    if not values:
        return mark_safe("")
    px_per_mm = 2  # vertical resolution: enough to place the bars, they are scaled anyway
    band, bar = round(row_mm * px_per_mm), round(bar_mm * px_per_mm)
    top = (band - bar) // 2
    rows = [code128_modules(v) for v in values]
    width = max(len(m) for m in rows) + 2 * QUIET_MODULES
    image = Image.new("1", (width, band * len(rows)), 1)
    pixels = image.load()
    for k, modules in enumerate(rows):
        y0 = k * band + top
        for i, module in enumerate(modules):
            if module == "1":
                for y in range(y0, y0 + bar):
                    pixels[QUIET_MODULES + i, y] = 0
    style = f"width:{width * MODULE_MM:.2f}mm;height:{row_mm * len(rows):.2f}mm"
    alt = escape(" ".join(values))
    return mark_safe(  # noqa: S308 - base64 data and escaped values
        f'<img class="{css_class}" style="{style}" alt="{alt}" src="data:image/png;base64,{_png(image)}">'
    )


def barcode_img(value: str, *, height_mm: float = 6.0) -> SafeString:
    """One barcode (wave, parcel, tracking number) as a small image, ``height_mm`` high."""
    return barcode_column([value], row_mm=height_mm, bar_mm=height_mm, css_class="bc")


def blocks(rows: list, size: int) -> list[list]:
    return [rows[i : i + size] for i in range(0, len(rows), size)]


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _fit(text: str, chars: int) -> str:
    """Cut ``text`` to ``chars`` monospaced half-width cells (CJK counts two), marking the cut."""
    if _width(text) <= chars:
        return text
    out, used = [], 0
    for ch in text:
        w = 2 if ord(ch) > 0x2E7F else 1
        if used + w > chars - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def _pad(text: str, cells: int) -> str:
    return text + " " * max(cells - _width(text), 1)


def picklist_context(*, wave: dict, pick_rows: Iterable[dict]) -> dict:
    """Context of templates/fulfillment/pdf/picklist.html (the picker's document).

    ``wave``: number, warehouse, carrier, cutoff, parcels, units.
    ``pick_rows``: location, sku, name, quantity — already in walking order (bin pick sequence).
    Each row becomes one preformatted line; its SKU barcode is drawn in the block's barcode column.
    """
    rows = list(pick_rows)
    bin_w = max([_width(r["location"]) for r in rows] + [6]) + 2
    sku_w = max([_width(r["sku"]) for r in rows] + [6]) + 2
    lines = []
    for n, row in enumerate(rows, start=1):
        lines.append(
            {
                "n": f"{n:>4}  ",
                "location": _pad(row["location"], bin_w),
                "sku": _pad(row["sku"], sku_w),
                "quantity": f"{row['quantity']:>4}",
                "name": "  [  ]  " + _fit(row["name"], NAME_CHARS),
                "code": row["sku"],
            }
        )
    head = (
        f"{'#':>4}  "
        + _pad(_("Bin"), bin_w)
        + _pad(_("SKU"), sku_w)
        + f"{_('Qty'):>4}".rjust(4)
        + "  ✓  "
        + _("Item")
    )
    pick_blocks = [
        {
            "rows": block,
            "barcodes": barcode_column([r["code"] for r in block], row_mm=PICK_ROW_MM, bar_mm=6.0),
        }
        for block in blocks(lines, PICK_ROWS_PER_BLOCK)
    ]
    return {
        "wave": {**wave, "barcode": barcode_img(wave["number"], height_mm=10.0)},
        "pick_blocks": pick_blocks,
        "head": head,
        "printed_at": timezone.localtime(),
    }


def render_picklist(*, wave: dict, pick_rows: Iterable[dict], language: str | None = None) -> bytes:
    """The consolidated pick in walking order: what the picker takes to the floor."""
    with translation.override(language or translation.get_language()):
        context = picklist_context(wave=wave, pick_rows=pick_rows)
    return render_pdf("fulfillment/pdf/picklist.html", context, language=language)


def sortlist_context(*, wave: dict, parcels: Iterable[dict]) -> dict:
    """Context of templates/fulfillment/pdf/sortlist.html (the packer's document): one box per parcel.

    ``parcels``: number, orders, lines [{sku, quantity}], in the order their first item is picked.
    """
    rows = [{**p, "barcode": barcode_img(p["number"], height_mm=7.0)} for p in parcels]
    return {
        "wave": {**wave, "barcode": barcode_img(wave["number"], height_mm=10.0)},
        "parcel_blocks": blocks(rows, PARCELS_PER_BLOCK),
        "printed_at": timezone.localtime(),
    }


def render_sortlist(*, wave: dict, parcels: Iterable[dict], language: str | None = None) -> bytes:
    return render_pdf(
        "fulfillment/pdf/sortlist.html", sortlist_context(wave=wave, parcels=parcels), language=language
    )


def slips_context(slips: list[dict]) -> dict:
    out = []
    for slip in slips:
        out.append(
            {
                **slip,
                "barcode": barcode_img(slip["number"], height_mm=12.0),
                "tracking_barcode": barcode_img(slip["tracking_number"], height_mm=12.0)
                if slip.get("tracking_number")
                else "",
            }
        )
    return {"slips": out, "printed_at": timezone.localtime()}


def render_slips(*, slips: list[dict], language: str | None = None) -> bytes:
    """Shipping slips (发货单), one page each: for one parcel or a whole wave."""
    return render_pdf("fulfillment/pdf/slips.html", slips_context(slips), language=language)
