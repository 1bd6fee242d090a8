"""API authentication for channels: ``Authorization: Token <raw>``, looked up by its SHA-256 hash."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from oms.db import ModelColumns, fetch_rows
from orders.models import Channel, ChannelToken


class ChannelClient:
    """The API caller: a channel's integration, not a back-office user."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    pk = None

    def __init__(self, token: ChannelToken) -> None:
        self.token = token
        self.channel = token.channel

    def __str__(self) -> str:
        return f"api:{self.channel.code}"

    def has_perm(self, perm, obj=None) -> bool:
        return False


_TOKEN = ModelColumns(ChannelToken)
_CHANNEL = ModelColumns(Channel)


def token_by_hash(key_hash: str) -> ChannelToken | None:
    """The live token of an active channel with this hash, its channel with it (every API call asks: one
    hand-written read instead of an ORM query compiled each time)."""
    rows = fetch_rows(
        f"SELECT {_TOKEN.sql('t')}, {_CHANNEL.sql('c')} FROM {ChannelToken._meta.db_table} t "  # noqa: S608 - names from model meta
        f"JOIN {Channel._meta.db_table} c ON c.id = t.channel_id "
        "WHERE t.key_hash = %s AND t.revoked_at IS NULL AND c.is_active ORDER BY t.id LIMIT 1",
        [key_hash],
    )
    if not rows:
        return None
    token = _TOKEN.take(rows[0])
    _TOKEN.relate(token, "channel", _CHANNEL.take(rows[0], _TOKEN.width))
    return token


class ChannelTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: give exactly one token."))
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from exc
        key_hash = hashlib.sha256(raw.encode()).hexdigest()
        token = token_by_hash(key_hash)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
            # At most one write every few minutes per token: the hot path stays read-only.
            ChannelToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return ChannelClient(token), token

    def authenticate_header(self, request) -> str:
        return self.keyword


class IsChannelClient(permissions.BasePermission):
    message = _("A channel API token is required.")

    def has_permission(self, request, view) -> bool:
        return isinstance(request.auth, ChannelToken)


class ChannelTokenScheme(OpenApiAuthenticationExtension):
    target_class = "orders.api_auth.ChannelTokenAuthentication"
    name = "channelToken"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization", "description": "Token <raw token>"}
