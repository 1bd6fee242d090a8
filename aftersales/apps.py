"""App config: role permissions and menu entries of the aftersales app."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from oms.navigation import NavItem


class AftersalesConfig(AppConfig):
    name = "aftersales"
    verbose_name = _("After-sales")
    # role key -> permission patterns (see oms/roles.py)
    role_permissions: dict[str, list[str]] = {
        # Operations (客服) register and work cases, complaints and inquiries.
        "operations": [
            "aftersales.view_aftersalescase",
            "aftersales.add_aftersalescase",
            "aftersales.work_case",
            "aftersales.export_case",
            "aftersales.view_caseline",
            "aftersales.view_casephoto",
            "aftersales.add_casephoto",
            "aftersales.view_refund",
            "aftersales.view_reason",
            "aftersales.view_complaint",
            "aftersales.add_complaint",
            "aftersales.change_complaint",
            "aftersales.view_surveyresponse",
        ],
        # The warehouse receives and inspects returns at the receiving station.
        "warehouse": [
            "aftersales.receive_return",
            "aftersales.inspect_return",
        ],
        # Finance records refunds and compensation and exports cases.
        "finance": [
            "aftersales.view_aftersalescase",
            "aftersales.export_case",
            "aftersales.view_refund",
            "aftersales.add_refund",
            "aftersales.view_suppliercharge",
            "aftersales.view_surveyresponse",
        ],
        "finance_manager": ["@finance", "aftersales.approve_large_refund"],
    }
    nav_items = (
        NavItem(
            _("After-sales"), "aftersales:case-list", permission="aftersales.view_aftersalescase", order=40
        ),
        NavItem(
            _("New case"), "aftersales:case-create", permission="aftersales.add_aftersalescase", order=41
        ),
        NavItem(
            _("Returns receiving"), "aftersales:receiving", permission="aftersales.receive_return", order=42
        ),
        NavItem(_("Refunds"), "aftersales:refund-list", permission="aftersales.view_refund", order=43),
        NavItem(
            _("Complaints"), "aftersales:complaint-list", permission="aftersales.view_complaint", order=44
        ),
        NavItem(
            _("Satisfaction"),
            "aftersales:survey-report",
            permission="aftersales.view_surveyresponse",
            order=45,
        ),
    )

    def ready(self) -> None:
        import aftersales.notes  # noqa: F401 - registers the app's note codes
        from aftersales import bulk, privacy_rules

        privacy_rules.register()
        bulk.register()
        from aftersales import selectors, services
        from orders.hooks import (
            register_completion_blocker,
            register_customer_anonymise_handler,
            register_customer_merge_handler,
            register_refund_provider,
        )
        from orders.panels import CustomerPanel, OrderPanel, register_customer_panel, register_order_panel

        # The order page shows the order's after-sales state without orders importing aftersales.
        register_order_panel(OrderPanel(template="aftersales/inc/order_aftersales.html", position=10))
        # The customer page: returns, refunds, complaints and survey answers.
        register_customer_panel(
            CustomerPanel(
                template="aftersales/inc/customer_aftersales.html",
                position=10,
                permission="aftersales.view_aftersalescase",
                context=selectors.customer_aftersales_panel,
            )
        )
        # Invoices and lifetime value count our refunds; merge and anonymise reach our rows.
        register_refund_provider(selectors.completed_refunds_by_order)
        register_customer_merge_handler(services.customer_merged)
        register_customer_anonymise_handler(services.customer_anonymised)
        # A delivered order with an open case stays delivered: completion waits until the case closes.
        register_completion_blocker(selectors.open_cases_blocking_completion)
