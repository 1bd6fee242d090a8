"""App config: role permissions and menu entries of the reconciliation app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oms.navigation import NavItem

_FINANCE = [
    "reconciliation.view_*",
    "reconciliation.add_supplierstatement",
    "reconciliation.change_supplierstatement",
    "reconciliation.add_supplierbill",
    "reconciliation.add_billcolumnmapping",
    "reconciliation.change_billcolumnmapping",
    "reconciliation.change_billmatch",
    "reconciliation.add_settlement",
]


class ReconciliationConfig(AppConfig):
    name = "reconciliation"
    verbose_name = _("Supplier reconciliation")
    # role key -> permission patterns (see oms/roles.py). Only the finance manager approves statements;
    # Operations and the warehouse get nothing here ("@finance" gives the manager Finance's part).
    role_permissions: dict[str, list[str]] = {
        "finance": list(_FINANCE),
        "finance_manager": ["reconciliation.approve_statement"],
    }
    nav_items = (
        NavItem(
            _("Supplier balances"),
            "reconciliation:suppliers",
            "reconciliation.view_reconcilableitem",
            _("Reconciliation"),
            60,
        ),
        NavItem(
            _("Statements"),
            "reconciliation:statements",
            "reconciliation.view_supplierstatement",
            _("Reconciliation"),
            61,
        ),
        NavItem(
            _("Approval queue"),
            "reconciliation:approvals",
            "reconciliation.approve_statement",
            _("Reconciliation"),
            62,
        ),
    )

    def ready(self) -> None:
        from reconciliation import notes  # noqa: F401 - registers the app's note codes
