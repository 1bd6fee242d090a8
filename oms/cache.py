"""The Redis cache backend, with one Redis client object per connection pool instead of one per call.

Django's ``RedisCacheClient.get_client`` builds a new ``redis.Redis`` for every cache call, and building one
fills its table of ~170 response callbacks: about a quarter of a millisecond each time. An API intake asks
the cache five times (rate limit, rules, stock push switch, …), so this was more than a millisecond of every
order. A ``redis.Redis`` is safe to share between threads (it takes a connection from its pool per command).
"""

from __future__ import annotations

import time

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _SharedClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = self._client(connection_pool=self._get_connection_pool(write))
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = _SharedClient


def window_hits(cache, key: str, window: int, seconds: float) -> tuple[int, int]:
    """Count one hit in fixed window number ``window`` (of ``seconds`` each) under ``key``; return the hits of
    this window (this one included) and of the window before.

    On Redis one round trip (``SET NX EX`` + ``INCR`` + ``GET``, pipelined, atomic per command), whatever the
    rate; any other cache (one process: development, tests) does it in a few calls.
    """
    current, previous = f"{key}:{window}", f"{key}:{window - 1}"
    ttl = max(1, int(seconds * 2 + 1))  # the window and the next one, which weighs it
    if isinstance(cache, RedisCache):
        client = cache._cache.get_client(write=True)
        current, previous = cache.make_and_validate_key(current), cache.make_and_validate_key(previous)
        pipe = client.pipeline(transaction=False)
        pipe.set(current, 0, ex=ttl, nx=True)
        pipe.incr(current)
        pipe.get(previous)
        _created, hits, before = pipe.execute()
        return int(hits), int(before or 0)
    cache.add(current, 0, ttl)
    try:
        hits = cache.incr(current)
    except ValueError:  # expired in between
        cache.add(current, 1, ttl)
        hits = 1
    return hits, int(cache.get(previous) or 0)


# --- Kept in this process for a moment --------------------------------------------------------------

_memo: dict[str, tuple[float, object]] = {}


def shared_value(cache, key: str, fetch, *, timeout: int, local_seconds: float):
    """The shared cache's ``key`` (``fetch()`` when absent, kept there ``timeout`` s), remembered in this
    process for ``local_seconds``.

    For settings every API order reads (the active order rules, whether any shop takes stock pushes): a
    Redis round trip and unpickling for each order cost more than the rest of the read. A change made in
    this process (``shared_forget``) is seen at once; other processes see it within ``local_seconds``.
    Treat the value as read-only: it is shared by the requests of this process.
    """
    now = time.monotonic()
    hit = _memo.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    value = cache.get(key)
    if value is None:
        value = fetch()
        cache.set(key, value, timeout=timeout)
    _memo[key] = (now + local_seconds, value)
    return value


def shared_forget(cache, key: str) -> None:
    """Forget ``key`` in the shared cache and in this process (other processes within their moment)."""
    _memo.pop(key, None)
    cache.delete(key)


def shared_values_clear() -> None:
    """Forget every value kept in this process (tests clear the cache between tests)."""
    _memo.clear()
