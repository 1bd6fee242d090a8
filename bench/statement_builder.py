"""Benchmark: the statement builder for a supplier with 50,000 open items — server time, median and p95.

Run: .venv/bin/python bench/statement_builder.py [--items 50000] [--repeat 30] [--database oms_bench_builder]
Creates the database with bench/bill_matching.py's generator (goods receipts in SQL), collects the items
through the real service, then requests the builder in-process through Django's test client as the
finance user (like bench/reports_bench.py), timing each response: the page (open items, a filtered
page, the lines tab) and a selection change (HTMX: tick one item, untick it; tick a page of 50).
Aim: p95 under 300 ms for each.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import bench_parser, percentile  # noqa: E402
from bench.bill_matching import prepare, setup_django  # noqa: E402


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--items", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--database", default="oms_bench_builder")
    args = parser.parse_args()

    url = prepare(database=args.database, suppliers={"SUP-BUILD": args.items, "SUP-OTHER": 5_000})
    setup_django(url, tempfile.mkdtemp(prefix="oms-bench-media-"))
    from django.contrib.auth.models import Group
    from django.test import Client

    from inventory.models import Supplier
    from oms.models import User
    from oms.roles import sync_roles
    from reconciliation.models import ReconcilableItem
    from reconciliation.services import items_collect, statement_create

    sync_roles()
    user, _ = User.objects.get_or_create(username="bench-finance")
    user.groups.add(Group.objects.get(name="Finance"))
    supplier = Supplier.objects.get(code="SUP-BUILD")
    t = time.perf_counter()
    items_collect()
    print(f"items_collect: {time.perf_counter() - t:.2f}s")
    statement = statement_create(supplier_id=supplier.pk, by=user)
    base = f"/reconciliation/statements/{statement.pk}/"
    select_url = f"{base}select/"
    client = Client()
    client.force_login(user)
    open_ids = list(
        ReconcilableItem.objects.filter(supplier=supplier, status="open")
        .order_by("item_date", "pk")
        .values_list("pk", flat=True)
    )
    print(f"open items of the supplier: {len(open_ids):,}")

    def timed(label: str, call, repeat: int = args.repeat):
        call()  # warm-up
        timings = []
        for n in range(repeat):
            t0 = time.perf_counter()
            response = call(n)
            timings.append((time.perf_counter() - t0) * 1000)
            assert response.status_code == 200, (label, response.status_code)
        print(
            f"{label:<52} {statistics.median(timings):>10.1f} {percentile(timings, 95):>8.1f} {max(timings):>8.1f}"
        )

    def page(query: str):
        return lambda n=0: client.get(base + query)

    htmx = {"HX-Request": "true"}
    print(f"\n{'request':<52} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    timed("builder page, open items (page 1)", page(""))
    timed("builder page, open items, page 500", page("?page=500"))
    timed(
        "builder page, filtered (kind + dates + search)",
        page("?kind=receipt&date_from=2026-10-05&date_to=2026-10-20&q=RK0-00012"),
    )

    # Alternately tick and untick: every request is one selection change.
    def one_change(n=0):
        return client.post(
            select_url,
            {"action": "select" if n % 2 == 0 else "deselect", "toggle": open_ids[(n // 2) % 1000]},
            headers=htmx,
        )

    timed("selection change: tick / untick one item (HTMX)", one_change, repeat=args.repeat * 2)

    def page_of_50(n=0):
        ids = open_ids[2000 + (n // 2) * 50 : 2000 + (n // 2) * 50 + 50]
        return client.post(
            select_url, {"action": "select" if n % 2 == 0 else "deselect", "item": ids}, headers=htmx
        )

    timed("selection change: tick / untick a page of 50 (HTMX)", page_of_50, repeat=args.repeat * 2)

    t = time.perf_counter()
    response = client.post(select_url, {"scope": "filter", "action": "select"}, headers=htmx)
    print(
        f"\nselect all {len(open_ids):,} matching (one request): {(time.perf_counter() - t) * 1000:.0f} ms, HTTP {response.status_code}"
    )
    statement.refresh_from_db()
    print(f"statement now: {statement.line_count:,} lines, ¥{statement.total}")
    timed("builder page, lines tab with 50,000 lines", page("?tab=lines"))
    timed("selection change on a 50,000-line draft (one item)", one_change, repeat=args.repeat * 2)
    t = time.perf_counter()
    response = client.post(select_url, {"scope": "filter", "action": "deselect"}, headers=htmx)
    print(
        f"take all {statement.line_count:,} off (one request): {(time.perf_counter() - t) * 1000:.0f} ms, HTTP {response.status_code}"
    )


if __name__ == "__main__":
    main()
