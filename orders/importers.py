"""Order import from CSV/XLSX (one row per order line): check every row, then import only on request.

Rows that share a channel and ``external_id`` form one order; the order's fields come from its first row.
Rows are numbered as a spreadsheet shows them (header = row 1). Invariant 6: with bad rows nothing is
written unless the user asks for the good rows only, and then all good orders go in one transaction.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import tablib
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from oms.dispatch import task_send_on_commit
from oms.import_templates import canonical_headers, column_name, is_comment_row
from oms.tabular import UnreadableText, csv_rows, decode_text
from orders.choices import OrderSource, PaymentMethod, PaymentStatus
from orders.hooks import translate_import
from orders.import_columns import ORDER_COLUMNS
from orders.models import Channel, Order
from orders.services import order_intake
from orders.validation import sku_lookup, validate_order_data

COLUMNS = [c.key for c in ORDER_COLUMNS]
REQUIRED_COLUMNS = {"external_id", "sku", "quantity", "unit_price"}
# The intake field each column fills: errors name the file's column, not the intake's field.
FIELD_COLUMNS = {
    "customer.name": "customer_name",
    "customer.phone": "customer_phone",
    "customer.email": "customer_email",
    "shipping_address.name": "recipient",
    "shipping_address.phone": "recipient_phone",
    "payment.method": "payment_method",
    "payment.status": "payment_status",
    "payment.amount": "payment_amount",
    "payment.transaction_id": "transaction_id",
    "flags.urgent": "urgent",
    "flags.promotion": "promotion",
}
LINE_PATH = re.compile(r"^lines\[(\d+)\]")
STORE = "imports/orders"


class ImportNotFound(Exception):
    pass


@dataclass
class ImportReport:
    headers: list[str] = field(default_factory=list)  # as the file spells them
    header_names: dict[str, str] = field(default_factory=dict)  # column key -> the file's header
    recognised_as: str = ""  # a platform's export turned into the import's columns (orders.hooks)
    total: int = 0
    orders_good: int = 0
    rows_good: int = 0
    existing: int = 0
    written: int = 0
    errors: list[dict] = field(default_factory=list)  # {"row", "message"}
    bad_rows: list[dict] = field(default_factory=list)  # {"row", "message", "values"}
    preview: list[dict] = field(default_factory=list)  # the first good orders, for the screen

    def as_dict(self) -> dict:
        return {"total": self.total, "written": self.written, "errors": self.errors}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_table(*, content: bytes, name: str) -> tuple[list[str], list[list[str]], dict[int, str]]:
    """Headers (lower-case), rows and unreadable rows (row number -> why) of a CSV or XLSX file.

    CSV text may be UTF-8, GB18030/GBK or another encoding named with confidence (``oms.tabular``); a row
    that cannot be read is reported on its own and the file's other rows are still checked.
    """
    if name.lower().endswith(".xlsx"):
        data = tablib.Dataset().load(content, format="xlsx")
        headers = [_cell(h) for h in (data.headers or [])]
        return headers, [[_cell(v) for v in row] for row in data], {}
    decoded = decode_text(content)
    records, bad_rows = csv_rows(decoded.text, decoded.bad_lines)
    if not records:
        return [], [], bad_rows
    headers = [_cell(h) for h in records[0]]
    return headers, [[_cell(v) for v in row] for row in records[1:]], bad_rows


def _group(headers, rows, default_channel: Channel | None, report: ImportReport) -> list[dict]:
    """Rows -> orders: {"channel", "rows": [(row_no, values)], "data": body}; bad rows go to the report.

    ``headers`` are the file's own (English keys or the Chinese names of ``ORDER_COLUMNS``)."""
    keys, report.header_names = canonical_headers(headers, ORDER_COLUMNS)
    index = {h: i for i, h in enumerate(keys)}
    missing = [c.key for c in ORDER_COLUMNS if c.key in REQUIRED_COLUMNS and c.key not in index]
    if missing:
        names = ", ".join(f"{c.key} / {c.zh}" for c in ORDER_COLUMNS if c.key in missing)
        report.errors.append({"row": 1, "message": _("Missing columns: %(cols)s") % {"cols": names}})
        return []
    channels = {c.code: c for c in Channel.objects.all()}
    groups: dict[tuple, dict] = {}
    for offset, values in enumerate(rows):
        row_no = offset + 2
        if not any(values) or is_comment_row(values):
            continue
        report.total += 1

        def get(col: str, values=values) -> str:
            return values[index[col]] if col in index and index[col] < len(values) else ""

        channel = channels.get(get("channel")) if get("channel") else default_channel
        if channel is None:
            message = (
                _("Unknown channel %(code)s") % {"code": get("channel")}
                if get("channel")
                else _("Choose a channel.")
            )
            report.errors.append({"row": row_no, "message": message})
            report.bad_rows.append({"row": row_no, "message": message, "values": values})
            continue
        key = (channel.pk, get("external_id") or f"row-{row_no}")
        if key not in groups:
            groups[key] = {"channel": channel, "rows": [], "data": _order_body(get)}
        group = groups[key]
        group["rows"].append((row_no, values))
        group["data"]["lines"].append(
            {"sku": get("sku"), "quantity": get("quantity"), "unit_price": get("unit_price")}
        )
    return list(groups.values())


