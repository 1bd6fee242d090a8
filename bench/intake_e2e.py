"""End-to-end intake (issue #18): orders posted to gunicorn, allocated, their notices sent by a real Celery worker.

Run:  .venv/bin/python bench/intake_e2e.py --mode single|batch|both --orders 3000 --clients 4 --runs 3
      [--workers 4] [--worker-class sync|gthread --threads 2] [--celery-pool prefork --celery-concurrency 2]
      [--batch 100] [--pgbench-seconds 15] [--backorder-share 0] [--reuse-data] [--profile]

Data (bench/intake_data.py; database ``oms_bench_e2e_tpl``, built once per command, or kept with
``--reuse-data``): migrations (they install the project's default order rules, ``orders.rules.DEFAULT_RULES``;
``ensure_default_rules`` is called again and adds none), one channel with an API token, 7 warehouses in
several regions (SH, GZ, BJ, CD, WH serve their regions and stock every SKU; XA and SY stock 40% of them),
500 SKUs of 10 categories at 9.90–899 (10 of them high-value, 2,199–7,499), 100,000 units per stock row
(nothing backorders unless ``--backorder-share`` sends that share of orders a sold-out SKU), 20,000 existing
customers (3% VIP, 20 blacklisted), and 5,000 orders of history taken in two months earlier through the
batch intake (``load_history``: with empty order tables at ANALYZE time, PostgreSQL would plan the
foreign-key checks as sequential scans of tables the run keeps growing). Each order body: a new customer (about 55%), an existing one (30%), a
second order of a customer of this run (12%, same address mostly), a few third orders (0.4%: the
same-address and same-phone rules then hold them), a few blacklisted buyers (0.2%); names, phones, e-mails
(35%); an address in one of the 34 provinces (full or short name) with a city, district and street; 1–3
lines (55/32/13%) of SKUs with a mild best-seller skew, 15% promotion prices, shipping fee under 99, a
coupon on some, 6% cash on delivery, 1.5% buyer remarks (review), 1% urgent, 0.6% a high-value item. So the
rules run on real facts, and most orders are approved and allocated; the held ones are counted.

Each run (and each mode) gets a fresh copy of that database (``oms_bench_e2e``), then starts gunicorn
(``--workers`` sync workers by default; gthread with ``--worker-class gthread``) and a real Celery worker
(``celery -A oms worker``, prefork, concurrency 2 by default), with DEBUG=0, LOG_LEVEL=WARNING, the cache
and the broker on Redis db 10, and ``OMS_API_RATE`` raised so that the channel throttle (still counted in
Redis) does not refuse the load. The load waits until every gunicorn worker has loaded the application
(``bench/gunicorn_ready.py``): a worker still importing takes CPU from those serving. A few warm-up orders go first. Then ``--clients`` threads, each with its
own keep-alive connection, post the orders (single: one per request to /api/v1/orders/; batch:
``--batch`` per request to /api/v1/orders/batch/) and the latency of every request is recorded. The
benchmark then polls the database until every order of the run is decided (allocated, backordered, or
held for review: not pending payment, paid or approved; the notices are queued by then) and, reported
separately, until the outbox has no pending message (the worker sent the notices). Printed: intake
orders/s, end-to-end orders/s (allocated; notices sent), p50/p95/p99 request latency, the orders' statuses,
and the load average with each figure. Logs of gunicorn and the worker: /tmp/oms_bench_e2e_<mode>_<run>.log.

pgbench then runs, on the same database and with the same client count, the minimal SQL of the mode
(the ceiling): single = one transaction per order (``single_order_script``); batch = the SQL of one batch
request (``intake_throughput.pgbench_script``, 2 lines per order) followed by the batch allocation's SQL
(``allocation_script``). The ratio is end-to-end (allocated) orders/s divided by the ceiling.

Statements and commits per order are counted in this process first, on another copy of the data
(``oms_bench_e2e_count``): ~50 orders posted one by one through django.test.Client (every statement
through ``connection.execute_wrapper``, commits from ``CaptureQueriesContext``), 3 batches, then
``orders_allocate_pending()`` (the worker's batch allocation) and ``outbox_deliver`` (the worker's
delivery) run here to count their statements too. ``--profile`` adds a cProfile of single intakes
in this process (py-spy is not installed) and prints the top functions.
"""

from __future__ import annotations

