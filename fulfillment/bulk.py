"""Bulk actions of the parcel list, and "print shipping slips" on the order list (see oms/bulk.py).

Registered from ``FulfillmentConfig.ready``: the order list gets its print action from here, so orders never
imports fulfillment.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fulfillment import services
from fulfillment.models import Shipment
from fulfillment.pdf import render_slips
from fulfillment.selectors import shipment_ids_for_orders, slips_data
from oms.bulk import DOWNLOAD, FILE, BulkAction, BulkList, register_bulk_action, register_bulk_list
from oms.exceptions import DomainError

PRINT = ("fulfillment.print_picklist", "fulfillment.ship_shipment", "fulfillment.review_shipment")


def describe_shipments(ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = Shipment.objects.filter(pk__in=ids).values_list("pk", "number")
    return {pk: (number, reverse("fulfillment:shipment", args=[pk])) for pk, number in rows}


def _slips_file(shipment_ids: list[int], progress, language: str | None = None) -> dict:
    slips = slips_data(shipment_ids=shipment_ids)
    if not slips:
        raise DomainError(_("None of the selected records has a parcel to print."))
    progress(1, 2)
    pdf = render_slips(slips=slips, language=language)
    progress(2, 2)
    return {
        "file_name": f"slips-{len(slips)}.pdf",
        "content": pdf,
        "message": _("%(n)s shipping slips.") % {"n": len(slips)},
    }


def print_parcels(*, ids, by, params, progress) -> dict:
    return _slips_file(ids, progress)


def print_orders(*, ids, by, params, progress) -> dict:
    return _slips_file(shipment_ids_for_orders(ids), progress)


def _cancel(*, pk, by, reason, params):
    services.shipment_cancel(shipment_id=pk, by=by, reason=reason)


def register() -> None:
    register_bulk_list(BulkList(key="shipments", describe=describe_shipments, noun=gettext_lazy("parcels")))
    slips = gettext_lazy("Print shipping slips")
    register_bulk_action(
        "shipments", BulkAction("print", slips, print_parcels, PRINT, kind=FILE, position=10)
    )
    register_bulk_action(
        "shipments",
        BulkAction(
            "cancel",
            gettext_lazy("Cancel parcel"),
            _cancel,
            ("fulfillment.change_shipment",),
            needs_reason=True,
            colour="outline-danger",
            position=50,
        ),
    )
    register_bulk_action(
        "shipments",
        BulkAction(
            "export",
            gettext_lazy("Export (XLSX)"),
            permissions=("fulfillment.view_shipment",),
            kind=DOWNLOAD,
            colour="outline-success",
            position=90,
            extra={"format": "xlsx"},
        ),
    )
    register_bulk_action("orders", BulkAction("print", slips, print_orders, PRINT, kind=FILE, position=80))
