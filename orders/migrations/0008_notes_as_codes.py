"""Old reasons and timeline notes written as English text become note codes with parameters (oms.notes).

Texts that match none of the known patterns (typed by people, or in another wording) stay as they are and
are shown as written.
"""

import re

from django.db import migrations

from oms.notes import Legacy, convert_json_field, convert_legacy, ints

REVIEW_REASONS = [
    "Urgent",
    "VIP customer",
    "Promotion order",
    "Large order",
    "Late against the channel's SLA",
    "New customer with a large amount",
    "Many orders to the same address in a short time",
    "Many orders from the same phone in a short time",
    "Blacklisted customer",
    "Cash on delivery above the limit",
    "Risk score above the threshold",
    "Amount above the review limit",
    "Buyer left a remark",
    "Vague address",
    "Amount needs a finance review",
]
SOURCES = {
    "api": "api",
    "import": "import",
    "csv": "import",
    "xlsx": "import",
    "manual": "manual",
    "reship": "reship",
}


def _money(value: str) -> dict:
    return {"money": value}


def _intake(m):
    return {"source": {"choice": "orders.Order.source", "v": SOURCES[m["source"].lower()]}}


def _review(m):
    return {"reasons": [{"t": part} for part in m[0].split("; ")]}


def _short(m):
    items = []
    for part in m[0].split(", "):
        code, missing = part.rsplit(" −", 1)
        items.append({"n": "orders.short_item", "p": {"sku": code, "missing": int(missing)}})
    return {"items": items}


def _safe(builder):
    def params(m):
        try:
            return builder(m)
        except ValueError:
            return None

    return params


REVIEW = "(?:" + "|".join(re.escape(r) for r in REVIEW_REASONS) + ")"
ORDER_PATTERNS = [
    Legacy(r"Intake: (?P<source>api|import|csv|xlsx|manual|reship)", "orders.intake", _intake),
    Legacy(rf"{REVIEW}(?:; {REVIEW})*", "orders.review_reasons", _review),
    Legacy(r"\S+ −\d+(?:, \S+ −\d+)*", "orders.backorder_short", _safe(_short)),
    Legacy(r"Order (?P<number>\S+) cancelled", "orders.order_cancelled"),
    Legacy(r"Re-allocation of (?P<number>\S+)", "orders.reallocation"),
    Legacy(r"Not paid within (?P<minutes>\d+) minutes", "orders.not_paid_in_time", ints("minutes")),
    Legacy(r"Requested for order (?P<number>\S+)", "orders.invoice_requested"),
    Legacy(
        r"(?P<number>\S+) · (?P<amount>-?\d+(?:\.\d+)?) (?P<currency>[A-Z]{3})",
        "orders.invoice_issued",
        lambda m: {"number": m["number"], "amount": _money(m["amount"]), "currency": m["currency"]},
    ),
    Legacy(
        r"Refund of (?P<amount>-?\d+(?:\.\d+)?) after issuance \((?P<reference>.*)\)",
        "orders.refund_after_issuance",
        lambda m: {"amount": _money(m["amount"]), "reference": {"ref": m["reference"]}},
    ),
    Legacy(r"Customer anonymised", "orders.customer_anonymised"),
    Legacy(
        r"Merged customer #(?P<dup>\d+) into #(?P<keep>\d+): (?P<n>\d+) orders moved\.",
        "orders.customers_merged",
        ints("n"),
    ),
    # Written on orders by after-sales.
    Legacy(r"Refund requested in after-sales case (?P<case>\S+)", "aftersales.refund_requested"),
    Legacy(r"Replacement for after-sales case (?P<case>\S+)", "aftersales.replacement_for"),
]


def _cannot_fill(m):
    lines = []
    for part in re.findall(r"(\S+) \((\d+)/(\d+)\)", m["lines"]):
        sku, available, quantity = part
        lines.append(
            {
                "n": "inventory.line_short",
                "p": {"sku": sku, "available": int(available), "quantity": int(quantity)},
            }
        )
    return {"lines": lines}


_PARTS = [
    (r"Fills every line", "inventory.fills_every_line", None),
    (r"serves the delivery province", "inventory.serves_province", None),
    (r"priority (?P<p>\d+)", "inventory.priority", ("p",)),
    (r"load today (?P<n>\d+)/(?P<cap>\d+)", "inventory.load_today", ("n", "cap")),
    (r"the only warehouse that can", "inventory.only_one", None),
]


def _why_best(m):
    parts = []
    for text in m["parts"].split(", "):
        for pattern, code, numbers in _PARTS:
            found = re.fullmatch(pattern, text)
            if found:
                parts.append(
                    {"n": code, "p": {k: int(v) for k, v in found.groupdict().items()} if numbers else {}}
                )
                break
        else:
            raise ValueError(text)
    return {"parts": parts}


# The warehouse-choice explanation kept on each order (``allocation_explanation``).
EXPLANATION_PATTERNS = [
    Legacy(
        r"One warehouse that can fill every line, by region match, then priority \(lower first\), then today's "
        r"load; otherwise the fewest warehouses \(greedy: each step takes the warehouse that fills the most "
        r"remaining lines\)\.",
        "inventory.allocation_rule",
    ),
    Legacy(r"Not enough stock anywhere: the order waits for stock\.", "inventory.nothing_anywhere"),
    Legacy(
        r"Chosen as warehouse (?P<n>\d+) of (?P<total>\d+) of the split\.",
        "inventory.split_member",
        ints("n", "total"),
    ),
    Legacy(r"Cannot fill: (?P<lines>.+)\.", "inventory.cannot_fill", _cannot_fill),
    Legacy(r"Not needed: fewer warehouses suffice\.", "inventory.not_needed"),
    Legacy(r"(?P<parts>Fills every line(?:, [^.]+)?)\.", "inventory.why_best", _safe(_why_best)),
    Legacy(r"Could fill every line, but does not serve the delivery province\.", "inventory.not_province"),
    Legacy(
        r"Could fill every line, but has a lower priority \((?P<p>\d+)\)\.",
        "inventory.lower_priority",
        ints("p"),
    ),
    Legacy(
        r"Could fill every line, but is busier today \((?P<n>\d+)/(?P<cap>\d+)\)\.",
        "inventory.busier",
        ints("n", "cap"),
    ),
    Legacy(r"Could fill every line; ranks after (?P<code>\S+) by code\.", "inventory.ranks_after"),
]


def forwards(apps, schema_editor):
    convert_legacy(
        apps,
        ORDER_PATTERNS,
        app_label="orders",
        fields=[
            ("orders", "Order", "hold_reason"),
            ("orders", "Order", "cancel_reason"),
            ("orders", "Order", "note"),
            ("orders", "Invoice", "void_reason"),
            ("orders", "Invoice", "red_letter_reason"),
        ],
    )
    convert_json_field(apps, "orders", "Order", "allocation_explanation", EXPLANATION_PATTERNS)


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0007_order_delivered_at_aftersales_window"),
        ("oms", "0003_personal_data_access"),
        ("django_fsm_log", "0005_description_null"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