import contextlib
import cProfile
import http.client
import io
import json
import os
import pstats
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    SERVER,
    QueryCounter,
    bench_parser,
    database_create,
    database_drop,
    database_exists,
    gunicorn_start,
    http_wait,
    load_text,
    migrate,
    percentile,
    pgbench_run,
    process_stop,
)
from bench.intake_data import (  # noqa: E402
    MAIN_WAREHOUSES,
    SEED,
    OrderMaker,
    catalogue,
    existing_customers,
)
from bench.intake_throughput import pgbench_script  # noqa: E402

TEMPLATE_DB = "oms_bench_e2e_tpl"
RUN_DB = "oms_bench_e2e"
COUNT_DB = "oms_bench_e2e_count"
PORT = 8797
REDIS_DB = 10
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
UNDECIDED = ("pending_payment", "paid", "approved")
HELD = ("on_review", "finance_review")


def build_template() -> None:
    started = time.perf_counter()
    url = database_create(TEMPLATE_DB)
    migrate(url)
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": "", "LOG_LEVEL": "WARNING"}
    code = "from bench.intake_data import load_template; load_template()"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=env, check=True
    )
    _sql(url, "VACUUM ANALYZE", autocommit=True)
    print(f"  {TEMPLATE_DB} built in {time.perf_counter() - started:.0f} s")


def _sql(url: str, sql: str, params=None, *, autocommit: bool = True):
    import psycopg

    with psycopg.connect(url, autocommit=autocommit) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def bench_setting(url: str, key: str) -> str:
    return _sql(url, "SELECT value FROM bench_e2e WHERE key = %s", [key])[0][0]


# --- Servers -------------------------------------------------------------------------------------------


def server_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oms.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "OMS_CACHE_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        # The channel throttle stays on (counted in Redis); its default 1,200/min would refuse this load.
        "OMS_API_RATE": "100000000/min",
    }


def redis_flush() -> None:
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], capture_output=True, check=False)


def celery_start(*, env: dict, pool: str, concurrency: int, name: str, log) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/celery"),
        "-A",
        "oms",
        "worker",
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "WARNING",
        "-n",
        name,
        "--without-gossip",
        "--without-mingle",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def celery_wait(name: str, *, process: subprocess.Popen, timeout: float = 90) -> None:
    """Wait until the worker answers a ping through the broker (it consumes tasks from then on)."""
    from oms.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited ({process.returncode})")
        if app.control.ping(destination=[name], timeout=0.5):
            return
    raise RuntimeError(f"the Celery worker {name} did not answer within {timeout:.0f} s")


# --- Load ----------------------------------------------------------------------------------------------


def payloads(maker: OrderMaker, *, orders: int, batch: int) -> list[tuple[str, bytes, int]]:
    """(path, JSON body, orders in it) of each request; encoded before the clock starts."""
    if batch <= 1:
        return [("/api/v1/orders/", json.dumps(maker.body()).encode(), 1) for _ in range(orders)]
    out = []
    for start in range(0, orders, batch):
        bodies = [maker.body() for _ in range(min(batch, orders - start))]
        out.append(("/api/v1/orders/batch/", json.dumps({"orders": bodies}).encode(), len(bodies)))
    return out


