"""Benchmark: allocate 10,000 demand sets (1–4 lines each) over 5 warehouses and 2,000 SKUs.

Run:  .venv/bin/python bench/allocation_batch.py [--orders 10000] [--skus 2000] [--workers 1] [--batch 0]

It (re)creates its own database (``oms_bench_inventory`` on the server of DATABASE_URL, default
postgres://postgres@127.0.0.1:5432), migrates the inventory app, loads stock (levels and their
receipt ledger rows in bulk, so the ledger explains the stock), then calls
``inventory.services.allocate`` once per demand set, as the orders app does, and prints wall time,
orders per second and database queries per order. It ends with the drift check of check_stock.
With ``--workers N`` the demand sets are shared among N processes (each its own connection).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "oms_bench_inventory"
PROVINCES = ["上海", "江苏", "浙江", "广东", "福建", "北京", "山东", "四川", "湖北", "河南", "陕西", "辽宁"]
WAREHOUSES = [
    ("SH", ["上海", "江苏", "浙江", "安徽"], 10),
    ("GZ", ["广东", "广西", "福建", "海南"], 20),
    ("BJ", ["北京", "天津", "河北", "山东"], 30),
    ("CD", ["四川", "重庆", "云南", "贵州"], 40),
    ("WH", ["湖北", "湖南", "河南", "江西"], 50),
]


def setup_django() -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    os.environ.setdefault("CELERY_BROKER_URL", "")
    import django

    django.setup()


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DATABASE}"')


def load_stock(*, skus: int, seed: int) -> list[int]:
    from django.core.management import call_command
    from django.db import transaction

    from inventory.models import SKU, Product, StockLevel, StockMovement, Warehouse

    call_command("migrate", "inventory", verbosity=0)
    rng = random.Random(seed)
    with transaction.atomic():
        warehouses = [
            Warehouse.objects.create(
                code=code, name=code, regions=regions, priority=priority, daily_capacity=5000
            )
            for code, regions, priority in WAREHOUSES
        ]
        product = Product.objects.create(code="BENCH", name="Bench product")
        sku_rows = SKU.objects.bulk_create(
            [SKU(product=product, code=f"B-{n:05d}", barcode=f"69{n:011d}") for n in range(skus)],
            batch_size=2000,
        )
        levels, movements = [], []
        for sku in sku_rows:
            for wh in rng.sample(warehouses, 3):  # each SKU is stocked in 3 of the 5 warehouses
                units = rng.randint(0, 40)
                if not units:
                    continue
                levels.append(StockLevel(sku=sku, warehouse=wh, on_hand=units))
                movements.append(
                    StockMovement(
                        sku=sku,
                        warehouse=wh,
                        kind="receipt",
                        quantity=units,
                        balance_after=units,
                        reference="BENCH",
                    )
                )
        StockLevel.objects.bulk_create(levels, batch_size=5000)
        StockMovement.objects.bulk_create(movements, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:  # fresh planner statistics, as autovacuum keeps them in production
        cursor.execute("ANALYZE")
    return [s.pk for s in sku_rows]


def demand_sets(
    *, orders: int, sku_ids: list[int], seed: int
) -> list[tuple[str, list[tuple[str, int, int]]]]:
    rng = random.Random(seed + 1)
    sets = []
    for n in range(orders):
        chosen = rng.sample(sku_ids, rng.choice([1, 1, 2, 2, 3, 4]))
        lines = [(f"bench:{n}:{i}", sku_id, rng.randint(1, 3)) for i, sku_id in enumerate(chosen)]
        sets.append((rng.choice(PROVINCES), lines))
    return sets


def run(sets, batch: int = 0) -> dict:
    """Allocate each demand set (``allocate``), or ``batch`` sets per transaction (``allocate_batch``)."""
    from django.db import connection

    from inventory.services import DemandLine, allocate, allocate_batch

    counter = {"n": 0, "db": 0.0}

    def count(execute, sql, params, many, context):
        counter["n"] += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            counter["db"] += time.perf_counter() - started

    outcome = {"allocated": 0, "split": 0, "backorder": 0, "queries": [], "cpu": 0.0, "db": 0.0}
    cpu = time.process_time()

    def tally(result):
        if not result.allocated:
            outcome["backorder"] += 1
        elif result.explanation["decision"] == "split":
            outcome["split"] += 1
        else:
            outcome["allocated"] += 1

    with connection.execute_wrapper(count):
        if batch:
            for start in range(0, len(sets), batch):
                chunk = sets[start : start + batch]
                before = counter["n"]
                results = allocate_batch(
                    demands=[
                        ([DemandLine(ref=r, sku_id=s, quantity=q) for r, s, q in lines], p)
                        for p, lines in chunk
                    ]
                )
                per_order = (counter["n"] - before) / len(chunk)
                outcome["queries"].extend([per_order] * len(chunk))
                for result in results:
                    tally(result)
        else:
            for province, lines in sets:
                before = counter["n"]
                result = allocate(
                    lines=[DemandLine(ref=r, sku_id=s, quantity=q) for r, s, q in lines], province=province
                )
                outcome["queries"].append(counter["n"] - before)
                tally(result)
    outcome["cpu"] = time.process_time() - cpu
    outcome["db"] = counter["db"]
    connection.close()
    return outcome


def _worker(sets, batch, queue) -> None:
    from django.db import connections

    for conn in connections.all(initialized_only=True):
        conn.connection = None
    queue.put(run(sets, batch))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=10_000)
    parser.add_argument("--skus", type=int, default=2_000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--batch", type=int, default=0, help="sets per transaction through allocate_batch (0: allocate each)"
    )
    args = parser.parse_args()

    started = time.perf_counter()
    recreate_database()
    setup_django()
    from django.db import connections

    sku_ids = load_stock(skus=args.skus, seed=args.seed)
    sets = demand_sets(orders=args.orders, sku_ids=sku_ids, seed=args.seed)
    print(
        f"setup: {len(sku_ids)} SKUs × 5 warehouses, {len(sets)} demand sets in {time.perf_counter() - started:.1f}s"
    )

    connections.close_all()
    t0 = time.perf_counter()
    if args.workers == 1:
        outcomes = [run(sets, args.batch)]
    else:
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        procs = [
            ctx.Process(target=_worker, args=(sets[i :: args.workers], args.batch, queue))
            for i in range(args.workers)
        ]
        for p in procs:
            p.start()
        outcomes = [queue.get() for _ in procs]
        for p in procs:
            p.join()
    wall = time.perf_counter() - t0

    queries = [q for o in outcomes for q in o["queries"]]
    total = {k: sum(o[k] for o in outcomes) for k in ("allocated", "split", "backorder")}
    from inventory.models import Reservation, StockLevel
    from inventory.selectors import stock_drift

    drift = stock_drift()
    oversold = StockLevel.objects.filter(reserved__gt=models_F("on_hand")).count()
    how = f"allocate_batch, {args.batch} per transaction" if args.batch else "allocate, one per transaction"
    print(
        f"orders:            {len(queries)} ({how}; {args.workers} worker{'s' if args.workers > 1 else ''})"
    )
    print(
        f"wall time:         {wall:.2f}s  ({len(queries) / wall:.0f} orders/s, {wall / len(queries) * 1000:.2f} ms/order)"
    )
    print(
        f"queries per order: mean {statistics.mean(queries):.2f}, median {statistics.median(queries):.2f}, "
        f"max {max(queries):.0f}"
    )
    cpu, db = sum(o["cpu"] for o in outcomes), sum(o["db"] for o in outcomes)
    print(
        f"time split:        {cpu:.1f}s Python CPU, {db:.1f}s waiting on queries (summed over workers); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs"
    )
    print(
        f"outcome:           {total['allocated']} one warehouse, {total['split']} split, "
        f"{total['backorder']} backordered; {Reservation.objects.filter(status='active').count()} reservations"
    )
    print(f"check:             {len(drift)} stock levels drift from the ledger, {oversold} oversold")
    return 1 if drift or oversold else 0


def models_F(name):
    from django.db.models import F

    return F(name)


if __name__ == "__main__":
    sys.exit(main())
