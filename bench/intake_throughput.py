"""Intake throughput: the batch API under gunicorn on PostgreSQL, against pgbench running the same SQL.

Run: .venv/bin/python bench/intake_throughput.py [--orders 6000] [--clients 6] [--workers 3] [--batch 100]
It (re)creates database ``oms_bench_intake``, loads 3 warehouses and 200 SKUs with stock, starts gunicorn on
127.0.0.1:8799 (Celery tasks go to Redis db 14 when it answers, as in production, and are purged after),
posts batches of new orders from several client threads and prints orders/second. Then pgbench runs a script
of the intake's statements (customer lookup, address, order, line, payment, logs, and the allocation's
stock-level lock and update, reservation, allocation row) to give this machine's ceiling; both and the
ratio are printed.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
DB = "oms_bench_intake"
PORT = 8799
PROVINCES = [("上海", "上海市", "浦东新区"), ("广东", "广州市", "天河区"), ("北京", "北京市", "朝阳区")]


def setup_database() -> str:
    import psycopg

    url = f"{SERVER}/{DB}"
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB}"')
    env = {**os.environ, "DATABASE_URL": url}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=env)
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


PGBENCH_SCRIPT = r"""
\set cust random(1, 1000000)
\set sku random(1, 200)
\set wh random(1, 3)
BEGIN;
SELECT id FROM orders_channeltoken WHERE key_hash = 'x';
SELECT id FROM orders_order WHERE channel_id = 1 AND external_id = 'PG-' || :client_id || '-' || :cust;
SELECT id FROM orders_customer WHERE phone = '138' || lpad(:cust::text, 8, '0');
INSERT INTO orders_customer (name, phone, email, tier, language, preferred_contact, do_not_contact, is_blacklisted,
                             blacklist_reason, created_at)
  VALUES ('买家', '138' || lpad(:cust::text, 8, '0'), '', 'normal', 'zh-hans', 'sms', false, false, '', now())
  ON CONFLICT (phone) DO UPDATE SET name = excluded.name RETURNING id AS customer_id \gset
INSERT INTO orders_address (name, phone, province, city, district, line1, postcode, country, customer_id)
  VALUES ('买家', '13800000000', '上海', '上海市', '浦东新区', '测试路1号', '', 'CN', :customer_id) RETURNING id AS address_id \gset
SELECT nextval('orders_order_number_seq') AS seq \gset
INSERT INTO orders_order (number, external_id, source, contact_phone, address_key, province, status, held_from_status,
  hold_reason, cancel_reason, placed_at, currency, subtotal, shipping_fee, discount, total, is_urgent, promotion, note,
  priority, priority_reasons, risk_score, risk_reasons, review_reasons, needs_finance_review, review_note,
  allocation_explanation, backorder_info, created_at, updated_at, channel_id, customer_id, shipping_address_id)
  VALUES ('PG' || :seq, 'PG-' || :seq, 'api', '138' || lpad(:cust::text, 8, '0'), md5(:seq::text), '上海', 'pending_payment', '', '', '',
  now(), 'CNY', 79.80, 0, 0, 79.80, false, '', '', 0, '[]', 0, '[]', '[]', false, '', '{}', '{}', now(), now(), 1,
  :customer_id, :address_id) RETURNING id AS order_id \gset
INSERT INTO orders_orderline (line_no, sku_code, name, quantity, unit_price, line_total, order_id, sku_id)
  VALUES (1, 'SKU', '商品', 2, 39.90, 79.80, :order_id, :sku) RETURNING id AS line_id \gset
INSERT INTO orders_payment (method, amount, status, transaction_id, paid_at, created_at, order_id)
  VALUES ('alipay', 79.80, 'paid', 'T', now(), now(), :order_id);
SELECT id FROM orders_orderrule WHERE is_active;
SELECT count(*) FROM orders_order WHERE address_key = md5(:seq::text) AND placed_at >= now() - interval '1 day';
SELECT count(*) FROM orders_order WHERE contact_phone = '138' || lpad(:cust::text, 8, '0') AND placed_at >= now() - interval '1 day';
INSERT INTO django_fsm_log_statelog (timestamp, source_state, state, transition, object_id, by_id, content_type_id, description)
  SELECT now(), 'pending_payment', 'paid', 'pay', :order_id, NULL, id, NULL FROM django_content_type WHERE model = 'order' AND app_label = 'orders';
