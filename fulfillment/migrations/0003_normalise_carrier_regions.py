"""Normalise the provinces of carrier coverage, rate rows and carrier rules to one spelling (广东省 → 广东).

A rate row whose normalised province another row of the same service already has is left as it was (the
unique constraint forbids two; selection compares normalised names, so the first one still matches).
"""

from django.db import migrations


def normalise(apps, schema_editor):
    from inventory.regions import normalise_region, normalise_regions

    for name in ("CarrierService", "CarrierRule"):
        model = apps.get_model("fulfillment", name)
        for row in model.objects.order_by("pk"):
            provinces = normalise_regions(row.provinces)
            if provinces != list(row.provinces or []):
                row.provinces = provinces
                row.save(update_fields=["provinces"])
    RateRow = apps.get_model("fulfillment", "RateRow")
    taken = set(RateRow.objects.values_list("service_id", "province"))
    for row in RateRow.objects.exclude(province="").order_by("pk"):
        province = normalise_region(row.province)
        if province == row.province or (row.service_id, province) in taken:
            continue
        taken.discard((row.service_id, row.province))
        taken.add((row.service_id, province))
        row.province = province
        row.save(update_fields=["province"])


class Migration(migrations.Migration):
    dependencies = [("fulfillment", "0002_pickwave_shipment_packscan_shipmentline_and_more")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