def _order_body(get) -> dict:
    """The intake body of an order from its first row (``get(column)`` reads a cell); lines are added later."""
    return {
        "external_id": get("external_id"),
        "placed_at": get("placed_at") or None,
        "customer": {
            "name": get("customer_name"),
            "phone": get("customer_phone"),
            "email": get("customer_email"),
        },
        "shipping_address": {
            "name": get("recipient"),
            "phone": get("recipient_phone"),
            "province": get("province"),
            "city": get("city"),
            "district": get("district"),
            "line1": get("line1"),
            "postcode": get("postcode"),
        },
        "lines": [],
        "shipping_fee": get("shipping_fee") or "0.00",
        "discount": get("discount") or "0.00",
        # Optional columns (absent or empty: none).
        "coupon_amount": get("coupon_amount") or "0.00",
        "platform_coupon_amount": get("platform_coupon_amount") or "0.00",
        "points_amount": get("points_amount") or "0.00",
        "payment": {
            "method": get("payment_method") or PaymentMethod.ALIPAY,
            "status": get("payment_status") or PaymentStatus.PAID,
            "amount": get("payment_amount"),
            "transaction_id": get("transaction_id"),
        },
        "flags": {
            "urgent": get("urgent").lower() in ("1", "true", "yes", "y", "是"),
            "promotion": get("promotion"),
        },
        "note": get("note"),
    }


def check(*, content: bytes, name: str, default_channel: Channel | None) -> tuple[ImportReport, list[dict]]:
    """Validate every row without writing; returns the report and the good orders."""
    report = ImportReport()
    try:
        headers, rows, unreadable = read_table(content=content, name=name)
    except UnreadableText as exc:
        report.errors.append({"row": 1, "message": str(exc)})
        return report, []
    except Exception as exc:  # noqa: BLE001 - any unreadable file is one clear error, never a 500
        report.errors.append({"row": 1, "message": _("The file cannot be read: %(error)s") % {"error": exc}})
        return report, []
    report.headers = headers
    keys, _names = canonical_headers(headers, ORDER_COLUMNS)
    if not set(keys) >= REQUIRED_COLUMNS:
        headers, rows = _translated(headers, rows, default_channel, unreadable, report)
    for row_no, message in unreadable.items():
        report.total += 1
        report.errors.append({"row": row_no, "message": message})
        report.bad_rows.append({"row": row_no, "message": message, "values": []})
    groups = _group(headers, rows, default_channel, report)
    skus = sku_lookup(line["sku"] for g in groups for line in g["data"]["lines"])
    existing = _existing_keys(groups)
    good = []
    for g in groups:
        if (g["channel"].pk, g["data"]["external_id"]) in existing:
            report.existing += 1
            continue
        _clean, errors = validate_order_data(g["data"], skus=skus)
        if errors:
            _report_bad_order(g, errors, report)
            continue
        good.append(g)
        report.orders_good += 1
        report.rows_good += len(g["rows"])
        if len(report.preview) < 20:
            report.preview.append(
                {
                    "row": g["rows"][0][0],
                    "external_id": g["data"]["external_id"],
                    "channel": g["channel"].name,
                    "customer": g["data"]["customer"]["name"],
                    "lines": len(g["rows"]),
                    "total": g["data"]["payment"]["amount"],
                }
            )
    report.errors.sort(key=lambda e: e["row"])
    report.bad_rows.sort(key=lambda e: e["row"])
    return report, good


def _translated(headers, rows, default_channel, unreadable: dict[int, str], report: ImportReport):
    """A platform's export (or a channel's mapped format) as the import's columns; its refused rows join
    the unreadable ones. The bad-rows download is then in the import's own columns, ready to fix and upload."""
    # Platforms' headers are matched case-insensitively ("Lineitem sku" / "Lineitem SKU").
    translation = translate_import(headers=[h.lower() for h in headers], rows=rows, channel=default_channel)
    if translation is None:
        return headers, rows
    report.recognised_as = translation.label
    report.headers = translation.headers
    unreadable.update(translation.row_errors)
    new_rows = [
        [] if offset + 2 in translation.row_errors else values
        for offset, values in enumerate(translation.rows)
    ]
    return translation.headers, new_rows


def _existing_keys(groups: list[dict]) -> set[tuple[int, str]]:
    """(channel id, external id) of the file's orders already taken in, one query per channel."""
    existing = set()
    by_channel: dict[int, list[str]] = {}
    for g in groups:
        if g["data"]["external_id"]:
            by_channel.setdefault(g["channel"].pk, []).append(g["data"]["external_id"])
    for channel_id, ids in by_channel.items():
        existing |= {
            (channel_id, e)
            for e in Order.objects.filter(channel_id=channel_id, external_id__in=ids).values_list(
                "external_id", flat=True
            )
        }
    return existing


