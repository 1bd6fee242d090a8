"""A web process warms itself before its first request, and starts even when a step of that fails."""

from __future__ import annotations

import os
import subprocess
import sys

from oms import warmup


def test_a_failing_step_is_logged_and_the_others_still_run(monkeypatch, caplog):
    ran = []
    monkeypatch.setattr(warmup, "_urls", lambda: ran.append("urls"))
    monkeypatch.setattr(warmup, "_cache_client", lambda: (_ for _ in ()).throw(ConnectionError("cache down")))
    monkeypatch.setattr(warmup, "_celery", lambda: ran.append("celery"))
    monkeypatch.setattr(warmup, "_translations", lambda: ran.append("translations"))
    monkeypatch.setattr(warmup, "_collector", lambda: ran.append("collector"))
    with caplog.at_level("WARNING", logger="oms.warmup"):
        warmup.warm_up()
    assert ran == ["urls", "celery", "translations", "collector"]
    assert "cache down" in caplog.text


def test_the_wsgi_module_leaves_the_views_the_cache_client_and_the_broker_transport_loaded():
    code = (
        "import gc, sys, oms.wsgi; "
        "print(all(m in sys.modules for m in ('orders.api', 'redis', 'kombu.transport.redis')), "
        "gc.get_freeze_count() > 10000, gc.get_threshold())"
    )
    env_keep = os.environ.copy()
    env_keep.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/15")
    env_keep["OMS_CACHE_URL"] = "redis://127.0.0.1:6379/15"  # a client object only: nothing connects
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env_keep, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    # and what it loaded is frozen out of the collector's scans, which then run less often
    assert done.stdout.strip().splitlines()[-1] == "True True (10000, 20, 20)"
