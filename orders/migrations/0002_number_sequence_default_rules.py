"""The order-number sequence and the default order rules (admins edit them afterwards)."""

from django.db import migrations


def create_default_rules(apps, schema_editor):
    from orders.rules import ensure_default_rules

    ensure_default_rules(rule_model=apps.get_model("orders", "OrderRule"), tag_model=apps.get_model("orders", "Tag"))


class Migration(migrations.Migration):
    dependencies = [("orders", "0001_initial")]

    operations = [
        migrations.RunSQL(
            "CREATE SEQUENCE IF NOT EXISTS orders_order_number_seq START 1",
            "DROP SEQUENCE IF EXISTS orders_order_number_seq",
        ),
        migrations.RunPython(create_default_rules, migrations.RunPython.noop),
    ]