def post_all(token: str, work: list[tuple[str, bytes, int]], *, clients: int) -> dict:
    """Post every request from ``clients`` threads, each with its own keep-alive connection."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    lock = threading.Lock()
    queue = iter(work)
    latencies: list[float] = []
    answers: list[tuple[int, bytes]] = []
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
        mine, got = [], []
        try:
            while True:
                with lock:
                    item = next(queue, None)
                if item is None:
                    break
                path, body, _n = item
                t0 = time.perf_counter()
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                data = response.read()
                mine.append(time.perf_counter() - t0)
                got.append((response.status, data))
        except Exception as exc:  # noqa: BLE001 - reported, the others carry on
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                answers.extend(got)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    http_codes: Counter[int] = Counter()
    order_codes: Counter[int] = Counter()
    states: Counter[str] = Counter()
    errors: list[str] = []
    for code, data in answers:
        http_codes[code] += 1
        body = json.loads(data) if data[:1] in (b"{", b"[") else {}
        results = (
            body.get("results")
            if isinstance(body, dict) and "results" in body
            else [{"status": code, "order": body}]
        )
        for result in results:
            order_codes[result["status"]] += 1
            if result["status"] in (200, 201):
                states[(result.get("order") or {}).get("status", "?")] += 1
            elif len(errors) < 3:
                errors.append(f"{result['status']}: {json.dumps(result, ensure_ascii=False)[:300]}")
    return {
        "started": started,
        "elapsed": elapsed,
        "latencies": latencies,
        "http": dict(http_codes),
        "orders": dict(order_codes),
        "answered": dict(states),
        "created": order_codes.get(201, 0),
        "errors": errors + failures,
    }


def wait_settled(
    url: str, *, prefix: str, expected: int, started: float, stall: float, deadline: float
) -> dict:
    """Poll until every order of ``prefix`` is decided and the outbox has nothing pending."""
    import psycopg

    decided = drained = None
    last, last_change = None, time.perf_counter()
    stalled = False
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            statuses = dict(
                conn.execute(
                    "SELECT status, count(*) FROM orders_order WHERE external_id LIKE %s GROUP BY status",
                    [prefix + "%"],
                ).fetchall()
            )
            pending = conn.execute(
                "SELECT count(*) FROM oms_outboxmessage WHERE status = 'pending'"
            ).fetchone()[0]
            now = time.perf_counter()
            if (
                decided is None
                and sum(statuses.values()) >= expected
                and not any(statuses.get(s) for s in UNDECIDED)
            ):
                decided = now
            if decided is not None and pending == 0:
                drained = now
                break
            state = (tuple(sorted(statuses.items())), pending)
            if state != last:
                last, last_change = state, now
            if now - last_change > stall or now - started > deadline:
                stalled = True
                break
            time.sleep(0.05)
        outbox = dict(
            conn.execute("SELECT status, count(*) FROM oms_outboxmessage GROUP BY status").fetchall()
        )
    return {
        "statuses": statuses,
        "decided_s": decided - started if decided else None,
        "drained_s": drained - started if drained else None,
        "outbox": outbox,
        "outbox_pending": pending,
        "stalled": stalled,
    }


# --- pgbench ceilings ----------------------------------------------------------------------------------


def single_order_script(*, skus: int, customers: tuple[int, int]) -> str:
    """The minimal SQL of one order, one transaction: the idempotent order insert (with its address), 2 lines,
    the stock rows of its 2 SKUs locked (every warehouse, as the planner needs them), the chosen warehouse's
    rows reserved, 2 reservation rows, the outbox row; commit. (No payment, change log, state log or
    line-allocation rows: the issue's definition of the ceiling.)"""
    return f"""\\set n random(1, 9000000000000000)
\\set cust random({customers[0]}, {customers[1]})
\\set s1 random(1, {skus})
\\set s2 random(1, {skus})
\\set wh random(1, {MAIN_WAREHOUSES})
BEGIN;
WITH a AS (INSERT INTO orders_address (name, phone, province, city, district, line1, postcode, country, customer_id)
  VALUES ('张伟', '13800138000', '广东省', '广州市', '天河区', '天河路100号阳光花园1栋2单元301室', '510000', 'CN', :cust)
  RETURNING id)
INSERT INTO orders_order (number, external_id, source, contact_phone, address_key, province, status, held_from_status,
  hold_reason, cancel_reason, placed_at, paid_at, approved_at, allocated_at, currency, subtotal, shipping_fee, discount,
  coupon_amount, platform_coupon_amount, points_amount, total, is_urgent, promotion, note, priority, priority_reasons,
  risk_score, risk_reasons, review_reasons, needs_finance_review, review_note, allocation_explanation, backorder_info,
  intake_digest, created_at, updated_at, channel_id, customer_id, shipping_address_id)
SELECT 'SO' || to_char(now(), 'YYMMDD') || to_char(nextval('orders_order_number_seq'), 'FM9999990000'),
  'PG1-' || :client_id || '-' || :n, 'api', '13800138000', md5(:n::text), '广东', 'allocated', '', '', '',
  now(), now(), now(), now(), 'CNY', 119.80, 0, 0, 0, 0, 0, 119.80, false, '', '', 0, '[]', 0, '[]', '[]', false, '',
  '{{"decision": "single"}}', '{{}}', '{{}}', now(), now(), 1, :cust, a.id FROM a
ON CONFLICT (channel_id, external_id) WHERE NOT external_id = '' DO NOTHING RETURNING id AS order_id \\gset
INSERT INTO orders_orderline (line_no, sku_code, name, quantity, unit_price, line_total, coupon_share, discount_share,
  platform_coupon_share, points_share, net_total, order_id, sku_id)
  VALUES (1, 'SKU', '商品', 1, 59.90, 59.90, 0, 0, 0, 0, 59.90, :order_id, :s1),
         (2, 'SKU', '商品', 1, 59.90, 59.90, 0, 0, 0, 0, 59.90, :order_id, :s2);
SELECT id, on_hand, reserved FROM inventory_stocklevel WHERE sku_id IN (:s1, :s2) ORDER BY sku_id, warehouse_id FOR UPDATE;
UPDATE inventory_stocklevel SET reserved = reserved + 1, updated_at = now() WHERE sku_id IN (:s1, :s2) AND warehouse_id = :wh;
INSERT INTO inventory_reservation (quantity, demand_ref, status, created_at, sku_id, warehouse_id, closed_reason)
  VALUES (1, 'order-line:' || :order_id || '-1', 'active', now(), :s1, :wh, ''),
         (1, 'order-line:' || :order_id || '-2', 'active', now(), :s2, :wh, '');
INSERT INTO oms_outboxmessage (created_at, channel, recipient, subject, body, language, event, dedupe_key, status,
  attempts, last_error)
  VALUES (now(), 'sms', '13800138000', '', '您的订单已付款，我们会尽快发货。', 'zh-hans', 'order.paid',
          'order:' || :order_id || ':paid', 'pending', 0, '');
COMMIT;
"""


def allocation_script() -> str:
    """The batch allocation's SQL for the batch that ``pgbench_script`` just wrote (its ids in ``:orders``),
    one transaction: lock the orders, read their lines, lock every stock row of their SKUs, reserve in one
    warehouse (one UPDATE), insert reservations and line allocations, mark the orders allocated (one UPDATE),
    their state-log rows; commit."""
    lines = "SELECT id FROM orders_orderline WHERE order_id = ANY(:orders)"
    return f"""\\set wh random(1, {MAIN_WAREHOUSES})
BEGIN;
SELECT id, status, province, priority FROM orders_order WHERE id = ANY(:orders)
  AND status IN ('approved', 'backordered') ORDER BY id FOR UPDATE OF orders_order;
SELECT id, order_id, sku_id, quantity, line_no FROM orders_orderline WHERE order_id = ANY(:orders) ORDER BY order_id, line_no;
SELECT id, on_hand, reserved FROM inventory_stocklevel
  WHERE sku_id IN (SELECT sku_id FROM orders_orderline WHERE order_id = ANY(:orders))
  ORDER BY sku_id, warehouse_id FOR UPDATE;
UPDATE inventory_stocklevel s SET reserved = s.reserved + v.q, updated_at = now()
  FROM (SELECT sku_id, sum(quantity) AS q FROM orders_orderline WHERE order_id = ANY(:orders) GROUP BY sku_id) v
  WHERE s.sku_id = v.sku_id AND s.warehouse_id = :wh;
WITH r AS (INSERT INTO inventory_reservation (quantity, demand_ref, status, created_at, sku_id, warehouse_id, closed_reason)
  SELECT quantity, 'order-line:' || id, 'active', now(), sku_id, :wh, '' FROM orders_orderline
  WHERE id IN ({lines}) RETURNING id, demand_ref, quantity, warehouse_id)
INSERT INTO orders_orderlineallocation (quantity, reservation_id, demand_ref, created_at, line_id, warehouse_id)
  SELECT quantity, id, demand_ref, now(), substr(demand_ref, 12)::bigint, warehouse_id FROM r;
UPDATE orders_order SET status = 'allocated', allocation_explanation = '{{"decision": "single"}}', backorder_info = '{{}}',
  allocated_at = now(), updated_at = now() WHERE id = ANY(:orders);
INSERT INTO django_fsm_log_statelog (timestamp, source_state, state, transition, object_id, by_id, content_type_id, description)
  SELECT now(), 'approved', 'allocated', 'allocate', o, NULL, ct.id, NULL
  FROM django_content_type ct, unnest(:orders) o WHERE ct.app_label = 'orders' AND ct.model = 'order';
COMMIT;
"""


def ceiling_script(mode: str, *, batch: int, url: str) -> tuple[str, int]:
    """(pgbench script, orders per script run) of the mode's ceiling."""
    skus = len(catalogue())
    if mode == "single":
        low, high = (int(x) for x in bench_setting(url, "customers").split("-"))
        return single_order_script(skus=skus, customers=(low, high)), 1
    codes = tuple(item.code for item in catalogue()[:3])
    return pgbench_script(batch, skus=skus, lines=2, sku_codes=codes) + allocation_script(), batch


# --- Statements per order, in this process -------------------------------------------------------------


def django_setup(url: str) -> None:
    os.environ.update(server_env(url))
    import django

    # WhiteNoise warns once that collectstatic has not run: the API needs no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()


def _measured(fn):
    """(fn's result, statements, commits): every statement through the cursor (savepoints included), and
    the COMMITs Django logs with a forced debug cursor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counter = QueryCounter()
    with connection.execute_wrapper(counter), CaptureQueriesContext(connection) as captured:
        result = fn()
    commits = sum(1 for q in captured.captured_queries if q["sql"] == "COMMIT")
    return result, counter.n, commits


def count_statements(token: str, *, mode: str, batch: int, orders: int, items, existing, seed: int) -> dict:
    """Statements and commits of each unit of work, in this process: a request (one order, or a batch), the
    worker's batch allocation (batch mode), one notice's delivery. Each entry: the per-unit counts and how many
    orders a unit carries."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    maker = OrderMaker(seed=seed, prefix=f"CNT-{mode[0].upper()}-", items=items, existing=existing)

    def post(path: str, data: dict):
        return client.post(path, data=json.dumps(data), content_type="application/json")

    out: dict = {}
    if mode == "single":
        for _ in range(5):  # warm-up: caches, content types, the token
            post("/api/v1/orders/", maker.body())
        statements, commits, states = [], [], Counter()
        for _ in range(orders):
            response, n, c = _measured(lambda: post("/api/v1/orders/", maker.body()))
            assert response.status_code == 201, response.content[:500]
            statements.append(n)
            commits.append(c)
            states[response.json()["status"]] += 1
        out["intake"] = {"statements": statements, "commits": commits, "orders": 1, "states": dict(states)}
    else:
        post("/api/v1/orders/batch/", {"orders": [maker.body() for _ in range(10)]})
        statements, commits, states = [], [], Counter()
        for _ in range(3):
            response, n, c = _measured(
                lambda: post("/api/v1/orders/batch/", {"orders": [maker.body() for _ in range(batch)]})
            )
            results = response.json()["results"]
            assert response.status_code == 200 and all(r["status"] == 201 for r in results), results[:3]
            statements.append(n)
            commits.append(c)
            states.update(r["order"]["status"] for r in results)
        out["intake"] = {
            "statements": statements,
            "commits": commits,
            "orders": batch,
            "states": dict(states),
        }
        from orders.services.allocation import orders_allocate_pending

        result, n, c = _measured(lambda: orders_allocate_pending(limit=500, batch_size=100))
        decided = result["allocated"] + result["backordered"]
        out["allocation"] = {"statements": [n], "commits": [c], "orders": max(decided, 1), "states": result}
    from oms.models import OutboxMessage
    from oms.notifications import outbox_deliver

    ids = list(
        OutboxMessage.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)[:100]
    )
    statements, commits = [], []
    for message_id in ids:
        _r, n, c = _measured(lambda message_id=message_id: outbox_deliver(message_id=message_id))
        statements.append(n)
        commits.append(c)
    out["notice"] = {"statements": statements or [0], "commits": commits or [0], "orders": 1, "states": {}}
    return out


