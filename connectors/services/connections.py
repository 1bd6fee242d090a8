"""A shop's connection: settings, credentials (encrypted; a blank field keeps the stored value), the test."""

from __future__ import annotations

import secrets as random

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from connectors.crypto import decrypt_secrets, encrypt_secrets
from connectors.models import Connection
from connectors.platforms import PlatformError, adapter_for
from connectors.services.stock import SYNC_ON_KEY
from oms.audit import log_changes
from oms.cache import shared_forget
from oms.notes import note

SECRET_FIELDS = ("access_token", "webhook_secret", "consumer_key", "consumer_secret")
SETTING_FIELDS = (
    "channel",
    "platform",
    "shop_url",
    "location_id",
    "is_active",
    "write_back",
    "stock_sync",
    "stock_share_percent",
    "stock_buffer",
    "pull_enabled",
)


@transaction.atomic
def connection_save(
    *, connection: Connection | None, values: dict, secrets: dict[str, str], by=None
) -> Connection:
    """Create or change a shop connection. A credential left blank keeps the stored one (it is never shown)."""
    creating = connection is None
    connection = connection or Connection(webhook_key=random.token_urlsafe(24))
    before = {} if creating else {f: getattr(connection, f) for f in SETTING_FIELDS}
    for name in SETTING_FIELDS:
        if name in values:
            setattr(connection, name, values[name])
    stored = decrypt_secrets(connection.secrets)
    changed_secrets = sorted(k for k in SECRET_FIELDS if (secrets.get(k) or "").strip())
    for key in changed_secrets:
        stored[key] = secrets[key].strip()
    connection.secrets = encrypt_secrets(stored)
    connection.save()
    shared_forget(cache, SYNC_ON_KEY)  # a shop turned stock push on or off: stock writes ask again
    # Which credentials changed is logged, never their values.
    log_changes(
        instance=connection,
        before=before,
        by=by,
        action="create" if creating else "update",
        note=note("connectors.credentials_changed", fields=", ".join(changed_secrets))
        if changed_secrets
        else "",
    )
    return connection


def connection_test(*, connection_id: int) -> tuple[bool, str]:
    """Call the shop's API once; the answer (shop name or the error) is kept on the connection."""
    connection = Connection.objects.select_related("channel").get(pk=connection_id)
    try:
        answer = adapter_for(connection, decrypt_secrets(connection.secrets)).test_connection()
        ok, message = True, answer
    except PlatformError as exc:
        ok, message = False, str(exc)
    now = timezone.now()
    fields = {"last_test_at": now, "last_test_ok": ok}
    if not ok:
        fields.update(last_error=message[:2000], last_error_at=now)
    Connection.objects.filter(pk=connection_id).update(**fields)
    return ok, message
