"""App config: role permissions and menu entries of the fulfillment app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oms.navigation import NavItem


class FulfillmentConfig(AppConfig):
    name = "fulfillment"
    verbose_name = _("Fulfillment")
    # role key -> permission patterns (see oms/roles.py)
    role_permissions: dict[str, list[str]] = {
        "warehouse": [
            "fulfillment.view_shipment",
            "fulfillment.view_pickwave",
            "fulfillment.build_wave",
            "fulfillment.print_picklist",
            "fulfillment.pack_shipment",
            "fulfillment.ship_shipment",
            "fulfillment.view_packscan",
            "fulfillment.view_trackingevent",
        ],
        "operations": [
            "fulfillment.view_shipment",
            "fulfillment.view_pickwave",
            "fulfillment.override_carrier",
            "fulfillment.approve_dropship",
            "fulfillment.review_shipment",
            "fulfillment.change_shipment",
            "fulfillment.view_packscan",
            "fulfillment.view_trackingevent",
            "fulfillment.view_carrier",
        ],
        "finance": [
            "fulfillment.view_shipment",
            "fulfillment.view_carrier",
            "fulfillment.view_raterow",
            # Cash on delivery: what each carrier collected and remitted.
            "fulfillment.view_codremittance",
            "fulfillment.add_codremittance",
        ],
    }
    nav_items = (
        NavItem(
            _("Waves"),
            "fulfillment:waves",
            permission="fulfillment.build_wave",
            section=_("Warehouse"),
            order=300,
        ),
        NavItem(
            _("Pack station"),
            "fulfillment:pack",
            permission="fulfillment.pack_shipment",
            section=_("Warehouse"),
            order=310,
        ),
        NavItem(
            _("To ship"),
            "fulfillment:to-ship",
            permission="fulfillment.ship_shipment",
            section=_("Warehouse"),
            order=320,
        ),
        NavItem(
            _("Shipments"),
            "fulfillment:shipments",
            permission="fulfillment.view_shipment",
            section=_("Fulfillment"),
            order=330,
        ),
        NavItem(
            _("COD reconciliation"),
            "fulfillment:cod",
            permission="fulfillment.view_codremittance",
            section=_("Finance"),
            order=710,
        ),
    )

    def ready(self) -> None:
        from fulfillment import (
            bulk,
            notes,  # noqa: F401 - registers the app's note codes
        )
        from fulfillment.selectors import order_parcels_panel
        from fulfillment.services.withdrawal import order_parcels_blocker, order_parcels_withdraw
        from orders.hooks import register_parcel_handlers

        # Editing, splitting or merging an order intercepts its parcels that are not packed yet.
        register_parcel_handlers(blocker=order_parcels_blocker, withdraw=order_parcels_withdraw)

        bulk.register()
        from orders.panels import OrderPanel, register_order_panel

        # The order page shows where each of its parcels is, without orders importing fulfillment.
        register_order_panel(
            OrderPanel(
                template="fulfillment/inc/order_parcels.html",
                position=20,
                permission="fulfillment.view_shipment",
                context=order_parcels_panel,
            )
        )
