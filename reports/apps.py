"""App config: role permissions and menu entries of the reports app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oms.navigation import NavItem


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")
    # role key -> permission patterns (see oms/roles.py)
    role_permissions: dict[str, list[str]] = {
        "operations": ["reports.view_reports"],
        "finance": ["reports.view_reports", "reports.export_finance"],
    }
    nav_items = (
        NavItem(_("Reports"), "reports:index", permission="reports.view_reports", order=800),
        NavItem(
            _("Journal export"),
            "reports:finance-export",
            permission="reports.export_finance",
            section=_("Finance"),
            order=720,
        ),
        NavItem(
            _("Finance dashboard"),
            "reports:finance-dashboard",
            permission="reports.export_finance",
            order=805,
        ),
    )
