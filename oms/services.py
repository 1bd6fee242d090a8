"""Writes owned by the project package (user preferences)."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction

from oms.audit import log_changes, snapshot
from oms.exceptions import DomainError
from oms.models import User


@transaction.atomic
def user_set_language(*, user: User, language: str) -> User:
    if language not in dict(settings.LANGUAGES):
        raise DomainError(
            f"Unknown language {language!r}; choose one of {', '.join(dict(settings.LANGUAGES))}."
        )
    user = User.objects.select_for_update().get(pk=user.pk)
    before = snapshot(user, ["language"])
    user.language = language
    user.save(update_fields=["language"])
    log_changes(instance=user, before=before, by=user, note="language preference")
    return user
