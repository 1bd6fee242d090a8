"""Reasons, explanations and timeline notes stored as a code with parameters, shown in the reader's language.

A note is written with ``note("orders.held_for_review", amount=...)`` and kept as that text in the record's
own text field (``ChangeLog.note``, ``StateLog.description``, an order's hold reason, a shipment's carrier
reason, ...). It is rendered with ``render_note(value)`` in Python or ``{{ value|note }}`` in a template, in
the language of the request that shows it. Text that is not an encoded note (typed by a user, or an old row)
is shown as it is.

Each app declares its codes in ``<app>/notes.py``::

    from django.utils.translation import gettext_lazy as _
    from oms.notes import register_notes

    register_notes({
        "orders.intake": _("Received through %(source)s"),
    })

and imports that module from its ``AppConfig.ready``. Parameters are plain JSON values. A parameter that
needs translating itself is given as:

- ``note_param(code, **params)``: another note, rendered in the same language;
- ``choice_param("orders.Order.status", "held")``: the label of a model field's choice;
- ``money_param(Decimal)``: an amount, formatted for the reader's locale;
- ``text_param(msgid)``: a catalogue message id (e.g. a default rule's reason), translated when shown;
- ``ref_param("order-line:12")``: a stored reference, shown readable (``oms.references``).

A list parameter is shown joined with the language's list separator.

Old rows written as English text are converted by each app's data migration with ``convert_legacy``:
regexes of the known English (and Chinese) texts → a code with parameters; anything unmatched stays as it is.
"""

from __future__ import annotations

import functools
import json
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils.formats import number_format
from django.utils.translation import gettext, pgettext

logger = logging.getLogger(__name__)

_MARK = '{"n":'
_registry: dict[str, Any] = {}


def register_notes(mapping: dict[str, Any]) -> None:
    """Add codes (``"app.something"`` → lazy text with ``%(name)s`` placeholders)."""
    for code, text in mapping.items():
        existing = _registry.get(code)
        if existing is not None and str(existing) != str(text):
            raise ValueError(f"note code {code!r} registered twice with different texts")
        _registry[code] = text


def known_codes() -> frozenset[str]:
    return frozenset(_registry)


def note(code: str, /, **params: Any) -> str:
    """The text to store for note ``code`` with ``params`` (JSON values or the ``*_param`` helpers)."""
    if code not in _registry:
        raise KeyError(f"unknown note code {code!r}: register it in the app's notes.py")
    if all(type(v) in _PLAIN for v in params.values()):
        # Allocation writes a dozen notes per order, mostly the same ones (a warehouse's region, a SKU short
        # there): the same code and plain values give the same text, kept instead of encoded again.
        return _plain_note(code, tuple((k, type(v), v) for k, v in params.items()))
    return _encoded(code, params)


_PLAIN = frozenset({str, int, bool, type(None), Decimal})


@functools.lru_cache(maxsize=4096)
def _plain_note(code: str, items: tuple) -> str:
    return _encoded(code, {k: v for k, _t, v in items})


def _encoded(code: str, params: dict[str, Any]) -> str:
    return json.dumps({"n": code, "p": params}, ensure_ascii=False, separators=(",", ":"), default=_jsonable)


def note_param(code: str, /, **params: Any) -> dict[str, Any]:
    if code not in _registry:
        raise KeyError(f"unknown note code {code!r}: register it in the app's notes.py")
    return {"n": code, "p": params}


def choice_param(field: str, value: Any) -> dict[str, Any]:
    """``field`` is ``"app_label.Model.field"``; rendered as that choice's label."""
    return {"choice": field, "v": value}


def money_param(amount: Decimal | int | float | str) -> dict[str, Any]:
    return {"money": str(amount)}


def text_param(msgid: str) -> dict[str, Any]:
    """A message id of the catalogue (marked with ``gettext_noop`` somewhere), translated when rendered."""
    return {"t": msgid}


def ref_param(reference: str) -> dict[str, Any]:
    """A stored reference such as ``order-line:12`` or ``aftersales:AS-…``, rendered readable."""
    return {"ref": reference}


def is_note(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(_MARK)


def decode(value: str) -> tuple[str, dict[str, Any]] | None:
    """(code, params) of an encoded note, or None for plain text."""
    if not is_note(value):
        return None
    try:
        data = json.loads(value)
    except ValueError:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("n"), str):
        return None
    return data["n"], data.get("p") or {}


