"""Django's PostgreSQL backend, whose per-request health check (``CONN_HEALTH_CHECKS``) asks the socket first.

Django checks a persistent connection before a request's first query with ``SELECT 1``: one more round trip
and statement on every request, an API order included. A connection the server has closed (a restart, an
idle timeout, ``pg_terminate_backend``) says so on its socket: the server sends its error and closes, so
the idle socket turns readable. So: an idle connection with nothing to read is usable; only when something
arrived unasked is it checked with ``SELECT 1`` as Django does (and closed if that fails, so the request
opens a new one instead of failing).
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base
from psycopg import pq


class DatabaseWrapper(base.DatabaseWrapper):
    def is_usable(self) -> bool:
        raw = self.connection
        if raw is None or raw.closed or raw.broken or raw.pgconn.status != pq.ConnStatus.OK:
            return False
        if raw.pgconn.transaction_status == pq.TransactionStatus.IDLE and not _readable(raw.pgconn.socket):
            return True
        return super().is_usable()


def _readable(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLERR | select.POLLHUP)
    return bool(poller.poll(0))
