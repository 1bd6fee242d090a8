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


def _rate_throttle(cache, rate: str):
    from oms.throttling import ChannelRateThrottle

    throttle = ChannelRateThrottle.__new__(ChannelRateThrottle)
    throttle.cache = cache
    throttle.rate = rate
    throttle.num_requests, throttle.duration = throttle.parse_rate(rate)
    return throttle


class _Call:
    class auth:  # a channel token's identity, as the API's authentication sets it
        pk = 4242

    user = None
    META = {"REMOTE_ADDR": "127.0.0.1"}


@pytest.mark.parametrize("backend", ["redis", "locmem"])
def test_the_channel_rate_counts_in_a_sliding_window(redis_cache, backend):
    from django.core.cache.backends.locmem import LocMemCache

    cache = redis_cache if backend == "redis" else LocMemCache("throttle-test", {})
    throttle = _rate_throttle(cache, "3/min")
    clock = iter([600.0, 610.0, 620.0, 630.0, 675.0, 705.0])  # window 10 starts at 600 s, window 11 at 660 s
    throttle.timer = lambda: next(clock)
    cache.delete_many([f"throttle_channel_token:4242:{w}" for w in (9, 10, 11)])

    allowed = [throttle.allow_request(_Call(), None) for _ in range(4)]
    assert allowed == [True, True, True, False]
    # Refused at 630 s, 4 of 3 in window 10: 30 s until it ends, then 15 s until it weighs 3 (4 × 0.75).
    assert throttle.wait() == pytest.approx(45)
    # At 675 s a quarter of the last minute lies in window 10: 4 × 0.75 + 1 = 4 > 3: refused.
    assert throttle.allow_request(_Call(), None) is False
    # At 705 s: 4 × 0.25 + 2 = 3 ≤ 3: allowed again.
    assert throttle.allow_request(_Call(), None) is True


def test_a_rate_hit_on_redis_is_one_round_trip(redis_cache, monkeypatch):
    from oms.cache import window_hits

    client = redis_cache._cache.get_client(write=True)
    redis_cache.delete_many(["rate:7", "rate:6"])  # also opens the pool's connection (its handshake)
    sent = []
    connection_class = client.connection_pool.connection_class
    real = connection_class.send_packed_command

    def counting(self, command, check_health=True):
        sent.append(command)
        return real(self, command, check_health)

    monkeypatch.setattr(connection_class, "send_packed_command", counting)
    assert window_hits(redis_cache, "rate", 7, 60) == (1, 0)
    assert window_hits(redis_cache, "rate", 7, 60) == (2, 0)
    assert len(sent) == 2  # one write to the socket per hit: SET NX EX + INCR + GET pipelined
    assert 60 < client.ttl(redis_cache.make_and_validate_key("rate:7")) <= 121
