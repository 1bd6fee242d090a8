"""Roles, navigation and server-side protection of the project's own pages."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from oms.navigation import nav_items_for
from oms.roles import ROLES, sync_roles

pytestmark = pytest.mark.django_db


def test_every_role_of_the_design_exists_as_a_group(roles):
    assert set(Group.objects.values_list("name", flat=True)) >= {r.group for r in ROLES}


def test_sync_roles_is_idempotent_and_admin_gets_every_permission(roles):
    from django.contrib.auth.models import Permission

    sync_roles()
    sync_roles()
    assert Group.objects.filter(name="Admin").count() == 1
    assert Group.objects.get(name="Admin").permissions.count() == Permission.objects.count()


def test_finance_manager_has_everything_finance_has(roles):
    finance = set(Group.objects.get(name="Finance").permissions.values_list("pk", flat=True))
    manager = set(Group.objects.get(name="Finance manager").permissions.values_list("pk", flat=True))
    assert finance <= manager


def test_anonymous_user_is_sent_to_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_outbox_screen_is_refused_to_warehouse_and_open_to_operations(client_for, warehouse_user, ops_user):
    assert client_for(warehouse_user).get(reverse("outbox-list")).status_code == 403
    assert client_for(ops_user).get(reverse("outbox-list")).status_code == 200


def test_navigation_shows_only_what_the_role_may_open(warehouse_user, ops_user, admin_user_role):
    warehouse_nav = {i["url_name"] for i in nav_items_for(warehouse_user)}
    ops_nav = {i["url_name"] for i in nav_items_for(ops_user)}
    admin_nav = {i["url_name"] for i in nav_items_for(admin_user_role)}
    assert "home" in warehouse_nav
    assert "outbox-list" not in warehouse_nav
    assert "admin:index" not in warehouse_nav
    assert "outbox-list" in ops_nav
    assert "admin:index" in admin_nav


def test_health_check_needs_no_login_and_touches_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_login_with_wrong_password_says_so(client, ops_user):
    response = client.post(reverse("login"), {"username": "ops", "password": "wrong"})
    assert response.status_code == 200
    assert "did not match" in response.content.decode()
