"""Proof of invariant 1 for batch allocation: batches and single allocations racing never oversell.

200 demand sets for 50 units of a hot SKU, a quarter of them also asking for a second scarce SKU
listed first (so lines do not come in lock order), shared among threads that each run either
``allocate_batch`` (10 sets per transaction) or ``allocate`` one set at a time, each thread on its
own PostgreSQL connection. Deadlocks would be retried; none should be left as errors.
"""

from __future__ import annotations

import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection

from inventory.models import Reservation, StockLevel
from inventory.selectors import stock_drift
from inventory.services import DemandLine, allocate, allocate_batch
from tests.factories import SKUFactory, WarehouseFactory, stock_in
from tests.inventory.helpers import assert_invariants

SETS = 200
THREADS = 20


@pytest.fixture
def contested(transactional_db):
    hot, scarce = SKUFactory(code="HOT-1"), SKUFactory(code="HOT-2")
    sh = WarehouseFactory(code="SH", regions=["上海"])
    gz = WarehouseFactory(code="GZ", regions=["广东"])
    stock_in(hot, sh, 30)
    stock_in(hot, gz, 20)
    stock_in(scarce, gz, 10)
    return hot, scarce


def _demand(n: int, hot_id: int, scarce_id: int) -> tuple[list[DemandLine], str]:
    lines = [DemandLine(ref=f"order-line:{n}", sku_id=hot_id, quantity=1)]
    if n % 4 == 0:
        lines.insert(0, DemandLine(ref=f"order-line:{n}:b", sku_id=scarce_id, quantity=1))
    return lines, "上海" if n % 2 else "广东"


def test_batches_and_single_allocations_racing_never_oversell(contested):
    hot, scarce = contested
    barrier = threading.Barrier(THREADS)

    def worker(i: int) -> list[tuple[bool | None, str]]:
        demands = [_demand(n, hot.pk, scarce.pk) for n in range(i, SETS, THREADS)]
        try:
            barrier.wait(timeout=30)
            if i % 2:
                return [(r.allocated, "") for r in allocate_batch(demands=demands)]
            return [(allocate(lines=lines, province=p).allocated, "") for lines, p in demands]
        except Exception:  # noqa: BLE001 - the proof counts any exception as a failure
            return [(None, traceback.format_exc())]
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        outcomes = [o for batch in pool.map(worker, range(THREADS)) for o in batch]

    assert [err for ok, err in outcomes if ok is None] == []
    assert len(outcomes) == SETS
    # 150 sets need only the hot SKU, so all 50 of its units go, each to one whole set
    assert sum(1 for ok, _ in outcomes if ok) == 50
    assert Reservation.objects.filter(sku=hot, status="active").count() == 50
    levels = {
        (lv.sku.code, lv.warehouse.code): (lv.on_hand, lv.reserved)
        for lv in StockLevel.objects.select_related("sku", "warehouse")
    }
    assert levels[("HOT-1", "SH")] == (30, 30)
    assert levels[("HOT-1", "GZ")] == (20, 20)
    assert 0 <= levels[("HOT-2", "GZ")][1] <= 10
    # every reservation of the scarce SKU belongs to a set whose hot-SKU line was reserved too
    scarce_refs = set(
        Reservation.objects.filter(sku=scarce, status="active").values_list("demand_ref", flat=True)
    )
    hot_refs = set(Reservation.objects.filter(sku=hot, status="active").values_list("demand_ref", flat=True))
    assert {ref.removesuffix(":b") for ref in scarce_refs} <= hot_refs
    assert_invariants()
    assert stock_drift() == []
    call_command("check_stock")  # exits 1 on drift
