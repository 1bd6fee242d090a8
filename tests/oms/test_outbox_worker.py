"""The outbox delivered by a real Celery worker through Redis."""

import logging
import threading
from collections import Counter

import pytest
from celery import shared_task
from django.core import mail
from django.db import connection, transaction

from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue, outbox_enqueue_many, outbox_request_delivery
from tests.utils import wait_until

pytestmark = pytest.mark.celery_worker


def test_real_worker_delivers_a_committed_message(celery_worker_real, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with transaction.atomic():
        message = outbox_enqueue(
            channel="email", recipient="worker@example.com", subject="Hello", body="Body"
        )
    wait_until(lambda: OutboxMessage.objects.get(pk=message.pk).status == "sent", timeout=20)
    assert [m.subject for m in mail.outbox] == ["Hello"]
    assert OutboxMessage.objects.get(pk=message.pk).attempts == 1


class _Lines(logging.Handler):
    """Collects what the logging backends write (the worker runs in a thread of this process)."""

    def __init__(self) -> None:
        super().__init__(level=logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:  # called under the handler's own lock
        self.lines.append(record.getMessage())


@pytest.fixture
def backend_output():
    """The lines the logging SMS / webhook backends write, whatever the worker did to the root logger."""
    log = logging.getLogger("oms.notifications")
    handler, level = _Lines(), log.level
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    yield handler
    log.removeHandler(handler)
    log.setLevel(level)


@pytest.mark.parametrize("debounce", [True, False], ids=["shared-flush", "flush-per-transaction"])
def test_real_worker_delivers_a_burst_from_many_transactions_each_once(
    celery_worker_real, settings, backend_output, debounce
):
    """3 threads × 20 transactions, each queueing 5 messages in the ways the apps do (one by one, many in one
    INSERT, rows written directly then ``outbox_request_delivery``), plus a repeated dedupe key."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.OMS_OUTBOX_FLUSH_DEBOUNCE = debounce
    errors: list[Exception] = []

    def queue(client: int) -> None:
        try:
            for n in range(20):
                tag = f"c{client}-t{n}"
                with transaction.atomic():
                    outbox_enqueue(channel="sms", recipient=f"139{client}{n:05d}", body=f"sms {tag}")
                    outbox_enqueue(
                        channel="webhook", recipient=f"https://hooks.test/{tag}", body=f"hook {tag}"
                    )
                    outbox_enqueue_many(
                        [
                            {
                                "channel": "email",
                                "recipient": f"{tag}@example.com",
                                "subject": f"mail {tag}",
                                "body": "b",
                            },
                            {
                                "channel": "sms",
                                "recipient": "13800000000",
                                "body": f"paid c{client}-t{n // 2}",
                                "dedupe_key": f"paid:c{client}:{n // 2}",
                            },
                        ]
                    )
                    OutboxMessage.objects.create(channel="sms", recipient="13700000000", body=f"intake {tag}")
                    outbox_request_delivery()
        except Exception as exc:  # noqa: BLE001 - asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=queue, args=(c,)) for c in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert OutboxMessage.objects.count() == 3 * 20 * 4 + 3 * 10

    wait_until(
        lambda: not OutboxMessage.objects.exclude(status="sent").exists(), timeout=60, message="all sent"
    )

    expected = Counter()
    for client in range(3):
        for n in range(20):
            tag = f"c{client}-t{n}"
            expected[f"SMS to 139{client}{n:05d}: sms {tag}"] = 1
            expected[f"Webhook to https://hooks.test/{tag}: hook {tag}"] = 1
            expected[f"SMS to 13700000000: intake {tag}"] = 1
            expected[f"SMS to 13800000000: paid c{client}-t{n // 2}"] = 1
    delivered = Counter(line for line in backend_output.lines if line.startswith(("SMS to", "Webhook to")))
    assert delivered == expected
    assert Counter(m.subject for m in mail.outbox) == Counter(
        f"mail c{c}-t{n}" for c in range(3) for n in range(20)
    )
    assert set(OutboxMessage.objects.values_list("attempts", "last_error")) == {(1, "")}


@shared_task(name="tests.oms.backend_pid_task")
def backend_pid_task(fail: bool = False) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    if fail:
        raise RuntimeError(f"task failed on backend {pid}")
    return pid


def test_worker_keeps_its_database_connection_between_tasks(celery_worker_real):
    """Celery's Django fixup would close it after every task; the settings keep it (CONN_MAX_AGE), and close
    it after a task that failed."""
    first = backend_pid_task.delay().get(timeout=20)
    second = backend_pid_task.delay().get(timeout=20)
    assert first == second
    with pytest.raises(RuntimeError):
        backend_pid_task.delay(fail=True).get(timeout=20)
    after_failure = backend_pid_task.delay().get(timeout=20)
    assert after_failure != first
