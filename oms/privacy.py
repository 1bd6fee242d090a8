"""Personal data: masking for roles that do not need it, and a log of every full view.

A model that holds personal data lists its fields in ``pii_fields`` (e.g. ``("phone", "email", "line1")``).
Screens show ``mask(...)`` values unless the user has ``oms.view_personal_data`` and asks to see them
(the reveal view logs each full view); documents that need the data to work (shipping slips) call
``personal_data_log`` when they are produced.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from django.contrib.contenttypes.models import ContentType
from django.db import models

from oms.models import PersonalDataAccess

VIEW_PERMISSION = "oms.view_personal_data"


def mask_phone(value: str | None) -> str:
    """13812348000 → 138****8000; short or foreign numbers keep only their last 4 digits."""
    if not value:
        return ""
    digits = re.sub(r"\D", "", value)
    if len(digits) == 11 and digits.startswith("1"):
        return f"{digits[:3]}****{digits[-4:]}"
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_email(value: str | None) -> str:
    if not value or "@" not in value:
        return mask_text(value)
    local, domain = value.split("@", 1)
    return f"{local[:1]}***@{domain}"


def mask_name(value: str | None) -> str:
    """张三丰 → 张**; John Smith → J*** S***."""
    if not value:
        return ""
    if re.search(r"[\u4e00-\u9fff]", value):
        return value[0] + "*" * (len(value) - 1)
    return " ".join(part[:1] + "***" for part in value.split())


def mask_text(value: str | None) -> str:
    """Street lines and other free text: the first two characters, the rest hidden."""
    if not value:
        return ""
    return value[:2] + "****"


MASKERS = {"phone": mask_phone, "email": mask_email, "name": mask_name}


def mask(value: str | None, kind: str = "text") -> str:
    return MASKERS.get(kind, mask_text)(value)


def can_view_personal_data(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(VIEW_PERMISSION))


# "app_label.modelname" -> who may see that record in full: a user who may open the record's page.
# Apps register theirs in AppConfig.ready (oms cannot import them); a model without a rule is never revealed.
RevealRule = Callable[[object, models.Model], bool]
_REVEAL_RULES: dict[str, RevealRule] = {}


def register_reveal_rule(model_label: str, rule: RevealRule) -> None:
    """``rule(user, instance)`` says whether ``user`` may open the page that shows ``instance``."""
    _REVEAL_RULES[model_label.lower()] = rule


def may_reveal(user, instance: models.Model) -> bool:
    """The global permission to see personal data, and the right to open this very record's page."""
    if not can_view_personal_data(user):
        return False
    rule = _REVEAL_RULES.get(instance._meta.label_lower)
    return bool(rule and rule(user, instance))


def _staff_user_rule(user, instance) -> bool:
    """Staff users' own contact data: administrators only."""
    return bool(user.is_superuser)


register_reveal_rule("oms.user", _staff_user_rule)


def personal_data_log(
    *, user, instance: models.Model, fields: list[str], purpose: str = ""
) -> PersonalDataAccess:
    return PersonalDataAccess.objects.create(
        user=user if getattr(user, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        fields=list(fields),
        purpose=purpose[:200],
    )


def personal_data_forget(*, model: type[models.Model], object_ids, label: str) -> None:
    """Replace the names under which the audit logs list these records (after anonymisation).

    Who looked and when stays in the log; only the record's label, which held the name and phone, changes.
    """
    from oms.models import ChangeLog

    ids = list(object_ids)
    if not ids:
        return
    ct = ContentType.objects.get_for_model(model)
    PersonalDataAccess.objects.filter(content_type=ct, object_id__in=ids).update(object_repr=label[:200])
    ChangeLog.objects.filter(content_type=ct, object_id__in=ids).update(object_repr=label[:200])
