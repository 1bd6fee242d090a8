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
- ``money_param(Decimal)``: an amount, formatted for the reader's locale.
"""

from __future__ import annotations

import json
import logging
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.utils.formats import number_format

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


def note(code: str, **params: Any) -> str:
    """The text to store for note ``code`` with ``params`` (JSON values or the ``*_param`` helpers)."""
    if code not in _registry:
        raise KeyError(f"unknown note code {code!r}: register it in the app's notes.py")
    return json.dumps({"n": code, "p": params}, ensure_ascii=False, separators=(",", ":"), default=_jsonable)


def note_param(code: str, **params: Any) -> dict[str, Any]:
    if code not in _registry:
        raise KeyError(f"unknown note code {code!r}: register it in the app's notes.py")
    return {"n": code, "p": params}


def choice_param(field: str, value: Any) -> dict[str, Any]:
    """``field`` is ``"app_label.Model.field"``; rendered as that choice's label."""
    return {"choice": field, "v": value}


def money_param(amount: Decimal | int | float | str) -> dict[str, Any]:
    return {"money": str(amount)}


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
    if isinstance(param, list):
        return "、".join(str(_render_param(p)) for p in param) if param else ""
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
