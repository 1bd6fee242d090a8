"""Sign-in lockout, the Content-Security-Policy header and the session lifetime."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_wrong_passwords_lock_the_user_out_even_for_the_right_password(client, ops_user):
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        response = _login(client, "ops", "wrong")
        assert response.status_code in (200, 429)
    locked = _login(client, "ops", "pw-ops")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many wrong passwords" in page
    assert "_auth_user_id" not in client.session
    # the home page still sends this browser to the login page
    assert client.get(reverse("home")).status_code == 302


def test_a_few_wrong_passwords_then_the_right_one_signs_in(client, ops_user):
    for _ in range(3):
        assert _login(client, "ops", "wrong").status_code == 200
    response = _login(client, "ops", "pw-ops")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(ops_user.pk)


def test_the_lockout_page_speaks_chinese(client, ops_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "ops", "wrong")
    locked = client.post(
        reverse("login"), {"username": "ops", "password": "pw-ops"}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert locked.status_code == 429
    assert "密码错误次数过多" in locked.content.decode()


def _script_src(response) -> str:
    policy = response.headers["Content-Security-Policy"]
    return next(part.strip() for part in policy.split(";") if part.strip().startswith("script-src"))


def test_every_page_carries_a_content_security_policy(client_for, ops_user):
    response = client_for(ops_user).get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "'unsafe-inline'" not in _script_src(response)
    assert "'unsafe-eval'" not in _script_src(response)
    assert " on" + "change=" not in response.content.decode()  # no inline handlers left in the layout


def test_a_page_script_runs_only_with_the_nonce_of_its_response(client_for, ops_user):
    sku = SKUFactory(code="SKU-CSP")
    response = client_for(ops_user).get(reverse("inventory:sku-detail", args=[sku.pk]))
    assert response.status_code == 200
    nonce = re.search(r"<script nonce=\"([^\"]+)\">", response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in _script_src(response)


def test_a_back_office_session_lasts_twelve_hours_by_default(client_for, ops_user):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    client = client_for(ops_user)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == 12 * 3600
