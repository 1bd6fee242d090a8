"""Notification outbox: queued with the change, delivered after commit, retried with backoff, never twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from oms.models import OutboxMessage
from oms.notifications import backoff, outbox_deliver, outbox_enqueue
from oms.tasks import outbox_deliver_due_task


class FailingSms:
    calls = 0

    def send(self, message):
        FailingSms.calls += 1
        raise ConnectionError("SMS gateway down")


@pytest.mark.django_db
def test_message_is_sent_only_after_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = outbox_enqueue(
            channel="email",
            recipient="buyer@example.com",
            subject="Shipped",
            body="Your order shipped",
            event="order.shipped",
        )
    assert len(callbacks) == 1
    assert mail.outbox == []
    callbacks[0]()
    message.refresh_from_db()
    assert message.status == "sent"
    assert message.attempts == 1
    assert [m.to for m in mail.outbox] == [["buyer@example.com"]]


@pytest.mark.django_db
def test_rolled_back_change_queues_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                outbox_enqueue(channel="email", recipient="a@example.com", body="x")
                raise RuntimeError("the business change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert OutboxMessage.objects.count() == 0
    assert mail.outbox == []


@pytest.mark.django_db
def test_delivering_twice_sends_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(channel="email", recipient="b@example.com", subject="s", body="b")
    assert outbox_deliver(message_id=message.pk) == "skipped"
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_same_dedupe_key_is_queued_once(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_enqueue(
            channel="email", recipient="c@example.com", body="b", dedupe_key="order:1:shipped"
        )
        second = outbox_enqueue(
            channel="email", recipient="c@example.com", body="b", dedupe_key="order:1:shipped"
        )
    assert first.pk == second.pk
    assert OutboxMessage.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_failure_is_retried_with_backoff_then_marked_failed(settings, django_capture_on_commit_callbacks):
    settings.OMS_SMS_BACKEND = "tests.oms.test_outbox.FailingSms"
    settings.OMS_OUTBOX_MAX_ATTEMPTS = 3
    FailingSms.calls = 0
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(channel="sms", recipient="13800138000", body="hi")
    message.refresh_from_db()
    assert message.status == "pending"
    assert message.attempts == 1
    assert "SMS gateway down" in message.last_error
    assert message.next_attempt_at > timezone.now() + timedelta(seconds=50)
    # not due yet: the beat task leaves it alone
    assert outbox_deliver_due_task() == {}
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver_due_task() == {"retry": 1}
    OutboxMessage.objects.filter(pk=message.pk).update(next_attempt_at=timezone.now())
    assert outbox_deliver_due_task() == {"failed": 1}
    message.refresh_from_db()
    assert message.status == "failed"
    assert message.attempts == 3
    assert FailingSms.calls == 3


def test_backoff_doubles_and_is_capped():
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 4)] == [1, 2, 4, 8]
    assert backoff(30) == timedelta(hours=6)


@pytest.mark.django_db
def test_empty_recipient_queues_nothing():
    assert outbox_enqueue(channel="email", recipient="", body="x") is None
    assert OutboxMessage.objects.count() == 0
