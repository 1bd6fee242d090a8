"""Notification outbox: queue a message in the caller's transaction; a Celery task delivers it once.

Delivery adapters:
- e-mail through Django's mail backend (EMAIL_* settings);
- SMS and webhooks through a backend class named in settings (OMS_SMS_BACKEND, OMS_WEBHOOK_BACKEND);
- calls to sales platforms (tracking write-back, stock push) through OMS_CONNECTOR_BACKEND (connectors).
  ``LoggingSmsBackend`` / ``LoggingWebhookBackend`` write to the log (the default);
  ``HttpWebhookBackend`` POSTs JSON to the recipient URL.
"""

from __future__ import annotations

import json
import logging
import urllib.request
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, send_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from oms.dispatch import task_send_on_commit
from oms.models import OutboxMessage

logger = logging.getLogger(__name__)


class DeliveryBackend(Protocol):
    def send(self, message: OutboxMessage) -> None: ...


class LoggingSmsBackend:
    def send(self, message: OutboxMessage) -> None:
        logger.info("SMS to %s: %s", message.recipient, message.body)


class LoggingWebhookBackend:
    def send(self, message: OutboxMessage) -> None:
        logger.info("Webhook to %s: %s", message.recipient, message.body)


class HttpWebhookBackend:
    timeout = 10

    def send(self, message: OutboxMessage) -> None:
        if not message.recipient.startswith(("http://", "https://")):
            raise ValueError(f"webhook recipient is not an http(s) URL: {message.recipient}")
        request = urllib.request.Request(  # noqa: S310 - scheme checked above
            message.recipient,
            data=json.dumps(
                {"event": message.event, "subject": message.subject, "body": message.body}
            ).encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": f"outbox-{message.pk}"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
            if response.status >= 300:
                raise RuntimeError(f"webhook answered {response.status}")


# event -> dotted path of ``builder(message) -> [(filename, bytes, mimetype), ...]``: an e-mail's attachments
# are built when it is delivered (a purchase order's PDF), so the outbox row stays small.
_attachment_builders: dict[str, str] = {}


def register_attachments(event: str, builder: str) -> None:
    """Attach what ``builder`` returns to every e-mail queued with ``event`` (called from an AppConfig.ready)."""
    _attachment_builders[event] = builder


def attachments_for(message: OutboxMessage) -> list[tuple[str, bytes, str]]:
    builder = _attachment_builders.get(message.event)
    return list(import_string(builder)(message)) if builder else []


class EmailBackend:
    def send(self, message: OutboxMessage) -> None:
        attachments = attachments_for(message)
        if not attachments:
            send_mail(
                message.subject,
                message.body,
                settings.DEFAULT_FROM_EMAIL,
                [message.recipient],
                fail_silently=False,
            )
            return
        email = EmailMessage(message.subject, message.body, settings.DEFAULT_FROM_EMAIL, [message.recipient])
        for filename, content, mimetype in attachments:
            email.attach(filename, content, mimetype)
        email.send(fail_silently=False)


def backend_for(channel: str) -> DeliveryBackend:
    if channel == OutboxMessage.Channel.EMAIL:
        return EmailBackend()
    if channel == OutboxMessage.Channel.SMS:
        return import_string(settings.OMS_SMS_BACKEND)()
    if channel == OutboxMessage.Channel.CONNECTOR:
        return import_string(settings.OMS_CONNECTOR_BACKEND)()
    return import_string(settings.OMS_WEBHOOK_BACKEND)()


def render_message(template_name: str, context: dict, *, language: str) -> tuple[str, str]:
    """Render ``<template_name>`` in ``language``; the first line is the subject, the rest the body."""
    with translation.override(language):
        text = render_to_string(template_name, context).strip()
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
    task_send_on_commit("oms.tasks.outbox_deliver_task", message_id=message.pk)
    return message


def outbox_enqueue_many(messages: list[dict]) -> list[OutboxMessage]:
    """Queue many messages (each a dict of ``outbox_enqueue``'s arguments) in the current transaction with one
    INSERT; one task delivers them after commit. Keys already queued, empty recipients and None are skipped."""
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
            OutboxMessage(
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
    created = OutboxMessage.objects.bulk_create(rows)
    task_send_on_commit("oms.tasks.outbox_deliver_many_task", message_ids=[m.pk for m in created])
    return created


def backoff(attempts: int) -> timedelta:
    """1, 2, 4, … minutes, at most 6 hours."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 360))


def outbox_deliver(*, message_id: int) -> str:
    """Send one message if it is due. The row lock makes a concurrent second delivery skip it.

    Returns what happened: "sent", "retry", "failed" or "skipped".
    """
    now = timezone.now()
    with transaction.atomic():
        message = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(pk=message_id, status=OutboxMessage.Status.PENDING)
            .first()
        )
        if message is None or (message.next_attempt_at and message.next_attempt_at > now):
            return "skipped"
        message.attempts += 1
        try:
            backend_for(message.channel).send(message)
        except Exception as exc:  # noqa: BLE001 - any delivery failure is retried with backoff
            logger.warning("outbox message %s failed (attempt %s): %s", message.pk, message.attempts, exc)
            message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
            if message.attempts >= settings.OMS_OUTBOX_MAX_ATTEMPTS:
                message.status = OutboxMessage.Status.FAILED
                outcome = "failed"
            else:
                message.next_attempt_at = now + backoff(message.attempts)
                outcome = "retry"
            message.save(update_fields=["attempts", "last_error", "status", "next_attempt_at"])
            return outcome
        message.status = OutboxMessage.Status.SENT
        message.sent_at = timezone.now()
        message.last_error = ""
        message.save(update_fields=["attempts", "status", "sent_at", "last_error"])
        return "sent"


def outbox_due_ids(*, limit: int = 500) -> list[int]:
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