def column_of(path: str) -> str:
    """``customer.phone`` -> ``customer_phone``; ``lines[1].sku`` -> ``sku``; ``shipping_address.city`` -> ``city``."""
    path = LINE_PATH.sub("", path).lstrip(".")
    return FIELD_COLUMNS.get(path, path.split(".")[-1])


def _report_bad_order(g: dict, errors: dict, report: ImportReport) -> None:
    """Each field error goes to the row of its line (else the order's first row); its other rows say why."""
    rows_no = [r for r, _v in g["rows"]]
    messages_by_row: dict[int, list[str]] = {}
    for path, msgs in errors.items():
        match = LINE_PATH.match(path)
        row_no = rows_no[int(match.group(1))] if match and int(match.group(1)) < len(rows_no) else rows_no[0]
        column = column_name(column_of(path), report.header_names)
        messages_by_row.setdefault(row_no, []).extend(f"{column}: {m}" for m in msgs)
    for row_no, values in g["rows"]:
        msgs = messages_by_row.get(row_no) or [
            _("Part of order %(id)s, which has errors in row %(row)s")
            % {"id": g["data"]["external_id"], "row": min(messages_by_row)}
        ]
        message = "; ".join(msgs)
        report.errors.append({"row": row_no, "message": message})
        report.bad_rows.append({"row": row_no, "message": message, "values": values})


def run(
    *,
    content: bytes,
    name: str,
    default_channel: Channel | None,
    dry_run: bool,
    good_rows_only: bool,
    by=None,
) -> ImportReport:
    report, good = check(content=content, name=name, default_channel=default_channel)
    if dry_run or (report.errors and not good_rows_only) or not good:
        return report
    skus = sku_lookup(line["sku"] for g in good for line in g["data"]["lines"])
    with transaction.atomic():
        for g in good:
            result = order_intake(
                channel=g["channel"],
                data=g["data"],
                by=by,
                source=OrderSource.IMPORT,
                skus=skus,
                allocate_now=False,
            )
            if result.errors:  # changed since the check (e.g. a SKU was withdrawn): nothing is written
                raise ImportChanged(g["rows"][0][0], result.errors)
            report.written += int(result.created)
            report.existing += int(not result.created)
        task_send_on_commit("orders.tasks.allocate_orders_task")
    return report


class ImportChanged(Exception):
    def __init__(self, row: int, errors: dict) -> None:
        super().__init__(f"row {row}: {errors}")


def import_orders(*, path: Path, dry_run: bool = False, good_rows_only: bool = False, by=None) -> dict:
    """The ``manage.py import orders FILE`` entry point (registered on OrdersConfig.importers)."""
    report = run(
        content=Path(path).read_bytes(),
        name=str(path),
        default_channel=None,
        dry_run=dry_run,
        good_rows_only=good_rows_only,
        by=by,
    )
    return report.as_dict()


# --- the preview screen keeps the upload until the user decides ---------------------------------


@dataclass
class StoredImport:
    token: str
    meta: dict

    def content(self) -> bytes:
        with default_storage.open(f"{STORE}/{self.token}.bin", "rb") as fh:
            return fh.read()

    def channel(self) -> Channel | None:
        return (
            Channel.objects.filter(pk=self.meta.get("channel_id")).first()
            if self.meta.get("channel_id")
            else None
        )

    def check(self) -> ImportReport:
        report, _good = check(content=self.content(), name=self.meta["name"], default_channel=self.channel())
        return report

    def run(self, *, by, good_rows_only: bool) -> ImportReport:
        return run(
            content=self.content(),
            name=self.meta["name"],
            default_channel=self.channel(),
            dry_run=False,
            good_rows_only=good_rows_only,
            by=by,
        )

    def delete(self) -> None:
        for suffix in (".bin", ".json"):
            default_storage.delete(f"{STORE}/{self.token}{suffix}")


def import_preview_store(*, upload, channel_id: int | None, user) -> str:
    token = secrets.token_urlsafe(16)
    default_storage.save(f"{STORE}/{token}.bin", ContentFile(upload.read()))
    meta = {
        "name": upload.name,
        "channel_id": channel_id,
        "user_id": user.pk,
        "at": timezone.now().isoformat(),
    }
    default_storage.save(f"{STORE}/{token}.json", ContentFile(json.dumps(meta).encode()))
    return token


def import_preview_load(*, token: str, user) -> StoredImport:
    if not re.fullmatch(r"[\w-]{10,40}", token) or not default_storage.exists(f"{STORE}/{token}.json"):
        raise ImportNotFound(
            _("This import is gone (already imported or never uploaded). Upload the file again.")
        )
    with default_storage.open(f"{STORE}/{token}.json", "rb") as fh:
        meta = json.loads(fh.read())
    if meta.get("user_id") != user.pk:
        raise ImportNotFound(_("This import belongs to another user."))
    return StoredImport(token=token, meta=meta)
