"""What every platform adapter offers, and the HTTP client they share (JSON, timeouts, retries with backoff).

An adapter is built for one shop (``Connection``) with its decrypted credentials. Tests point the shop's
address at a local fake server that answers like the platform's documented API; nothing here knows tests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings

logger = logging.getLogger(__name__)
RETRY_STATUSES = {429, 500, 502, 503, 504}


class PlatformError(Exception):
    """The platform refused or could not be reached (after the retries); the message says which and why."""


@dataclass
class PlatformOrder:
    """A platform's order as the OMS intake takes it, plus what the platform says happened to it."""

    external_id: str
    body: dict  # the intake body (orders.validation)
    paid: bool
    cancelled: bool = False
    cancel_reason: str = ""
    listings: list[tuple[str, str]] = field(default_factory=list)  # (sku code, platform product id)


@dataclass
class StockItem:
    sku_code: str
    external_ref: str
    inventory_ref: str
    quantity: int


@dataclass
class HttpResult:
    status: int
    data: object
    headers: dict


def hmac_base64(secret: str, body: bytes) -> str:
    """Base64 of HMAC-SHA256 over the raw body: how Shopify and WooCommerce sign their webhooks."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def signature_valid(secret: str, body: bytes, given: str) -> bool:
    if not secret or not given:
        return False
    return hmac.compare_digest(hmac_base64(secret, body).encode(), given.strip().encode())


def money(value) -> Decimal:
    try:
        return Decimal(str(value if value not in (None, "") else "0")).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return Decimal("0.00")


def http_json(
    method: str, url: str, *, headers: dict | None = None, body=None, timeout: float = 10
) -> HttpResult:
    """One JSON call with retries: network errors, 429 and 5xx are retried with exponential backoff
    (``Retry-After`` honoured, capped); other 4xx are the caller's error at once."""
    data = json.dumps(body).encode() if body is not None else None
    request_headers = {"Accept": "application/json", **(headers or {})}
    if data is not None:
        request_headers["Content-Type"] = "application/json"
    attempts = max(1, settings.OMS_CONNECTOR_HTTP_ATTEMPTS)
    last_error = ""
    for attempt in range(1, attempts + 1):
        request = urllib.request.Request(url, data=data, headers=request_headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - shop URL, http(s)
                raw = response.read()
                return HttpResult(response.status, json.loads(raw) if raw else None, dict(response.headers))
        except urllib.error.HTTPError as exc:
            text = exc.read()[:500].decode(errors="replace")
            last_error = f"HTTP {exc.code}: {text}"
            if exc.code not in RETRY_STATUSES:
                raise PlatformError(last_error) from exc
            wait = _retry_after(exc.headers.get("Retry-After"), attempt)
        except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
            last_error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
            wait = _retry_after(None, attempt)
        if attempt < attempts:
            logger.info("platform call %s %s failed (%s); retry in %.1fs", method, url, last_error, wait)
            time.sleep(wait)
    raise PlatformError(last_error)


def _retry_after(header: str | None, attempt: int) -> float:
    base = settings.OMS_CONNECTOR_RETRY_SECONDS
    try:
        asked = float(header) if header else 0.0
    except ValueError:
        asked = 0.0
    return min(max(asked, base * 2 ** (attempt - 1)), 30.0)


class PlatformAdapter:
    """The interface; each platform module implements what it supports (the others say so)."""

    platform = ""
    signature_header = ""
    delivery_header = ""
    topic_header = ""

    def __init__(self, connection, secrets: dict[str, str]):
        self.connection = connection
        self.secrets = secrets
        self.base_url = (connection.shop_url or "").rstrip("/")

    # --- inbound -------------------------------------------------------------------------------
    def verify_webhook(self, body: bytes, headers) -> bool:
        return signature_valid(
            self.secrets.get("webhook_secret", ""), body, headers.get(self.signature_header, "")
        )

    def webhook_meta(self, headers) -> tuple[str, str]:
        """(delivery id, topic) of a webhook request."""
        return headers.get(self.delivery_header, ""), headers.get(self.topic_header, "")

    def order_from_payload(self, payload: dict) -> PlatformOrder:
        raise NotImplementedError

    def fetch_orders(self, *, cursor: str) -> tuple[list[dict], str]:
        """Orders changed since ``cursor``, and the cursor to start from next time."""
        raise PlatformError(f"{self.platform}: pulling orders is not supported")

    # --- outbound ------------------------------------------------------------------------------
    def test_connection(self) -> str:
        raise PlatformError(f"{self.platform}: no API connection")

    def push_fulfillment(
        self,
        *,
        external_id: str,
        tracking_number: str,
        carrier: str,
        tracking_url: str,
        lines=None,
        final=True,
    ) -> str:
        """Tell the shop a parcel left: ``lines`` are its (sku code, quantity); ``final`` when the order is
        now shipped in full. Must be safe to repeat (the outbox retries after an unknown outcome)."""
        raise PlatformError(f"{self.platform}: sending tracking numbers back is not supported")

    def push_stock(self, items: list[StockItem]) -> dict[str, str]:
        """Set each item's stock; returns the errors by SKU code (empty: all set)."""
        raise PlatformError(f"{self.platform}: stock push is not supported")
