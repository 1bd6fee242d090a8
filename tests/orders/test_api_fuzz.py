"""The API schema fuzzed with schemathesis: whatever a channel sends, the server never answers 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from oms.wsgi import application

schema = schemathesis.from_wsgi("/api/schema/", application)


class _LegacyMany:
    """hypothesis-jsonschema (pulled in by schemathesis 3.x) drives ``cu.many`` with the pre-6.150 API
    (``more()`` / ``reject()``); the locked Hypothesis has a context-manager API. This shim gives the old
    one back for these tests only (patched per test with ``monkeypatch``)."""

    def __init__(self, data, min_size, max_size, average_size, **_kwargs):
        self.data, self.min_size, self.max_size = data, min_size, max_size
        span = max_size - min_size
        self.p_continue = (
            0.0
            if span <= 0
            else min(0.95, max(0.05, (average_size - min_size) / (average_size - min_size + 1)))
        )
        self.count = self.rejections = 0
        self.force_stop = False

    def more(self) -> bool:
        if self.count < self.min_size:
            should = True
        elif self.force_stop or self.count >= self.max_size:
            should = False
        else:
            should = self.data.draw_boolean(self.p_continue)
        if should:
            self.count += 1
        return should

    def reject(self, why=None) -> None:
        self.count -= 1
        self.rejections += 1
        if self.rejections > max(3, 2 * self.count):
            if self.count < self.min_size:
                self.data.mark_invalid(why)
            self.force_stop = True


class _UtilsWithLegacyMany:
    many = _LegacyMany

    def __init__(self, module):
        self._module = module

    def __getattr__(self, name):
        return getattr(self._module, name)


@pytest.fixture
def fuzz_token(db, channel, sku, monkeypatch):
    import hypothesis_jsonschema._from_schema as from_schema

    from orders.services import channel_token_create

    if not hasattr(from_schema.cu.many, "more"):
        # Only hypothesis-jsonschema's view of the utils module changes; Hypothesis keeps its own.
        monkeypatch.setattr(from_schema, "cu", _UtilsWithLegacyMany(from_schema.cu))
    # Like Django's test client: the request must not close the test's connection (its transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield channel_token_create(channel=channel)[1]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize(endpoint="^/api/v1/orders")
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error(case, fuzz_token):
    response = case.call_wsgi(headers={"Authorization": f"Token {fuzz_token}"})
    assert response.status_code < 500, response.data
