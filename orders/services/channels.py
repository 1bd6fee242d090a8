"""Channels' API tokens: created here, only their hash is stored."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from orders.models import Channel, ChannelToken


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def channel_token_create(*, channel: Channel, name: str = "") -> tuple[ChannelToken, str]:
    """A new API token for ``channel``; the raw token is returned once and only its hash is stored."""
    raw = "oms_" + secrets.token_urlsafe(32)
    token = ChannelToken.objects.create(
        channel=channel, name=name[:100], prefix=raw[:12], key_hash=hash_token(raw)
    )
    return token, raw
