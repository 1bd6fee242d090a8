"""The per-request health check of a persistent connection reads its socket instead of a SELECT 1 round trip,
and still finds a connection the server has closed (the request then opens a new one instead of failing)."""

from __future__ import annotations

import select

import psycopg
import pytest
from django.conf import settings
from django.db import connection
from django.db.backends.postgresql import base as django_pg

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def select_one_checks(monkeypatch):
    """Counts the health checks that went to the server (Django's SELECT 1)."""
    asked = []
    original = django_pg.DatabaseWrapper.is_usable

    def counting(self):
        asked.append(1)
        return original(self)

    monkeypatch.setattr(django_pg.DatabaseWrapper, "is_usable", counting)
    return asked


def _health_check() -> None:
    """What Django does before a request's first query (``close_old_connections`` resets the flag)."""
    connection.health_check_done = False
    connection.close_if_health_check_failed()


def test_the_project_uses_the_backend_with_health_checks_on():
    assert settings.DATABASES["default"]["ENGINE"] == "oms.postgresql"
    assert connection.health_check_enabled


def test_an_idle_healthy_connection_is_usable_without_a_round_trip(select_one_checks):
    connection.ensure_connection()
    raw = connection.connection
    _health_check()
    assert connection.connection is raw  # kept
    assert select_one_checks == []  # no SELECT 1 sent
    with connection.cursor() as cursor:
        cursor.execute("SELECT 41 + 1")
        assert cursor.fetchone() == (42,)


def test_a_connection_the_server_closed_is_found_and_replaced(select_one_checks):
    connection.ensure_connection()
    raw = connection.connection
    pid = raw.info.backend_pid
    with psycopg.connect(**_params()) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    # The server's goodbye reaches the socket: wait for it (bounded), as a request arriving later would.
    poller = select.poll()
    poller.register(raw.pgconn.socket, select.POLLIN | select.POLLHUP)
    assert poller.poll(5000), "the terminated connection's socket never became readable"

    _health_check()
    assert select_one_checks == [1]  # something arrived unasked: asked the server, which failed
    assert connection.connection is None  # closed, so the request's first query opens a new one
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != pid


def _params() -> dict:
    """Another connection to the same database (as the test's)."""
    params = connection.get_connection_params()
    kept = {k: params[k] for k in ("dbname", "user", "password", "host", "port") if params.get(k)}
    return {**kept, "autocommit": True}
