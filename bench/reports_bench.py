"""Benchmark: the dashboard and every report over 1,000,000 orders — server time, median and p95.

Run: .venv/bin/python bench/reports_bench.py [--orders 1000000] [--repeat 15] [--reuse]
Generates the order history with bench/datagen.py (or reuses it with --reuse), rebuilds the summary
tables (timed: what the nightly Celery task does), then requests each page in-process through Django's
test client as the finance manager (all reports) and as operations (dashboard), timing each response.
Aim: p95 under 500 ms for each page.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import bench_parser, percentile  # noqa: E402
from bench.datagen import prepare  # noqa: E402


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--reuse", action="store_true")
    args = parser.parse_args()

    url = prepare(orders=args.orders, fresh=not args.reuse)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from oms.models import User
    from reports.registry import all_reports
    from reports.summaries import refresh_order_summaries, refresh_recent

    call_command("seed_demo", verbosity=0) if not User.objects.filter(username="ops").exists() else None
    started = time.monotonic()
    rows = refresh_order_summaries()
    print(f"full summary rebuild (nightly task): {time.monotonic() - started:.2f}s, {rows:,} summary rows")
    started = time.monotonic()
    refresh_recent(days=2)
    print(f"recent refresh (every 5 minutes): {time.monotonic() - started:.2f}s")

    pages = [("dashboard (operations)", "ops", "/")]
    pages += [(f"report {r.key}", "finance_manager", f"/reports/{r.key}/") for r in all_reports()]
    pages += [
        (
            f"report {r.key}, 365 days by month",
            "finance_manager",
            f"/reports/{r.key}/?date_from=2025-11-22&granularity=month",
        )
        for r in all_reports()[:5]
    ]
    print(f"\n{'page':<45} {'median ms':>10} {'p95 ms':>8} {'max ms':>8}")
    for label, username, path in pages:
        client = Client()
        client.force_login(User.objects.get(username=username))
        response = client.get(path)  # warm-up: connections, template cache
        if response.status_code != 200:
            print(f"{label:<45} HTTP {response.status_code}")
            continue
        timings = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            client.get(path)
            timings.append((time.perf_counter() - t0) * 1000)
        print(
            f"{label:<45} {statistics.median(timings):>10.1f} {percentile(timings, 95):>8.1f} "
            f"{max(timings):>8.1f}"
        )


if __name__ == "__main__":
    main()
