"""Sign-in lockout, the Content-Security-Policy header and the session lifetime."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

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


def test_every_page_carries_a_content_security_policy_with_a_script_nonce(client_for, ops_user):
    response = client_for(ops_user).get(reverse("home"))
    policy = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "object-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    script_src = next(part for part in policy.split(";") if part.strip().startswith("script-src"))
    assert "'nonce-" in script_src
    assert "'unsafe-inline'" not in script_src


def test_a_back_office_session_lasts_twelve_hours_by_default(client_for, ops_user):
    assert settings.SESSION_COOKIE_AGE == 12 * 3600
    client = client_for(ops_user)
    client.get(reverse("home"))
    assert client.session.get_expiry_age() == 12 * 3600
