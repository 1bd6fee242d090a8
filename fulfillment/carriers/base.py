"""The carrier adapter interface: tracking numbers, polled events, and verified webhook pushes."""

from __future__ import annotations

import hashlib
import hmac
import json
from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from django.utils.dateparse import parse_datetime

from fulfillment.choices import TrackingKind, WebhookAuth

SIGNATURE_HEADER = "X-Carrier-Signature"  # hex HMAC-SHA256 of the raw body with the carrier's secret
TOKEN_HEADER = "X-Carrier-Token"  # the carrier's shared secret as it is


@dataclass(frozen=True)
class LabelRequest:
    reference: str  # our shipment number, printed on the label
    service_code: str
    weight_g: int
    province: str
    city: str


@dataclass(frozen=True)
class TrackingUpdate:
    occurred_at: datetime
    kind: str  # TrackingKind
    description: str
    location: str = ""

    @property
    def dedupe_key(self) -> str:
        return f"{self.occurred_at.isoformat()}|{self.kind}|{self.description}"[:300]


def parse_events(payload: Mapping) -> list[TrackingUpdate]:
    """Events in the carrier JSON format: {"events": [{"time", "status", "description", "location"}]}."""
    updates = []
    for raw in payload.get("events") or []:
        when = parse_datetime(str(raw.get("time", "")))
        kind = str(raw.get("status", ""))
        if when is None or kind not in TrackingKind.values:
            raise ValueError(f"bad tracking event: {raw!r}")
        updates.append(
            TrackingUpdate(
                occurred_at=when,
                kind=kind,
                description=str(raw.get("description", ""))[:300],
                location=str(raw.get("location", ""))[:100],
            )
        )
    return updates


class CarrierAdapter(ABC):
    """One carrier's integration. Subclasses talk to the carrier; pushes are checked here."""

    def __init__(self, carrier) -> None:
        self.carrier = carrier

    @abstractmethod
    def request_tracking_number(self, request: LabelRequest) -> str | None:
        """A new tracking number for a parcel, or None when a person types it from the label."""

    @abstractmethod
    def fetch_events(self, tracking_number: str) -> list[TrackingUpdate]:
        """Every event the carrier knows for ``tracking_number`` (polling)."""

    def verify_push(self, body: bytes, headers: Mapping[str, str]) -> bool:
        """True when a webhook push carries a valid signature or token for this carrier's secret."""
        secret = self.carrier.webhook_secret
        if not secret:
            return False
        if self.carrier.webhook_auth == WebhookAuth.TOKEN:
            given = headers.get(TOKEN_HEADER, "")
            return hmac.compare_digest(given.encode(), secret.encode())
        expected = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(headers.get(SIGNATURE_HEADER, "").lower().encode(), expected.encode())

    def parse_push(self, body: bytes) -> list[TrackingUpdate]:
        return parse_events(json.loads(body.decode()))


def sign(secret: str, body: bytes) -> str:
    """What a carrier puts in the signature header (used by tests and the fake carrier)."""
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
