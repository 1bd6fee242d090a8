"""Project-wide checks: deploy settings, migrations, admin coverage, compose file, seed data."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command

ROOT = Path(__file__).resolve().parents[2]


def test_deploy_check_passes_with_production_environment():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "OMS_DEV": "0",
        "SECRET_KEY": "x" * 20 + "-production-secret-key-with-enough-entropy-1234567890",
        "ALLOWED_HOSTS": "oms.example.com",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or "postgres://oms:oms@db.invalid:5432/oms",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_every_model_of_the_project_is_in_django_admin():
    ours = {"oms", "inventory", "orders", "fulfillment", "aftersales", "reconciliation", "reports"}
    missing = [
        model._meta.label
        for model in apps.get_models()
        if model._meta.app_label in ours
        and not model._meta.auto_created
        and model not in admin.site._registry
    ]
    assert missing == []


@pytest.mark.skipif(
    shutil.which("docker-compose") is None,
    reason="docker-compose not installed (make setup-test installs it)",
)
def test_docker_compose_file_is_valid():
    env = {**os.environ, "SECRET_KEY": "compose-test-secret"}
    result = subprocess.run(
        ["docker-compose", "-f", "docker-compose.yml", "config", "-q"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr


def test_docker_compose_has_the_production_services_with_health_checks():
    import yaml

    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = compose["services"]
    assert set(services) >= {"postgres", "redis", "web", "worker", "beat"}
    for name in ("postgres", "redis", "web"):
        assert "healthcheck" in services[name], name


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_prints_logins(capsys):
    from oms.models import User

    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    assert (
        User.objects.filter(username__in=["ops", "warehouse", "finance", "finance_manager", "admin"]).count()
        == 5
    )
    assert "password: demo" in first
    ops = User.objects.get(username="ops")
    assert ops.check_password("demo")
    assert list(ops.groups.values_list("name", flat=True)) == ["Operations"]
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.django_db
def test_every_admin_list_and_first_record_opens_for_the_admin_on_demo_data(client):
    # given the demo data (every domain has records); when the admin opens each model's list and its first record
    from django.urls import reverse

    from oms.models import User

    call_command("seed_demo")
    client.force_login(User.objects.get(username="admin"))
    broken = []
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        response = client.get(reverse(f"admin:{info[0]}_{info[1]}_changelist"))
        if response.status_code != 200:
            broken.append((model._meta.label, "list", response.status_code))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            response = client.get(reverse(f"admin:{info[0]}_{info[1]}_change", args=[first.pk]))
            if response.status_code != 200:
                broken.append((model._meta.label, "record", response.status_code))
    # then every page answers 200
    assert broken == []
