"""API rate limits: one count per channel token (a channel's integration), per address without one.

Counted as a sliding window over two fixed windows (the previous window's hits weighed by how much of it
still overlaps the last ``duration`` seconds, plus this window's), in one cache round trip whatever the rate.
DRF's ``SimpleRateThrottle`` keeps a list of every request's time in the cache instead: at 1,200/min that
list is read, unpickled, pickled and written back whole on every call (two round trips and ~10 kB each way).
Refused calls count too, so a client that keeps calling while refused stays refused.
"""

from __future__ import annotations

import math

from rest_framework.throttling import SimpleRateThrottle

from oms.cache import window_hits


class ChannelRateThrottle(SimpleRateThrottle):
    scope = "channel"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        if token is not None and getattr(token, "pk", None):
            ident = f"token:{token.pk}"
        elif getattr(request.user, "pk", None):
            ident = f"user:{request.user.pk}"
        else:
            ident = f"ip:{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        self.now = self.timer()
        window, into = divmod(self.now, self.duration)
        self.hits, self.before = window_hits(self.cache, self.key, int(window), self.duration)
        self.weight = 1 - into / self.duration  # share of the previous window still inside the last duration
        return self.before * self.weight + self.hits <= self.num_requests

    def wait(self) -> float:
        """Seconds until a call would be allowed again (the Retry-After header)."""
        into = (1 - self.weight) * self.duration
        if self.hits >= self.num_requests or not self.before:
            # This window alone is full: past its end it weighs as the previous one, and must weigh in
            # at no more than the limit.
            return (self.duration - into) + self.duration * max(0.0, 1 - self.num_requests / self.hits)
        # The previous window's weight must fall until before × weight + hits ≤ limit.
        weight_then = (self.num_requests - self.hits) / self.before
        return max(1.0, math.ceil((1 - weight_then) * self.duration - into))
