"""Notification outbox: queue a message in the caller's transaction; Celery delivers the queued rows in batches.

Delivery: a transaction that queued messages asks, after commit, for one flush (``outbox_request_delivery``);
the flush task delivers everything due in batches (``outbox_deliver_batch``: one transaction, rows locked with
SKIP LOCKED, one mail connection, set-wise status updates). The beat task ``outbox_deliver_due_task`` is the
safety net for a lost task and delivers the retries once their backoff has passed.

Delivery adapters:
- e-mail through Django's mail backend (EMAIL_* settings);
- SMS and webhooks through a backend class named in settings (OMS_SMS_BACKEND, OMS_WEBHOOK_BACKEND);
- calls to sales platforms (tracking write-back, stock push) through OMS_CONNECTOR_BACKEND (connectors).
  ``LoggingSmsBackend`` / ``LoggingWebhookBackend`` write to the log (the default);
  ``HttpWebhookBackend`` POSTs JSON to the recipient URL.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db import connection as db_connection
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template
from django.utils import timezone, translation

from oms.db import bulk_insert
from oms.delivery_backends import (  # noqa: F401 - re-exported: settings name these by their old path
    DeliveryBackend,
    EmailBackend,
    HttpWebhookBackend,
    LoggingSmsBackend,
    LoggingWebhookBackend,
    _attachment_builders,
    _in_savepoint,
    attachments_for,
    backend_for,
    register_attachments,
)
from oms.dispatch import task_send_after
from oms.instances import new_instance
from oms.models import OutboxMessage

logger = logging.getLogger(__name__)

# Set (in the cache, shared by web and worker processes) while a flush task is queued and has not started.
FLUSH_KEY = "oms:outbox-flush"
FLUSH_KEY_SECONDS = 60
FLUSH_TASK = "oms.tasks.outbox_flush_task"
BATCH_SIZE = 500


def render_message(template_name: str, context: dict, *, language: str) -> tuple[str, str]:
    """Render ``<template_name>`` in ``language``; the first line is the subject, the rest the body.

    Messages are plain text (an SMS, a text e-mail, a webhook's field): nothing is HTML-escaped, so that a
    buyer called "O'Brien & Co" reads their name, not ``O&#x27;Brien &amp; Co``.
    """
    with translation.override(language):
        text = get_template(template_name).template.render(Context(context, autoescape=False)).strip()
    subject, _sep, body = text.partition("\n")
    return subject.strip(), body.strip()


def outbox_enqueue(
    *,
    channel: str,
    recipient: str,
    body: str,
    subject: str = "",
    language: str = "en",
    event: str = "",
    dedupe_key: str | None = None,
) -> OutboxMessage | None:
    """Queue a message in the current transaction; delivery is requested after commit.

    With a ``dedupe_key`` already queued, nothing new is queued and the existing message is returned.
    """
    if not recipient:
        return None
    if dedupe_key:
        existing = OutboxMessage.objects.filter(dedupe_key=dedupe_key).first()
        if existing:
            return existing
    try:
        with transaction.atomic():
            message = OutboxMessage.objects.create(
                channel=channel,
                recipient=recipient,
                subject=subject[:300],
                body=body,
                language=language,
                event=event,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        return OutboxMessage.objects.get(dedupe_key=dedupe_key)
    outbox_request_delivery()
    return message


def outbox_enqueue_many(messages: list[dict]) -> list[OutboxMessage]:
    """Queue many messages (each a dict of ``outbox_enqueue``'s arguments) in the current transaction with one
    INSERT; they are delivered in batches after commit. Keys already queued, empty recipients and None are
    skipped."""
    messages = [m for m in messages if m and m.get("recipient")]
    keys = [m["dedupe_key"] for m in messages if m.get("dedupe_key")]
    queued = set(OutboxMessage.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True))
    rows, seen = [], set()
    for m in messages:
        key = m.get("dedupe_key") or None
        if key and (key in queued or key in seen):
            continue
        seen.add(key)
        rows.append(
            new_instance(
                OutboxMessage,
                channel=m["channel"],
                recipient=m["recipient"],
                subject=m.get("subject", "")[:300],
                body=m["body"],
                language=m.get("language", "en"),
                event=m.get("event", ""),
                dedupe_key=key,
            )
        )
    if not rows:
        return []
    bulk_insert(rows, set_pks=True)  # binary arrays: Django's bulk_create cost a third of a batch's queueing
    outbox_request_delivery()
    return rows


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


class _FlushGroup:
    """The delivery requests of one transaction: the first of them to run after commit asks, the rest find it
    done."""

    done = False


class _FlushRequest:
    """The on-commit callback of a delivery request (an object, so ``outbox_request_delivery`` can find it)."""

    def __init__(self, group: _FlushGroup) -> None:
        self.group = group

    def __call__(self) -> None:
        if not self.group.done:
            self.group.done = True
            _request_flush()


def outbox_request_delivery() -> None:
    """Ask for the queued messages to be delivered once the current transaction commits (at once outside one).

    For code that writes OutboxMessage rows itself (``outbox_enqueue*`` call it). However many rows and calls,
    a transaction asks once after it commits: each call registers a small on-commit callback, and the
    callbacks of one transaction share a group of which only the first to run asks. (Registering only the
    first would save little and break tests, where a whole test is one transaction that never commits: a
    request from the test's set-up would hide the request of the action under test. A request in a savepoint
    that is rolled back is dropped with it; the others of its group still ask.) Asking sends at most one
    flush task while another is still waiting to start (``FLUSH_KEY``, see ``outbox_flush``).
    """
    if not db_connection.in_atomic_block:
        _request_flush()
        return
    group = None
    for _savepoints, callback, _robust in reversed(db_connection.run_on_commit):
        if isinstance(callback, _FlushRequest) and not callback.group.done:
            group = callback.group
            break
    transaction.on_commit(_FlushRequest(group or _FlushGroup()))


def _request_flush() -> None:
    debounce = settings.OMS_OUTBOX_FLUSH_DEBOUNCE
    if debounce:
        try:
            if not cache.add(FLUSH_KEY, 1, timeout=FLUSH_KEY_SECONDS):
                return  # a flush is queued and has not started: its loop will see our committed rows
        except Exception as exc:  # noqa: BLE001 - no cache: send the task anyway, a spare flush is harmless
            logger.warning("outbox flush key not set (cache unreachable: %s)", exc)
            debounce = False
    # A short delay lets the transactions that commit meanwhile join this flush: they find the key set.
    if not task_send_after(FLUSH_TASK, settings.OMS_OUTBOX_FLUSH_DELAY if debounce else 0) and debounce:
        # No flush is coming: let the next transaction try again (the beat task delivers these meanwhile).
        _forget_flush_key()


def _forget_flush_key() -> None:
    try:
        cache.delete(FLUSH_KEY)
    except Exception as exc:  # noqa: BLE001 - the key expires by itself (FLUSH_KEY_SECONDS)
        logger.warning("outbox flush key not deleted (cache unreachable: %s)", exc)


def outbox_flush(*, limit: int = BATCH_SIZE) -> dict[str, int]:
    """Deliver everything due, in batches (the flush task sent by ``outbox_request_delivery``).

    First delete ``FLUSH_KEY``, then deliver until a batch comes back short. In this order no message is left
    behind: a message committed before the delete is seen by the loop that starts after it (its transaction
    found the key set and sent no task of its own), and one committed after the delete finds the key gone,
    sets it again and sends its own flush. (The other order would lose the message committed between the
    loop's last look and the delete.) A batch shorter than ``limit`` means nothing else was due when it
    looked, so the loop stops there instead of paying one more empty transaction; rows locked by a concurrent
    batch are that batch's to send.
    """
    _forget_flush_key()
    return outbox_deliver_due(limit=limit)


def outbox_deliver_due(*, limit: int = BATCH_SIZE) -> dict[str, int]:
    """Deliver due messages in batches of ``limit`` until a batch comes back short; returns the total counts."""
    totals: dict[str, int] = {}
    while True:
        counts = outbox_deliver_batch(limit=limit)
        for outcome, n in counts.items():
            totals[outcome] = totals.get(outcome, 0) + n
        if sum(counts.values()) < limit:
            return totals


def outbox_deliver_batch(*, message_ids=None, limit: int = BATCH_SIZE) -> dict[str, int]:
    """Send up to ``limit`` due messages (of ``message_ids``, or any) in one transaction; returns the counts of
    "sent", "retry" and "failed" (only those that occurred; {} when nothing was due).

    The rows are locked with SKIP LOCKED, so two batches running at once never send one message twice: each
    takes the rows the other has not locked. Each channel's backend gets its messages together (``send_many``
    when it has one; e-mail over one connection); the outcomes are written with one UPDATE for the sent rows
    and one for the failures (attempts, last error, next attempt after ``backoff``, failed after
    OMS_OUTBOX_MAX_ATTEMPTS). The statements do not grow with the number of messages.
    """
    now = timezone.now()
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now), status=OutboxMessage.Status.PENDING
        )
        if message_ids is not None:
            rows = rows.filter(pk__in=[int(pk) for pk in message_ids])
        messages = list(rows.order_by("pk")[:limit])
        if not messages:
            return {}
        errors = _send(messages)
        return _record(messages, errors)


def _send(messages: list[OutboxMessage]) -> dict[int, Exception]:
    """Send the messages through their channels' backends; the errors by message id."""
    by_channel: dict[str, list[OutboxMessage]] = {}
    for message in messages:
        by_channel.setdefault(message.channel, []).append(message)
    errors: dict[int, Exception] = {}
    for channel, group in by_channel.items():
        try:
            backend = backend_for(channel)
        except Exception as exc:  # noqa: BLE001 - a misconfigured backend: retried, then failed
            errors.update((message.pk, exc) for message in group)
            continue
        if hasattr(backend, "send_many"):
            try:
                results = list(backend.send_many(group))
            except Exception as exc:  # noqa: BLE001 - the whole group is retried
                results = [exc] * len(group)
            if len(results) != len(group):
                results = [RuntimeError(f"send_many gave {len(results)} outcomes for {len(group)}")] * len(
                    group
                )
            errors.update((m.pk, error) for m, error in zip(group, results, strict=True) if error is not None)
            continue
        for message in group:
            try:
                _in_savepoint(backend.send, message)
            except Exception as exc:  # noqa: BLE001 - any delivery failure is retried with backoff
                errors[message.pk] = exc
    return errors


def _record(messages: list[OutboxMessage], errors: dict[int, Exception]) -> dict[str, int]:
    now = timezone.now()
    counts: dict[str, int] = {}
    sent = [message.pk for message in messages if message.pk not in errors]
    if sent:
        OutboxMessage.objects.filter(pk__in=sent).update(
            status=OutboxMessage.Status.SENT, sent_at=now, attempts=F("attempts") + 1, last_error=""
        )
        counts["sent"] = len(sent)
    failed = []
    for message in messages:
        exc = errors.get(message.pk)
        if exc is None:
            continue
        message.attempts += 1  # the row is locked: this is the stored count plus one
        logger.warning("outbox message %s failed (attempt %s): %s", message.pk, message.attempts, exc)
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        if message.attempts >= settings.OMS_OUTBOX_MAX_ATTEMPTS:
            message.status = OutboxMessage.Status.FAILED
            outcome = "failed"
        else:
            message.next_attempt_at = now + backoff(message.attempts)
            outcome = "retry"
        counts[outcome] = counts.get(outcome, 0) + 1
        failed.append(message)
    if failed:
        OutboxMessage.objects.bulk_update(failed, ["attempts", "last_error", "status", "next_attempt_at"])
    return counts


def outbox_deliver(*, message_id: int) -> str:
    """Send one message if it is due (a batch of one). A concurrent delivery of the same row skips it.

    Returns what happened: "sent", "retry", "failed" or "skipped".
    """
    counts = outbox_deliver_batch(message_ids=[message_id], limit=1)
    return next(iter(counts), "skipped")


def outbox_due_ids(*, limit: int = BATCH_SIZE) -> list[int]:
    now = timezone.now()
    return list(
        OutboxMessage.objects.filter(status=OutboxMessage.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


def outbox_forget(*, recipients) -> int:
    """Erase the messages to these phone numbers / e-mails (a customer was anonymised); unsent ones are dropped.

    The rows stay (counts, events and times are kept) with recipient, subject and body emptied.
    """
    recipients = sorted({r for r in recipients if r})
    if not recipients:
        return 0
    qs = OutboxMessage.objects.filter(recipient__in=recipients)
    qs.filter(status=OutboxMessage.Status.PENDING).update(
        status=OutboxMessage.Status.FAILED, next_attempt_at=None, last_error="recipient anonymised"
    )
    return qs.update(recipient="", subject="", body="")


def customer_channel(customer) -> tuple[str, str] | None:
    """(channel, recipient) a customer is told through: their preferred channel when they can be reached
    there (SMS → phone, e-mail → address, webhook → their webhook URL), else e-mail, else SMS; None when
    they asked not to be contacted or have no address at all.

    ``customer`` is any object with ``email``, ``phone``, ``preferred_contact``, ``webhook_url`` and
    ``do_not_contact`` (the orders app's Customer, which this package cannot import).
    """
    if getattr(customer, "do_not_contact", False):
        return None
    reachable = {
        OutboxMessage.Channel.SMS: customer.phone or "",
        OutboxMessage.Channel.EMAIL: customer.email or "",
        OutboxMessage.Channel.WEBHOOK: getattr(customer, "webhook_url", "") or "",
    }
    preferred = getattr(customer, "preferred_contact", "") or ""
    for channel in (preferred, OutboxMessage.Channel.EMAIL, OutboxMessage.Channel.SMS):
        if reachable.get(channel):
            return channel, reachable[channel]
    return None


def customer_message(
    *, customer, template: str, context: dict, event: str, dedupe_key: str | None
) -> dict | None:
    """The outbox message of ``template`` for a customer (``outbox_enqueue``'s arguments), or None when
    the customer is not to be told (do not contact, or no way to reach them)."""
    target = customer_channel(customer)
    if target is None:
        return None
    language = customer.language or "zh-hans"
    subject, body = render_message(template, {"customer": customer, **context}, language=language)
    return {
        "channel": target[0],
        "recipient": target[1],
        "subject": subject,
        "body": body,
        "language": language,
        "event": event,
        "dedupe_key": dedupe_key,
    }


def notify_customer(
    *,
    customer,
    template: str,
    context: dict,
    event: str,
    dedupe_key: str | None = None,
    marketing: bool = False,
) -> OutboxMessage | None:
    """Queue ``template`` for a customer in their language, on their preferred channel (``customer_channel``).

    A customer who asked not to be contacted gets nothing at all, order notices and surveys alike
    (``marketing`` is kept for callers that say so). Returns the queued message, or None.
    """
    message = customer_message(
        customer=customer, template=template, context=context, event=event, dedupe_key=dedupe_key
    )
    return outbox_enqueue(**message) if message else None


def notify_staff(
    *, role: str, template: str, context: dict, event: str, dedupe_key: str
) -> list[OutboxMessage]:
    """E-mail every active user with ``role`` (an ``oms.roles`` key) who has an address, in their language,
    once per key and user."""
    from django.contrib.auth import get_user_model

    from oms.roles import ROLE_BY_KEY

    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=ROLE_BY_KEY[role].group)
        .exclude(email="")
        .order_by("pk")
        .distinct()
    )
    rendered: dict[str, tuple[str, str]] = {}
    messages = []
    for user in users:
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        if language not in rendered:
            rendered[language] = render_message(template, context, language=language)
        subject, body = rendered[language]
        messages.append(
            {
                "channel": OutboxMessage.Channel.EMAIL,
                "recipient": user.email,
                "subject": subject,
                "body": body,
                "language": language,
                "event": event,
                "dedupe_key": f"{dedupe_key}:user:{user.pk}",
            }
        )
    return outbox_enqueue_many(messages)
