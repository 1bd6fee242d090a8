"""Load realistic demo data: the demo users, then every app's ``demo.seed()`` (idempotent)."""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager

from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.test.utils import override_settings
from django.utils.module_loading import module_has_submodule

from oms.models import OutboxMessage, User
from oms.roles import ROLE_BY_KEY, sync_roles

CONSOLE_EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEMO_PASSWORD = "demo"
DEMO_USERS = [
    # username, role key, language, superuser
    ("ops", "operations", "zh-hans", False),
    ("warehouse", "warehouse", "zh-hans", False),
    ("warehouse_manager", "warehouse_manager", "zh-hans", False),
    ("buyer", "purchasing", "zh-hans", False),
    ("finance", "finance", "en", False),
    ("finance_manager", "finance_manager", "en", False),
    ("admin", "admin", "en", True),
]


class Command(BaseCommand):
    help = "Create the demo users (password 'demo') and demo data for every app; safe to run again."

    def handle(self, *args, **options):
        emails_before = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.EMAIL).count()
        with _quiet_console_email(), _quiet_delivery_logs():
            self._seed()
        emails = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.EMAIL).count() - emails_before
        if emails:
            self.stdout.write(
                f"{emails} e-mails to demo customers (and their SMS) are in the outbox (/notifications/), "
                "not printed here."
            )

    def _seed(self):
        started = time.monotonic()
        sync_roles()
        with transaction.atomic():
            for username, role_key, language, superuser in DEMO_USERS:
                self._user(username, role_key, language, superuser)
        for config in apps.get_app_configs():
            if config.name != "oms" and module_has_submodule(config.module, "demo"):
                module = __import__(f"{config.name}.demo", fromlist=["seed"])
                step = time.monotonic()
                module.seed(stdout=self.stdout)
                self.stdout.write(f"  {config.label}: {time.monotonic() - step:.1f}s")
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s."))
        self.stdout.write("Demo logins (password: demo):")
        for username, role_key, _language, _superuser in DEMO_USERS:
            self.stdout.write(f"  {username:<16} {ROLE_BY_KEY[role_key].group}")

    def _user(self, username: str, role_key: str, language: str, superuser: bool) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "email": f"{username}@example.com",
                "language": language,
                "first_name": username.replace("_", " ").title(),
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        user.is_staff = superuser
        user.is_superuser = superuser
        user.save()
        user.groups.add(Group.objects.get(name=ROLE_BY_KEY[role_key].group))
        return user


@contextmanager
def _quiet_console_email():
    """While seeding, e-mails the console backend would print (about 1,150) are kept in memory instead.

    The outbox still records every message as sent; another configured backend (SMTP, file) is left alone.
    """
    if settings.EMAIL_BACKEND != CONSOLE_EMAIL_BACKEND:
        yield
        return
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"):
        yield


# Loggers that write a line (or a whole SMS) per delivered message while the demo's tasks run eagerly.
CHATTY_LOGGERS = ("celery.app.trace", "oms.notifications")


@contextmanager
def _quiet_delivery_logs():
    """While seeding, only warnings from the delivery of the demo's messages; the levels are restored after."""
    loggers = [logging.getLogger(name) for name in CHATTY_LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(max(logger.getEffectiveLevel(), logging.WARNING))
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)
