"""Embedded PostgreSQL (pgserver) for machines where DATABASE_URL is not set.

pgserver keeps the ids of the processes using the server in ``<data>/.handle_pids.json`` and stops the
server when the last of them exits. A process that dies without running its exit handlers (killed, or
stopped by SIGTERM) stays in that list for ever, and the server never stops. So: dead processes are
forgotten before attaching and again at exit, SIGTERM ends a process the ordinary way (exit handlers run),
and a ``postmaster.pid`` left by a killed server (its pid since reused by another program) is removed
instead of blocking the next start.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import signal
import threading
from pathlib import Path

import psutil

logger = logging.getLogger(__name__)

_server = None
HANDLES_FILE = ".handle_pids.json"


def embedded_database_url(*, data_dir: Path, database: str = "oms") -> str:
    """Start (or attach to) the embedded server under ``data_dir`` and return a URL for ``database``.

    The server stays up while any process that attached to it is alive, so the
    dev server, its autoreloader child and a Celery worker can share it; it stops when the last one exits.
    """
    global _server
    # pgserver keeps its lock file in the user's runtime dir; give it one when the session has none.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(data_dir.parent / "run"))
    (data_dir.parent / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    import pgserver

    if not database.isidentifier():
        raise ValueError(f"database name must be a plain identifier, got {database!r}")
    if _server is None:
        data_dir.mkdir(parents=True, exist_ok=True)
        data_dir = data_dir.resolve()
        with _pgserver_lock():
            forget_dead_processes(data_dir)
            remove_stale_postmaster_pid(data_dir)
        _server = pgserver.get_server(data_dir, cleanup_mode="stop")
        # Registered after pgserver's own exit handler, so it runs first (atexit is last in, first out):
        # a process killed meanwhile must not keep the server up once this, the last live one, exits.
        atexit.register(_forget_dead_processes_locked, data_dir)
        _exit_cleanly_on_sigterm()
        exists = _server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
        if "1 row" not in exists:
            _server.psql(f'CREATE DATABASE "{database}";')
    uri = _server.get_uri(database)
    logger.debug("embedded PostgreSQL at %s", uri)
    return uri


def _pgserver_lock():
    from pgserver.postgres_server import PostgresServer

    return PostgresServer._lock


def _forget_dead_processes_locked(data_dir: Path) -> None:
    with _pgserver_lock():
        forget_dead_processes(data_dir)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def forget_dead_processes(data_dir: Path) -> list[int]:
    """Drop the processes that no longer exist from the server's list of users; return the dead ones."""
    path = data_dir / HANDLES_FILE
    try:
        pids = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return []
    dead = [pid for pid in pids if not _alive(pid)]
    if dead:
        path.write_text(json.dumps([pid for pid in pids if pid not in dead]))
        logger.info("embedded PostgreSQL: forgot processes that exited without detaching: %s", dead)
    return dead


def _is_postmaster_of(pid: int, data_dir: Path) -> bool:
    try:
        process = psutil.Process(pid)
        if process.name() != "postgres":
            return False
        command = " ".join(process.cmdline())
    except psutil.AccessDenied:
        return True  # someone else's process we cannot look into: leave the file alone
    except psutil.Error:
        return False
    return str(data_dir) in command or not command


def remove_stale_postmaster_pid(data_dir: Path) -> bool:
    """Remove ``postmaster.pid`` (and its socket lock) when the server it names is not running."""
    pid_file = data_dir / "postmaster.pid"
    try:
        lines = pid_file.read_text().splitlines()
        pid = int(lines[0])
    except (FileNotFoundError, ValueError, IndexError):
        return False
    if _is_postmaster_of(pid, data_dir):
        return False
    socket_dir = Path(lines[4].strip()) if len(lines) > 4 and lines[4].strip() else None
    if socket_dir is not None:
        for lock in socket_dir.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)
    pid_file.unlink(missing_ok=True)
    logger.warning("embedded PostgreSQL: removed a stale postmaster.pid (process %s is not its server)", pid)
    return True


def _exit_cleanly_on_sigterm() -> None:
    """Make SIGTERM end this process through SystemExit, so the exit handlers detach from the server.

    Only when nobody handles SIGTERM yet: Celery and gunicorn install their own (clean) handlers later.
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return

    def _exit(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, _exit)
