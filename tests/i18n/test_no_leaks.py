"""No English UI text on a Chinese screen, no Chinese UI text on an English one: every role, every page.

The demo data is seeded once for the module (rolled back at the end). For each role of ``oms.roles`` a user
whose language is zh-hans (then en) opens the navigation, follows every same-site link (a few pages per
URL pattern: lists, details, forms) and posts each kind of action form once, and every visible text node is
compared with the catalogue (see ``tests/i18n/crawl.py``). The failure names the language, role, page and text.
"""

from __future__ import annotations

import io
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connections, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.test import Client

from oms.management.commands.seed_demo import DEMO_USERS
from oms.navigation import nav_items_for
from oms.roles import ROLES
from tests.i18n.crawl import Crawl, catalogue, chinese_in, english_in

WORDS, TEXTS = catalogue()


@pytest.fixture(scope="module")
def demo_data(django_db_setup, django_db_blocker):
    """The demo seeding, once for the module's tests, undone afterwards."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            started = time.monotonic()
            call_command("seed_demo", stdout=io.StringIO())
            # The demo users' names ("warehouse", "finance") are words of the UI: make them look like data.
            get_user_model().objects.filter(username__in=[u[0] for u in DEMO_USERS]).update(
                username=Concat(F("username"), Value("-demo"))
            )
            print(f"seeded in {time.monotonic() - started:.0f}s")
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connections.close_all()


def _user(django_user_model, role, language):
    user = django_user_model.objects.create_user(
        username=f"crawl-{role.key}-{language}",
        password="x",
        language=language,
        is_staff=role.key == "admin",
        is_superuser=role.key == "admin",
    )
    user.groups.add(Group.objects.get(name=role.group))
    return user


def _crawl(
    django_user_model, language, check, *, per_pattern: int = 2, every_menu: bool = True
) -> tuple[list, list, int]:
    """Every role, the widest first: a role opens all of its menu, and the linked pages no role opened yet."""
    leaks, errors, pages, timings = [], [], 0, []
    seen, seen_patterns, posted = set(), {}, set()
    for role in sorted(ROLES, key=lambda r: r.key != "admin"):
        user = _user(django_user_model, role, language)
        client = Client()
        client.force_login(user)
        crawl = Crawl(
            client=client,
            role=role.key,
            language=language,
            check=check,
            seen=seen,
            per_pattern=seen_patterns,
            limit_per_pattern=per_pattern,
        )
        menu = ["/", *(item["url"] for item in nav_items_for(user))]
        visited = crawl.run(menu if every_menu else [], extra=[] if every_menu else menu)
        crawl.post_actions(visited, done=posted)
        leaks += crawl.leaks
        errors += crawl.errors
        pages += crawl.pages
        timings += crawl.timings
    print(f"{language}: {pages} pages; slowest:", sorted(timings, reverse=True)[:8])
    return leaks, errors, pages


def _report(leaks, errors) -> str:
    unique = {}
    for leak in leaks:
        unique.setdefault((leak.text, tuple(leak.found)), leak)
    lines = [str(leak) for leak in unique.values()]
    return "\n".join([*errors, *lines[:120], f"({len(unique)} distinct texts)"])


@pytest.mark.django_db
def test_chinese_screens_show_no_english_ui_text(demo_data, django_user_model):
    started = time.monotonic()
    leaks, errors, pages = _crawl(django_user_model, "zh-hans", lambda text: english_in(text, WORDS))
    assert pages > 70, f"only {pages} pages crawled"
    assert not errors and not leaks, _report(leaks, errors)
    assert time.monotonic() - started < 120


@pytest.mark.django_db
def test_english_screens_show_no_chinese_ui_text(demo_data, django_user_model):
    # One page per URL pattern, and a menu page seen by one role is not opened again by the next: Chinese
    # left in an English page comes from templates and code, not from the records or the role.
    leaks, errors, pages = _crawl(
        django_user_model, "en", lambda text: chinese_in(text, TEXTS), per_pattern=1
    )
    assert pages > 70, f"only {pages} pages crawled"
    assert not errors and not leaks, _report(leaks, errors)
