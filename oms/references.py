"""Stored references (``order-line:12``, ``aftersales:AS-20261201-0001``, a parcel number) shown readable.

Stock movements, reservations and notes keep a plain reference so that a lower app never imports a higher
one. Each app that writes references registers its prefix here (from its ``AppConfig.ready``)::

    register_reference("order-line", _("Order line %(id)s"), url_name="orders:line")

and templates show them with ``{{ value|ref }}`` (a link when the app gave a URL name), Python with
``reference_label(value)``. A reference with no registered prefix is shown as it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html


@dataclass(frozen=True)
class _Kind:
    label: Any  # lazy text with %(id)s
    url_name: str | None


_kinds: dict[str, _Kind] = {}


def register_reference(prefix: str, label: Any, *, url_name: str | None = None) -> None:
    _kinds[prefix] = _Kind(label=label, url_name=url_name)


def _split(reference: str) -> tuple[_Kind, str] | None:
    if not isinstance(reference, str) or ":" not in reference:
        return None
    prefix, _sep, ident = reference.partition(":")
    kind = _kinds.get(prefix)
    if kind is None or not ident:
        return None
    return kind, ident


def reference_label(reference: Any) -> str:
    """``order-line:12`` → "Order line 12" in the current language; unknown references unchanged."""
    if reference is None:
        return ""
    split = _split(reference)
    if split is None:
        return str(reference)
    kind, ident = split
    return str(kind.label) % {"id": ident}


def reference_url(reference: Any) -> str | None:
    split = _split(reference)
    if split is None or split[0].url_name is None:
        return None
    try:
        return reverse(split[0].url_name, args=[split[1]])
    except NoReverseMatch:
        return None


def reference_html(reference: Any) -> str:
    """A link to the referenced record when its app gave one, else the readable label (HTML-escaped)."""
    label = reference_label(reference)
    url = reference_url(reference)
    if url:
        return format_html('<a href="{}">{}</a>', url, label)
    return format_html("{}", label)
