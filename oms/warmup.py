"""Warm a web process before its first request (``oms.wsgi`` calls ``warm_up`` once per process).

Django and its libraries import much of their code on first use: the URLconf and every view module behind it
on the first request, the Redis client on the first cache call, Celery's app, broker transport and producer
on the first task sent. Each gunicorn worker paid that (about half a second) inside its first API calls, at
every start and every restart. Done here instead, before the worker serves anyone; then what was loaded is
set aside from the garbage collector's scans (``_collector``). Nothing here connects to
a service: a database, cache or broker that is down at start still lets the process start, and the request
that needs it reports it as before.
"""

from __future__ import annotations

import gc
import logging

logger = logging.getLogger(__name__)


# The young generation is collected after this many allocations (Python's default is 700). A batch of 100 API
# orders makes some 100,000 short-lived objects; at 700 the collector ran ~18 times per batch, and with every
# module of the process still in the generations it scanned, that was a tenth of the batch's CPU time.
GC_THRESHOLD = (10_000, 20, 20)


def warm_up() -> None:
    for step in (_urls, _cache_client, _celery, _translations, _collector):
        try:
            step()
        except Exception as exc:  # noqa: BLE001 - warming is best effort: the first request does it otherwise
            logger.warning("warm-up step %s skipped: %s", step.__name__, exc)


def _urls() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports the URLconf and every view module it names


def _cache_client() -> None:
    from django.core.cache import cache

    cache._cache  # noqa: B018 - the backend's client object (and the redis package), not a connection


def _celery() -> None:
    from oms.celery import app

    app.finalize(auto=True)  # registers the tasks
    app.loader.import_default_modules()
    app.amqp.producer_pool  # noqa: B018 - imports the broker transport; connects only when a task is sent


def _translations() -> None:
    from django.conf import settings
    from django.utils import translation

    for code, _name in settings.LANGUAGES:
        translation.trans_real.translation(code)


def _collector() -> None:
    """Last: what the process loaded so far (modules, URLconf, templates, translations) lives as long as the
    process. ``gc.freeze`` moves it out of the generations the collector scans, as Python's documentation
    advises for a process that forks or starts workers; then the collector runs less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
