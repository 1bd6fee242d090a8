"""Returns: the parcel received at a warehouse, then inspected line by line (restocked or sent to damaged)."""

from __future__ import annotations

from django.utils import timezone
from django_fsm import can_proceed

from aftersales.choices import Condition
from aftersales.exceptions import InspectionIncomplete, NoWarehouse
from aftersales.models import AftersalesCase
from aftersales.services._common import _lock_case
from aftersales.services.supplier_charges import _charge_supplier
from oms.audit import run_transition
from oms.db import retry_on_conflict


@retry_on_conflict
def case_receive_return(
    *, case_id: int, warehouse_id: int | None, by, tracking_number: str = ""
) -> AftersalesCase:
    """The returned parcel arrived at ``warehouse_id``."""
    if not warehouse_id:
        raise NoWarehouse()
    case = _lock_case(case_id)
    run_transition(case, "receive", by=by, note=tracking_number.strip())
    case.return_warehouse_id = warehouse_id
    case.received_at = timezone.now()
    if tracking_number.strip() and not case.return_tracking_number:
        case.return_tracking_number = tracking_number.strip()[:64]
    case.save()
    return case


@retry_on_conflict
def case_inspect(*, case_id: int, conditions: dict[int, str], by, note: str = "") -> AftersalesCase:
    """Inspect each line: resellable units go back into stock, damaged ones to the damaged location."""
    from inventory.services import stock_restock_return

    case = _lock_case(case_id)
    if not can_proceed(case.inspect):
        run_transition(case, "inspect", by=by)  # raises the clear refusal
    lines = list(case.lines.select_related("sku").order_by("pk"))
    missing = [
        line.sku.code
        for line in lines
        if conditions.get(line.pk) not in (Condition.RESELLABLE, Condition.DAMAGED)
    ]
    if missing:
        raise InspectionIncomplete(missing)
    run_transition(case, "inspect", by=by, note=note)
    for line in lines:
        line.condition = conditions[line.pk]
        stock_restock_return(
            sku_id=line.sku_id,
            warehouse_id=case.return_warehouse_id,
            quantity=line.quantity,
            resellable=line.condition == Condition.RESELLABLE,
            reference=f"aftersales:{case.number}",
            by=by,
        )
        line.save(update_fields=["condition"])
    case.inspected_at = timezone.now()
    case.save()
    _charge_supplier(case)
    return case
