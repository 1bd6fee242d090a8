"""Document numbers of purchase orders, counts and transfers: a prefix, the day, the row id."""

from __future__ import annotations

import uuid

from django.utils import timezone


def temporary_number() -> str:
    """Unique until the row has its id (``number`` is unique and set right after the insert)."""
    return "tmp-" + uuid.uuid4().hex[:24]


def assign_number(instance, prefix: str) -> None:
    instance.number = f"{prefix}{timezone.localdate():%y%m%d}-{instance.pk:05d}"
    type(instance).objects.filter(pk=instance.pk).update(number=instance.number)
