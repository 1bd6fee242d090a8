"""App config: role permissions, menu entries and importers of the inventory app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oms.navigation import NavItem

_VIEW = ["inventory.view_*", "inventory.export_stock"]


class InventoryConfig(AppConfig):
    name = "inventory"
    verbose_name = _("Inventory")
    # role key -> permission patterns (see oms/roles.py). Operations and Finance only look:
    # stock changes by hand are for the warehouse (DESIGN.md, "must never").
    role_permissions: dict[str, list[str]] = {
        "operations": list(_VIEW),
        "warehouse": [
            *_VIEW,
            "inventory.receive_stock",
            "inventory.adjust_stock",
            "inventory.count_stock",
            "inventory.transfer_stock",
        ],
        "warehouse_manager": ["inventory.approve_stockcount"],
        "purchasing": [*_VIEW, "inventory.manage_purchaseorder"],
        "finance": list(_VIEW),
    }
    nav_items = (
        NavItem(_("Stock"), "inventory:stock-list", "inventory.view_stocklevel", _("Inventory"), 20),
        NavItem(_("Receive"), "inventory:receive", "inventory.receive_stock", _("Inventory"), 21),
        NavItem(_("Stock count"), "inventory:count", "inventory.count_stock", _("Inventory"), 22),
        NavItem(
            _("Movements"), "inventory:movement-list", "inventory.view_stockmovement", _("Inventory"), 23
        ),
        NavItem(_("Low stock"), "inventory:alert-list", "inventory.view_lowstockalert", _("Inventory"), 24),
        NavItem(
            _("Replenishment"), "inventory:replenishment", "inventory.view_suppliersku", _("Inventory"), 25
        ),
        NavItem(
            _("Purchase orders"), "inventory:po-list", "inventory.view_purchaseorder", _("Inventory"), 26
        ),
        NavItem(_("Stock counts"), "inventory:count-list", "inventory.view_stockcount", _("Inventory"), 27),
        NavItem(
            _("Transfers"), "inventory:transfer-list", "inventory.view_stocktransfer", _("Inventory"), 28
        ),
    )
    # `manage.py import <kind> FILE` (oms/management/commands/import.py)
    importers = {
        "skus": "inventory.importers.import_skus",
        "suppliers": "inventory.importers.import_suppliers",
        "stock": "inventory.importers.import_stock",
    }

    def ready(self) -> None:
        from inventory import notes  # noqa: F401 - registers the note codes
        from oms.notifications import register_attachments

        register_attachments("inventory.purchase_order_sent", "inventory.pdf.purchase_order_attachments")

        from inventory.import_columns import SKU_COLUMNS, STOCK_COLUMNS, SUPPLIER_COLUMNS
        from oms.import_templates import ImportTemplate, register_import_template

        # Templates of the command-line imports (``manage.py import <kind> FILE``).
        register_import_template(
            ImportTemplate("skus", _("SKUs and products"), SKU_COLUMNS, "inventory.add_sku")
        )
        register_import_template(
            ImportTemplate("suppliers", _("Suppliers"), SUPPLIER_COLUMNS, "inventory.add_supplier")
        )
        register_import_template(
            ImportTemplate("stock", _("Stock count"), STOCK_COLUMNS, "inventory.count_stock")
        )
