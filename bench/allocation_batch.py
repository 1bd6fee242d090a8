"""Benchmark: allocate 10,000 demand sets (1–4 lines each) over 5 warehouses and 2,000 SKUs.

Run:  .venv/bin/python bench/allocation_batch.py [--orders 10000] [--skus 2000] [--workers 1] [--batch 0]
                                                  [--path inventory|orders]

It (re)creates its own database (``oms_bench_inventory`` on the server of DATABASE_URL, default
postgres://postgres@127.0.0.1:5432), migrates the inventory app, loads stock (levels and their
receipt ledger rows in bulk, so the ledger explains the stock), then calls
``inventory.services.allocate`` once per demand set, as the orders app does, and prints wall time,
orders per second and database queries per order. It ends with the drift check of check_stock.
With ``--workers N`` the demand sets are shared among N processes (each its own connection).

``--path orders`` measures the whole orders path instead: it migrates every app, creates the demand
sets as APPROVED orders (random priorities) and allocates them as the back office does: with
``--batch N`` through ``orders_allocate_pending`` (the beat task and ``manage.py allocate``: priority
order, N orders per transaction), else ``order_allocate`` once per order (the on-demand path). That
includes what inventory's figure leaves out: locking the order, the fsm transition and its StateLog
row, the OrderLineAllocation rows, the stored explanation and the backorder details.
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

from bench._common import QueryCounter  # noqa: E402

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


def load_stock(*, skus: int, seed: int, all_apps: bool = False) -> list[int]:
    from django.core.management import call_command
    from django.db import transaction

    from inventory.models import SKU, Product, StockLevel, StockMovement, Warehouse

    if all_apps:
        call_command("migrate", verbosity=0)
    else:
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


def load_orders(sets, *, seed: int) -> None:
    """Create each demand set as an APPROVED order (bulk: the set-up is not what is measured)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.db import connection, transaction
    from django.utils import timezone

    from inventory.models import SKU
    from orders.models import Address, Channel, Customer, Order, OrderLine

    rng = random.Random(seed + 2)
    codes = dict(SKU.objects.values_list("pk", "code"))
    now = timezone.now()
    with transaction.atomic():
        channel = Channel.objects.create(code="bench", name="Bench", kind="marketplace")
        customers = Customer.objects.bulk_create(
            [Customer(name=f"客户{n}", phone=f"139{n:08d}") for n in range(len(sets))], batch_size=2000
        )
        addresses = Address.objects.bulk_create(
            [
                Address(
                    customer=c, name=c.name, phone=c.phone, province=p, city=p, district="区", line1="路 1 号"
                )
                for c, (p, _lines) in zip(customers, sets, strict=True)
            ],
            batch_size=2000,
        )
        orders, lines = [], []
        for n, (customer, address, (province, demand)) in enumerate(
            zip(customers, addresses, sets, strict=True)
        ):
            subtotal = sum((Decimal("10.00") * q for _r, _s, q in demand), Decimal("0.00"))
            orders.append(
                Order(
                    number=f"B{n:09d}",
                    channel=channel,
                    external_id=f"bench-{n}",
                    customer=customer,
                    shipping_address=address,
                    contact_phone=customer.phone,
                    address_key=f"k{n}",
                    province=province,
                    status="approved",
                    placed_at=now - timedelta(minutes=n),
                    paid_at=now - timedelta(minutes=n),
                    approved_at=now,
                    subtotal=subtotal,
                    total=subtotal,
                    priority=rng.choice([0, 0, 0, 10, 20, 50]),
                )
            )
        Order.objects.bulk_create(orders, batch_size=2000)
        for order, (_p, demand) in zip(orders, sets, strict=True):
            for i, (_r, sku_id, qty) in enumerate(demand, start=1):
                lines.append(
                    OrderLine(
                        order=order,
                        line_no=i,
                        sku_id=sku_id,
                        sku_code=codes[sku_id],
                        name=codes[sku_id],
                        quantity=qty,
                        unit_price=Decimal("10.00"),
                        line_total=Decimal("10.00") * qty,
                    )
                )
        OrderLine.objects.bulk_create(lines, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def run_orders(count: int, batch: int = 0) -> dict:
    """Allocate the APPROVED orders as the back office does: in batches (beat task) or one by one."""
    from django.db import connection

    from orders.models import Order
    from orders.services import QUEUE_ORDER, order_allocate, orders_allocate_pending

    counter = QueryCounter()

    outcome = {"allocated": 0, "split": 0, "backorder": 0, "skipped": 0, "queries": [], "cpu": 0.0, "db": 0.0}
    cpu = time.process_time()
    with connection.execute_wrapper(counter):
        if batch:
            counts = orders_allocate_pending(limit=count, batch_size=batch)
            outcome["skipped"] = counts["skipped"]
            done = counts["allocated"] + counts["backordered"]
            outcome["queries"] = [counter.n / max(done, 1)] * done
        else:
            ids = list(
                Order.objects.filter(status="approved")
                .order_by(*QUEUE_ORDER)
                .values_list("pk", flat=True)[:count]
            )
            for order_id in ids:
                before = counter.n
                order_allocate(order_id=order_id)
                outcome["queries"].append(counter.n - before)
    outcome["cpu"] = time.process_time() - cpu
    outcome["db"] = counter.db
    for status, explanation in Order.objects.values_list("status", "allocation_explanation"):
        if status == "backordered":
            outcome["backorder"] += 1
        elif status == "allocated":
            outcome["split" if explanation.get("decision") == "split" else "allocated"] += 1
    connection.close()
    return outcome


def run(sets, batch: int = 0) -> dict:
    """Allocate each demand set (``allocate``), or ``batch`` sets per transaction (``allocate_batch``)."""
    from django.db import connection

    from inventory.services import DemandLine, allocate, allocate_batch

    counter = QueryCounter()

    outcome = {"allocated": 0, "split": 0, "backorder": 0, "queries": [], "cpu": 0.0, "db": 0.0}
    cpu = time.process_time()

    def tally(result):
        if not result.allocated:
            outcome["backorder"] += 1
        elif result.explanation["decision"] == "split":
            outcome["split"] += 1
        else:
            outcome["allocated"] += 1

    with connection.execute_wrapper(counter):
        if batch:
            for start in range(0, len(sets), batch):
                chunk = sets[start : start + batch]
                before = counter.n
                results = allocate_batch(
                    demands=[
                        ([DemandLine(ref=r, sku_id=s, quantity=q) for r, s, q in lines], p)
                        for p, lines in chunk
                    ]
                )
                per_order = (counter.n - before) / len(chunk)
                outcome["queries"].extend([per_order] * len(chunk))
                for result in results:
                    tally(result)
        else:
            for province, lines in sets:
                before = counter.n
                result = allocate(
                    lines=[DemandLine(ref=r, sku_id=s, quantity=q) for r, s, q in lines], province=province
                )
                outcome["queries"].append(counter.n - before)
                tally(result)
    outcome["cpu"] = time.process_time() - cpu
    outcome["db"] = counter.db
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
    parser.add_argument(
        "--path",
        choices=["inventory", "orders"],
        default="inventory",
        help="inventory: its allocate services alone; orders: the orders app's allocation (one worker)",
    )
    args = parser.parse_args()
    if args.path == "orders" and args.workers != 1:
        parser.error("--path orders runs with one worker")

    started = time.perf_counter()
    recreate_database()
    setup_django()
    from django.db import connections

    sku_ids = load_stock(skus=args.skus, seed=args.seed, all_apps=args.path == "orders")
    sets = demand_sets(orders=args.orders, sku_ids=sku_ids, seed=args.seed)
    if args.path == "orders":
        load_orders(sets, seed=args.seed)
    print(
        f"setup: {len(sku_ids)} SKUs × 5 warehouses, {len(sets)} demand sets in {time.perf_counter() - started:.1f}s"
    )

    connections.close_all()
    t0 = time.perf_counter()
    if args.path == "orders":
        outcomes = [run_orders(len(sets), args.batch)]
    elif args.workers == 1:
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
    if args.path == "orders":
        how = (
            f"orders_allocate_pending, {args.batch} per transaction"
            if args.batch
            else "order_allocate, one per transaction"
        )
    print(
        f"orders:            {len(queries)} ({how}; {args.workers} worker{'s' if args.workers > 1 else ''})"
    )
    print(
        f"wall time:         {wall:.2f}s  ({len(queries) / wall:.0f} orders/s, {wall / len(queries) * 1000:.2f} ms/order)"
    )
    print(
        f"queries per order: mean {statistics.mean(queries):.2f}, median {statistics.median(queries):.2f}, "
        f"max {max(queries):.2f}"
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
    failed = bool(drift or oversold)
    if args.path == "orders":
        from django.db.models import Sum
        from django_fsm_log.models import StateLog

        from orders.models import OrderLineAllocation

        recorded = OrderLineAllocation.objects.filter(released_at__isnull=True).aggregate(n=Sum("quantity"))[
            "n"
        ]
        held = Reservation.objects.filter(status="active").aggregate(n=Sum("quantity"))["n"]
        skipped = sum(o["skipped"] for o in outcomes)
        print(
            f"orders check:      {StateLog.objects.count()} state log rows, {skipped} skipped; "
            f"{recorded or 0} units recorded on order lines, {held or 0} reserved"
        )
        failed = failed or (recorded or 0) != (held or 0)
    return 1 if failed else 0


def models_F(name):
    from django.db.models import F

    return F(name)


if __name__ == "__main__":
    sys.exit(main())