def per_order(entry: dict) -> tuple[float, float]:
    """(statements, commits) per order of a ``count_statements`` entry (medians over its units)."""
    return (
        statistics.median(entry["statements"]) / entry["orders"],
        statistics.median(entry["commits"]) / entry["orders"],
    )


def profile_single(token: str, *, orders: int, items, existing, seed: int) -> None:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    maker = OrderMaker(seed=seed, prefix="PRF-", items=items, existing=existing)
    bodies = [json.dumps(maker.body()) for _ in range(orders + 5)]
    for body in bodies[:5]:
        client.post("/api/v1/orders/", data=body, content_type="application/json")
    from django.db import connection

    counter = QueryCounter()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(counter), contextlib.redirect_stdout(io.StringIO()):
        profiler.enable()
        for body in bodies[5:]:
            client.post("/api/v1/orders/", data=body, content_type="application/json")
        profiler.disable()
    elapsed = time.perf_counter() - started
    print(
        f"\ncProfile of {orders} single intakes in this process (django.test.Client; py-spy is not installed): "
        f"{elapsed / orders * 1000:.1f} ms per order under the profiler, {counter.db / orders * 1000:.1f} ms of "
        f"it in {counter.n / orders:.1f} statements  [{load_text()}]"
    )
    project = rf"^{ROOT}/(?!\.venv)"  # the project's own code, not the libraries
    for key, restriction, what in (("tottime", (), "all code"), ("cumulative", (project,), "project code")):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(key).print_stats(*restriction, 10)
        text = buffer.getvalue()
        print(f"top 10 by {key} ({what}):")
        print(text[text.index("   ncalls") :].rstrip() if "   ncalls" in text else text)


