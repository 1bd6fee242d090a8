"""Audit trail: logged state transitions (django-fsm-log) and the change log of manual edits, as one timeline."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django_fsm import TransitionNotAllowed, can_proceed, has_transition_perm
from django_fsm_log.backends import SimpleBackend, _pre_transition_callback
from django_fsm_log.decorators import fsm_log_by, fsm_log_description
from django_fsm_log.models import StateLog

from oms.db import bulk_insert
from oms.exceptions import IllegalTransition, PermissionRefused
from oms.instances import new_instance
from oms.models import ChangeLog
from oms.notes import render_note


def logged(func):
    """Decorate an fsm transition so the log row records who (``by=``) and why (``description=``)."""
    return fsm_log_by(fsm_log_description(func))


class _PendingLogs:
    """Stands in for ``StateLog.objects`` while logs are collected: ``create`` keeps the row unsaved."""

    def __init__(self) -> None:
        self.rows: list[tuple[StateLog, models.Model]] = []

    def create(self, **values: Any) -> StateLog:
        instance = values.pop("content_object")
        by = values.pop("by", None)
        # The content type and the user set by id: through the generic foreign key and the related-object
        # descriptors they cost as much as the rest of the row.
        log = new_instance(  # timestamp is taken now, when the transition runs
            StateLog,
            content_type_id=ContentType.objects.get_for_model(type(instance)).pk,
            object_id=instance.pk,
            by_id=by.pk if by is not None else None,
            **values,
        )
        self.rows.append((log, instance))
        return log


_pending_logs: ContextVar[_PendingLogs | None] = ContextVar("oms_pending_state_logs", default=None)


class StateLogBackend(SimpleBackend):
    """django-fsm-log's simple backend (one StateLog row per transition, written when it runs), except inside
    ``collect_state_logs()``: there the rows are kept and written together by ``state_logs_write`` (bulk intake,
    where the transitions run before the new row has its id)."""

    @staticmethod
    def post_transition_callback(sender, instance, name, source, target, **kwargs):
        pending = _pending_logs.get()
        if pending is None:
            return SimpleBackend.post_transition_callback(sender, instance, name, source, target, **kwargs)
        return _pre_transition_callback(sender, instance, name, source, target, pending, **kwargs)


@contextmanager
def collect_state_logs() -> Iterator[list[tuple[StateLog, models.Model]]]:
    """Keep the StateLog rows of the transitions run inside the block; hand them to ``state_logs_write``
    (in the same transaction as the objects' own rows) or drop them if the objects are not saved."""
    pending = _PendingLogs()
    token = _pending_logs.set(pending)
    try:
        yield pending.rows
    finally:
        _pending_logs.reset(token)


def state_logs_write(rows: list[tuple[StateLog, models.Model]]) -> list[StateLog]:
    """Write collected StateLog rows in one INSERT, pointing each at its object's id (saved by now).

    Each row is stamped as it is written, in the order the transitions ran, so that on a timeline the
    transitions come after the objects' creation (change log) written before them in the same transaction."""
    logs = []
    for log, instance in rows:
        if instance.pk is None:
            raise ValueError(f"state log for an unsaved {type(instance).__name__}")
        log.object_id = instance.pk
        log.timestamp = timezone.now()
        logs.append(log)
    return bulk_insert(logs)


def transition_label(model, name: str) -> str:
    """What a transition (or a change-log action) is called on screens: the model's ``transition_labels``
    entry, translated, else the name in words. Each model with a state machine declares
    ``transition_labels = {"pack": _("Packed"), ...}``; the audit log keeps the method name."""
    return str(getattr(model, "transition_labels", {}).get(name) or name.replace("_", " "))


def run_transition(
    instance: models.Model, name: str, *, by=None, note: str = "", check_perm: bool = True, **kwargs: Any
) -> None:
    """Run transition ``name`` on ``instance`` or raise a clear, user-facing refusal.

    Call inside the service's ``transaction.atomic`` block and save afterwards:
    django-fsm-log writes its row when the method runs.
    """
    method = getattr(instance, name)
    if check_perm and by is not None:
        if not can_proceed(method):
            raise _illegal(instance, name)
        if not has_transition_perm(method, by):
            raise PermissionRefused(
                _("Your role may not take the step “%(action)s” on %(record)s.")
                % {"action": transition_label(instance, name), "record": str(instance)}
            )
        method(by=by, description=note or None, **kwargs)
        return
    # Without a permission to check, the transition's own check of its source state and conditions decides
    # (they are evaluated once, not twice: the intake runs three transitions per order).
    try:
        method(by=by, description=note or None, **kwargs)
    except TransitionNotAllowed as exc:
        if getattr(exc, "object", None) is not instance:  # refused deeper down, for another record
            raise
        raise _illegal(instance, name) from None


def _illegal(instance: models.Model, name: str) -> IllegalTransition:
    """The refusal of transition ``name`` in ``instance``'s current state, naming what is possible now."""
    # Every state machine in the project keeps its state in a field named ``status``.
    current = instance.status
    label = dict(instance._meta.get_field("status").flatchoices).get(current, current)
    allowed = sorted(
        {transition_label(instance, t.name) for t in instance.get_available_status_transitions()}
    )
    return IllegalTransition(
        _("%(record)s is %(state)s, so “%(action)s” is not possible now. Possible now: %(allowed)s.")
        % {
            "action": transition_label(instance, name),
            "record": str(instance),
            "state": label,
            "allowed": ", ".join(allowed) or _("nothing"),
        }
    )


def snapshot(instance: models.Model, fields: list[str]) -> dict[str, Any]:
    return {f: getattr(instance, f) for f in fields}


def log_changes(
    *, instance: models.Model, before: dict[str, Any], by=None, note: str = "", action: str = "update"
) -> ChangeLog | None:
    """Record the fields of ``instance`` that differ from ``before``; nothing when nothing changed."""
    changes = {}
    for field, old in before.items():
        new = getattr(instance, field)
        if old != new:
            changes[field] = [_jsonable(old), _jsonable(new)]
    if not changes and action == "update":
        return None
    return ChangeLog.objects.create(
        by=by if getattr(by, "pk", None) else None,
        content_type=ContentType.objects.get_for_model(instance),
        object_id=instance.pk,
        object_repr=str(instance)[:200],
        action=action,
        changes=changes,
        note=note,
    )


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, models.Model):
        return str(value)
    return str(value)


