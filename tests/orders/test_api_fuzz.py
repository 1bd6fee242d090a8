"""The API schema fuzzed with schemathesis: whatever a channel sends, the server never answers 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import ALL_CHECKS

from oms.wsgi import application

schema = schemathesis.from_wsgi("/api/schema/", application)


@pytest.fixture
def fuzz_token(db, channel, sku):
    from orders.services import channel_token_create

    # Like Django's test client: the request must not close the test's connection (its transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield channel_token_create(channel=channel)[1]
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@schema.parametrize(endpoint="^/api/v1/")
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error(case, fuzz_token):
    # Every schemathesis check (the CLI's --checks all): no server error, and status codes, content types,
    # headers, bodies and authentication as the schema documents them. The token is passed to the call, so
    # the auth check knows it is real and re-sends without it (expecting 401).
    response = case.call_and_validate(headers={"Authorization": f"Token {fuzz_token}"}, checks=ALL_CHECKS)
    assert response.status_code < 500
