"""Intake throughput: the batch API under gunicorn on PostgreSQL, against pgbench running the same SQL.

Run: .venv/bin/python bench/intake_throughput.py [--orders 6000] [--clients 6] [--workers 3] [--batch 100]
     [--database oms_bench_intake] [--redis-db 14]
It (re)creates database ``oms_bench_intake``, loads 3 warehouses and 200 SKUs with stock, starts gunicorn on
127.0.0.1:8799 (Celery tasks go to Redis db 14 when it answers, as in production, and are purged after),
posts batches of new orders from several client threads and prints orders/second. Then pgbench runs a script
of the statements one batch request sends (``pgbench_script``: the per-batch lookups, the bulk inserts,
one commit) to give this machine's ceiling for that SQL; both, the ratio and
the load average after each are printed. Allocation is in neither: the batch intake leaves approved orders
to the batch allocation task, sent after commit (bench/allocation_batch.py measures that).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    SERVER,
    database_create,
    gunicorn_start,
    http_wait,
    migrate,
    pgbench_run,
    process_stop,
)

DB = "oms_bench_intake"
PORT = 8799
PROVINCES = [("上海", "上海市", "浦东新区"), ("广东", "广州市", "天河区"), ("北京", "北京市", "朝阳区")]


def setup_database(db: str = DB) -> str:
    url = database_create(db)
    migrate(url)
    env = {**os.environ, "DATABASE_URL": url}
    script = """
from inventory.models import Product, SKU, Warehouse
from inventory.services import stock_receive
from orders.models import Channel
from orders.services import channel_token_create
whs = [Warehouse.objects.create(code=c, name=n, province=p, regions=[p], priority=i + 1)
       for i, (c, n, p) in enumerate([("SH", "上海仓", "上海"), ("GZ", "广州仓", "广东"), ("BJ", "北京仓", "北京")])]
for i in range(1, 201):
    product = Product.objects.create(code=f"PB{i}", name=f"商品{i}", category=f"c{i % 10}")
    sku = SKU.objects.create(product=product, code=f"SKU-B-{i:04d}", price="39.90")
    for wh in whs:
        stock_receive(sku_id=sku.pk, warehouse_id=wh.pk, quantity=1_000_000, reference="bench")
channel = Channel.objects.create(code="tmall", name="天猫旗舰店", kind="marketplace")
print(channel_token_create(channel=channel)[1])
"""
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        check=True,
        env=env,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def body(n: int, rng: random.Random) -> dict:
    province, city, district = PROVINCES[n % 3]
    phone = f"139{rng.randrange(10_000_000, 99_999_999)}"
    lines = [
        {"sku": f"SKU-B-{rng.randrange(1, 201):04d}", "quantity": 1 + rng.randrange(3), "unit_price": "39.90"}
        for _ in range(1 + rng.randrange(2))
    ]
    total = sum(39.90 * line["quantity"] for line in lines)
    return {
        "external_id": f"BENCH-{n:08d}",
        "customer": {"name": "买家", "phone": phone},
        "shipping_address": {
            "province": province,
            "city": city,
            "district": district,
            "line1": f"测试路{rng.randrange(1, 999)}号{rng.randrange(1, 30)}栋",
        },
        "lines": lines,
        "payment": {
            "method": "alipay",
            "status": "paid",
            "amount": f"{total:.2f}",
            "transaction_id": f"T{n}",
        },
    }


def run_api(token: str, *, orders: int, clients: int, batch: int) -> tuple[float, dict]:
    rng = random.Random(7)
    batches = [
        [body(n, rng) for n in range(start, min(start + batch, orders))] for start in range(0, orders, batch)
    ]
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    work = list(enumerate(batches))

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
        while True:
            with lock:
                if not work:
                    break
                _i, items = work.pop()
            conn.request(
                "POST",
                "/api/v1/orders/batch/",
                json.dumps({"orders": items}),
                {"Authorization": f"Token {token}", "Content-Type": "application/json"},
            )
            response = conn.getresponse()
            data = json.loads(response.read())
            with lock:
                for result in data["results"]:
                    statuses[result["status"]] = statuses.get(result["status"], 0) + 1
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return orders / (time.perf_counter() - started), statuses


def _sku_expr(k: int, line: int, *, lines: int, skus: int) -> str:
    """The SKU id of line ``line`` of order ``k`` of a batch: consecutive ids from the batch's random start."""
    return f"((:sku + {k * lines + line}) % {skus}) + 1"


