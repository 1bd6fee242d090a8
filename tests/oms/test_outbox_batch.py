"""Batch delivery of the outbox: one transaction per batch, outcomes written set-wise, one flush per
transaction, and never a message sent twice by two batches at once (real transactions on PostgreSQL)."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.locmem import EmailBackend as LocmemEmailBackend
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from oms import notifications
from oms.models import OutboxMessage
from oms.notifications import (
    FLUSH_KEY,
    FLUSH_TASK,
    LoggingSmsBackend,
    outbox_deliver,
    outbox_deliver_batch,
    outbox_enqueue,
    outbox_enqueue_many,
    outbox_flush,
    outbox_request_delivery,
)
from oms.tasks import outbox_deliver_due_task, outbox_deliver_many_task, outbox_deliver_task


def _rows(n: int, channel: str = "sms", **extra) -> list[OutboxMessage]:
    """Pending rows written directly (as the order intake writes them), no delivery requested."""
    recipient = {"sms": "1390000{:04d}", "email": "buyer{}@example.com", "webhook": "https://hooks.test/{}"}
    return OutboxMessage.objects.bulk_create(
        OutboxMessage(
            **{
                "channel": channel,
                "recipient": recipient[channel].format(i),
                "subject": f"{channel} {i}",
                "body": f"{channel} body {i}",
                **extra,
            }
        )
        for i in range(n)
    )


class RecordingSms(LoggingSmsBackend):
    """The logging backend, also recording which thread sent which message ids."""

    lock = threading.Lock()
    sent: list[tuple[str, int]] = []

    def send_many(self, messages):
        with RecordingSms.lock:
            type(self).sent.extend((threading.current_thread().name, m.pk) for m in messages)
        return super().send_many(messages)


class GatedSms(RecordingSms):
    """The first batch to reach it waits (holding its row locks) until the test releases it."""

    entered = threading.Event()
    release = threading.Event()

    def send_many(self, messages):
        first = not GatedSms.entered.is_set()
        GatedSms.entered.set()
        if first:
            assert GatedSms.release.wait(timeout=30), "the test never released the first batch"
        return super().send_many(messages)


class HalfFailingWebhook:
    """Every second message (by id) is refused; a test checks retry, backoff and failure per message."""

    def send_many(self, messages):
        return [ConnectionError("gateway refused") if m.pk % 2 else None for m in messages]


class BrokenSendMany:
    def send_many(self, messages):
        raise TimeoutError("gateway timed out")


class DatabaseBreakingSms:
    """Per-message backend that hits a database error for one recipient (inside the batch's transaction)."""

    def send(self, message):
        if message.recipient.endswith("0001"):
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1 / 0")


class CountingEmailBackend(LocmemEmailBackend):
    opened = 0

    def open(self):
        CountingEmailBackend.opened += 1
        return super().open()


class RefusingEmailBackend(LocmemEmailBackend):
    def send_messages(self, messages):
        if any("refused" in address for m in messages for address in m.to):
            raise ConnectionRefusedError("recipient refused")
        return super().send_messages(messages)


def invoice_pdf(message):
    return [("invoice.pdf", b"%PDF-1.4 test", "application/pdf")]


@pytest.fixture
def recording(settings):
    settings.OMS_SMS_BACKEND = "tests.oms.test_outbox_batch.RecordingSms"
    RecordingSms.sent = []
    return RecordingSms


# --- one batch ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_batch_sends_every_due_row_once_and_marks_them_sent(recording, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    sms = _rows(3, "sms")
    emails = _rows(2, "email")
    later = _rows(1, "sms", next_attempt_at=timezone.now() + timedelta(minutes=5))
    done = _rows(1, "sms", status=OutboxMessage.Status.SENT)

    assert outbox_deliver_batch() == {"sent": 5}

    assert [pk for _thread, pk in recording.sent] == [m.pk for m in sms]
    assert sorted(m.to[0] for m in mail.outbox) == ["buyer0@example.com", "buyer1@example.com"]
    delivered = OutboxMessage.objects.filter(pk__in=[m.pk for m in sms + emails])
    assert {(m.status, m.attempts, m.last_error) for m in delivered} == {("sent", 1, "")}
    assert all(m.sent_at for m in delivered)
    assert OutboxMessage.objects.get(pk=later[0].pk).status == "pending"
    assert OutboxMessage.objects.get(pk=done[0].pk).attempts == 0
    assert outbox_deliver_batch() == {}


@pytest.mark.django_db
def test_batch_takes_the_given_ids_only_and_at_most_limit_in_id_order(recording):
    rows = _rows(6)
    assert outbox_deliver_batch(message_ids=[rows[4].pk, rows[1].pk, rows[2].pk], limit=2) == {"sent": 2}
    assert [pk for _t, pk in recording.sent] == [rows[1].pk, rows[2].pk]
    assert outbox_deliver_batch(limit=10) == {"sent": 4}


@pytest.mark.django_db
def test_batch_statements_do_not_grow_with_the_number_of_messages(recording, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OMS_WEBHOOK_BACKEND = "tests.oms.test_outbox_batch.BrokenSendMany"

    def statements(n: int) -> int:
        OutboxMessage.objects.all().delete()
        for channel in ("sms", "email", "webhook"):
            _rows(n, channel)
        with CaptureQueriesContext(connection) as queries:
            assert outbox_deliver_batch() == {"sent": 2 * n, "retry": n}
        return len(queries)

    assert statements(1) == statements(150)
    assert statements(1) <= 5  # lock-and-read, one UPDATE for the sent, one for the failed (+ savepoint)


@pytest.mark.django_db
def test_failures_get_attempts_backoff_and_last_error_then_fail_after_max_attempts(settings):
    settings.OMS_WEBHOOK_BACKEND = "tests.oms.test_outbox_batch.HalfFailingWebhook"
    settings.OMS_OUTBOX_MAX_ATTEMPTS = 2
    rows = _rows(4, "webhook")
    refused = [m.pk for m in rows if m.pk % 2]
    before = timezone.now()

    assert outbox_deliver_batch() == {"sent": 2, "retry": 2}

    for message in OutboxMessage.objects.filter(pk__in=refused):
        assert (message.status, message.attempts) == ("pending", 1)
        assert message.last_error == "ConnectionError: gateway refused"
        assert (
            before + timedelta(seconds=59) < message.next_attempt_at < timezone.now() + timedelta(seconds=61)
        )
    assert outbox_deliver_batch() == {}  # not due before the backoff has passed
    OutboxMessage.objects.filter(pk__in=refused).update(next_attempt_at=timezone.now())
    assert outbox_deliver_due_task() == {"failed": 2}
    assert {(m.status, m.attempts) for m in OutboxMessage.objects.filter(pk__in=refused)} == {("failed", 2)}
    assert set(OutboxMessage.objects.exclude(pk__in=refused).values_list("status", "attempts")) == {
        ("sent", 1)
    }


@pytest.mark.django_db
def test_a_backend_that_raises_for_the_whole_group_retries_the_group_only(recording, settings):
    settings.OMS_WEBHOOK_BACKEND = "tests.oms.test_outbox_batch.BrokenSendMany"
    _rows(2, "sms")
    hooks = _rows(3, "webhook")
    assert outbox_deliver_batch() == {"sent": 2, "retry": 3}
    assert set(
        OutboxMessage.objects.filter(pk__in=[m.pk for m in hooks]).values_list("last_error", flat=True)
    ) == {"TimeoutError: gateway timed out"}


@pytest.mark.django_db
def test_a_database_error_in_one_send_fails_that_message_only(settings):
    settings.OMS_SMS_BACKEND = "tests.oms.test_outbox_batch.DatabaseBreakingSms"
    rows = _rows(3, "sms")
    assert outbox_deliver_batch() == {"sent": 2, "retry": 1}
    assert OutboxMessage.objects.get(pk=rows[1].pk).last_error.startswith("DataError: division by zero")
    assert list(OutboxMessage.objects.filter(status="sent").order_by("pk").values_list("pk", flat=True)) == [
        rows[0].pk,
        rows[2].pk,
    ]


@pytest.mark.django_db
def test_emails_of_a_batch_share_one_connection_and_keep_their_attachments(settings, monkeypatch):
    settings.EMAIL_BACKEND = "tests.oms.test_outbox_batch.CountingEmailBackend"
    monkeypatch.setitem(
        notifications._attachment_builders, "test.invoice", "tests.oms.test_outbox_batch.invoice_pdf"
    )
    CountingEmailBackend.opened = 0
    _rows(4, "email")
    _rows(1, "email", event="test.invoice", recipient="finance@example.com")

    assert outbox_deliver_batch() == {"sent": 5}

    assert CountingEmailBackend.opened == 1
    assert len(mail.outbox) == 5
    invoice = next(m for m in mail.outbox if m.to == ["finance@example.com"])
    assert invoice.attachments == [("invoice.pdf", b"%PDF-1.4 test", "application/pdf")]
    assert invoice.from_email == settings.DEFAULT_FROM_EMAIL


@pytest.mark.django_db
def test_a_refused_email_address_fails_that_message_only(settings):
    settings.EMAIL_BACKEND = "tests.oms.test_outbox_batch.RefusingEmailBackend"
    _rows(2, "email")
    refused = _rows(1, "email", recipient="refused@example.com")[0]
    assert outbox_deliver_batch() == {"sent": 2, "retry": 1}
    assert OutboxMessage.objects.get(pk=refused.pk).last_error == "ConnectionRefusedError: recipient refused"
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_one_message_and_the_old_task_names_deliver_through_the_batch(recording):
    rows = _rows(3)
    assert outbox_deliver(message_id=rows[0].pk) == "sent"
    assert outbox_deliver(message_id=rows[0].pk) == "skipped"
    assert outbox_deliver_task(message_id=rows[1].pk) == "sent"
    assert outbox_deliver_many_task(message_ids=[m.pk for m in rows]) == {"sent": 1, "skipped": 2}
    assert Counter(pk for _t, pk in recording.sent) == {m.pk: 1 for m in rows}


# --- asking for delivery ------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_transaction_asks_for_one_flush_however_many_messages(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[str] = []
    real_task_send = notifications.task_send_after
    monkeypatch.setattr(
        notifications,
        "task_send_after",
        lambda name, seconds, **kw: sent.append(name) or real_task_send(name, seconds),
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        outbox_enqueue(channel="sms", recipient="13900000001", body="one")
        outbox_enqueue(channel="sms", recipient="13900000002", body="two")
        outbox_enqueue_many(
            [{"channel": "email", "recipient": f"b{i}@example.com", "body": "x"} for i in range(3)]
        )
        _rows(2)
        outbox_request_delivery()
    assert sent == []  # nothing before commit
    assert OutboxMessage.objects.filter(status="pending").count() == 7
    for callback in callbacks:
        callback()
    assert sent == [FLUSH_TASK]
    assert OutboxMessage.objects.filter(status="sent").count() == 7


@pytest.mark.django_db
def test_a_request_rolled_back_with_its_savepoint_leaves_the_others_asking(
    monkeypatch, django_capture_on_commit_callbacks
):
    sent: list[str] = []
    real_task_send = notifications.task_send_after
    monkeypatch.setattr(
        notifications,
        "task_send_after",
        lambda name, seconds, **kw: sent.append(name) or real_task_send(name, seconds),
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_enqueue(channel="sms", recipient="13900000001", body="first")
        try:
            with transaction.atomic():
                outbox_enqueue(channel="sms", recipient="13900000002", body="rolled back")
                raise RuntimeError("the business change failed")
        except RuntimeError:
            pass
    with django_capture_on_commit_callbacks(execute=True):
        try:
            with transaction.atomic():
                outbox_enqueue(channel="sms", recipient="13900000003", body="rolled back too")
                raise RuntimeError("the business change failed")
        except RuntimeError:
            pass
        kept = outbox_enqueue(channel="sms", recipient="13900000004", body="kept")
    assert sent == [FLUSH_TASK, FLUSH_TASK]
    assert list(OutboxMessage.objects.order_by("pk").values_list("pk", "status")) == [
        (first.pk, "sent"),
        (kept.pk, "sent"),
    ]


@pytest.mark.django_db
def test_transactions_share_a_flush_task_until_it_starts(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OMS_OUTBOX_FLUSH_DEBOUNCE = True
    settings.OMS_OUTBOX_FLUSH_DELAY = 0.2
    sent: list[str] = []
    delays: list[float] = []
    monkeypatch.setattr(
        notifications,
        "task_send_after",
        lambda name, seconds, **kwargs: sent.append(name) or delays.append(seconds) or True,
    )

    with django_capture_on_commit_callbacks(execute=True):
        first = outbox_enqueue(channel="sms", recipient="13900000001", body="first")
    with django_capture_on_commit_callbacks(execute=True):
        second = outbox_enqueue(channel="sms", recipient="13900000002", body="second")
    assert sent == [FLUSH_TASK]
    assert delays == [0.2]  # it starts a little later, so that the commits meanwhile join it
    assert cache.get(FLUSH_KEY) == 1

    assert outbox_flush() == {"sent": 2}  # the flush task: key first, then everything due
    assert cache.get(FLUSH_KEY) is None
    assert set(
        OutboxMessage.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)
    ) == {"sent"}
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(channel="sms", recipient="13900000003", body="third")
    assert sent == [FLUSH_TASK, FLUSH_TASK]


@pytest.mark.django_db
def test_without_a_shared_cache_each_transaction_sends_its_flush(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OMS_OUTBOX_FLUSH_DEBOUNCE = False
    sent: list[str] = []
    monkeypatch.setattr(
        notifications, "task_send_after", lambda name, seconds, **kwargs: sent.append(name) or True
    )
    for i in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            outbox_enqueue(channel="sms", recipient=f"1390000000{i}", body="x")
    assert sent == [FLUSH_TASK, FLUSH_TASK]
    assert cache.get(FLUSH_KEY) is None


@pytest.mark.django_db
def test_broker_down_frees_the_flush_key_for_the_next_transaction(
    settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.OMS_OUTBOX_FLUSH_DEBOUNCE = True
    sent: list[str] = []
    monkeypatch.setattr(
        notifications, "task_send_after", lambda name, seconds, **kwargs: sent.append(name) and False
    )
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(channel="sms", recipient="13900000001", body="x")
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(channel="sms", recipient="13900000002", body="y")
    assert sent == [FLUSH_TASK, FLUSH_TASK]
    assert cache.get(FLUSH_KEY) is None
    assert OutboxMessage.objects.get(pk=message.pk).status == "pending"  # the beat task delivers it


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_delivery_is_requested_at_once(recording):
    rows = _rows(2)
    assert not connection.in_atomic_block
    outbox_request_delivery()
    assert Counter(pk for _t, pk in recording.sent) == {m.pk: 1 for m in rows}


@pytest.mark.django_db
def test_dedupe_key_is_queued_and_delivered_once(recording, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue_many(
            [{"channel": "sms", "recipient": "13900000001", "body": "x", "dedupe_key": "order:1:paid"}] * 2
        )
        outbox_enqueue(channel="sms", recipient="13900000001", body="x", dedupe_key="order:1:paid")
    with django_capture_on_commit_callbacks(execute=True):
        outbox_enqueue(channel="sms", recipient="13900000001", body="x", dedupe_key="order:1:paid")
    assert OutboxMessage.objects.count() == 1
    assert len(recording.sent) == 1


# --- two batches at once (real transactions in threads) --------------------------------------------------


def _in_thread(name: str, fn, results: dict, errors: list) -> threading.Thread:
    def run():
        try:
            results[name] = fn()
        except Exception as exc:  # noqa: BLE001 - asserted by the test
            errors.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_a_second_batch_skips_the_rows_a_running_batch_has_locked(settings):
    settings.OMS_SMS_BACKEND = "tests.oms.test_outbox_batch.GatedSms"
    GatedSms.sent, GatedSms.entered, GatedSms.release = [], threading.Event(), threading.Event()
    rows = [m.pk for m in _rows(40)]
    results, errors = {}, []

    first = _in_thread("first", lambda: outbox_deliver_batch(limit=25), results, errors)
    assert GatedSms.entered.wait(timeout=30)  # the first batch holds the locks on rows 1-25 and waits
    _in_thread("second", lambda: outbox_deliver_batch(), results, errors).join(timeout=60)
    _in_thread("same ids", lambda: outbox_deliver_batch(message_ids=rows), results, errors).join(timeout=60)
    GatedSms.release.set()
    first.join(timeout=60)

    assert errors == []
    assert results == {"first": {"sent": 25}, "second": {"sent": 15}, "same ids": {}}
    by_thread = {name: [pk for t, pk in GatedSms.sent if t == name] for name in ("first", "second")}
    assert by_thread == {"first": rows[:25], "second": rows[25:]}
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}


@pytest.mark.django_db(transaction=True)
def test_batches_racing_over_the_same_rows_send_each_message_once(recording):
    rows = [m.pk for m in _rows(400)]
    barrier = threading.Barrier(4)
    results, errors = {}, []

    def deliver():
        barrier.wait(timeout=30)
        return notifications.outbox_deliver_due(limit=50)

    threads = [_in_thread(f"batch-{i}", deliver, results, errors) for i in range(4)]
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert Counter(pk for _t, pk in recording.sent) == dict.fromkeys(rows, 1)
    assert sum(r.get("sent", 0) for r in results.values()) == 400
    assert set(OutboxMessage.objects.values_list("status", "attempts")) == {("sent", 1)}
