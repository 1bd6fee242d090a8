"""The data migrations turn old English reasons and timeline notes into note codes; the rest stays as written."""

import importlib

import pytest
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.utils import translation
from django_fsm_log.models import StateLog

from oms.models import ChangeLog
from oms.notes import convert_text, is_note, render_note

orders_m = importlib.import_module("orders.migrations.0008_notes_as_codes")
inventory_m = importlib.import_module("inventory.migrations.0003_notes_as_codes")
fulfillment_m = importlib.import_module("fulfillment.migrations.0003_notes_as_codes")
aftersales_m = importlib.import_module("aftersales.migrations.0003_notes_as_codes")
reconciliation_m = importlib.import_module("reconciliation.migrations.0004_notes_as_codes")


def both(stored: str) -> tuple[str, str]:
    with translation.override("en"):
        en = render_note(stored)
    with translation.override("zh-hans"):
        zh = render_note(stored)
    return en, zh


@pytest.mark.parametrize(
    ("patterns", "old", "en", "zh"),
    [
        (orders_m.ORDER_PATTERNS, "Intake: api", "Received through API", "接入渠道：API"),
        (orders_m.ORDER_PATTERNS, "Intake: csv", "Received through Import", "接入渠道：导入"),
        (
            orders_m.ORDER_PATTERNS,
            "Amount above the review limit; Buyer left a remark",
            "Sent to review: Amount above the review limit, Buyer left a remark",
            "转人工审核：金额超过审核限额、买家有留言",
        ),
        (orders_m.ORDER_PATTERNS, "SKU-1 −2, SKU-2 −1", "Short: SKU-1 short by 2, SKU-2 short by 1", None),
        (
            orders_m.ORDER_PATTERNS,
            "Not paid within 30 minutes",
            "Not paid within 30 minutes",
            "30 分钟内未付款",
        ),
        (orders_m.ORDER_PATTERNS, "INV-9 · 12345.60 CNY", "Invoice INV-9 issued for 12,345.60 CNY", None),
        (
            orders_m.EXPLANATION_PATTERNS,
            "Fills every line, serves the delivery province, priority 1, the only warehouse that can.",
            "Fills every line, serves the delivery province, priority 1, the only warehouse that can.",
            None,
        ),
        (
            orders_m.EXPLANATION_PATTERNS,
            "Cannot fill: SKU-1 (0/2), SKU-2 (1/3).",
            "Cannot fill: SKU-1 (0/2), SKU-2 (1/3).",
            None,
        ),
        (inventory_m.PATTERNS, "Counted 1200, system had 1300", "Counted 1,200, system had 1,300", None),
        (inventory_m.PATTERNS, "Order SO-1 cancelled", "Order SO-1 cancelled", None),
        (fulfillment_m.PATTERNS, "Cheapest: SF Express standard.", "Cheapest: SF Express standard.", None),
        (fulfillment_m.PATTERNS, "ZTO ground: 12.00.", "ZTO ground: 12.00.", None),
        (
            fulfillment_m.PATTERNS,
            "ZTO ground: does not cover 西藏.",
            "ZTO ground: does not cover 西藏.",
            None,
        ),
        (
            fulfillment_m.PATTERNS,
            "Rule “Heavy” matched but JD freight 90000 g is above its 50000 g limit.",
            "Rule “Heavy” matched but JD freight 90,000 g is above its 50,000 g limit.",
            None,
        ),
        (
            fulfillment_m.PATTERNS,
            "Weighed 900 g, expected 700 g ± 50 g.",
            "Weighed 900 g, expected 700 g ± 50 g.",
            None,
        ),
        (aftersales_m.PATTERNS, "resolved", "resolved", None),
        (aftersales_m.PATTERNS, "129.00 CNY", "Refunded 129.00 CNY", None),
        (
            aftersales_m.PATTERNS,
            "Return and refund AS-1, order SO-2: Arrived broken",
            "Return and refund AS-1, order SO-2: Arrived broken",
            "退货退款 AS-1，订单 SO-2：商品破损",
        ),
        (
            reconciliation_m.PATTERNS,
            "Bill b.xlsx: 3 matched, 1 differences",
            "Bill b.xlsx: 3 matched, 1 differences",
            None,
        ),
    ],
)
def test_known_english_becomes_a_code_shown_in_the_readers_language(patterns, old, en, zh):
    stored = convert_text(old, patterns)
    assert is_note(stored), old
    shown_en, shown_zh = both(stored)
    assert shown_en == en
    if zh is not None:
        assert shown_zh == zh
    else:
        assert shown_zh != shown_en, "the Chinese reader must not see the English text"


@pytest.mark.parametrize(
    "typed",
    ["客户来电：更换收货地址", "Customer called, keep it", "Cheapest: ", "Order cancelled by phone", ""],
)
def test_text_people_typed_stays_as_written(typed):
    for patterns in (
        orders_m.ORDER_PATTERNS,
        inventory_m.PATTERNS,
        fulfillment_m.PATTERNS,
        aftersales_m.PATTERNS,
    ):
        assert convert_text(typed, patterns) == typed


@pytest.mark.django_db
def test_the_migration_converts_stored_rows_and_leaves_typed_ones(ops_user):
    from tests.factories import order_through_services

    order = order_through_services(shipped=False)
    ct = ContentType.objects.get_for_model(order)
    ChangeLog.objects.filter(content_type=ct, object_id=order.pk).update(note="Intake: api")
    typed = StateLog.objects.create(
        content_type=ct,
        object_id=order.pk,
        transition="hold",
        state="on_hold",
        source_state="allocated",
        description="客户来电：更换收货地址",
    )
    explanation = dict(order.allocation_explanation)
    explanation["candidates"] = [
        {**c, "reason": "Not needed: fewer warehouses suffice."} for c in explanation["candidates"]
    ]
    type(order).objects.filter(pk=order.pk).update(
        cancel_reason="Not paid within 30 minutes", allocation_explanation=explanation
    )

    orders_m.forwards(apps, None)

    order.refresh_from_db()
    with translation.override("zh-hans"):
        assert (
            render_note(ChangeLog.objects.get(content_type=ct, object_id=order.pk, action="create").note)
            == "接入渠道：API"
        )
        assert render_note(order.cancel_reason) == "30 分钟内未付款"
        assert all(
            "Not needed" not in render_note(c["reason"]) for c in order.allocation_explanation["candidates"]
        )
    typed.refresh_from_db()
    assert typed.description == "客户来电：更换收货地址"
    orders_m.forwards(apps, None)  # twice: nothing left to do, nothing broken
    order.refresh_from_db()
    assert is_note(order.cancel_reason)


@pytest.mark.django_db
def test_the_starting_reason_names_lose_their_second_language():
    from aftersales.models import Reason

    Reason.objects.filter(code="damaged").update(name="商品破损 Arrived broken")
    Reason.objects.update_or_create(code="own", defaults={"name": "自定义原因"})
    aftersales_m.forwards(apps, None)
    damaged = Reason.objects.get(code="damaged")
    assert damaged.name == "Arrived broken"
    with translation.override("zh-hans"):
        assert str(damaged) == "商品破损"
        assert str(Reason.objects.get(code="own")) == "自定义原因"
    with translation.override("en"):
        assert str(damaged) == "Arrived broken"
