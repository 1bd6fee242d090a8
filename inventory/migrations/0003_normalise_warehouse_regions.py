"""Normalise the provinces each warehouse serves to one spelling (广东省 / Guangdong → 广东)."""

from django.db import migrations


def normalise(apps, schema_editor):
    from inventory.regions import normalise_regions

    Warehouse = apps.get_model("inventory", "Warehouse")
    for warehouse in Warehouse.objects.order_by("pk"):
        regions = normalise_regions(warehouse.regions)
        if regions != list(warehouse.regions or []):
            warehouse.regions = regions
            warehouse.save(update_fields=["regions"])


class Migration(migrations.Migration):
    dependencies = [("inventory", "0002_stock_permissions_release_reason")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
