"""Old statement timeline notes written as English text become note codes (oms.notes).

Texts that match none of the known patterns stay as they are and are shown as written.
"""

from django.db import migrations

from oms.notes import Legacy, convert_legacy, ints

PATTERNS = [
    Legacy(r"Draft created", "reconciliation.draft_created"),
    Legacy(
        r"Bill (?P<name>.+): (?P<matched>\d+) matched, (?P<differences>\d+) differences",
        "reconciliation.bill_matched",
        ints("matched", "differences"),
    ),
]


def forwards(apps, schema_editor):
    convert_legacy(apps, PATTERNS, app_label="reconciliation", fields=[])


class Migration(migrations.Migration):
    dependencies = [
        ("reconciliation", "0003_statement_released_items"),
        ("oms", "0003_personal_data_access"),
        ("django_fsm_log", "0005_description_null"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
