"""Proof of invariant 1 under load: 200 concurrent single-unit allocations for 50 units never oversell.

Run in real threads and in real processes, each with its own PostgreSQL connection to the test
database (pytest-django ``transactional_db``: the data is committed, so every connection sees it).
"""

from __future__ import annotations

import multiprocessing
import threading
import traceback
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.management import call_command
from django.db import connection, connections

from inventory.models import Reservation, StockLevel
from inventory.selectors import stock_drift
from inventory.services import DemandLine, allocate
from tests.factories import SKUFactory, WarehouseFactory, stock_in
from tests.inventory.helpers import assert_invariants

CALLS = 200
STOCK = {"SH": 30, "GZ": 20}  # 50 units over two warehouses


@pytest.fixture
def contested_sku(transactional_db):
    sku = SKUFactory(code="HOT-1")
    for code, units in STOCK.items():
        wh = WarehouseFactory(code=code, regions=["上海"] if code == "SH" else ["广东"])
        stock_in(sku, wh, units)
    return sku


def _allocate_one(sku_id: int, n: int) -> tuple[bool | None, str]:
    """One order line asking for one unit; returns (allocated, error text)."""
    try:
        result = allocate(
            lines=[DemandLine(ref=f"order-line:{n}", sku_id=sku_id, quantity=1)],
            province="上海" if n % 2 else "广东",
        )
        return result.allocated, ""
    except Exception:  # noqa: BLE001 - the proof counts any exception as a failure
        return None, traceback.format_exc()


def _assert_outcome(outcomes: list[tuple[bool | None, str]], sku) -> None:
    errors = [err for ok, err in outcomes if ok is None]
    assert errors == []
    assert len(outcomes) == CALLS
    assert sum(1 for ok, _ in outcomes if ok is True) == 50
    assert sum(1 for ok, _ in outcomes if ok is False) == 150
    assert Reservation.objects.filter(sku=sku, status="active").count() == 50
    levels = {
        lv.warehouse.code: (lv.on_hand, lv.reserved) for lv in StockLevel.objects.select_related("warehouse")
    }
    assert levels == {"SH": (30, 30), "GZ": (20, 20)}
    assert_invariants()
    assert stock_drift() == []
    call_command("check_stock")  # exits 1 on drift


def test_200_concurrent_allocations_in_threads(contested_sku):
    barrier = threading.Barrier(50)

    def worker(batch: list[int]) -> list[tuple[bool | None, str]]:
        try:
            barrier.wait(timeout=30)
            return [_allocate_one(contested_sku.pk, n) for n in batch]
        finally:
            connection.close()

    # 50 threads (each its own connection), 4 calls each: 200 allocations racing for 50 units.
    batches = [list(range(i, CALLS, 50)) for i in range(50)]
    with ThreadPoolExecutor(max_workers=50) as pool:
        outcomes = [o for batch in pool.map(worker, batches) for o in batch]

    _assert_outcome(outcomes, contested_sku)


def _process_worker(sku_id: int, batch: list[int], barrier, queue) -> None:
    # Forked child: drop the parent's connection objects without closing the parent's sockets,
    # then open a fresh connection of our own to the same test database.
    for conn in connections.all(initialized_only=True):
        conn.connection = None
    outcomes = []
    try:
        barrier.wait(timeout=60)
        outcomes = [_allocate_one(sku_id, n) for n in batch]
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_database(), pg_backend_pid()")
            database, pid = cursor.fetchone()
    except Exception:  # noqa: BLE001
        outcomes, database, pid = [(None, traceback.format_exc())], "", 0
    finally:
        connections.close_all()
        queue.put((database, pid, outcomes))


def test_200_concurrent_allocations_in_processes(contested_sku):
    processes_count = 20
    connections.close_all()  # nothing open is inherited by the children
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(processes_count)
    queue = ctx.Queue()
    batches = [list(range(i, CALLS, processes_count)) for i in range(processes_count)]
    processes = [
        ctx.Process(target=_process_worker, args=(contested_sku.pk, batch, barrier, queue))
        for batch in batches
    ]
    for p in processes:
        p.start()
    outcomes, databases, pids = [], set(), set()
    for _ in processes:
        database, pid, batch_outcomes = queue.get(timeout=120)
        databases.add(database)
        pids.add(pid)
        outcomes.extend(batch_outcomes)
    for p in processes:
        p.join(timeout=30)
        assert p.exitcode == 0

    # every process used its own connection, to the test database
    assert databases == {connection.settings_dict["NAME"]}
    assert len(pids) == processes_count

    _assert_outcome(outcomes, contested_sku)
