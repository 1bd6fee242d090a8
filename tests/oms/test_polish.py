"""Newcomer polish: the demo's port, a quiet seed, one-line refusals, the favicon, translations in context,
and Chinese amounts grouped by thousands."""

from __future__ import annotations

import logging
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import call_command
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from oms.exports import export_response
from oms.models import OutboxMessage
from oms.settings import public_url
from orders.choices import PaymentStatus

REPO = Path(__file__).resolve().parents[2]


# --- the demo's port ----------------------------------------------------------------------------


def test_links_use_the_port_the_demo_serves_on():
    assert public_url({}) == "http://127.0.0.1:8000"
    assert public_url({"PORT": "8101"}) == "http://127.0.0.1:8101"
    # An explicit public address wins over the port (a proxy in front); no trailing slash.
    assert (
        public_url({"PORT": "8101", "OMS_PUBLIC_URL": "https://oms.example.com/"})
        == "https://oms.example.com"
    )


def test_a_port_that_is_not_a_number_is_refused():
    with pytest.raises(RuntimeError, match="PORT must be a number"):
        public_url({"PORT": "80; rm"})


def _demo_config(**env) -> subprocess.CompletedProcess:
    clean = {"PATH": "/usr/bin:/bin", **env}
    return subprocess.run(
        ["bash", str(REPO / "scripts/demo.sh"), "--print-config"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


def test_demo_script_serves_and_links_on_the_port_given():
    default = _demo_config()
    assert default.returncode == 0
    assert default.stdout.splitlines() == ["PORT=8000", "OMS_PUBLIC_URL=http://127.0.0.1:8000"]
    other = _demo_config(PORT="8101")
    assert other.stdout.splitlines() == ["PORT=8101", "OMS_PUBLIC_URL=http://127.0.0.1:8101"]
    refused = _demo_config(PORT="x")
    assert refused.returncode == 2
    assert "PORT must be a number" in refused.stderr
    # The server itself is started on that port.
    assert 'runserver "127.0.0.1:$PORT"' in (REPO / "scripts/demo.sh").read_text()


# --- a quiet seed ---------------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_seeding_records_emails_in_the_outbox_without_printing_them(settings, capfd):
    # As `make demo` runs it: the console backend, real commits (delivery happens after commit).
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    mail.outbox = []
    call_command("seed_demo")
    out, err = capfd.readouterr()
    emails = OutboxMessage.objects.filter(channel=OutboxMessage.Channel.EMAIL)
    sent = emails.filter(status=OutboxMessage.Status.SENT)
    # Each customer is told on the channel they prefer (most demo buyers: SMS), so e-mails are a part.
    assert OutboxMessage.objects.count() > 20
    assert sent.count() > 0
    # Every sent e-mail went through a backend, none of them to the console.
    assert len(mail.outbox) == sent.count()
    assert "Content-Type: text/plain" not in out + err
    assert "Subject:" not in out + err
    assert f"{emails.count()} e-mails to demo customers (and their SMS) are in the outbox" in out
    # Nor a log line per SMS or per delivery task.
    assert "SMS to" not in err
    assert "succeeded in" not in err
    assert len(err.splitlines()) < 20
    assert len(out.splitlines()) < 40
    # The web process still prints e-mails to the console as configured.
    from django.conf import settings as live

    assert live.EMAIL_BACKEND == "django.core.mail.backends.console.EmailBackend"


# --- an ordinary refusal --------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_403_is_logged_as_one_line_without_traceback(client_for, make_user, caplog):
    nobody = make_user("nobody")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client_for(nobody).get(reverse("outbox-list"))
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [r.getMessage() for r in records] == ["Forbidden (Permission denied): /notifications/"]
    assert records[0].exc_info is None
    assert "Traceback" not in caplog.text


# --- the favicon -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_favicon_is_linked_and_served(client, client_for, ops_user):
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200
    assert icon["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in b"".join(icon.streaming_content)
    # Browsers that ask for /favicon.ico (signed in or not) are sent to it.
    legacy = client.get("/favicon.ico")
    assert legacy.status_code == 302
    assert legacy["Location"] == "/static/favicon.svg"
    page = client_for(ops_user).get(reverse("home")).content.decode()
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page


# --- translations that depend on the place ------------------------------------------------------


def test_pending_means_unpaid_for_a_payment_and_unsent_for_a_message():
    template = Template("{{ payment }}|{{ message }}")
    context = Context({"payment": PaymentStatus.PENDING.label, "message": OutboxMessage.Status.PENDING.label})
    with translation.override("zh-hans"):
        assert template.render(context) == "待支付|待发送"
    with translation.override("en"):
        assert template.render(context) == "Pending|Pending"


@pytest.mark.django_db
def test_outbox_screen_shows_pending_as_not_yet_sent(client_for, make_user):
    clerk = make_user("clerk", "admin", language="zh-hans", is_superuser=True)
    page = client_for(clerk).get(reverse("outbox-list")).content.decode()
    assert ">待发送</option>" in page
    assert "待支付" not in page


def test_by_is_the_person_in_lists_and_the_grouping_in_reports():
    template = Template(
        '{% load i18n %}{% translate "By" context "actor" %}|{% translate "By" context "report period" %}'
    )
    with translation.override("zh-hans"):
        assert template.render(Context()) == "操作人|按"


# --- Chinese amounts grouped by thousands -------------------------------------------------------


def test_amounts_are_grouped_by_thousands_in_chinese_too():
    template = Template(
        "{% load reconciliation_tags report_cells humanize %}"
        "{{ amount|yuan }}|{{ amount|cell }}|{{ count|cell }}|{{ count|intcomma }}|{{ refund|yuan }}"
    )
    context = Context({"amount": Decimal("498437.60"), "count": 1234567, "refund": Decimal("-30")})
    with translation.override("zh-hans"):
        assert template.render(context) == "¥498,437.60|498,437.60|1,234,567|1,234,567|-¥30.00"
    with translation.override("en"):
        assert template.render(context) == "¥498,437.60|498,437.60|1,234,567|1,234,567|-¥30.00"


def test_exports_keep_amounts_as_plain_numbers_in_chinese():
    with translation.override("zh-hans"):
        response = export_response(
            name="t",
            fmt="csv",
            headers=["amount", "count"],
            rows=[[Decimal("498437.60"), 1234567]],
            stamp=False,
        )
    assert response.content.decode("utf-8-sig").splitlines()[1] == "498437.60,1234567"
