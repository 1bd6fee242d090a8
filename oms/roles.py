"""The roles of DESIGN.md as Django groups, with their permissions kept in sync after every migrate.

Each domain app declares what each role may do on its AppConfig::

    role_permissions = {"operations": ["orders.view_order", "orders.review_order"], ...}

Patterns ending in ``*`` match codenames by prefix (``"inventory.view_*"``). This module reads
those declarations from the app registry, so ``oms`` never imports a domain app.
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass

from django.apps import apps as global_apps
from django.db import DEFAULT_DB_ALIAS
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Role:
    key: str
    group: str
    label: str
    description: str


ROLES: tuple[Role, ...] = (
    Role(
        "operations", "Operations", _("Operations"), _("Orders, review, exceptions, after-sales, customers")
    ),
    Role(
        "warehouse", "Warehouse", _("Warehouse"), _("Waves, pick lists, packing, shipping, receiving, counts")
    ),
    Role(
        "warehouse_manager",
        "Warehouse manager",
        _("Warehouse manager"),
        _("Everything the warehouse does, plus approving stock counts"),
    ),
    Role("purchasing", "Purchasing", _("Purchasing"), _("Suppliers, replenishment, purchase orders")),
    Role("finance", "Finance", _("Finance"), _("Supplier reconciliation, refunds, reports, exports")),
    Role(
        "finance_manager",
        "Finance manager",
        _("Finance manager"),
        _("Everything Finance does, plus approving statements and large refunds"),
    ),
    Role("admin", "Admin", _("Admin"), _("Users, rules, carriers, warehouses; every model in Django admin")),
)
ROLE_BY_KEY = {r.key: r for r in ROLES}

# What the project package itself grants (apps add theirs on their AppConfig).
OMS_ROLE_PERMISSIONS: dict[str, list[str]] = {
    # Operations call customers and work their cases; the warehouse prints shipping slips.
    "operations": ["oms.view_outboxmessage", "oms.view_personal_data"],
    "warehouse": ["oms.view_personal_data"],
    "warehouse_manager": ["@warehouse"],
    "purchasing": [],
    "finance": [],
    "finance_manager": ["@finance"],
    "admin": ["*"],
}


def declared_permissions(app_configs=None) -> dict[str, list[str]]:
    """All role → permission patterns declared by the project and its apps."""
    merged: dict[str, list[str]] = {key: list(perms) for key, perms in OMS_ROLE_PERMISSIONS.items()}
    for config in app_configs or global_apps.get_app_configs():
        for key, perms in getattr(config, "role_permissions", {}).items():
            merged.setdefault(key, []).extend(perms)
    return merged


def resolve(
    patterns: list[str],
    all_perms: dict[str, int],
    declared: dict[str, list[str]],
    seen: frozenset[str] = frozenset(),
) -> set[int]:
    """Turn patterns (``app.codename``, ``app.prefix*``, ``*``, ``@role``) into permission ids."""
    ids: set[int] = set()
    for pattern in patterns:
        if pattern.startswith("@"):
            other = pattern[1:]
            if other not in seen:
                ids |= resolve(declared.get(other, []), all_perms, declared, seen | {other})
        elif "*" in pattern:
            ids |= {pk for name, pk in all_perms.items() if fnmatch.fnmatchcase(name, pattern)}
        elif pattern in all_perms:
            ids.add(all_perms[pattern])
    return ids


def sync_roles(*, using: str = DEFAULT_DB_ALIAS, apps=global_apps) -> None:
    """Create the role groups and set exactly the declared permissions on each."""
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    all_perms = {
        f"{app_label}.{codename}": pk
        for pk, app_label, codename in Permission.objects.using(using).values_list(
            "pk", "content_type__app_label", "codename"
        )
    }
    declared = declared_permissions()
    for role in ROLES:
        group, _created = Group.objects.using(using).get_or_create(name=role.group)
        group.permissions.set(resolve(declared.get(role.key, []), all_perms, declared))


def sync_roles_after_migrate(sender, app_config, using=DEFAULT_DB_ALIAS, apps=global_apps, **kwargs) -> None:
    # post_migrate fires once per app; syncing after the last one sees every permission.
    with_models = [c.label for c in global_apps.get_app_configs() if c.models_module is not None]
    if app_config.label != with_models[-1]:
        return
    sync_roles(using=using, apps=apps)


def user_roles(user) -> list[Role]:
    names = {g.name for g in user.groups.all()}
    return [r for r in ROLES if r.group in names]
