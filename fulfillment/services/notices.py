"""What customers and staff are told about parcels: one "shipped" message for the parcels that left together,
one "delivered" message per parcel whatever orders it carries, and staff alerts for carrier exceptions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from fulfillment.models import Shipment, ShipmentLine
from fulfillment.selectors import tracking_link
from fulfillment.services._common import S
from oms.dispatch import task_send_later_on_commit
from oms.models import OutboxMessage
from oms.notifications import notify_customer, notify_staff

SHIPPED_STATUSES = [S.SHIPPED, S.IN_TRANSIT, S.DELIVERED]
SHIPPED_NOTICE_TASK = "fulfillment.tasks.shipped_notices_task"


def _settle_seconds() -> int:
    return int(getattr(settings, "OMS_SHIPPED_NOTICE_SETTLE_SECONDS", 120))


def shipped_notice_request(shipment: Shipment) -> None:
    """Ask for the customer's "shipped" message a little later, so parcels leaving together share one."""
    task_send_later_on_commit(SHIPPED_NOTICE_TASK, _settle_seconds(), customer_id=shipment.customer_id)


def _order_numbers(shipments: list[Shipment]) -> list[str]:
    return sorted(
        set(
            ShipmentLine.objects.filter(shipment__in=shipments).values_list(
                "order_line__order__number", flat=True
            )
        )
    )


def _key(prefix: str, ids: list[int]) -> str:
    digest = hashlib.sha1(",".join(map(str, ids)).encode(), usedforsecurity=False).hexdigest()[:20]
    return f"{prefix}:{digest}"


def shipped_notices_send(*, customer_id: int) -> OutboxMessage | None:
    """One message for every parcel of the customer shipped and not yet announced (safe to run twice).

    The parcels are locked (``skip_locked``: a concurrent run takes the others) and marked announced in
    the same transaction as the message is queued.
    """
    with transaction.atomic():
        parcels = list(
            Shipment.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("customer", "carrier_service__carrier")
            .filter(customer_id=customer_id, status__in=SHIPPED_STATUSES, customer_notified_at__isnull=True)
            .exclude(shipped_at__isnull=True)
            .order_by("pk")
        )
        if not parcels:
            return None
        message = notify_customer(
            customer=parcels[0].customer,
            template="fulfillment/notifications/shipped.txt",
            context={
                "parcels": [{"shipment": p, "link": tracking_link(p)} for p in parcels],
                "orders": _order_numbers(parcels),
            },
            event="fulfillment.shipped",
            dedupe_key=_key(f"customer:{customer_id}:shipped", [p.pk for p in parcels]),
        )
        Shipment.objects.filter(pk__in=[p.pk for p in parcels]).update(customer_notified_at=timezone.now())
    return message


def shipped_notices_due(*, now=None) -> list[int]:
    """Customers with parcels shipped longer ago than the settling time and still not announced (the
    sweep's work when the delayed task was lost, e.g. the broker was down)."""
    since = (now or timezone.now()) - timedelta(seconds=_settle_seconds())
    return sorted(
        set(
            Shipment.objects.filter(
                status__in=SHIPPED_STATUSES, customer_notified_at__isnull=True, shipped_at__lte=since
            ).values_list("customer_id", flat=True)
        )
    )


def delivered_notice(shipment: Shipment, order_numbers: list[str]) -> OutboxMessage | None:
    """One message for a delivered parcel naming the orders it completed (a merged parcel: several)."""
    if not order_numbers:
        return None
    return notify_customer(
        customer=shipment.customer,
        template="fulfillment/notifications/delivered.txt",
        context={"shipment": shipment, "orders": order_numbers},
        event="fulfillment.delivered",
        dedupe_key=f"shipment:{shipment.pk}:delivered",
    )


def carrier_exception_alert(shipment: Shipment, *, description: str, occurred_at) -> list[OutboxMessage]:
    """E-mail operations about a carrier's exception event, once per parcel and event."""
    return notify_staff(
        role="operations",
        template="fulfillment/notifications/staff_carrier_exception.txt",
        context={
            "shipment": shipment,
            "description": description,
            "occurred_at": occurred_at,
            "url": settings.OMS_PUBLIC_URL.rstrip("/") + reverse("fulfillment:shipment", args=[shipment.pk]),
        },
        event="staff.carrier_exception",
        dedupe_key=f"shipment:{shipment.pk}:exception:{occurred_at.isoformat()}",
    )
