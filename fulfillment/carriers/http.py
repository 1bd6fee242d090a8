"""HTTP carrier adapter: a JSON API for labels (tracking numbers) and tracking events.

Protocol (what a carrier integration, or the fake carrier in the tests, answers):
- ``POST {base}/labels`` with ``{"reference", "service", "weight_g", "province", "city"}``
  → ``{"tracking_number": "…"}``
- ``GET {base}/tracking/{number}`` → ``{"events": [{"time", "status", "description", "location"}]}``
Requests carry ``Authorization: Bearer <api token>``.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from fulfillment.carriers.base import CarrierAdapter, LabelRequest, TrackingUpdate, parse_events
from fulfillment.exceptions import CarrierAdapterError


class HttpCarrierAdapter(CarrierAdapter):
    timeout = 10

    def _call(self, method: str, path: str, payload: dict | None = None) -> dict:
        base = self.carrier.api_base_url.rstrip("/")
        if not base.startswith(("http://", "https://")):
            raise CarrierAdapterError(self.carrier.name, "no http(s) API base URL set")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            f"{base}{path}",
            data=json.dumps(payload).encode() if payload is not None else None,
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.carrier.api_token}",
            },
            method=method,
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                return json.loads(response.read().decode() or "{}")
        except urllib.error.HTTPError as exc:
            raise CarrierAdapterError(self.carrier.name, f"HTTP {exc.code}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise CarrierAdapterError(self.carrier.name, str(exc)[:200]) from exc

    def request_tracking_number(self, request: LabelRequest) -> str | None:
        data = self._call(
            "POST",
            "/labels",
            {
                "reference": request.reference,
                "service": request.service_code,
                "weight_g": request.weight_g,
                "province": request.province,
                "city": request.city,
            },
        )
        number = str(data.get("tracking_number", "")).strip()
        if not number:
            raise CarrierAdapterError(self.carrier.name, "no tracking number in the answer")
        return number

    def fetch_events(self, tracking_number: str) -> list[TrackingUpdate]:
        data = self._call("GET", f"/tracking/{urllib.parse.quote(tracking_number, safe='')}")
        try:
            return parse_events(data)
        except ValueError as exc:
            raise CarrierAdapterError(self.carrier.name, str(exc)[:200]) from exc
