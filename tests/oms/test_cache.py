"""The shared cache (OMS_CACHE_URL, Redis): what rate limits and the intake's cached rules rely on."""

from __future__ import annotations

import os

import pytest
import redis

from oms.cache import RedisCache


@pytest.fixture
def redis_cache():
    url = os.environ.get("CELERY_BROKER_URL", "")
    if not url.startswith("redis://"):
        pytest.skip("needs Redis: set CELERY_BROKER_URL=redis://127.0.0.1:6379/15 (CI does when Redis runs)")
    try:
        redis.Redis.from_url(url).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip(f"Redis at {url} does not answer")
    cache = RedisCache(url, {"KEY_PREFIX": "test-oms-cache"})
    yield cache
    cache.delete_many(["rules", "hits"])


def test_values_counts_and_deletes_go_through_one_client(redis_cache):
    redis_cache.set("rules", [{"code": "big_amount", "threshold": "5000.00"}], timeout=30)
    assert redis_cache.get("rules") == [{"code": "big_amount", "threshold": "5000.00"}]
    assert redis_cache.add("hits", 1, timeout=30) is True
    assert redis_cache.add("hits", 1, timeout=30) is False  # what the debounced kicks rely on
    assert redis_cache.incr("hits") == 2
    redis_cache.delete("rules")
    assert redis_cache.get("rules") is None
    client = redis_cache._cache.get_client(write=True)
    assert redis_cache._cache.get_client(write=False) is client  # one server: one client, reused
