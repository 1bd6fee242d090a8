"""A starting list of after-sales reasons; admins edit it in Django admin."""

from django.db import migrations

REASONS = [
    # code, name, supplier at fault, sort
    ("quality", "质量问题 Quality defect", True, 10),
    ("damaged", "商品破损 Arrived broken", True, 20),
    ("wrong-item", "发错货 Wrong item sent", False, 30),
    ("missing-item", "漏发 Item missing", False, 40),
    ("not-as-described", "与描述不符 Not as described", True, 50),
    ("late-delivery", "物流延误 Late delivery", False, 60),
    ("size-fit", "尺码不合适 Size does not fit", False, 70),
    ("changed-mind", "七天无理由 Changed mind (7 days)", False, 80),
]


def add_reasons(apps, schema_editor):
    Reason = apps.get_model("aftersales", "Reason")
    for code, name, supplier_at_fault, sort in REASONS:
        Reason.objects.get_or_create(
            code=code, defaults={"name": name, "supplier_at_fault": supplier_at_fault, "sort": sort}
        )


class Migration(migrations.Migration):
    dependencies = [("aftersales", "0001_initial")]

    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
