"""Bulk actions on lists: a registry of actions per list, and the runner that applies one to many records.

A list registers itself once (``register_bulk_list``: its key and how to name and link a record) and any app
adds actions to it (``register_bulk_action``), from its ``AppConfig.ready``. An app above may add actions to a
lower app's list this way (fulfillment adds "print shipping slips" to the order list) without that list
importing it. Three kinds of action:

- ``each``: ``run(*, pk, by, reason, params)`` is called for every record, each in its own transaction (the
  service's own); a ``DomainError`` refuses that record with its message and the others go on;
- ``file``: ``run(*, ids, by, params, progress)`` returns ``{"file_name", "content", "message"}`` (a PDF of
  many records), always in a background job;
- ``download``: the list view answers with its own export of the selected records (no runner).

Up to ``SYNC_LIMIT`` records run in the request; more run as a ``BackgroundJob`` (``bulk_job``) whose page
shows the progress and then the same per-record results.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist
from django.utils import translation
from django.utils.translation import gettext as _

from oms.exceptions import DomainError

SYNC_LIMIT = 200
MAX_RECORDS = 10_000
EACH, FILE, DOWNLOAD = "each", "file", "download"


@dataclass(frozen=True)
class BulkList:
    """A list that takes bulk actions. ``describe(ids)`` returns ``{pk: (label, url)}`` for the results."""

    key: str
    describe: Callable[[list[int]], dict[int, tuple[str, str]]]
    noun: object = ""  # plural noun shown in "12 orders" (lazy text)


@dataclass(frozen=True)
class BulkAction:
    """One action of a list's bulk bar. ``permissions``: any of them lets a user see and run it."""

    name: str
    label: object
    run: Callable | None = None
    permissions: tuple[str, ...] = ()
    kind: str = EACH
    needs_reason: bool = False
    colour: str = "outline-primary"
    position: int = 100
    # A choice the confirmation asks for (e.g. which tag): ``choices()`` -> [(value, label)], stored in
    # params[choice_name].
    choices: Callable[[], list[tuple[str, str]]] | None = None
    choice_label: object = ""
    extra: dict = field(default_factory=dict)

    def allowed(self, user) -> bool:
        return not self.permissions or any(user.has_perm(p) for p in self.permissions)


_lists: dict[str, BulkList] = {}
_actions: dict[str, dict[str, BulkAction]] = {}


def register_bulk_list(bulk_list: BulkList) -> None:
    _lists[bulk_list.key] = bulk_list
    _actions.setdefault(bulk_list.key, {})


def register_bulk_action(list_key: str, action: BulkAction) -> None:
    """Add (or replace: ``ready()`` may run twice in tests) an action on a list."""
    _actions.setdefault(list_key, {})[action.name] = action


def bulk_list(list_key: str) -> BulkList:
    return _lists[list_key]


def bulk_actions_for(list_key: str, user) -> list[BulkAction]:
    actions = [a for a in _actions.get(list_key, {}).values() if a.allowed(user)]
    return sorted(actions, key=lambda a: (a.position, a.name))


def bulk_action(list_key: str, name: str) -> BulkAction | None:
    return _actions.get(list_key, {}).get(name)


def bulk_run(
    *,
    list_key: str,
    action: BulkAction,
    ids: list[int],
    by,
    reason: str = "",
    params: dict | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> list[dict]:
    """Apply an ``each`` action to every record in id order; one result row per record, done or refused."""
    ids = sorted(set(ids))
    describe = _lists[list_key].describe(ids) if list_key in _lists else {}
    rows = []
    step = max(1, len(ids) // 100)
    for i, pk in enumerate(ids, start=1):
        label, url = describe.get(pk, (str(pk), ""))
        try:
            action.run(pk=pk, by=by, reason=reason, params=params or {})
        except DomainError as exc:
            rows.append({"pk": pk, "label": label, "url": url, "ok": False, "reason": exc.message})
        except ObjectDoesNotExist:
            rows.append({"pk": pk, "label": label, "url": url, "ok": False, "reason": _("No such record.")})
        else:
            rows.append({"pk": pk, "label": label, "url": url, "ok": True, "reason": ""})
        if progress and (i % step == 0 or i == len(ids)):
            progress(i, len(ids))
    return rows


def summary(rows: list[dict]) -> dict:
    done = sum(1 for r in rows if r["ok"])
    return {"done": done, "refused": len(rows) - done, "total": len(rows)}


def summary_message(rows: list[dict]) -> str:
    counts = summary(rows)
    return _("%(done)s done, %(refused)s refused.") % counts


def bulk_job(
    job,
    progress,
    *,
    list_key: str,
    action: str,
    ids: list[int],
    reason: str = "",
    params: dict | None = None,
    language: str = "zh-hans",
) -> dict:
    """Background job handler: the same run as in the request, its results kept on the job."""
    by = get_user_model().objects.filter(pk=job.created_by_id).first()
    chosen = bulk_action(list_key, action)
    if chosen is None:
        raise DomainError(_("Unknown bulk action."))
    with translation.override(language):
        if chosen.kind == FILE:
            return chosen.run(ids=sorted(set(ids)), by=by, params=params or {}, progress=progress)
        rows = bulk_run(
            list_key=list_key, action=chosen, ids=ids, by=by, reason=reason, params=params, progress=progress
        )
        return {"message": summary_message(rows), "rows": rows, **summary(rows)}
