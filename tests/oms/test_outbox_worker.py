"""The outbox delivered by a real Celery worker through Redis."""

import pytest
from django.core import mail
from django.db import transaction

from oms.models import OutboxMessage
from oms.notifications import outbox_enqueue
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
