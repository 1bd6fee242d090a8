"""Delivery adapters of the notification outbox: one backend per channel (``backend_for``).

- e-mail through Django's mail backend (EMAIL_* settings), attachments built when delivered;
- SMS and webhooks through a backend class named in settings (OMS_SMS_BACKEND, OMS_WEBHOOK_BACKEND):
  ``LoggingSmsBackend`` / ``LoggingWebhookBackend`` write to the log (the default), ``HttpWebhookBackend``
  POSTs JSON to the recipient URL;
- calls to sales platforms through OMS_CONNECTOR_BACKEND (connectors).
A backend may offer ``send_many(messages)`` for a batch (``oms.notifications.outbox_deliver_batch``).
"""

from __future__ import annotations

import json
import logging
import urllib.request
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, transaction
from django.utils.module_loading import import_string

from oms.models import OutboxMessage

logger = logging.getLogger("oms.notifications")  # the name operators filter delivery lines by


class DeliveryBackend(Protocol):
    """``send`` raises when the message was not delivered. A backend may also offer
    ``send_many(messages) -> list[Exception | None]`` (one outcome per message, in order) to deliver a batch
    at once; it must not write to the database (a batch shares one transaction)."""

    def send(self, message: OutboxMessage) -> None: ...


class LoggingSmsBackend:
    def send(self, message: OutboxMessage) -> None:
        logger.info("SMS to %s: %s", message.recipient, message.body)

    def send_many(self, messages: list[OutboxMessage]) -> list[Exception | None]:
        for message in messages:
            logger.info("SMS to %s: %s", message.recipient, message.body)
        return [None] * len(messages)


class LoggingWebhookBackend:
    def send(self, message: OutboxMessage) -> None:
        logger.info("Webhook to %s: %s", message.recipient, message.body)

    def send_many(self, messages: list[OutboxMessage]) -> list[Exception | None]:
        for message in messages:
            logger.info("Webhook to %s: %s", message.recipient, message.body)
        return [None] * len(messages)


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
    """Django's mail backend (EMAIL_BACKEND); a batch goes through one opened connection."""

    def send(self, message: OutboxMessage) -> None:
        (error,) = self.send_many([message])
        if error is not None:
            raise error

    def send_many(self, messages: list[OutboxMessage]) -> list[Exception | None]:
        try:
            connection = get_connection(fail_silently=False)
            connection.open()
        except Exception as exc:  # noqa: BLE001 - the server is unreachable: every message is retried
            return [exc] * len(messages)
        results: list[Exception | None] = []
        try:
            for message in messages:
                try:
                    email = EmailMessage(
                        message.subject,
                        message.body,
                        settings.DEFAULT_FROM_EMAIL,
                        [message.recipient],
                        connection=connection,
                    )
                    if message.event in _attachment_builders:
                        for filename, content, mimetype in _in_savepoint(attachments_for, message):
                            email.attach(filename, content, mimetype)
                    # One message per call: a refused address fails that message only, on the same connection.
                    connection.send_messages([email])
                except Exception as exc:  # noqa: BLE001 - retried with backoff
                    results.append(exc)
                else:
                    results.append(None)
        finally:
            try:
                connection.close()
            except Exception as exc:  # noqa: BLE001 - the messages are sent; a failed QUIT changes nothing
                logger.warning("closing the mail connection failed: %s", exc)
        return results


def backend_for(channel: str) -> DeliveryBackend:
    if channel == OutboxMessage.Channel.EMAIL:
        return EmailBackend()
    if channel == OutboxMessage.Channel.SMS:
        return import_string(settings.OMS_SMS_BACKEND)()
    if channel == OutboxMessage.Channel.CONNECTOR:
        return import_string(settings.OMS_CONNECTOR_BACKEND)()
    return import_string(settings.OMS_WEBHOOK_BACKEND)()


def _in_savepoint(function, message: OutboxMessage):
    """Run ``function(message)`` (a backend that may write to the database) so that a database error rolls
    back only its own writes: the batch's transaction stays usable and its other messages are recorded, not
    sent again. Other exceptions keep what it wrote (a connector records the error on its shop)."""
    savepoint = transaction.savepoint()
    try:
        result = function(message)
    except DatabaseError:
        transaction.savepoint_rollback(savepoint)
        raise
    except Exception:
        transaction.savepoint_commit(savepoint)
        raise
    transaction.savepoint_commit(savepoint)
    return result
