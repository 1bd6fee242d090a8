"""App config for the project package: role sync after migrate, and the package's own menu entries."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from oms.navigation import NavItem


class OmsConfig(AppConfig):
    name = "oms"
    verbose_name = _("Back office")
    nav_items = (
        NavItem(_("Dashboard"), "home", order=0, section=_("Dashboard")),
        NavItem(
            _("Notifications"),
            "outbox-list",
            permission="oms.view_outboxmessage",
            order=900,
            section=_("System"),
        ),
        NavItem(_("Admin"), "admin:index", staff_only=True, order=1000, section=_("System")),
    )

    def ready(self) -> None:
        from oms.roles import sync_roles_after_migrate

        post_migrate.connect(sync_roles_after_migrate, dispatch_uid="oms.sync_roles")
