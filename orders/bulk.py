"""The order list's bulk actions (registered from ``OrdersConfig.ready``; see oms/bulk.py).

Each action calls the same service as the order page's button, one order at a time; a refusal (wrong state,
no permission) is that order's result and the others go on. Another app adds its own actions to the
``orders`` list the same way (fulfillment: print the shipping slips).
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oms.bulk import DOWNLOAD, BulkAction, BulkList, register_bulk_action, register_bulk_list
from orders import services
from orders.models import Order, Tag

REVIEW = ("orders.review_order", "orders.finance_review_order")


def describe_orders(ids: list[int]) -> dict[int, tuple[str, str]]:
    rows = Order.objects.filter(pk__in=ids).values_list("pk", "number")
    return {pk: (number, reverse("orders:detail", args=[pk])) for pk, number in rows}


def _approve(*, pk, by, reason, params):
    services.order_approve(order_id=pk, by=by, note=reason)


def _reject(*, pk, by, reason, params):
    services.order_reject(order_id=pk, by=by, reason=reason)


def _hold(*, pk, by, reason, params):
    services.order_hold(order_id=pk, by=by, reason=reason)


def _resume(*, pk, by, reason, params):
    services.order_resume(order_id=pk, by=by, note=reason)


def _cancel(*, pk, by, reason, params):
    services.order_cancel(order_id=pk, by=by, reason=reason)


def _tag(*, pk, by, reason, params):
    services.order_tag_add(order_id=pk, tag_id=int(params["choice"]), by=by)


def _tag_choices() -> list[tuple[str, str]]:
    return [(str(pk), name) for pk, name in Tag.objects.values_list("pk", "name")]


def register() -> None:
    register_bulk_list(BulkList(key="orders", describe=describe_orders, noun=_("orders")))
    for action in (
        BulkAction("approve", _("Approve"), _approve, REVIEW, colour="success", position=10),
        BulkAction("reject", _("Reject"), _reject, REVIEW, needs_reason=True, colour="danger", position=20),
        BulkAction(
            "hold", _("Hold"), _hold, ("orders.hold_order",), needs_reason=True, colour="warning", position=30
        ),
        BulkAction("resume", _("Resume"), _resume, ("orders.hold_order",), colour="primary", position=40),
        BulkAction(
            "cancel",
            _("Cancel order"),
            _cancel,
            ("orders.cancel_order",),
            needs_reason=True,
            colour="outline-danger",
            position=50,
        ),
        BulkAction(
            "tag",
            _("Tag"),
            _tag,
            ("orders.review_order", "orders.hold_order"),
            colour="outline-secondary",
            position=60,
            choices=_tag_choices,
            choice_label=_("Tag"),
        ),
        BulkAction(
            "export",
            _("Export (XLSX)"),
            permissions=("orders.export_order",),
            kind=DOWNLOAD,
            colour="outline-success",
            position=90,
            extra={"format": "xlsx"},
        ),
    ):
        register_bulk_action("orders", action)
