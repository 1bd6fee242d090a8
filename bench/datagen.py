"""Fast generator of a realistic order history for benchmarks: N orders with 1–4 lines each, in SQL.

Run: .venv/bin/python bench/datagen.py --orders 1000000 [--database oms_bench]
It (re)creates the database on the server of DATABASE_URL (default postgres://postgres@127.0.0.1:5432),
migrates it, creates channels, warehouses, SKUs and customers, then inserts orders and lines with
INSERT ... SELECT generate_series (no Python per row). Prints how long each step took.
Benchmarks import ``prepare(orders=..., database=...)`` and get the database URL back.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
PROVINCES = [
    "上海",
    "江苏",
    "浙江",
    "广东",
    "北京",
    "山东",
    "四川",
    "湖北",
    "福建",
    "河南",
    "安徽",
    "湖南",
    "天津",
    "河北",
    "陕西",
    "重庆",
    "辽宁",
    "广西",
    "云南",
    "江西",
]
# Most of a real history is finished; a few thousand orders are still being worked.
STATUS_MIX = [
    ("completed", 80),
    ("delivered", 6),
    ("shipped", 4),
    ("cancelled", 5),
    ("allocated", 2),
    ("on_review", 1),
    ("backordered", 1),
    ("paid", 1),
]


def _status_case() -> str:
    parts, upper = [], 0
    for status, share in STATUS_MIX:
        upper += share
        parts.append(f"WHEN (g % 100) < {upper} THEN '{status}'")
    return "CASE " + " ".join(parts) + " END"


def prepare(*, orders: int, database: str = "oms_bench", days: int = 365, fresh: bool = True) -> str:
    """Create and fill ``database``; return its URL. Reuses a filled database of the same size unless ``fresh``."""
    url = f"{SERVER}/{database}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone()
        if exists and not fresh:
            with psycopg.connect(url) as conn:
                try:
                    count = conn.execute("SELECT count(*) FROM orders_order").fetchone()[0]
                except psycopg.errors.UndefinedTable:
                    count = -1
            if count == orders:
                print(f"reusing {database} with {count:,} orders")
                return url
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    step = time.monotonic()
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DATABASE_URL": url},
    )
    print(f"migrate: {time.monotonic() - step:.1f}s")
    step = time.monotonic()
    with psycopg.connect(url, autocommit=True) as conn:
        _fill(conn, orders=orders, days=days)
    print(f"generate {orders:,} orders: {time.monotonic() - step:.1f}s")
    return url


def _fill(conn, *, orders: int, days: int) -> None:
    customers = max(orders // 4, 10)
    conn.execute("""
        INSERT INTO orders_channel (code, name, kind, currency, sla_hours, is_active)
        VALUES ('tmall', '天猫旗舰店', 'marketplace', 'CNY', 24, true),
               ('web', '官网商城', 'own_shop', 'CNY', 48, true),
               ('phone', '电话订购', 'phone', 'CNY', 24, true)
        ON CONFLICT DO NOTHING""")
    conn.execute("""
        INSERT INTO inventory_product (code, name, brand, category, description, created_at)
        SELECT 'P' || g, '商品 ' || g, '品牌', '类目' || (g % 20), '', now() FROM generate_series(1, 500) g""")
    conn.execute("""
        INSERT INTO inventory_sku (product_id, code, name, barcode, price, weight_g, volume_cm3, is_fragile,
                                   is_high_value, is_bulky, is_sellable, created_at)
        SELECT p.id, 'SKU-' || lpad(g::text, 5, '0'), '规格 ' || g, '69' || lpad(g::text, 11, '0'),
               (19 + (g * 37) % 400)::numeric(12,2), 200 + g % 1800, 1000, false, false, false, true, now()
        FROM generate_series(1, 2000) g JOIN inventory_product p ON p.code = 'P' || (1 + g % 500)""")
    conn.execute(f"""
        INSERT INTO orders_customer (name, phone, email, tier, language, preferred_contact, do_not_contact,
                                     is_blacklisted, blacklist_reason, created_at)
        SELECT '客户' || g, '13' || lpad(g::text, 9, '0'), '', CASE WHEN g % 50 = 0 THEN 'vip' ELSE 'normal' END,
               'zh-hans', 'sms', false, false, '', now()
        FROM generate_series(1, {customers}) g""")  # noqa: S608 - an integer
    provinces = "ARRAY[" + ",".join(f"'{p}'" for p in PROVINCES) + "]"
    conn.execute(f"""
        INSERT INTO orders_address (name, phone, province, city, district, line1, postcode, country, customer_id)
        SELECT c.name, c.phone, ({provinces})[1 + c.id % {len(PROVINCES)}], '市', '区', '路' || c.id || '号', '',
               'CN', c.id
        FROM orders_customer c""")  # noqa: S608 - fixed literals
    conn.execute(f"""
        WITH ch AS (SELECT array_agg(id ORDER BY id) ids FROM orders_channel),
             cu AS (SELECT min(id) lo, max(id) hi FROM orders_customer)
        INSERT INTO orders_order (number, external_id, source, contact_phone, address_key, province, status,
            held_from_status, hold_reason, cancel_reason, placed_at, paid_at, currency, subtotal, shipping_fee,
            discount, total, is_urgent, promotion, note, priority, priority_reasons, risk_score, risk_reasons,
            review_reasons, needs_finance_review, review_note, allocation_explanation, backorder_info, created_at,
            updated_at, channel_id, customer_id, shipping_address_id)
        SELECT 'SO' || lpad(g::text, 10, '0'), 'EXT-' || g, 'api', a.phone, md5(a.line1), a.province,
               {_status_case()}, '', '', '',
               now() - make_interval(secs => (g::bigint * 86400 * {days}) / {orders}),
               now() - make_interval(secs => (g::bigint * 86400 * {days}) / {orders}) + interval '2 minutes',
               'CNY', v.amount, 0, 0, v.amount, g % 97 = 0, CASE WHEN g % 9 = 0 THEN 'double11' ELSE '' END, '',
               0, '[]', 0, '[]', '[]', false, '', '{{}}', '{{}}', now(), now(),
               ch.ids[1 + g % 3], a.customer_id, a.id
        FROM generate_series(1, {orders}) g
        CROSS JOIN ch CROSS JOIN cu
        JOIN orders_address a ON a.id = (SELECT min(id) FROM orders_address) + (g::bigint * 7919) % (cu.hi - cu.lo + 1)
        CROSS JOIN LATERAL (SELECT (19 + (g::bigint * 131) % 1500)::numeric(12,2) AS amount) v
        """)  # noqa: S608 - fixed literals and integers
    conn.execute("""
        INSERT INTO orders_orderline (line_no, sku_code, name, quantity, unit_price, line_total, order_id, sku_id)
        SELECT 1, s.code, s.name, 1, o.total, o.total, o.id, s.id
        FROM orders_order o
        JOIN inventory_sku s ON s.code = 'SKU-' || lpad((1 + (o.id * 31) % 2000)::text, 5, '0')""")
    conn.execute("""
        INSERT INTO orders_orderline (line_no, sku_code, name, quantity, unit_price, line_total, order_id, sku_id)
        SELECT n, s.code, s.name, 1, 0, 0, o.id, s.id
        FROM orders_order o
        CROSS JOIN LATERAL generate_series(2, 1 + o.id % 4) n
        JOIN inventory_sku s ON s.code = 'SKU-' || lpad((1 + (o.id * 17 + n) % 2000)::text, 5, '0')""")
    # A history of this size in production has been vacuumed by autovacuum (visibility map set, statistics
    # fresh); measure that steady state, not the first minutes after a bulk load.
    conn.execute("VACUUM (ANALYZE)")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--database", default="oms_bench")
    parser.add_argument("--reuse", action="store_true", help="keep an existing database of the same size")
    args = parser.parse_args()
    print(prepare(orders=args.orders, database=args.database, fresh=not args.reuse))


if __name__ == "__main__":
    main()
