"""Old carrier reasons and parcel review reasons written as English text become note codes (oms.notes).

Texts that match none of the known patterns stay as they are and are shown as written.
"""

from django.db import migrations

from oms.notes import Legacy, convert_json_field, convert_legacy, ints

WHY_NOT = [
    (r"does not cover (?P<province>.+)", "fulfillment.not_covered", ()),
    (r"(?P<weight>\d+) g is above its (?P<max>\d+) g limit", "fulfillment.too_heavy", ("weight", "max")),
    (r"(?P<volume>\d+) cm³ is above its (?P<max>\d+) cm³ limit", "fulfillment.too_bulky", ("volume", "max")),
    (r"has no rate for (?P<province>.+)", "fulfillment.no_rate", ()),
]


def _why(text):
    import re

    for pattern, code, numbers in WHY_NOT:
        found = re.fullmatch(pattern, text)
        if found:
            params = found.groupdict()
            for name in numbers:
                params[name] = int(params[name])
            return {"n": code, "p": params}
    return None


def _with_why(m):
    why = _why(m["why"])
    if why is None:
        return None
    params = {k: v for k, v in m.groupdict().items() if k != "why"}
    return {**params, "why": why}


PATTERNS = [
    Legacy(r"Rule “(?P<rule>.+)” matched but its service is inactive\.", "fulfillment.rule_inactive"),
    Legacy(r"Rule “(?P<rule>.+)” sends it with (?P<service>.+)\.", "fulfillment.rule_sends"),
    Legacy(
        r"Rule “(?P<rule>.+)” matched but (?P<service>.+?) (?P<why>(?:does not|has no|\d+ ).+)\.",
        "fulfillment.rule_cannot",
        _with_why,
    ),
    Legacy(r"Cheapest: (?P<service>.+)\.", "fulfillment.cheapest"),
    Legacy(
        r"(?P<service>.+): (?P<price>-?\d+\.\d+)\.",
        "fulfillment.service_price",
        lambda m: {"service": m["service"], "price": {"money": m["price"]}},
    ),
    Legacy(
        r"(?P<service>.+?): (?P<why>(?:does not|has no|\d+ ).+)\.", "fulfillment.service_cannot", _with_why
    ),
    Legacy(
        r"No active carrier service covers (?P<province>.+) for a (?P<weight>\d+) g parcel\. "
        r"Add a rate row in admin or choose a carrier by hand\.",
        "fulfillment.no_carrier",
        ints("weight"),
    ),
    Legacy(r"Chosen by hand by (?P<user>.+?): (?P<reason>.*)", "fulfillment.chosen_by_hand"),
    Legacy(
        r"Weighed (?P<weight>\d+) g, expected (?P<expected>\d+) g ± (?P<tolerance>\d+) g\.",
        "fulfillment.weight_review",
        ints("weight", "expected", "tolerance"),
    ),
]


def forwards(apps, schema_editor):
    convert_legacy(
        apps, PATTERNS, app_label="fulfillment", fields=[("fulfillment", "Shipment", "review_reason")]
    )
    convert_json_field(apps, "fulfillment", "Shipment", "carrier_reasons", PATTERNS)


class Migration(migrations.Migration):
    dependencies = [
        ("fulfillment", "0002_pickwave_shipment_packscan_shipmentline_and_more"),
        ("oms", "0003_personal_data_access"),
        ("django_fsm_log", "0005_description_null"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
