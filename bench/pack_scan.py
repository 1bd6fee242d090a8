"""Benchmark: server time per pack-station scan (view + service + PackScan row) with 50 lines in the parcel.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/oms .venv/bin/python bench/pack_scan.py [--lines 50] [--rounds 3]
Creates and drops its own database (``bench_oms_pack``). Prints median and p95 of the scan POSTs (aim p95
< 100 ms), the queries per scan (must not grow with the lines) and the response size, with the load average.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=50)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    os.environ["TEST_DATABASE_NAME"] = "bench_oms_pack"
    import django

    django.setup()
    from django.test.utils import setup_databases, setup_test_environment, teardown_databases

    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    load_before = os.getloadavg()
    try:
        timings, queries, sizes = run(args.lines, args.rounds)
    finally:
        teardown_databases(old, verbosity=0)
    load_after = os.getloadavg()
    timings.sort()
    p95 = timings[max(0, int(len(timings) * 0.95) - 1)]
    print(f"{len(timings)} scans, parcel of {args.lines} lines")
    print(f"median {statistics.median(timings):.1f} ms  p95 {p95:.1f} ms  max {timings[-1]:.1f} ms")
    print(
        f"queries per scan: min {min(queries)} max {max(queries)}  response bytes: median {statistics.median(sizes):.0f}"
    )
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min; {os.cpu_count()} CPUs)"
    )
    print("aim (p95 < 100 ms):", "met" if p95 < 100 else "NOT met")


def run(lines: int, rounds: int) -> tuple[list[float], list[int], list[int]]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from fulfillment.services import shipments_create_for_order
    from oms.roles import sync_roles
    from tests.factories import CarrierServiceFactory, RateRowFactory, SKUFactory, WarehouseFactory
    from tests.fulfillment.conftest import allocated_order_through_services

    sync_roles()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    user = get_user_model().objects.create_user(username="bench", password="x")
    user.groups.add(Group.objects.get(name="Warehouse"))
    RateRowFactory(service=CarrierServiceFactory())
    warehouse = WarehouseFactory(code="WH-B")
    client = Client()
    client.force_login(user)
    timings, queries, sizes = [], [], []
    for r in range(rounds):
        skus = [SKUFactory(code=f"B{r}-{i:03d}", weight_g=100) for i in range(lines)]
        order = allocated_order_through_services(
            lines=[(sku, 1, "9.90") for sku in skus],
            phone=f"1380000{r:04d}",
            external_id=f"BENCH-{r}",
            warehouse=warehouse,
        )
        [shipment] = shipments_create_for_order(order_id=order.pk)
        url = reverse("fulfillment:pack-shipment", args=[shipment.pk])
        for code in [sku.code for sku in skus] + ["NOT-IN-PARCEL"] * 5:
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.post(url, {"code": code}, headers={"HX-Request": "true"})
                timings.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
            queries.append(len(captured.captured_queries))
            sizes.append(len(response.content))
    return timings, queries, sizes


if __name__ == "__main__":
    main()
