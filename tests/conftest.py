"""Fixtures shared by every test: role users, a logged-in client per role, eager Celery by default."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group
from hypothesis import HealthCheck, settings

from oms.roles import ROLE_BY_KEY, sync_roles

# Property tests judge correctness, not speed: a busy CI machine must not fail them on timing.
settings.register_profile("oms", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("oms")


@pytest.fixture(autouse=True)
def _celery_eager(settings):
    """Tasks run in-process unless a test asks for the real worker (see ``celery_worker_real``)."""
    from oms.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counts live in the cache: each test starts with none (tests that prove the limits make
    their own requests up to them)."""
    from django.core.cache import cache

    from oms.cache import shared_values_clear

    cache.clear()
    shared_values_clear()
    yield


@pytest.fixture(autouse=True)
def _default_language(settings):
    """Each test starts in the project's default language: a request as a Chinese-speaking user leaves its
    language active in the thread, and service messages asserted afterwards would come out in Chinese."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


@pytest.fixture
def roles(db):
    sync_roles()
    return {key: Group.objects.get(name=role.group) for key, role in ROLE_BY_KEY.items()}


@pytest.fixture
def make_user(db, roles, django_user_model):
    def make(username: str, role: str | None = None, **extra):
        user = django_user_model.objects.create_user(username=username, password="pw-" + username, **extra)
        if role:
            user.groups.add(roles[role])
        return user

    return make


@pytest.fixture
def ops_user(make_user):
    return make_user("ops", "operations")


@pytest.fixture
def warehouse_user(make_user):
    return make_user("warehouse", "warehouse")


@pytest.fixture
def finance_user(make_user):
    return make_user("finance", "finance")


@pytest.fixture
def finance_manager_user(make_user):
    return make_user("finance_manager", "finance_manager")


@pytest.fixture
def admin_user_role(make_user):
    return make_user("admin", "admin", is_staff=True, is_superuser=True)


@pytest.fixture
def client_for(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def broker_url() -> str:
    return os.environ.get("CELERY_BROKER_URL", "")


@pytest.fixture
def celery_worker_real(transactional_db):
    """A real Celery worker (solo pool, in a thread) consuming from the Redis broker in CELERY_BROKER_URL."""
    url = broker_url()
    if not url.startswith("redis://"):
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/15 (CI does when Redis runs)")
    import redis
    from celery.contrib.testing.worker import start_worker

    from oms.celery import app

    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis at {url} does not answer")
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app.conf.result_backend = url
    with start_worker(
        app,
        pool="solo",
        perform_ping_check=False,
        shutdown_timeout=10,
        loglevel="WARNING",
        WorkController=_thread_worker_class(),
    ):
        yield app
    app.conf.task_always_eager = True


def _thread_worker_class():
    from celery.contrib.testing.worker import TestWorkController

    class ThreadWorker(TestWorkController):
        """Closes its thread's database connection when it stops: the worker keeps it between tasks
        (oms/celery.py), and an open session would keep the test database from being dropped."""

        def start(self):
            from django.db import connections

            try:
                return super().start()
            finally:
                connections.close_all()

    return ThreadWorker