# --- One run -------------------------------------------------------------------------------------------


def run_once(mode: str, run: int, args, token: str, items, existing) -> dict:
    url = database_create(RUN_DB, template=TEMPLATE_DB)
    redis_flush()
    env = server_env(url)
    batch = args.batch if mode == "batch" else 1
    name = f"e2e{os.getpid()}@{socket.gethostname()}"
    log_path = Path(tempfile.gettempdir()) / f"oms_bench_e2e_{mode}_{run}.log"
    server = worker = None
    with open(log_path, "w") as log:
        try:
            server = gunicorn_start(
                port=PORT,
                env=env,
                workers=args.workers,
                worker_class=args.worker_class,
                threads=args.threads,
                log=log,
            )
            worker = celery_start(
                env=env, pool=args.celery_pool, concurrency=args.celery_concurrency, name=name, log=log
            )
            http_wait(PORT, timeout=120, process=server)
            celery_wait(name, process=worker)
            warm = OrderMaker(
                seed=SEED + 100 + run,
                prefix=f"WARM-{mode[0].upper()}{run}-",
                items=items,
                existing=existing,
                backorder_share=args.backorder_share,
            )
            warm_load = post_all(
                token,
                payloads(warm, orders=args.clients * (5 if batch == 1 else 10), batch=min(batch, 10)),
                clients=args.clients,
            )
            wait_settled(
                url,
                prefix=warm.prefix,
                expected=warm_load["created"],
                started=time.perf_counter(),
                stall=args.stall,
                deadline=args.deadline,
            )
            maker = OrderMaker(
                seed=SEED + 1000 * run + len(mode),
                prefix=f"E2E-{mode[0].upper()}{run}-",
                items=items,
                existing=existing,
                backorder_share=args.backorder_share,
            )
            work = payloads(maker, orders=args.orders, batch=batch)
            load = post_all(token, work, clients=args.clients)
            load["load_intake"] = load_text()
            settled = wait_settled(
                url,
                prefix=maker.prefix,
                expected=load["created"],
                started=load["started"],
                stall=args.stall,
                deadline=args.deadline,
            )
            settled["load"] = load_text()
        finally:
            process_stop(worker)
            process_stop(server)
            redis_flush()
    script, per = ceiling_script(mode, batch=args.batch, url=url)
    ceiling = pgbench_run(
        script, url=url, clients=args.clients, seconds=args.pgbench_seconds, per_transaction=per
    )
    ceiling["load"] = load_text()
    result = {
        "mode": mode,
        "run": run,
        "load": load,
        "settled": settled,
        "ceiling": ceiling,
        "log": str(log_path),
        "kinds": dict(maker.kinds),
        "lines_per_order": maker.lines / max(maker.n, 1),
    }
    report_run(result, args)
    return result


