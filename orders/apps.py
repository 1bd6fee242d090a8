"""App config: role permissions and menu entries of the orders app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oms.navigation import NavItem


class OrdersConfig(AppConfig):
    name = "orders"
    verbose_name = _("Orders")
    # role key -> permission patterns (see oms/roles.py)
    role_permissions: dict[str, list[str]] = {
        "operations": [
            "orders.view_order",
            "orders.add_order",
            "orders.review_order",
            "orders.hold_order",
            "orders.cancel_order",
            "orders.import_order",
            "orders.export_order",
            "orders.allocate_order",
            "orders.view_customer",
            "orders.view_channel",
        ],
        # Finance sees orders (refunds, reconciliation) and does the second review of large amounts.
        "finance": [
            "orders.view_order",
            "orders.finance_review_order",
            "orders.export_order",
            "orders.view_refundrecord",
        ],
        "finance_manager": ["@finance"],
        # Warehouse works from its own pick / pack screens; the order back office is not theirs.
        "warehouse": [],
    }
    nav_items = (
        NavItem(_("Orders"), "orders:list", permission="orders.view_order", order=10),
        NavItem(_("Review"), "orders:review", permission="orders.view_order", order=11),
        NavItem(_("Exceptions"), "orders:exceptions", permission="orders.view_order", order=12),
        NavItem(_("New order"), "orders:create", permission="orders.add_order", order=13),
        NavItem(_("Import orders"), "orders:import", permission="orders.import_order", order=14),
    )
    importers = {"orders": "orders.importers.import_orders"}
