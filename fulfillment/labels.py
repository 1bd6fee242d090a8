"""Waybill labels (面单): 100×180 mm or 76×130 mm thermal labels as PDF (WeasyPrint) or ZPL for Zebra printers.

The receiver is masked as the channel's platform asks (隐私面单): name 张*三, phone 138****1234, the street
address partly hidden; ``ChannelLabelPrivacy`` turns each part off per channel (no row: all masked).
The carrier scans the Code128 barcode of the waybill number; the sorting code (三段码) is printed large.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _

from fulfillment.choices import LabelSize, WaybillStatus
from fulfillment.models import ChannelLabelPrivacy, ShipmentLine, Waybill
from oms.pdf import barcode_svg, render_pdf
from oms.privacy import mask_phone

SIZES_MM = {LabelSize.L100X180: (100, 180), LabelSize.L76X130: (76, 130)}
ZPL_DPMM = 8  # 203 dpi printheads: 8 dots a millimetre


def mask_label_name(name: str) -> str:
    """张三丰 → 张*丰, 张三 → 张*, Li Na → L*a: first and last character kept, the middle hidden."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_label_address(detail: str) -> str:
    """The street detail's first half kept (enough for the courier's area), the rest (house number) hidden."""
    detail = (detail or "").strip()
    if len(detail) <= 2:
        return detail
    keep = max(2, len(detail) // 2)
    return detail[:keep] + "****"


def _privacy(channel_ids: set[int]) -> dict[int, ChannelLabelPrivacy]:
    return {p.channel_id: p for p in ChannelLabelPrivacy.objects.filter(channel_id__in=channel_ids)}


def _receiver(address, rule: ChannelLabelPrivacy | None) -> dict:
    mask_name = rule.mask_name if rule else True
    mask_tel = rule.mask_phone if rule else True
    mask_addr = rule.mask_address if rule else True
    return {
        "name": mask_label_name(address.name) if mask_name else address.name,
        "phone": mask_phone(address.phone) if mask_tel else address.phone,
        "region": " ".join(p for p in [address.province, address.city, address.district] if p),
        "detail": mask_label_address(address.line1) if mask_addr else address.line1,
    }


def labels_data(waybills: Sequence[Waybill]) -> list[dict]:
    """One dict per label (a waybill of N packages gives N labels: 1/N … N/N), in the order given."""
    shipment_ids = [w.shipment_id for w in waybills]
    orders: dict[int, set[str]] = {}
    items: dict[int, int] = {}
    for shipment_id, number, qty in ShipmentLine.objects.filter(shipment_id__in=shipment_ids).values_list(
        "shipment_id", "order_line__order__number", "quantity"
    ):
        orders.setdefault(shipment_id, set()).add(number)
        items[shipment_id] = items.get(shipment_id, 0) + qty
    rules = _privacy({w.shipment.order.channel_id for w in waybills})
    printed_at = timezone.localtime()
    labels = []
    for w in waybills:
        s, account = w.shipment, w.account
        warehouse = s.warehouse
        base = {
            "number": w.number,
            "barcode": barcode_svg(w.number, module_height=18.0, module_width=0.33),
            "sort_code": w.sort_code,
            "destination_code": w.destination_code,
            "carrier": account.carrier.name,
            "service": s.carrier_service.name if s.carrier_service else "",
            "shipment": s.number,
            "orders": " ".join(sorted(orders.get(s.pk, set()))),
            "units": items.get(s.pk, 0),
            "weight_kg": f"{(s.weight_g or s.expected_weight_g) / 1000:.2f}",
            "receiver": _receiver(s.address, rules.get(s.order.channel_id)),
            "sender": {
                "name": account.sender_name or (warehouse.name if warehouse else ""),
                "phone": account.sender_phone,
                "address": " ".join(p for p in [warehouse.province, warehouse.city, warehouse.address] if p)
                if warehouse
                else "",
            },
            "printed_at": printed_at,
            "void": w.status != WaybillStatus.ISSUED,
        }
        for k in range(1, w.packages + 1):
            labels.append({**base, "package": f"{k}/{w.packages}"})
    return labels


def waybills_for_labels(waybill_ids: Sequence[int]) -> list[Waybill]:
    """The waybills (with what a label shows) in the order of ``waybill_ids``."""
    rows = Waybill.objects.select_related(
        "account__carrier",
        "shipment__address",
        "shipment__warehouse",
        "shipment__order",
        "shipment__carrier_service",
    ).in_bulk(list(waybill_ids))
    return [rows[pk] for pk in waybill_ids if pk in rows]


def render_labels_pdf(
    labels: list[dict], *, size: str = LabelSize.L100X180, language: str | None = None
) -> bytes:
    width, height = SIZES_MM.get(size, SIZES_MM[LabelSize.L100X180])
    return render_pdf(
        "fulfillment/pdf/labels.html",
        {"labels": labels, "width_mm": width, "height_mm": height, "small": width < 100},
        language=language,
    )


def _zpl_text(value: str) -> str:
    """Field data for ``^FH_``: the characters ZPL treats as commands written as hex escapes."""
    return "".join(f"_{ord(ch):02X}" if ch in "^~_" else ch for ch in str(value))


def _zpl_label(label: dict, width_mm: int, height_mm: int) -> str:
    w, h = width_mm * ZPL_DPMM, height_mm * ZPL_DPMM
    big = 72 if width_mm >= 100 else 52
    font = "^A@N,{h},{h},E:SIMSUN.TTF"  # a CJK TrueType font loaded on the printer
    r, snd = label["receiver"], label["sender"]

    def text(x, y, size, value):
        return f"^FO{x},{y}{font.format(h=size)}^FH_^FD{_zpl_text(value)}^FS"

    parts = [
        "^XA",
        "^CI28",  # field data is UTF-8
        f"^PW{w}",
        f"^LL{h}",
        text(24, 20, 36, label["carrier"]),
        text(w - 140, 20, 36, label["package"]),
        text(24, 70, big, label["sort_code"] or "—"),
        text(24, 70 + big + 10, 30, label["destination_code"]),
        f"^FO40,{200 + big}^BY3^BCN,{18 * ZPL_DPMM},N,N,N^FD{_zpl_text(label['number'])}^FS",
        text(40, 200 + big + 18 * ZPL_DPMM + 10, 32, label["number"]),
        text(24, h // 2, 30, f"{_('Receiver')}: {r['name']} {r['phone']}"),
        text(24, h // 2 + 40, 28, f"{r['region']} {r['detail']}"),
        text(24, h // 2 + 110, 26, f"{_('Sender')}: {snd['name']} {snd['phone']}"),
        text(24, h // 2 + 145, 24, snd["address"]),
        text(24, h - 120, 24, f"{_('Order')}: {label['orders']}"),
        text(24, h - 85, 24, f"{_('Parcel')}: {label['shipment']} · {label['units']}"),
        "^XZ",
    ]
    return "\n".join(parts)


def render_labels_zpl(labels: list[dict], *, size: str = LabelSize.L100X180) -> str:
    width, height = SIZES_MM.get(size, SIZES_MM[LabelSize.L100X180])
    return "\n".join(_zpl_label(label, width, height) for label in labels) + "\n"
