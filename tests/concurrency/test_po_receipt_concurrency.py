"""Two (and twenty) receipts of the same purchase order line at once never receive more than allowed.

Real threads, each with its own PostgreSQL connection (``transactional_db``: committed data).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection

from inventory.exceptions import OverReceipt
from inventory.models import PurchaseOrder, PurchaseOrderLine, StockLevel, StockMovement
from inventory.services import LineRequest, purchase_order_create, purchase_order_receive, purchase_order_send
from oms.exceptions import IllegalTransition
from tests.factories import SKUFactory, SupplierFactory, SupplierSKUFactory, WarehouseFactory
from tests.inventory.helpers import assert_invariants


@pytest.fixture
def sent_po(transactional_db):
    wh = WarehouseFactory(code="SH")
    supplier = SupplierFactory(email="")
    sku = SKUFactory(code="RACE-1")
    SupplierSKUFactory(supplier=supplier, sku=sku, cost="9.90")
    po = purchase_order_create(
        supplier_id=supplier.pk, warehouse_id=wh.pk, lines=[LineRequest(sku_id=sku.pk, quantity=10)]
    )
    return purchase_order_send(po_id=po.pk)


def _race(po_id: int, quantities: list[int]) -> list[str]:
    barrier = threading.Barrier(len(quantities))

    def receive(quantity: int) -> str:
        try:
            barrier.wait(timeout=30)
            purchase_order_receive(po_id=po_id, code="RACE-1", quantity=quantity)
            return "received"
        except (OverReceipt, IllegalTransition):  # over the line / the order already received in full
            return "refused"
        except Exception as exc:  # noqa: BLE001 - any other failure is a failure of the proof
            return f"error: {exc!r}"
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(quantities)) as pool:
        return list(pool.map(receive, quantities))


def _assert_received(po: PurchaseOrder, units: int, status: str) -> None:
    line = PurchaseOrderLine.objects.get(purchase_order=po)
    level = StockLevel.objects.get(sku=line.sku, warehouse=po.warehouse)
    assert line.quantity_received == units
    assert (level.on_hand, level.on_order) == (units, 10 - units)
    assert sum(m.quantity for m in StockMovement.objects.filter(reference=po.number)) == units
    assert PurchaseOrder.objects.get(pk=po.pk).status == status
    assert_invariants()
    call_command("check_stock")


def test_two_receipts_of_the_same_line_at_once_cannot_over_receive(sent_po):
    # two receivers each scan the whole delivery of 6 (a duplicate delivery note): only one may book it
    outcomes = _race(sent_po.pk, [6, 6])
    assert sorted(outcomes) == ["received", "refused"]
    _assert_received(sent_po, 6, "partially_received")


def test_twenty_single_scans_at_once_receive_exactly_what_was_ordered(sent_po):
    outcomes = _race(sent_po.pk, [1] * 20)
    assert sorted(outcomes) == ["received"] * 10 + ["refused"] * 10, outcomes
    _assert_received(sent_po, 10, "received")
