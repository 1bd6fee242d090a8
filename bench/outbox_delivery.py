"""Outbox delivery: how many queued notifications a real Celery worker delivers per second.

Run: .venv/bin/python bench/outbox_delivery.py [--messages 10000] [--one-by-one] [--new-connection-per-task]
                                               [--log-level INFO|WARNING] [--producers 0] [--per-transaction 5]

It (re)creates database ``oms_bench_outbox`` (DROP / CREATE + migrate, on the server of BENCH_SERVER_URL,
default postgres://postgres@127.0.0.1:5432), writes N pending outbox rows in bulk (50 % SMS to different
phone numbers, 30 % e-mail, 20 % webhooks; Chinese bodies of 40-300 characters, every one different), starts a
real worker (``celery -A oms worker --pool solo``, broker and cache in Redis db 12, emptied before and
after), asks for delivery and waits until every row is SENT. It prints messages/s from the ask to the last
row sent, the database transactions that took (pg_stat_database xact_commit + xact_rollback of the bench
database, less this script's own polls), the connections the worker opened (pg_stat_database sessions, less
the poll connection) and the load average.

Backends: SMS and webhooks go through the logging backends (``LoggingSmsBackend``, ``LoggingWebhookBackend``),
which write one INFO line per message, as in production; the worker runs with LOG_LEVEL=INFO and
``--loglevel INFO`` by default (as docker-compose.yml runs it), its output going to a file, and the script
counts the lines afterwards (each message once). ``--log-level WARNING`` shows what the logging itself costs.
E-mail goes through Django's file-based backend into a temporary folder: the message is built and
serialised as for SMTP, but no mail server is involved, so an e-mail here costs less than a real one.

Modes:
- default: the batch path. One ``outbox_request_delivery()`` (what a committing transaction does) sends one
  flush task, which delivers in batches of 500 (one transaction each).
- ``--one-by-one``: the path before batch delivery: one ``oms.tasks.outbox_deliver_task`` per message
  (published from here, timed from the first publish), each delivering its message in its own transaction.
- ``--new-connection-per-task``: the worker runs with CELERY_DB_REUSE_MAX=0, i.e. Celery's default of
  closing the database connection after every task (combine with ``--one-by-one`` for the old figure).
- ``--producers P``: live instead of queued beforehand: P threads of this script commit the messages,
  ``--per-transaction`` at a time through ``outbox_enqueue_many`` (each transaction asks for delivery after
  commit, sharing a flush task while one waits to start), while the worker delivers. Printed besides: how
  fast they committed, how long after the last commit the last message was delivered, and how many flush
  tasks ran. On 2 cores the producers, PostgreSQL and the worker share the CPUs.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import bench_parser  # noqa: E402

SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")
DB = "oms_bench_outbox"
REDIS = "redis://127.0.0.1:6379/12"
WORDS = "您的订单已发货请注意查收包裹预计明天送达如有问题请联系客服感谢您的支持我们将尽快为您处理退款申请"


def setup_database() -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DB}"')
    env = {**os.environ, "DATABASE_URL": f"{SERVER}/{DB}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=env)


def text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(WORDS) for _ in range(n))


def message_dicts(n: int) -> list[dict]:
    """N varied messages, as ``outbox_enqueue``'s arguments."""
    rng = random.Random(18)
    messages = []
    for i in range(n):
        order = f"SO{2612000000 + i}"
        roll = rng.random()
        if roll < 0.5:
            channel, recipient, subject = "sms", f"13{rng.randrange(100_000_000, 999_999_999)}", ""
            body = f"【OMS】{order} {text(rng, rng.randrange(40, 120))}"
        elif roll < 0.8:
            channel, recipient = "email", f"buyer{i}@example{rng.randrange(1, 50)}.com"
            subject = f"订单 {order} 已发货"
            body = f"{order}\n{text(rng, rng.randrange(100, 300))}\n运单号 SF{rng.randrange(10**11, 10**12)}"
        else:
            channel, recipient, subject = (
                "webhook",
                f"https://hooks.example.com/shop/{rng.randrange(1, 200)}",
                "",
            )
            body = f'{{"event": "order.shipped", "order": "{order}", "note": "{text(rng, rng.randrange(40, 100))}"}}'
        messages.append(
            {
                "channel": channel,
                "recipient": recipient,
                "subject": subject,
                "body": body,
                "language": "zh-hans",
                "event": "order.shipped",
                "dedupe_key": f"bench:{i}",
            }
        )
    return messages


