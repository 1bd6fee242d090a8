"""Reads of the connectors app shared by its screens, the order panel and the import translator."""

from __future__ import annotations

from django.db.models import QuerySet

from connectors.choices import EventStatus
from connectors.models import ColumnMapping, Connection, InboundEvent, Listing
from oms.models import OutboxMessage


def connections_list() -> QuerySet[Connection]:
    return Connection.objects.select_related("channel").order_by("channel__name", "pk")


def connection_detail(pk: int) -> Connection:
    return Connection.objects.select_related("channel").get(pk=pk)


def inbound_events(*, connection_id: int | None = None, status: str = "") -> QuerySet[InboundEvent]:
    qs = InboundEvent.objects.select_related("connection__channel", "order").defer("payload")
    if connection_id:
        qs = qs.filter(connection_id=connection_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-received_at", "-pk")


def review_count() -> int:
    return InboundEvent.objects.filter(status=EventStatus.NEEDS_REVIEW).count()


def listings(*, connection_id: int | None = None, q: str = "") -> QuerySet[Listing]:
    qs = Listing.objects.select_related("connection__channel", "sku")
    if connection_id:
        qs = qs.filter(connection_id=connection_id)
    if q:
        qs = qs.filter(sku__code__icontains=q)
    return qs.order_by("connection__channel__name", "sku__code")


def platform_messages(*, connection_id: int, limit: int = 20) -> list[OutboxMessage]:
    """The latest calls queued for a shop (write-backs and stock pushes), failures first."""
    return list(
        OutboxMessage.objects.filter(recipient=f"connection:{connection_id}").order_by(
            "status", "-created_at"
        )[:limit]
    )


def writebacks_for_order(order_id: int) -> list[OutboxMessage]:
    return list(
        OutboxMessage.objects.filter(dedupe_key__startswith=f"connectors:ship:o{order_id}:").order_by(
            "created_at"
        )
    )


def column_mapping_for(channel) -> dict[str, str] | None:
    mapping = ColumnMapping.objects.filter(connection__channel=channel).first()
    return mapping.columns if mapping else None
