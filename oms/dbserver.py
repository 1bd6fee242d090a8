"""Embedded PostgreSQL (pgserver) for machines where DATABASE_URL is not set."""

from __future__ import annotations

import logging
import os
from pathlib import Path

logger = logging.getLogger(__name__)

_server = None


def embedded_database_url(*, data_dir: Path, database: str = "oms") -> str:
    """Start (or attach to) the embedded server under ``data_dir`` and return a URL for ``database``.

    The server stays up while any process that attached to it is alive, so the
    dev server, its autoreloader child and a Celery worker can share it.
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
        _server = pgserver.get_server(data_dir, cleanup_mode="stop")
        exists = _server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
        if "1 row" not in exists:
            _server.psql(f'CREATE DATABASE "{database}";')
    uri = _server.get_uri(database)
    logger.debug("embedded PostgreSQL at %s", uri)
    return uri
