"""Where to go after a form post: the page's own ``next`` only when it stays on this site."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, *, fallback: str) -> str:
    """``next`` from the POST (or query) when it points into this site, otherwise ``fallback``.

    The same check as the login page's: an absolute URL to another host, a scheme-relative ``//host``
    or a ``javascript:`` URL falls back, so a crafted link cannot send a user off-site (open redirect).
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
