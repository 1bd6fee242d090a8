"""API rate limits: one count per channel token (a channel's integration), per address without one."""

from __future__ import annotations

from rest_framework.throttling import SimpleRateThrottle


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
