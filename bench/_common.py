"""What the benchmarks share: the percentile they report, their argument parser, a query counter, and the
pieces of a run against real servers (bench databases, gunicorn, pgbench, the load average)."""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SERVER = os.environ.get("BENCH_SERVER_URL", "postgres://postgres@127.0.0.1:5432")


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """An argument parser whose help is the benchmark's docstring, as written."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


class QueryCounter:
    """Installed with ``connection.execute_wrapper``: counts the queries (``n``) and their time in seconds (``db``)."""

    def __init__(self) -> None:
        self.n = 0
        self.db = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.db += time.perf_counter() - started


def load_text() -> str:
    """The load average (1, 5, 15 min), printed beside every figure: the machine may be shared."""
    one, five, fifteen = os.getloadavg()
    return f"load {one:.2f} {five:.2f} {fifteen:.2f}"


def database_create(name: str, *, template: str | None = None) -> str:
    """(Re)create database ``name`` on SERVER, empty or as a copy of ``template``; returns its URL."""
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
    return f"{SERVER}/{name}"


def database_drop(name: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_exists(name: str) -> bool:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def migrate(url: str) -> None:
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": ""}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True, env=env)


def gunicorn_start(
    *, port: int, env: dict, workers: int, worker_class: str = "sync", threads: int = 1, log=None
) -> subprocess.Popen:
    """gunicorn serving ``oms.wsgi`` on 127.0.0.1:``port`` (call ``http_wait`` before sending it work: it
    also waits until every worker has loaded the application, ``bench/gunicorn_ready.py``)."""
    ready_dir = tempfile.mkdtemp(prefix="oms_bench_ready_")
    env = {**env, "OMS_BENCH_READY_DIR": ready_dir}
    command = [
        str(ROOT / ".venv/bin/gunicorn"),
        "oms.wsgi",
        "--config",
        str(ROOT / "bench/gunicorn_ready.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--worker-class",
        worker_class,
        "--timeout",
        "300",
        "--log-level",
        "warning",
    ]
    if worker_class == "gthread":
        command += ["--threads", str(threads), "--keep-alive", "30"]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    process.ready_dir, process.workers = Path(ready_dir), workers
    return process


def http_wait(port: int, *, path: str = "/healthz/", timeout: float = 60, process=None) -> None:
    """Wait until GET ``path`` answers 200 (the server is up and reaches its database) and, for a gunicorn
    started by ``gunicorn_start``, until every one of its workers has loaded the application."""
    deadline = time.monotonic() + timeout
    answered = False
    while True:
        try:
            if not answered:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", path)
                answered = conn.getresponse().status == 200
                conn.close()
            ready_dir = getattr(process, "ready_dir", None)
            if answered and (ready_dir is None or len(list(ready_dir.iterdir())) >= process.workers):
                return
        except OSError:
            pass
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}) before answering {path}")
        if time.monotonic() > deadline:
            if answered:
                loaded = len(list(process.ready_dir.iterdir()))
                raise RuntimeError(
                    f"{loaded} of {process.workers} workers loaded the application in {timeout:.0f} s"
                )
            raise RuntimeError(f"no 200 from 127.0.0.1:{port}{path} within {timeout:.0f} s")
        time.sleep(0.2)


def process_stop(process: subprocess.Popen | None, *, timeout: float = 30) -> None:
    """Terminate a process this benchmark started (SIGTERM, then SIGKILL after ``timeout``)."""
    if process is not None and getattr(process, "ready_dir", None) is not None:
        shutil.rmtree(process.ready_dir, ignore_errors=True)
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def pgbench_run(script: str, *, url: str, clients: int, seconds: int, per_transaction: int = 1) -> dict:
    """Run a pgbench script (``-n``, no vacuum) for ``seconds`` with ``clients``; returns tps, orders/s
    (tps × ``per_transaction``) and pgbench's average latency in ms. A failing script raises with
    pgbench's own error."""
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as fh:
        fh.write(script)
    try:
        out = subprocess.run(
            [
                "pgbench",
                "-n",
                "-c",
                str(clients),
                "-j",
                str(min(clients, 2)),
                "-T",
                str(seconds),
                "-f",
                fh.name,
                url,
            ],
            capture_output=True,
            text=True,
        )
    finally:
        os.unlink(fh.name)
    failed = [line for line in out.stdout.splitlines() if line.startswith("number of failed transactions")]
    if out.returncode != 0 or "aborted" in out.stderr:
        raise RuntimeError(f"pgbench failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    tps = latency = None
    for line in out.stdout.splitlines():
        if line.startswith("tps"):
            tps = float(line.split("=")[1].split()[0])
        elif line.startswith("latency average"):
            latency = float(line.split("=")[1].split()[0])
    if tps is None:
        raise RuntimeError(out.stdout + out.stderr)
    return {"tps": tps, "orders_per_s": tps * per_transaction, "latency_ms": latency, "failed": failed}
