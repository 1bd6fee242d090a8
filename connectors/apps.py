"""App config: role permissions, menu entries and the hooks the connectors app registers in lower apps."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oms.navigation import NavItem


class ConnectorsConfig(AppConfig):
    name = "connectors"
    verbose_name = _("Sales-platform connectors")
    # Operations runs the shops (it already imports orders); only an admin changes credentials.
    role_permissions: dict[str, list[str]] = {
        "operations": [
            "connectors.view_connection",
            "connectors.test_connection",
            "connectors.view_inboundevent",
            "connectors.change_inboundevent",
            "connectors.view_listing",
            "connectors.view_columnmapping",
            "connectors.add_columnmapping",
            "connectors.change_columnmapping",
        ],
    }
    nav_items = (
        NavItem(_("Shops"), "connectors:list", permission="connectors.view_connection", order=17),
        NavItem(_("Shop messages"), "connectors:events", permission="connectors.view_inboundevent", order=18),
    )

    def ready(self) -> None:
        from connectors import notes  # noqa: F401 - registers the note codes
        from connectors.formats import translate
        from connectors.services import shipment_shipped, stock_changed
        from fulfillment.hooks import register_shipped_handler
        from inventory.hooks import register_stock_changed_handler
        from orders.hooks import register_import_translator
        from orders.panels import OrderPanel, register_order_panel

        register_shipped_handler(shipment_shipped)
        register_stock_changed_handler(stock_changed)
        register_import_translator(translate)
        register_order_panel(
            OrderPanel(
                template="connectors/inc/order_writeback.html",
                position=80,
                permission="connectors.view_connection",
                context=_order_panel,
            )
        )


def _order_panel(order, request) -> dict:
    from connectors.selectors import writebacks_for_order

    return {"messages": writebacks_for_order(order.pk)}
