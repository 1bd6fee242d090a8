"""Order list on 1,000,000 orders: server time of the first page, a filtered page and the 1,000th page,
and the query count for 10 vs 10,000 matching rows.

Run: .venv/bin/python bench/order_list.py [--orders 1000000] [--runs 15] [--fresh]
Uses bench/datagen.py (INSERT ... SELECT generate_series) to build database ``oms_bench_orders``.
Times are measured in-process around the Django request (view, queries, template), no network.
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
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--fresh", action="store_true")
    args = parser.parse_args()

    from bench.datagen import prepare

    url = prepare(orders=args.orders, database="oms_bench_orders", fresh=args.fresh)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    import django

    django.setup()
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from oms.models import User
    from oms.roles import sync_roles
    from orders.models import Channel, Order, Tag

    sync_roles()
    user, _ = User.objects.get_or_create(username="bench-ops", defaults={"language": "en"})
    user.groups.add(Group.objects.get(name="Operations"))
    client = Client()
    client.force_login(user)

    # Two tags matching exactly 10 and 10,000 orders, for the query-count comparison.
    few, _ = Tag.objects.get_or_create(name="bench-10")
    many, _ = Tag.objects.get_or_create(name="bench-10000")
    through = Order.tags.through
    if not through.objects.filter(tag=few).exists():
        ids = list(Order.objects.order_by("pk").values_list("pk", flat=True)[:10_010])
        through.objects.bulk_create([through(order_id=i, tag_id=few.pk) for i in ids[:10]])
        through.objects.bulk_create([through(order_id=i, tag_id=many.pk) for i in ids[10:]], batch_size=5000)
    tmall = Channel.objects.get(code="tmall")

    def timed(url: str) -> tuple[float, float]:
        client.get(url)  # warm
        samples = []
        for _ in range(args.runs):
            started = time.perf_counter()
            response = client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        samples.sort()
        return statistics.median(samples), samples[max(0, int(round(0.95 * len(samples))) - 1)]

    print(f"orders: {Order.objects.count():,}")
    for label, url in [
        ("first page", "/orders/"),
        ("filtered page (status + channel)", f"/orders/?status=allocated&channel={tmall.pk}"),
        ("1,000th page", "/orders/?page=1000"),
        ("search by phone", "/orders/?q=13000000777"),
    ]:
        median, p95 = timed(url)
        print(f"{label:<36} median {median:7.1f} ms   p95 {p95:7.1f} ms")
    for label, tag in [("10 matching rows", few), ("10,000 matching rows", many)]:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(f"/orders/?tag={tag.pk}").status_code == 200
        print(f"queries, {label:<24} {len(ctx.captured_queries)}")


if __name__ == "__main__":
    main()