def _rates(result: dict) -> dict:
    load, settled = result["load"], result["settled"]
    created = load["created"]
    out = {
        "intake": created / load["elapsed"] if load["elapsed"] else 0.0,
        "allocated": created / settled["decided_s"] if settled["decided_s"] else None,
        "sent": created / settled["drained_s"] if settled["drained_s"] else None,
        "p50": percentile(load["latencies"], 50) * 1000,
        "p95": percentile(load["latencies"], 95) * 1000,
        "p99": percentile(load["latencies"], 99) * 1000,
        "ceiling": result["ceiling"]["orders_per_s"],
    }
    out["ratio"] = out["allocated"] / out["ceiling"] if out["allocated"] else None
    out["ratio_sent"] = out["sent"] / out["ceiling"] if out["sent"] else None
    return out


def _fmt(value, spec: str = ".0f") -> str:
    return "—" if value is None else format(value, spec)


def report_run(result: dict, args) -> None:
    mode, load, settled, ceiling = result["mode"], result["load"], result["settled"], result["ceiling"]
    r = _rates(result)
    unit = "order" if mode == "single" else f"batch of {args.batch}"
    statuses = settled["statuses"]
    held = sum(statuses.get(s, 0) for s in HELD)
    print(
        f"\n{mode} run {result['run']}: {load['created']} orders created ({load['orders']}), HTTP {load['http']}, "
        f"{result['lines_per_order']:.2f} lines/order; mix {dict(sorted(result['kinds'].items()))}"
    )
    print(
        f"  intake      {r['intake']:7.1f} orders/s ({load['elapsed']:.2f} s); latency per {unit}: p50 "
        f"{r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms  [{load['load_intake']}]"
    )
    print(
        f"  allocated   {_fmt(r['allocated'], '7.1f')} orders/s end-to-end ({_fmt(settled['decided_s'], '.2f')} s "
        "from the first request until every order is allocated, backordered or held; notices queued)"
    )
    print(
        f"  notices     {_fmt(r['sent'], '7.1f')} orders/s with the notices sent ({_fmt(settled['drained_s'], '.2f')} s "
        f"until the outbox had nothing pending)  [{settled['load']}]"
    )
    print(
        f"  statuses    {dict(sorted(statuses.items()))}: {held} held for review; outbox {settled['outbox']}"
    )
    if settled["stalled"]:
        print(
            f"  STALLED: nothing changed for {args.stall:.0f} s (or the {args.deadline:.0f} s deadline passed); "
            f"{settled['outbox_pending']} outbox messages pending; no beat runs here to sweep. Log: {result['log']}"
        )
    if load["errors"]:
        print(f"  errors: {load['errors']}")
    print(
        f"  ceiling     {ceiling['orders_per_s']:7.1f} orders/s pgbench ({args.clients} clients, "
        f"{args.pgbench_seconds} s, {ceiling['tps']:.1f} tps, {ceiling['latency_ms']} ms avg)  [{ceiling['load']}]"
    )
    print(
        f"  ratio       allocated/ceiling {_fmt(r['ratio'], '.2f')} (notices sent/ceiling "
        f"{_fmt(r['ratio_sent'], '.2f')})"
    )


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def report_counts(mode: str, counts: dict, batch: int) -> None:
    print(f"\nstatements and commits, {mode}: counted in this process (medians) [{load_text()}]")
    names = {
        "intake": "intake request (POST /api/v1/orders/)"
        if mode == "single"
        else f"intake request (POST /api/v1/orders/batch/, {batch} orders)",
        "allocation": "the worker's allocation (orders_allocate_pending)",
        "notice": "one notice delivered (outbox_deliver, as the worker does)",
    }
    total = [0.0, 0.0]
    for key, name in names.items():
        entry = counts.get(key)
        if entry is None:
            continue
        statements, commits = entry["statements"], entry["commits"]
        n, c = per_order(entry)
        total[0] += n
        total[1] += c
        spread = f" (min {min(statements)}, max {max(statements)})" if len(statements) > 1 else ""
        each = f"; {n:.2f} statements, {c:.3f} commits per order" if entry["orders"] > 1 else ""
        print(
            f"  {name}: {statistics.median(statements):.0f} statements{spread}, "
            f"{statistics.median(commits):.0f} commits{each}  {entry['states'] or ''}"
        )
    print(f"  per order, end to end: {total[0]:.2f} statements, {total[1]:.2f} commits")


