"""Navigation: each app declares its menu entries; a user sees only the entries they may open."""

from __future__ import annotations

from dataclasses import dataclass

from django.apps import apps
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    permission: str | None = None  # None: every signed-in user
    section: str | Promise = ""
    order: int = 100
    staff_only: bool = False


def nav_items_for(user) -> list[dict]:
    """Entries ``user`` may open, in display order; AppConfigs declare ``nav_items``."""
    if not user.is_authenticated:
        return []
    items: list[tuple[NavItem, str]] = []
    for config in apps.get_app_configs():
        # Entries are grouped in one menu per app unless they name their own section.
        items.extend(
            (item, str(item.section or config.verbose_name)) for item in getattr(config, "nav_items", ())
        )
    visible = []
    for item, section in sorted(items, key=lambda pair: pair[0].order):
        if item.staff_only and not user.is_staff:
            continue
        if item.permission and not user.has_perm(item.permission):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        visible.append({"label": item.label, "url": url, "url_name": item.url_name, "section": section})
    return visible


def nav_sections(items: list[dict]) -> list[dict]:
    """Group entries by section, in the order the sections first appear; a section of one entry stays a link."""
    sections: dict[str, list[dict]] = {}
    for item in items:
        sections.setdefault(item["section"], []).append(item)
    return [
        {"label": label, "items": entries, "active": any(e.get("active") for e in entries)}
        for label, entries in sections.items()
    ]


def navigation(request) -> dict:
    """Template context processor."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "nav_sections": []}
    current = getattr(getattr(request, "resolver_match", None), "view_name", "")
    items = nav_items_for(user)
    for item in items:
        item["active"] = item["url_name"] == current
    return {"nav_items": items, "nav_sections": nav_sections(items)}