def render_note(value: Any) -> str:
    """``value`` in the current language: an encoded note rendered from its code, anything else as it is."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return str(value)
    decoded = decode(value)
    if decoded is None:
        return value
    return _render(*decoded)


def _render(code: str, params: dict[str, Any]) -> str:
    text = _registry.get(code)
    if text is None:
        logger.warning("note code %r is not registered; shown as its code", code)
        return code
    values = {name: _render_param(param) for name, param in params.items()}
    try:
        return str(text) % values if values else str(text)
    except (KeyError, TypeError, ValueError):
        logger.warning("note %r could not be formatted with %r", code, sorted(values))
        return str(text)


def _render_param(param: Any) -> Any:
    if isinstance(param, dict):
        if "n" in param:
            return _render(param["n"], param.get("p") or {})
        if "choice" in param:
            return _choice_label(param["choice"], param.get("v"))
        if "money" in param:
            return number_format(Decimal(param["money"]), 2, force_grouping=True)
        if "t" in param:
            return gettext(param["t"]) if param["t"] else ""
        if "ref" in param:
            from oms.references import reference_label

            return reference_label(param["ref"])
    if isinstance(param, list):
        return pgettext("list separator", ", ").join(str(_render_param(p)) for p in param)
    if isinstance(param, int | float) and not isinstance(param, bool):
        return number_format(param, force_grouping=True)
    return param


def _choice_label(field: str, value: Any) -> str:
    try:
        app_label, model_name, field_name = field.split(".")
        model_field = apps.get_model(app_label, model_name)._meta.get_field(field_name)
    except (LookupError, ValueError):
        return str(value)
    return str(dict(model_field.flatchoices).get(value, value))


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


# ---- converting old rows (data migrations) -------------------------------------------------------------


def encode(code: str, params: dict[str, Any] | None = None) -> str:
    """``note()`` without the registry check: for data migrations, which run before every app is ready."""
    return json.dumps(
        {"n": code, "p": params or {}}, ensure_ascii=False, separators=(",", ":"), default=_jsonable
    )


@dataclass(frozen=True)
class Legacy:
    """Old text matching ``pattern`` (anchored, whole text) becomes ``code`` with ``params(match)`` (None:
    not a match after all)."""

    pattern: str
    code: str
    params: Callable[[re.Match], dict[str, Any]] = lambda m: m.groupdict()


def convert_text(text: str, patterns: Iterable[Legacy]) -> str:
    """The encoded note for old ``text`` when a pattern matches it; else ``text`` unchanged."""
    if not text or is_note(text):
        return text
    stripped = text.strip()
    for legacy in patterns:
        match = re.fullmatch(legacy.pattern, stripped, flags=re.DOTALL)
        params = legacy.params(match) if match else None
        if params is not None:  # a builder returns None when the text only looks like the pattern
            return encode(legacy.code, params)
    return text


def convert_legacy(
    apps_registry, patterns: list[Legacy], *, fields: list[tuple[str, str, str]], app_label: str
):
    """Convert old English rows: ``fields`` (app label, model, field) of the app's own records, plus the
    timeline rows (change log notes, state log descriptions) of the app's records. Returns rows changed."""
    changed = 0
    for label, model_name, field_name in fields:
        model = apps_registry.get_model(label, model_name)
        changed += _convert_rows(model, field_name, patterns)
    content_types = apps_registry.get_model("contenttypes", "ContentType").objects.filter(app_label=app_label)
    for label, model_name, field_name in (
        ("oms", "ChangeLog", "note"),
        ("django_fsm_log", "StateLog", "description"),
    ):
        try:
            model = apps_registry.get_model(label, model_name)
        except LookupError:
            continue
        changed += _convert_rows(model, field_name, patterns, content_type__in=content_types)
    return changed


def _convert_rows(model, field_name: str, patterns: list[Legacy], **filters) -> int:
    rows = (
        model.objects.filter(**filters)
        .exclude(**{field_name: ""})
        .exclude(**{f"{field_name}__isnull": True})
        .exclude(**{f"{field_name}__startswith": _MARK})
        .values_list("pk", field_name)
    )
    changed = 0
    for pk, text in rows.iterator(chunk_size=2000):
        new = convert_text(text, patterns)
        if new != text:
            model.objects.filter(pk=pk).update(**{field_name: new})
            changed += 1
    return changed


def ints(*names: str) -> Callable[[re.Match], dict[str, Any]]:
    """A ``Legacy.params`` that keeps the named groups, with ``names`` as numbers."""

    def params(match: re.Match) -> dict[str, Any]:
        values = match.groupdict()
        for name in names:
            values[name] = int(values[name])
        return values

    return params


def convert_json_texts(value: Any, patterns: list[Legacy]) -> Any:
    """``value`` (a JSON list or dict) with every string in it converted by ``convert_text``."""
    if isinstance(value, str):
        return convert_text(value, patterns)
    if isinstance(value, list):
        return [convert_json_texts(v, patterns) for v in value]
    if isinstance(value, dict):
        return {k: convert_json_texts(v, patterns) for k, v in value.items()}
    return value


def convert_json_field(
    apps_registry, label: str, model_name: str, field_name: str, patterns: list[Legacy]
) -> int:
    """Convert the strings inside a JSON field of every row (e.g. a list of reasons)."""
    model = apps_registry.get_model(label, model_name)
    changed = 0
    for pk, value in model.objects.exclude(**{field_name: None}).values_list("pk", field_name).iterator(2000):
        new = convert_json_texts(value, patterns)
        if new != value:
            model.objects.filter(pk=pk).update(**{field_name: new})
            changed += 1
    return changed
