"""Old stock movement and reservation reasons written as English text become note codes (oms.notes).

Texts that match none of the known patterns (typed by people) stay as they are and are shown as written.
"""

from django.db import migrations

from oms.notes import Legacy, convert_legacy, ints

PATTERNS = [
    Legacy(
        r"Counted (?P<counted>-?\d+), system had (?P<before>-?\d+)",
        "inventory.counted",
        ints("counted", "before"),
    ),
    # Written on reservations by the orders and fulfillment apps.
    Legacy(r"Order (?P<number>\S+) cancelled", "orders.order_cancelled"),
    Legacy(r"Re-allocation of (?P<number>\S+)", "orders.reallocation"),
    Legacy(r"drop-ship (?P<number>\S+): shipped by the supplier", "fulfillment.drop_shipped"),
]


def forwards(apps, schema_editor):
    convert_legacy(
        apps,
        PATTERNS,
        app_label="inventory",
        fields=[("inventory", "StockMovement", "reason"), ("inventory", "Reservation", "closed_reason")],
    )


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0002_stock_permissions_release_reason"),
        ("oms", "0003_personal_data_access"),
        ("django_fsm_log", "0005_description_null"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