def pgbench_script(
    batch: int, *, skus: int = 200, lines: int = 1, sku_codes: tuple[str, ...] = ("SKU-B-0001", "SKU-B-0002")
) -> str:
    """One batch request of the intake as pgbench runs it: the statements ``orders_intake_batch`` sends, in order.

    Per batch: token, existing orders, SKUs, rules, customers by phone (insert the new ones, read them back),
    risk windows by address and by phone, order numbers, addresses, then the orders (already approved) in one
    INSERT inside a savepoint, then lines, payments, change log, state logs (pay, auto_approve) and outbox rows
    in bulk; one commit. Each pgbench transaction is one batch, so orders/s = tps × batch. (Allocation is not
    in it: the batch allocation task does it after commit, see bench/allocation_batch.py.) SKU ids are
    1..``skus`` (as a fresh bench database numbers them); each order has ``lines`` lines of its own SKUs.
    The script leaves the order ids of the batch in pgbench's variable ``orders`` (``ARRAY[…]``).
    """
    n = batch
    ext = ", ".join(f"'PG-' || :client_id || '-' || :b || '-{k}'" for k in range(n))
    phones = ", ".join(f"'13' || lpad((:b * {n} + {k})::text, 9, '0')" for k in range(n))
    codes = ", ".join(f"'{code}'" for code in sku_codes)
    out = [
        r"\set b random(1, 9999999)",
        rf"\set sku random(1, {skus})",
        "BEGIN;",
        "SELECT id, channel_id FROM orders_channeltoken WHERE key_hash = 'x' AND revoked_at IS NULL;",
        f"SELECT * FROM orders_order WHERE channel_id = 1 AND external_id IN ({ext});",
        f"SELECT * FROM inventory_sku s JOIN inventory_product p ON p.id = s.product_id WHERE s.code IN ({codes});",
        "SELECT * FROM orders_orderrule WHERE is_active;",
        f"SELECT * FROM orders_customer WHERE phone IN ({phones});",
        "INSERT INTO orders_customer (name, phone, email, tier, language, preferred_contact, do_not_contact, "
        "is_blacklisted, blacklist_reason, created_at) "
        f"SELECT '买家', '13' || lpad((:b * {n} + k)::text, 9, '0'), '', 'normal', 'zh-hans', 'sms', false, false, '', "
        f"now() FROM generate_series(0, {n - 1}) k ON CONFLICT DO NOTHING;",
        f"SELECT 'ARRAY[' || string_agg(id::text, ',' ORDER BY phone) || ']' AS customers FROM orders_customer "
        f"WHERE phone IN ({phones}) \\gset",
        "SELECT address_key, placed_at FROM orders_order WHERE address_key IN "
        f"({', '.join(f'md5(:b::text || {k})' for k in range(n))}) AND placed_at >= now() - interval '1 day';",
        f"SELECT contact_phone, placed_at FROM orders_order WHERE contact_phone IN ({phones}) "
        "AND placed_at >= now() - interval '1 day';",
        f"SELECT 'ARRAY[' || string_agg(v::text, ',') || ']' AS numbers FROM "
        f"(SELECT nextval('orders_order_number_seq') AS v FROM generate_series(1, {n})) s \\gset",
        "WITH a AS (INSERT INTO orders_address (name, phone, province, city, district, line1, postcode, country, "
        f"customer_id) SELECT '买家', '13' || lpad((:b * {n} + k)::text, 9, '0'), '上海', '上海市', '浦东新区', "
        f"'测试路1号', '', 'CN', (:customers)[k + 1] FROM generate_series(0, {n - 1}) k RETURNING id) "
        "SELECT 'ARRAY[' || string_agg(id::text, ',' ORDER BY id) || ']' AS addresses FROM a \\gset",
    ]
    total = f"{79.80 * lines:.2f}"
    out += [
        "SAVEPOINT orders;",
        "WITH o AS (INSERT INTO orders_order (number, external_id, source, contact_phone, address_key, province, "
        "status, held_from_status, hold_reason, cancel_reason, placed_at, paid_at, approved_at, currency, "
        "subtotal, shipping_fee, discount, coupon_amount, platform_coupon_amount, points_amount, total, "
        "is_urgent, promotion, note, priority, priority_reasons, risk_score, risk_reasons, review_reasons, "
        "needs_finance_review, review_note, allocation_explanation, backorder_info, intake_digest, created_at, "
        "updated_at, channel_id, customer_id, shipping_address_id) "
        f"SELECT 'SO' || (:numbers)[k + 1], 'PG-' || :client_id || '-' || :b || '-' || k, 'api', "
        f"'13' || lpad((:b * {n} + k)::text, 9, '0'), md5(:b::text || k), '上海', 'approved', '', '', '', "
        f"now(), now(), now(), 'CNY', {total}, 0, 0, 0, 0, 0, {total}, false, '', '', 0, '[]', 0, '[]', '[]', "
        "false, '', '{}', '{}', '{}', now(), now(), 1, (:customers)[k + 1], (:addresses)[k + 1] "
        f"FROM generate_series(0, {n - 1}) k RETURNING id) "
        "SELECT 'ARRAY[' || string_agg(id::text, ',' ORDER BY id) || ']' AS orders FROM o \\gset",
        "RELEASE SAVEPOINT orders;",
    ]
    ids = [f"(:orders)[{k + 1}]" for k in range(n)]
    out += [
        "INSERT INTO orders_orderline (line_no, sku_code, name, quantity, unit_price, line_total, coupon_share, "
        "discount_share, platform_coupon_share, points_share, net_total, order_id, sku_id) VALUES "
        + ", ".join(
            f"({i + 1}, 'SKU', '商品', 2, 39.90, 79.80, 0, 0, 0, 0, 79.80, {o}, "
            f"{_sku_expr(k, i, lines=lines, skus=skus)})"
            for k, o in enumerate(ids)
            for i in range(lines)
        )
        + ";",
        "INSERT INTO orders_payment (method, amount, status, transaction_id, paid_at, created_at, collected_by, "
        "failure_reason, refunded_amount, order_id) VALUES "
        + ", ".join(f"('alipay', {total}, 'paid', 'T', now(), now(), '', '', 0, {o})" for o in ids)
        + ";",
        "INSERT INTO oms_changelog (timestamp, by_id, content_type_id, object_id, object_repr, action, changes, "
        "note) SELECT now(), NULL, ct.id, o, 'SO', 'create', '{}', 'Intake: api' FROM django_content_type ct, "
        f"unnest(ARRAY[{', '.join(ids)}]) o WHERE ct.app_label = 'orders' AND ct.model = 'order';",
        "INSERT INTO django_fsm_log_statelog (timestamp, source_state, state, transition, object_id, by_id, "
        "content_type_id, description) SELECT now(), t.source, t.target, t.name, o, NULL, ct.id, NULL "
        f"FROM django_content_type ct, unnest(ARRAY[{', '.join(ids)}]) o, (VALUES ('pending_payment', 'paid', "
        "'pay'), ('paid', 'approved', 'auto_approve')) t(source, target, name) "
        "WHERE ct.app_label = 'orders' AND ct.model = 'order';",
        "SELECT dedupe_key FROM oms_outboxmessage WHERE dedupe_key IN ("
        + ", ".join(f"'order:' || {o} || ':paid'" for o in ids)
        + ");",
        "INSERT INTO oms_outboxmessage (created_at, channel, recipient, subject, body, language, event, "
        "dedupe_key, status, attempts, last_error) VALUES "
        + ", ".join(
            f"(now(), 'sms', '13800000000', 's', 'b', 'zh-hans', 'order.paid', 'order:' || {o} || ':paid', "
            "'pending', 0, '')"
            for o in ids
        )
        + ";",
        "COMMIT;",
    ]
    return "\n".join(out) + "\n"


