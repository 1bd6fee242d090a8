"""Who may see after-sales personal data in full: whoever may open the case's or complaint's page."""

from __future__ import annotations

from oms.privacy import register_reveal_rule


def _case(user, case) -> bool:
    return user.has_perm("aftersales.view_aftersalescase")


def _complaint(user, complaint) -> bool:
    return user.has_perm("aftersales.view_complaint")


def register() -> None:
    register_reveal_rule("aftersales.aftersalescase", _case)
    register_reveal_rule("aftersales.complaint", _complaint)