def queue_messages(messages: list[dict]) -> None:
    """The rows in bulk, pending, no delivery asked for yet."""
    from django.db import connection

    from oms.models import OutboxMessage

    OutboxMessage.objects.bulk_create([OutboxMessage(**m) for m in messages], batch_size=2000)
    connection.close()


def produce(messages: list[dict], *, producers: int, per_transaction: int) -> tuple[threading.Thread, list]:
    """Threads committing ``per_transaction`` messages per transaction (``outbox_enqueue_many``: one INSERT,
    delivery asked for after commit), started at once; returns a joiner thread and [finish time]."""
    from django.db import connection, transaction

    from oms.notifications import outbox_enqueue_many

    chunks = [messages[i : i + per_transaction] for i in range(0, len(messages), per_transaction)]
    finished: list[float] = []

    def run(mine: list[list[dict]]) -> None:
        try:
            for chunk in mine:
                with transaction.atomic():
                    outbox_enqueue_many(chunk)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(chunks[p::producers],)) for p in range(producers)]

    def join() -> None:
        for thread in threads:
            thread.join()
        finished.append(time.perf_counter())

    for thread in threads:
        thread.start()
    joiner = threading.Thread(target=join)
    joiner.start()
    return joiner, finished


def db_stats() -> tuple[int, int]:
    """(transactions, sessions) of the bench database, once no session of it is left (a backend reports its
    figures when it exits)."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        deadline = time.monotonic() + 30
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [DB]).fetchone()[0]:
            if time.monotonic() > deadline:
                raise RuntimeError("sessions of the bench database did not end")
            time.sleep(0.1)
        admin.execute("SELECT pg_stat_clear_snapshot()")
        xacts, sessions = admin.execute(
            "SELECT xact_commit + xact_rollback, sessions FROM pg_stat_database WHERE datname = %s", [DB]
        ).fetchone()
    return xacts, sessions


def start_worker(env: dict, log_level: str, log_path: Path) -> subprocess.Popen:
    log = log_path.open("w")
    return subprocess.Popen(
        [
            str(ROOT / ".venv/bin/celery"),
            "-A",
            "oms",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            log_level,
            "--without-heartbeat",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"bench-outbox-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_ready(app, worker: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while not app.control.ping(timeout=0.5):
        if worker.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the worker did not start; see its log")


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument("--one-by-one", action="store_true", help="one task and one transaction per message")
    parser.add_argument(
        "--new-connection-per-task", action="store_true", help="CELERY_DB_REUSE_MAX=0 (Celery's default)"
    )
    parser.add_argument("--log-level", default="INFO", choices=["INFO", "WARNING"])
    parser.add_argument(
        "--producers",
        type=int,
        default=0,
        help="live: this many threads commit the messages while the worker delivers (0: queued beforehand)",
    )
    parser.add_argument("--per-transaction", type=int, default=5, help="live: messages per transaction")
    parser.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    args = parser.parse_args()

    mail_dir = Path(tempfile.mkdtemp(prefix="oms-bench-mail-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{SERVER}/{DB}",
        "CELERY_BROKER_URL": REDIS,
        "OMS_CACHE_URL": REDIS,
        "DEBUG": "0",
        "LOG_LEVEL": args.log_level,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "OMS_SMS_BACKEND": "oms.notifications.LoggingSmsBackend",
        "OMS_WEBHOOK_BACKEND": "oms.notifications.LoggingWebhookBackend",
        "CELERY_DB_REUSE_MAX": "0"
        if args.new_connection_per_task
        else os.environ.get("CELERY_DB_REUSE_MAX", "1000"),
    }
    subprocess.run(["redis-cli", "-n", "12", "FLUSHDB"], capture_output=True, check=True)
    setup_database()
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
    import django

    django.setup()
    import psycopg

    from oms.celery import app
    from oms.notifications import outbox_request_delivery
    from oms.tasks import outbox_deliver_task

    messages = message_dicts(args.messages)
    counts = {c: sum(1 for m in messages if m["channel"] == c) for c in ("sms", "email", "webhook")}
    if args.one_by_one and args.producers:
        parser.error("--one-by-one delivers rows queued beforehand: no --producers")
    if not args.producers:
        queue_messages(messages)
    xacts_before, sessions_before = db_stats()
    log_path = Path(tempfile.mkdtemp(prefix="oms-bench-worker-")) / "worker.log"
    worker = start_worker(env, args.log_level, log_path)
    polls = 0
    try:
        wait_ready(app, worker)
        load_before = os.getloadavg()
        with psycopg.connect(f"{SERVER}/{DB}", autocommit=True) as poll:
            started = time.perf_counter()
            producing, produced = None, []
            if args.producers:
                producing, produced = produce(
                    messages, producers=args.producers, per_transaction=args.per_transaction
                )
            elif args.one_by_one:
                polls += 1
                for (pk,) in poll.execute("SELECT id FROM oms_outboxmessage ORDER BY id").fetchall():
                    outbox_deliver_task.apply_async(kwargs={"message_id": pk})
            else:
                outbox_request_delivery()  # outside a transaction: asks at once, as after a commit
            deadline = time.monotonic() + args.timeout
            while True:
                polls += 1
                done_producing = not producing or not producing.is_alive()
                left, failed = poll.execute(
                    "SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'failed') "
                    "FROM oms_outboxmessage"
                ).fetchone()
                if done_producing and not left:
                    break
                if time.monotonic() > deadline:
                    raise RuntimeError(f"{left} messages still pending after {args.timeout:.0f}s")
                time.sleep(0.02)
            elapsed = time.perf_counter() - started
        load_after = os.getloadavg()
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
        subprocess.run(["redis-cli", "-n", "12", "FLUSHDB"], capture_output=True)
    xacts_after, sessions_after = db_stats()

    log = log_path.read_text(errors="replace")
    sms_lines, hook_lines = log.count("SMS to "), log.count("Webhook to ")
    mails = sum(f.read_text(errors="replace").count("\nSubject: ") for f in mail_dir.iterdir())
    mode = "one task per message (old path)" if args.one_by_one else "batch flush (outbox_request_delivery)"
    if args.producers:
        mode += f", live: {args.producers} producer threads, {args.per_transaction} messages per transaction"
    conn = "new DB connection per task" if args.new_connection_per_task else "worker keeps its DB connection"
    print(f"outbox delivery, {mode}, {conn}, worker log level {args.log_level}, 1 solo worker")
    print(
        f"messages: {args.messages} ({counts['sms']} SMS, {counts['email']} e-mail [file-based backend], "
        f"{counts['webhook']} webhook [logging backends]); failed: {failed}"
    )
    print(f"delivered in {elapsed:.2f}s: {args.messages / elapsed:,.0f} messages/s")
    producer_xacts = 0
    if args.producers:
        producer_xacts = -(-args.messages // args.per_transaction)
        committed = produced[0] - started
        flushes = sum(1 for line in log.splitlines() if "outbox_flush_task[" in line and "succeeded" in line)
        print(
            f"producers committed {producer_xacts:,} transactions in {committed:.2f}s "
            f"({args.messages / committed:,.0f} messages/s); the last was delivered {elapsed - committed:.2f}s "
            f"after the last commit; flush tasks run: {flushes if args.log_level == 'INFO' else 'not logged'}"
        )
    worker_xacts = xacts_after - xacts_before - polls - producer_xacts
    print(
        f"worker's database transactions: {worker_xacts:,} ({worker_xacts / args.messages:.3f} per message; "
        f"{polls} poll queries{' and the producers' if args.producers else ''} taken off); "
        f"worker connections opened: {sessions_after - sessions_before - 1 - args.producers}"
    )
    if args.log_level == "INFO":
        print(
            f"check: {sms_lines} SMS lines and {hook_lines} webhook lines in the worker log, {mails} e-mails "
            f"written (expected {counts['sms']}, {counts['webhook']}, {counts['email']})"
        )
    else:
        print(f"check: {mails} e-mails written (expected {counts['email']}); SMS/webhook lines not logged")
    print(
        f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} "
        f"({os.cpu_count()} CPUs; the worker log: {log_path})"
    )


if __name__ == "__main__":
    main()