@dataclass(frozen=True)
class TimelineEntry:
    timestamp: datetime
    by: str
    kind: str  # "transition" or "change"
    title: str
    source: str
    target: str
    note: str
    changes: dict


def timeline_for(instance: models.Model) -> list[TimelineEntry]:
    """Every logged transition and manual edit of ``instance``, oldest first (two queries)."""
    ct = ContentType.objects.get_for_model(instance)
    entries: list[TimelineEntry] = []
    status_field = _status_field(instance)
    labels = dict(status_field.flatchoices) if status_field else {}
    for row in StateLog.objects.filter(content_type=ct, object_id=instance.pk).select_related("by"):
        entries.append(
            TimelineEntry(
                timestamp=row.timestamp,
                by=str(row.by or _("system")),
                kind="transition",
                title=transition_label(instance, row.transition),
                source=str(labels.get(row.source_state, row.source_state or "")),
                target=str(labels.get(row.state, row.state)),
                note=render_note(row.description or ""),
                changes={},
            )
        )
    change_labels = {**CHANGE_ACTIONS, **getattr(instance, "transition_labels", {})}
    for row in ChangeLog.objects.filter(content_type=ct, object_id=instance.pk).select_related("by"):
        entries.append(
            TimelineEntry(
                timestamp=row.timestamp,
                by=str(row.by or _("system")),
                kind="change",
                # "create" and "update" are named by the timeline template unless the model names them.
                title=str(change_labels.get(row.action, row.action)),
                source="",
                target="",
                note=render_note(row.note),
                changes=readable_changes(instance, row.changes),
            )
        )
    entries.sort(key=lambda e: e.timestamp)
    return entries


# Change-log actions every model may log; a model's ``transition_labels`` may name them its own way.
CHANGE_ACTIONS = {
    "merge": pgettext_lazy("timeline", "Merged"),
    "anonymise": pgettext_lazy("timeline", "Anonymised"),
    "reship": pgettext_lazy("timeline", "Reshipped"),
}


def readable_changes(instance: models.Model, changes: dict) -> dict:
    """``{"status": ["open", "resolved"]}`` → ``{"Status": ["Open", "Resolved"]}``: each field by its verbose
    name, a choice by its label, a stored note rendered, in the reader's language."""
    readable = {}
    # A model may name the entries of its change log that are not fields (``field_labels``).
    field_labels = getattr(instance, "field_labels", {})
    for name, values in (changes or {}).items():
        try:
            field = instance._meta.get_field(name)
        except Exception:  # noqa: BLE001 - a field since removed keeps its stored name
            readable[str(field_labels.get(name, name))] = values
            continue
        choices = dict(field.flatchoices) if getattr(field, "choices", None) else {}
        label = str(field_labels.get(name) or getattr(field, "verbose_name", name))
        pair = values if isinstance(values, list | tuple) else [None, values]
        readable[label[:1].upper() + label[1:]] = [_readable_value(v, choices) for v in pair]
    return readable


def _readable_value(value: Any, choices: dict) -> Any:
    if isinstance(value, bool):
        return str(pgettext_lazy("timeline", "yes") if value else pgettext_lazy("timeline", "no"))
    if choices and value is not None:
        return str(choices.get(value, value))
    return render_note(value) if isinstance(value, str) else value


def _status_field(instance: models.Model):
    try:
        return instance._meta.get_field("status")
    except Exception:  # noqa: BLE001 - a model without a status field has no state labels
        return None
