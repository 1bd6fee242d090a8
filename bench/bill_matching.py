"""Benchmark: auto-matching a supplier's bill of 100,000 lines against 100,000 items on a statement.

Run: .venv/bin/python bench/bill_matching.py [--items 100000] [--database oms_bench_recon]
(Re)creates the database on the server of BENCH_SERVER_URL (default postgres://postgres@127.0.0.1:5432),
migrates it, inserts goods receipts from one supplier in SQL (generate_series), then runs the real
services and prints the wall time of each step: items_collect, statement_create + select all matching,
writing the bill CSV, and bill_upload + bill_match_start, which runs the matching job (parse, COPY,
SQL match) eagerly in-process, as a Celery worker would. Aim: matching < 30 s on a 2-core machine.
The bill differs from our side on purpose: 1% amounts, 0.5% quantities, 0.5% of our lines missing,
500 lines only on their side.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")


def prepare(*, database: str, suppliers: dict[str, int]) -> str:
    """A fresh, migrated database with ``n`` goods receipts for each supplier code; returns its URL."""
    url = f"{SERVER}/{database}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    step = time.monotonic()
    env = {k: v for k, v in os.environ.items() if k != "CELERY_BROKER_URL"}
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        check=True,
        env={**env, "DATABASE_URL": url},
    )
    print(f"migrate: {time.monotonic() - step:.1f}s")
    step = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO inventory_warehouse (code, name, province, city, address, regions, priority, daily_capacity, is_active)"
            " VALUES ('BW', '基准仓', '上海', '上海市', '', '{}', 10, 1000, true)"
        )
        conn.execute(
            "INSERT INTO inventory_product (code, name, brand, category, description, created_at)"
            " VALUES ('BP', '基准商品', '', '', '', now())"
        )
        conn.execute("""
            INSERT INTO inventory_sku (code, name, barcode, price, weight_g, volume_cm3, is_fragile, is_high_value,
                                       is_bulky, is_sellable, created_at, product_id)
            SELECT 'SKU-' || lpad(g::text, 4, '0'), '', NULL, 59.90, 300, 0, false, false, false, true, now(),
                   (SELECT id FROM inventory_product WHERE code = 'BP')
            FROM generate_series(1, 1000) g""")
        for n, (code, count) in enumerate(suppliers.items()):
            conn.execute(
                "INSERT INTO inventory_supplier (code, name, contact_name, phone, email, is_active)"
                " VALUES (%s, %s, '', '', '', true)",
                [code, f"基准供应商 {code}"],
            )
            conn.execute(
                """
                INSERT INTO inventory_stockmovement (created_at, kind, bucket, quantity, balance_after, reference, reason,
                                                     unit_cost, sku_id, warehouse_id, supplier_id)
                SELECT timestamp '2026-10-01' + (g %% 31) * interval '1 day' + (g %% 1000) * interval '1 second',
                       'receipt', 'sellable', 1 + g %% 20, 0, %s || lpad(g::text, 7, '0'), '',
                       round((5 + (g %% 400) * 0.25)::numeric, 2),
                       (SELECT min(id) FROM inventory_sku) + g %% 1000,
                       (SELECT id FROM inventory_warehouse WHERE code = 'BW'),
                       (SELECT id FROM inventory_supplier WHERE code = %s)
                FROM generate_series(1, %s) g""",
                [f"RK{n}-", code, count],
            )
        conn.execute("ANALYZE")
    print(f"generate receipts {suppliers}: {time.monotonic() - step:.1f}s")
    return url


def setup_django(url: str, media: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["MEDIA_ROOT"] = media
    os.environ.pop("CELERY_BROKER_URL", None)  # the job runs in-process (eager), timed with the rest
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    import django

    django.setup()


def bill_csv(statement_id: int) -> tuple[bytes, dict[str, int]]:
    """The supplier's version of our lines, with known differences."""
    from reconciliation.models import ReconcilableItem

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["单号", "商品编码", "数量", "金额", "日期"])
    expected = {"amount": 0, "quantity": 0, "ours_only": 0, "theirs_only": 500}
    rows = ReconcilableItem.objects.filter(statement_id=statement_id).order_by("pk")
    for n, (ref, sku, qty, amount, day) in enumerate(
        rows.values_list("reference", "sku_code", "quantity", "amount", "item_date").iterator(
            chunk_size=10000
        )
    ):
        if n % 200 == 7:
            expected["ours_only"] += 1
            continue
        if n % 100 == 3:
            amount += 1
            expected["amount"] += 1
        elif n % 200 == 5:
            qty += 1
            expected["quantity"] += 1
        writer.writerow([ref, sku, qty, f"{amount:.2f}", day.isoformat()])
    for n in range(500):
        writer.writerow([f"THEIRS-{n:05d}", "SKU-0001", 1, "9.90", "2026-10-31"])
    return buffer.getvalue().encode(), expected


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--database", default="oms_bench_recon")
    args = parser.parse_args()

    url = prepare(database=args.database, suppliers={"SUP-BILL": args.items})
    media = tempfile.mkdtemp(prefix="oms-bench-media-")
    setup_django(url, media)
    from django.core.files.uploadedfile import SimpleUploadedFile

    from inventory.models import Supplier
    from oms.models import BackgroundJob
    from reconciliation.models import BillMatch, SupplierBill
    from reconciliation.selectors import ItemFilter
    from reconciliation.services import (
        bill_match_start,
        bill_upload,
        items_collect,
        mapping_save,
        statement_create,
        statement_select,
    )

    supplier = Supplier.objects.get(code="SUP-BILL")
    t = time.perf_counter()
    added = items_collect(supplier_id=supplier.pk)
    print(f"items_collect: {time.perf_counter() - t:.2f}s ({sum(added.values()):,} items)")
    t = time.perf_counter()
    statement = statement_create(supplier_id=supplier.pk)
    totals = statement_select(statement_id=statement.pk, filters=ItemFilter())
    print(
        f"statement_create + select all matching: {time.perf_counter() - t:.2f}s ({totals.line_count:,} lines, ¥{totals.total})"
    )
    t = time.perf_counter()
    content, expected = bill_csv(statement.pk)
    print(f"write the bill CSV: {time.perf_counter() - t:.2f}s ({len(content) / 1e6:.1f} MB)")
    mapping_save(
        supplier_id=supplier.pk,
        columns={
            "reference": "单号",
            "sku": "商品编码",
            "quantity": "数量",
            "amount": "金额",
            "date": "日期",
        },
    )

    t = time.perf_counter()
    bill = bill_upload(statement_id=statement.pk, upload=SimpleUploadedFile("bill.csv", content))
    bill = bill_match_start(bill_id=bill.pk)  # commits; the job runs eagerly on commit
    elapsed = time.perf_counter() - t
    bill = SupplierBill.objects.get(pk=bill.pk)
    job = BackgroundJob.objects.get(pk=bill.job_id)
    counts = bill.counts
    print(f"\nbill upload + matching job (parse, COPY, SQL match): {elapsed:.2f}s  [aim < 30 s]")
    print(
        f"  job {job.status}, {job.started_at and (job.finished_at - job.started_at).total_seconds():.2f}s in the job"
    )
    print(f"  bill rows: {bill.row_count:,}; results: {counts}")
    print(f"  expected differences: {expected}")
    ok = (
        counts.get("amount") == expected["amount"]
        and counts.get("quantity") == expected["quantity"]
        and counts.get("ours_only") == expected["ours_only"]
        and counts.get("theirs_only") == expected["theirs_only"]
        and BillMatch.objects.filter(bill=bill).count() == sum(counts.values())
    )
    print(f"  differences found exactly as planted: {'yes' if ok else 'NO'}")


if __name__ == "__main__":
    main()
