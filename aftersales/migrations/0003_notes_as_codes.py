"""Old after-sales notes written as English text become note codes (oms.notes), and the starting reason names
lose their doubled language: "质量问题 Quality defect" becomes "Quality defect", shown translated.

A reason an admin renamed, and texts that match none of the known patterns, stay as they are.
"""

from django.db import migrations

from oms.notes import Legacy, convert_legacy

RENAMED = {
    "quality": ("质量问题 Quality defect", "Quality defect"),
    "damaged": ("商品破损 Arrived broken", "Arrived broken"),
    "wrong-item": ("发错货 Wrong item sent", "Wrong item sent"),
    "missing-item": ("漏发 Item missing", "Item missing"),
    "not-as-described": ("与描述不符 Not as described", "Not as described"),
    "late-delivery": ("物流延误 Late delivery", "Late delivery"),
    "size-fit": ("尺码不合适 Size does not fit", "Size does not fit"),
    "changed-mind": ("七天无理由 Changed mind (7 days)", "Changed mind (7 days)"),
}
TYPES = {
    "Refund only": "refund_only",
    "Return and refund": "return_refund",
    "Exchange": "exchange",
    "Reissue": "reissue",
    "Compensation": "compensation",
}


def _charge(m):
    case_type = TYPES.get(m["type"])
    if case_type is None:
        return None
    return {
        "type": {"choice": "aftersales.AftersalesCase.case_type", "v": case_type},
        "case": m["case"],
        "order": m["order"],
        "reason": {"t": m["reason"]},
    }


PATTERNS = [
    Legacy(r"resolved", "aftersales.resolved"),
    Legacy(r"handler changed", "aftersales.handler_changed"),
    Legacy(
        r"(?P<amount>-?\d+\.\d+) (?P<currency>[A-Z]{3})",
        "aftersales.refunded",
        lambda m: {"amount": {"money": m["amount"]}, "currency": m["currency"]},
    ),
    Legacy(
        r"(?P<type>[A-Z][a-z ]+) (?P<case>AS\S+), order (?P<order>\S+): (?P<reason>.+)",
        "aftersales.supplier_charge",
        _charge,
    ),
]


def forwards(apps, schema_editor):
    Reason = apps.get_model("aftersales", "Reason")
    old_to_new = {}
    for code, (old, new) in RENAMED.items():
        if Reason.objects.filter(code=code, name=old).update(name=new):
            old_to_new[old] = new
    SupplierCharge = apps.get_model("aftersales", "SupplierCharge")
    for old, new in old_to_new.items():  # charge descriptions quoted the reason's old name
        for charge in SupplierCharge.objects.filter(description__endswith=": " + old).only(
            "pk", "description"
        ):
            SupplierCharge.objects.filter(pk=charge.pk).update(
                description=charge.description[: -len(old)] + new
            )
    convert_legacy(
        apps, PATTERNS, app_label="aftersales", fields=[("aftersales", "SupplierCharge", "description")]
    )


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0002_default_reasons"),
        ("oms", "0003_personal_data_access"),
        ("django_fsm_log", "0005_description_null"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
