"""Encrypting the shops' credentials at rest (Fernet: AES-128-CBC with an HMAC), with a key from the settings."""

from __future__ import annotations

import base64
import hashlib
import json

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    # OMS_CONNECTOR_CREDENTIALS_KEY when set (rotate it apart from SECRET_KEY), else derived from SECRET_KEY.
    material = settings.OMS_CONNECTOR_CREDENTIALS_KEY or settings.SECRET_KEY
    key = base64.urlsafe_b64encode(hashlib.sha256(f"connectors:{material}".encode()).digest())
    return Fernet(key)


def encrypt_secrets(values: dict[str, str]) -> str:
    return _fernet().encrypt(json.dumps(values, sort_keys=True).encode()).decode()


def decrypt_secrets(token: str) -> dict[str, str]:
    """The credentials; empty when none are stored or the key changed (the shop page says to enter them again)."""
    if not token:
        return {}
    try:
        return json.loads(_fernet().decrypt(token.encode()))
    except (InvalidToken, ValueError):
        return {}


def mask(value: str) -> str:
    """``shpat_1234…abcd`` → ``••••abcd``: enough to recognise a credential, never enough to use it."""
    if not value:
        return ""
    return "••••" + value[-4:] if len(value) > 8 else "••••"