INSERT INTO django_fsm_log_statelog (timestamp, source_state, state, transition, object_id, by_id, content_type_id, description)
  SELECT now(), 'paid', 'approved', 'auto_approve', :order_id, NULL, id, NULL FROM django_content_type WHERE model = 'order' AND app_label = 'orders';
INSERT INTO oms_outboxmessage (created_at, channel, recipient, subject, body, language, event, dedupe_key, status, attempts, last_error)
  VALUES (now(), 'sms', '13800000000', 's', 'b', 'zh-hans', 'order.paid', 'pg:' || :order_id, 'pending', 0, '');
UPDATE orders_order SET status = 'approved', paid_at = now() WHERE id = :order_id;
COMMIT;
BEGIN;
SELECT id FROM orders_order WHERE id = :order_id FOR UPDATE;
SELECT id FROM inventory_stocklevel WHERE sku_id = :sku ORDER BY sku_id, warehouse_id FOR UPDATE;
SELECT id FROM inventory_reservation WHERE demand_ref = 'order-line:' || :line_id AND status = 'active';
INSERT INTO inventory_reservation (sku_id, warehouse_id, quantity, demand_ref, status, created_at, closed_reason)
  SELECT :sku, id, 2, 'order-line:' || :line_id, 'active', now(), '' FROM inventory_warehouse ORDER BY priority LIMIT 1 RETURNING id AS res_id \gset
UPDATE inventory_stocklevel SET reserved = reserved + 2, updated_at = now()
  WHERE sku_id = :sku AND warehouse_id = (SELECT id FROM inventory_warehouse ORDER BY priority LIMIT 1);
INSERT INTO orders_orderlineallocation (line_id, warehouse_id, quantity, reservation_id, demand_ref, created_at)
  SELECT :line_id, id, 2, :res_id, 'order-line:' || :line_id, now() FROM inventory_warehouse ORDER BY priority LIMIT 1;
INSERT INTO django_fsm_log_statelog (timestamp, source_state, state, transition, object_id, by_id, content_type_id, description)
  SELECT now(), 'approved', 'allocated', 'allocate', :order_id, NULL, id, NULL FROM django_content_type WHERE model = 'order' AND app_label = 'orders';
UPDATE orders_order SET status = 'allocated', allocated_at = now() WHERE id = :order_id;
COMMIT;
"""


def run_pgbench(*, clients: int, seconds: int) -> float:
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
        fh.write(PGBENCH_SCRIPT)
    out = subprocess.run(
        ["pgbench", "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", fh.name, f"{SERVER}/{DB}"],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise RuntimeError(f"pgbench failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    for line in out.stdout.splitlines():
        if line.startswith("tps"):
            return float(line.split("=")[1].split()[0])
    raise RuntimeError(out.stdout + out.stderr)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=6000)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    args = parser.parse_args()

    token = setup_database()
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DB}",
        "LOG_LEVEL": "WARNING",
        "DEBUG": "0",
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/14",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "oms.wsgi",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--timeout",
            "300",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request("GET", "/healthz/")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start")
            time.sleep(0.2)
        rate, statuses = run_api(token, orders=args.orders, clients=args.clients, batch=args.batch)
    finally:
        server.terminate()
        server.wait(timeout=30)
        subprocess.run(["redis-cli", "-n", "14", "FLUSHDB"], capture_output=True)
    ceiling = run_pgbench(clients=args.clients, seconds=args.pgbench_seconds)
    print(
        f"batch API, {args.workers} gunicorn workers, {args.clients} clients, batches of {args.batch}: "
        f"{rate:.0f} orders/s  (statuses {statuses})"
    )
    ceiling = run_pgbench(clients=args.clients, seconds=args.pgbench_seconds)
    print(f"pgbench, same statements, {args.clients} clients: {ceiling:.0f} orders/s")
    print(f"ratio API / pgbench: {rate / ceiling:.2f}")


if __name__ == "__main__":
    main()
