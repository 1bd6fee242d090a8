"""Replacement goods (exchange, reissue): a free reship order with the case's goods, linked to the original."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from aftersales.choices import REPLACEMENT_TYPES
from aftersales.exceptions import ReplacementNotPossible
from aftersales.models import AftersalesCase
from aftersales.services._common import _customer_message, _lock_case
from aftersales.services.supplier_charges import _charge_supplier
from oms.audit import run_transition
from oms.db import retry_on_conflict
from oms.exceptions import IllegalTransition
from oms.notes import note as make_note


@retry_on_conflict
def case_send_replacement(*, case_id: int, by) -> AftersalesCase:
    """Exchange (after inspection) or reissue (after approval): the case's goods go out again at no charge."""
    case = _lock_case(case_id)
    if case.case_type not in REPLACEMENT_TYPES:
        raise IllegalTransition(
            _("Case %(case)s is a %(type)s: only exchanges and reissues send goods.")
            % {"case": case.number, "type": case.get_case_type_display().lower()}
        )
    if not can_proceed(case.send_replacement):
        run_transition(case, "send_replacement", by=by)  # raises the clear refusal
    items = [
        (line.replacement_sku_id or line.sku_id, line.quantity, line.order_line_id)
        for line in case.lines.order_by("pk")
    ]
    if not items:
        raise ReplacementNotPossible(_("The case has no lines to send."))
    case.replacement_order = _create_replacement_order(case, items=items, by=by)
    run_transition(case, "send_replacement", by=by)
    case.resolved_at = timezone.now()
    case.save()
    _charge_supplier(case)
    _customer_message(case, "replacement_sent", dedupe=f"aftersales:{case.pk}:replacement")
    return case


def _create_replacement_order(case: AftersalesCase, *, items, by):
    """A reship order (补发 / 换货) at no charge with the case's goods, linked to the original order.

    It goes through allocation and the fulfillment app's shipments like any order, so the parcel is
    picked, scan-verified and tracked; the original order stays as it is.
    """
    from inventory.models import SKU
    from orders.choices import OrderSource
    from orders.services import order_intake, reship_body

    original = case.order
    codes = dict(SKU.objects.filter(pk__in=[sku_id for sku_id, _q, _l in items]).values_list("pk", "code"))
    data = reship_body(
        original,
        lines=[(codes[sku_id], qty) for sku_id, qty, _l in items],
        note=make_note("aftersales.replacement_for", case=case.number),
    )
    result = order_intake(
        channel=original.channel,
        data=data,
        by=by,
        source=OrderSource.RESHIP,
        reship_of=original,
        allocate_now=False,
    )
    if result.errors:
        raise ReplacementNotPossible(
            _("The replacement order cannot be created: %(errors)s")
            % {"errors": "; ".join(f"{k}: {' '.join(v)}" for k, v in result.errors.items())}
        )
    return result.order