def run_pgbench(*, clients: int, seconds: int, batch: int, db: str = DB) -> float:
    """Orders per second of the intake's statements run by pgbench (tps × orders per transaction)."""
    result = pgbench_run(
        pgbench_script(batch), url=f"{SERVER}/{db}", clients=clients, seconds=seconds, per_transaction=batch
    )
    return result["orders_per_s"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--database", default=DB, help="bench database (dropped and created again)")
    parser.add_argument(
        "--redis-db", type=int, default=14, help="Redis database of the broker (flushed after)"
    )
    args = parser.parse_args()

    token = setup_database(args.database)
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{args.database}",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "CELERY_BROKER_URL": f"redis://127.0.0.1:6379/{args.redis_db}",
    }
    server = gunicorn_start(port=PORT, env=env, workers=args.workers)
    try:
        http_wait(PORT, timeout=90, process=server)
        rate, statuses = run_api(token, orders=args.orders, clients=args.clients, batch=args.batch)
    finally:
        process_stop(server)
        subprocess.run(["redis-cli", "-n", str(args.redis_db), "FLUSHDB"], capture_output=True)
    load_api = os.getloadavg()
    ceiling = run_pgbench(
        clients=args.clients, seconds=args.pgbench_seconds, batch=args.batch, db=args.database
    )
    load_pg = os.getloadavg()
    print(
        f"batch API, {args.workers} gunicorn workers, {args.clients} clients, batches of {args.batch}: "
        f"{rate:.0f} orders/s  (statuses {statuses}; load average after {load_api[0]:.2f})"
    )
    print(
        f"pgbench, same statements, {args.clients} clients, one batch of {args.batch} per transaction: "
        f"{ceiling:.0f} orders/s  (load average after {load_pg[0]:.2f})"
    )
    print(f"ratio API / pgbench: {rate / ceiling:.2f}")
    print("(allocation is not included in either: the batch allocation task does it after commit)")


if __name__ == "__main__":
    main()
