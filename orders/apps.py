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
            # Customer service changes an order on the customer's call (address, lines), splits and merges.
            "orders.edit_order",
            "orders.view_customer",
            "orders.view_channel",
            # Customer service takes the customer's calls: it keeps the preferences, merges duplicates and
            # anonymises on request (a confirmation step and a logged reason; orders and money stay).
            "orders.change_customer",
            "orders.merge_customer",
            "orders.anonymise_customer",
            # It records the customer's invoice request; finance issues it.
            "orders.view_invoice",
            "orders.request_invoice",
            # A customer paid by bank transfer: operations may mark the order paid with the reference.
            "orders.mark_paid_payment",
        ],
        # Finance sees orders (refunds, reconciliation) and does the second review of large amounts.
        # It issues, sends, voids and exports invoices, and sees customers masked (no full view).
        "finance": [
            "orders.view_order",
            "orders.finance_review_order",
            "orders.export_order",
            "orders.view_refundrecord",
            "orders.view_customer",
            "orders.view_invoice",
            "orders.issue_invoice",
            "orders.export_invoice",
            # Money: it pays out the refunds owed on cancelled paid orders and marks payments received.
            "orders.pay_refundrecord",
            "orders.mark_paid_payment",
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
        NavItem(_("Customers"), "orders:customer-list", permission="orders.view_customer", order=15),
        NavItem(_("Invoices"), "orders:invoice-list", permission="orders.view_invoice", order=16),
        NavItem(
            _("Refunds owed"),
            "orders:refunds-owed",
            permission="orders.view_refundrecord",
            section=_("Finance"),
            order=700,
        ),
    )
    importers = {"orders": "orders.importers.import_orders"}

    def ready(self) -> None:
        from orders import bulk, notes, notes_money, privacy_rules  # noqa: F401 - the notes modules register note codes

        privacy_rules.register()
        from django.db.models.signals import post_delete, post_save

        from orders.models import OrderRule
        from orders.services.routing import rules_changed

        post_save.connect(rules_changed, sender=OrderRule, dispatch_uid="orders.rules_changed.save")
        post_delete.connect(rules_changed, sender=OrderRule, dispatch_uid="orders.rules_changed.delete")
        bulk.register()
        from django.urls import reverse_lazy

        from oms.import_templates import ImportTemplate, register_import_template
        from orders.import_columns import ORDER_COLUMNS

        register_import_template(
            ImportTemplate(
                "orders", _("Orders"), ORDER_COLUMNS, "orders.import_order", reverse_lazy("orders:import")
            )
        )
        from orders.panels import OrderPanel, register_order_panel

        # The order page lists the order's invoices and offers the request once it is delivered.
        register_order_panel(
            OrderPanel(
                template="orders/inc/order_invoices.html",
                position=20,
                permission="orders.view_invoice",
                context=_invoice_panel,
            )
        )
        # The money of the order: each line's share of the deductions, the payments, "mark paid".
        register_order_panel(
            OrderPanel(
                template="orders/inc/order_money.html",
                position=5,
                permission="orders.view_order",
                context=_money_panel,
            )
        )


def _invoice_panel(order, request) -> dict:
    from orders.choices import INVOICE_BADGES, INVOICEABLE_ORDER_STATUSES, LIVE_INVOICE_STATUSES

    invoices = list(order.invoices.order_by("-created_at", "-pk"))
    for invoice in invoices:
        invoice.badge = INVOICE_BADGES.get(invoice.status, "secondary")
    return {
        "invoices": invoices,
        "can_request": order.status in INVOICEABLE_ORDER_STATUSES
        and not any(i.status in LIVE_INVOICE_STATUSES for i in invoices)
        and request.user.has_perm("orders.request_invoice"),
    }


def _money_panel(order, request) -> dict:
    from orders.choices import PAYMENT_BADGES, OrderStatus

    lines = list(order.lines.all())
    payments = list(order.payments.all())
    for payment in payments:
        payment.badge = PAYMENT_BADGES.get(payment.status, "secondary")
    return {
        "lines": lines,
        "has_deductions": order.discount > 0,
        "net_goods": sum((line.net_amount for line in lines), order.subtotal * 0),
        "payments": payments,
        "refunds_owed": list(order.refunds.all()),
        "can_mark_paid": order.status == OrderStatus.PENDING_PAYMENT
        and request.user.has_perm("orders.mark_paid_payment"),
    }
