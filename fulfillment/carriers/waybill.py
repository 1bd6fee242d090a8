"""Electronic waybill (电子面单) clients: what a parcel's label needs from the carrier, and the HTTP plumbing.

Each carrier's API (``fulfillment/carriers/cn.py``) turns a :class:`WaybillRequest` into its own request
shape, signs it as its documentation says, and reads the waybill number and the sorting code (三段码) from
its answer. Every failure (no answer, HTTP error, the carrier's own error code) is a
``CarrierAdapterError`` with the carrier's message, so the screen can show it and nothing is written.
"""

from __future__ import annotations

import base64
import hashlib
import json
import urllib.error
import urllib.request
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from fulfillment.exceptions import CarrierAdapterError


@dataclass(frozen=True)
class Party:
    name: str
    phone: str
    province: str
    city: str
    district: str
    address: str


@dataclass(frozen=True)
class WaybillRequest:
    reference: str  # our shipment number: the carrier's order id, so a retry is recognised
    carrier_code: str  # e.g. ZTO, SF (aggregators need it)
    service_code: str
    weight_g: int
    packages: int
    sender: Party
    receiver: Party
    items: tuple[str, ...] = field(default_factory=tuple)

    @property
    def weight_kg(self) -> float:
        return round(max(self.weight_g, 1) / 1000, 3)


@dataclass(frozen=True)
class WaybillAnswer:
    number: str
    sort_code: str = ""
    destination_code: str = ""


@dataclass(frozen=True)
class Credentials:
    endpoint: str
    partner_id: str
    customer_code: str
    secret: str
    carrier_name: str


def md5_base64(text: str) -> str:
    """base64 of the raw MD5 digest of ``text`` in UTF-8: the digest most Chinese carrier APIs use."""
    return base64.b64encode(hashlib.md5(text.encode()).digest()).decode()  # noqa: S324 - the carriers' scheme


def compact_json(payload) -> str:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"))


class WaybillClient(ABC):
    """One carrier API. ``issue`` gets a number (and sorting code); ``cancel`` voids an unused waybill."""

    timeout = 10

    def __init__(self, credentials: Credentials) -> None:
        self.creds = credentials

    @abstractmethod
    def issue(self, request: WaybillRequest) -> WaybillAnswer: ...

    @abstractmethod
    def cancel(self, *, number: str, reference: str, carrier_code: str) -> None: ...

    def fail(self, detail: str) -> CarrierAdapterError:
        return CarrierAdapterError(self.creds.carrier_name, str(detail)[:200])

    def url(self, path: str = "") -> str:
        base = self.creds.endpoint.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise self.fail("no http(s) API endpoint set")
        return f"{base}{path}"

    def post(self, url: str, body: bytes, *, content_type: str, headers: dict | None = None) -> dict:
        """POST ``body``; the JSON answer, or a CarrierAdapterError (HTTP error, timeout, not JSON)."""
        request = urllib.request.Request(  # noqa: S310 - scheme checked in url()
            url,
            data=body,
            headers={"Content-Type": content_type, "Accept": "application/json", **(headers or {})},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as exc:
            raise self.fail(f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise self.fail(str(exc)) from exc
        if not isinstance(answer, dict):
            raise self.fail("the answer is not a JSON object")
        return answer

    def need_number(self, number) -> str:
        number = str(number or "").strip()
        if not number:
            raise self.fail("no waybill number in the answer")
        return number