def summary(results: dict[str, list[dict]], counts: dict, args) -> None:
    print(
        f"\n=== median of {args.runs} run(s), {args.orders} orders each, {args.clients} clients, gunicorn "
        f"{args.workers} {args.worker_class} workers, Celery {args.celery_pool}×{args.celery_concurrency} "
        f"[{load_text()}] ==="
    )
    for mode, runs in results.items():
        if not runs:
            continue
        rates = [_rates(r) for r in runs]
        med = {key: _median([r[key] for r in rates]) for key in rates[0]}
        print(
            f"{mode:6}: intake {med['intake']:.1f} orders/s, allocated {_fmt(med['allocated'], '.1f')}, notices "
            f"sent {_fmt(med['sent'], '.1f')}; p50 {med['p50']:.1f} ms, p95 {med['p95']:.1f} ms, p99 "
            f"{med['p99']:.1f} ms; ceiling {med['ceiling']:.1f} orders/s; ratio {_fmt(med['ratio'], '.2f')}"
        )
        print(
            "        runs (intake/allocated/sent orders/s, p95, ceiling): "
            + "; ".join(
                f"{r['intake']:.0f}/{_fmt(r['allocated'])}/{_fmt(r['sent'])}, {r['p95']:.0f} ms, {r['ceiling']:.0f}"
                for r in rates
            )
        )
        statements, commits = per_order(counts[mode]["intake"])
        if mode == "single":
            print(
                f"        goals: ≥ 120 orders/s: {med['intake']:.1f} {'ok' if med['intake'] >= 120 else 'NOT MET'}; "
                f"≤ 12 statements: {statements:.0f} {'ok' if statements <= 12 else 'NOT MET'}; 1 commit: "
                f"{commits:.0f} {'ok' if commits <= 1 else 'NOT MET'}; p95 < 60 ms: {med['p95']:.1f} "
                f"{'ok' if med['p95'] < 60 else 'NOT MET'}"
            )
        else:
            ratio = med["ratio"]
            verdict = "ok" if ratio is not None and ratio >= 0.4 else "NOT MET"
            print(f"        goal: allocated end-to-end ≥ 0.4 × ceiling: {_fmt(ratio, '.2f')} {verdict}")


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--mode", choices=["single", "batch", "both"], default="both")
    parser.add_argument("--orders", type=int, default=3000, help="orders per run and mode")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--celery-pool", default="prefork")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--count-orders", type=int, default=50, help="single orders counted in-process")
    parser.add_argument(
        "--backorder-share", type=float, default=0.0, help="share of orders with a sold-out SKU"
    )
    parser.add_argument(
        "--stall", type=float, default=30, help="give up waiting after this long without progress"
    )
    parser.add_argument("--deadline", type=float, default=600, help="give up waiting after this long")
    parser.add_argument("--reuse-data", action="store_true", help=f"use {TEMPLATE_DB} as it is if it exists")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the last run's {RUN_DB} to look into")
    parser.add_argument("--profile", action="store_true", help="cProfile of single intakes in this process")
    parser.add_argument("--profile-orders", type=int, default=200)
    args = parser.parse_args()
    modes = ["single", "batch"] if args.mode == "both" else [args.mode]

    print(f"intake_e2e: {', '.join(modes)}; {os.cpu_count()} cores [{load_text()}]")
    if not (args.reuse_data and database_exists(TEMPLATE_DB)):
        build_template()
    template_url = f"{SERVER}/{TEMPLATE_DB}"
    token = bench_setting(template_url, "token")
    items, existing = catalogue(), existing_customers()

    redis_flush()
    count_url = database_create(COUNT_DB, template=TEMPLATE_DB)
    django_setup(count_url)
    from django.db import connection

    counts = {}
    try:
        for mode in modes:
            with contextlib.redirect_stdout(io.StringIO()):  # the console e-mail backend prints the notices
                counts[mode] = count_statements(
                    token,
                    mode=mode,
                    batch=args.batch,
                    orders=args.count_orders,
                    items=items,
                    existing=existing,
                    seed=SEED + 7 + len(mode),
                )
            report_counts(mode, counts[mode], args.batch)
        if args.profile:
            profile_single(token, orders=args.profile_orders, items=items, existing=existing, seed=SEED + 9)
    finally:
        connection.close()
        redis_flush()
        database_drop(COUNT_DB)

    results: dict[str, list[dict]] = {mode: [] for mode in modes}
    try:
        for run in range(1, args.runs + 1):
            for mode in modes:
                results[mode].append(run_once(mode, run, args, token, items, existing))
    finally:
        redis_flush()
        if not args.keep_db:
            database_drop(RUN_DB)
    if args.runs:
        summary(results, counts, args)


if __name__ == "__main__":
    main()
