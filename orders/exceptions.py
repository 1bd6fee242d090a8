"""Domain errors of the customers and invoices of the orders app, each with a message the user can act on."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from oms.exceptions import DomainError, IllegalTransition


class CustomerError(DomainError):
    """Base of every refused customer action."""


class CustomerMergeRefused(CustomerError):
    def __init__(self, message: str, field: str = "duplicate") -> None:
        super().__init__(message, field_errors={field: [message]})


class CustomerAlreadyAnonymised(IllegalTransition):
    def __init__(self) -> None:
        super().__init__(_("This customer was already anonymised; there is no personal data left to erase."))


class ConfirmationRequired(CustomerError):
    def __init__(self, field: str = "confirm") -> None:
        message = _("Tick the box to confirm: this cannot be undone.")
        super().__init__(message, field_errors={field: [message]})


class InvoiceError(DomainError):
    """Base of every refused invoice action."""


class InvoiceFieldError(InvoiceError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field_errors={field: [message]})


class OrderNotInvoiceable(IllegalTransition):
    def __init__(self, *, number: str, status_label: str) -> None:
        super().__init__(
            _(
                "Order %(number)s is %(status)s: an invoice can be requested once the order is delivered. "
                "Request it again after delivery."
            )
            % {"number": number, "status": status_label}
        )


class InvoiceAlreadyExists(IllegalTransition):
    def __init__(self, *, number: str, invoice: str, status_label: str) -> None:
        super().__init__(
            _(
                "Order %(number)s already has invoice %(invoice)s (%(status)s). Open it, or void it first "
                "if it must be replaced."
            )
            % {"number": number, "invoice": invoice, "status": status_label}
        )


class InvoiceAmountWrong(InvoiceError):
    def __init__(
        self, *, asked: Decimal, invoiceable: Decimal, paid: Decimal, refunded: Decimal, currency: str
    ):
        if asked > invoiceable:
            message = _(
                "%(asked)s %(currency)s is more than the customer paid minus refunds: %(paid)s paid, "
                "%(refunded)s refunded, so at most %(invoiceable)s %(currency)s."
            )
        else:
            message = _(
                "The invoice must be for what the customer paid minus refunds: %(invoiceable)s %(currency)s "
                "(%(paid)s paid, %(refunded)s refunded), not %(asked)s."
            )
        message = message % {
            "asked": asked,
            "invoiceable": invoiceable,
            "paid": paid,
            "refunded": refunded,
            "currency": currency,
        }
        super().__init__(message, field_errors={"amount": [message]})
        self.invoiceable = invoiceable


class NothingToInvoice(InvoiceError):
    def __init__(self, *, number: str) -> None:
        super().__init__(
            _("Nothing is left to invoice for order %(number)s: everything paid was refunded.")
            % {"number": number}
        )


class InvoiceNumberTaken(InvoiceFieldError):
    def __init__(self, number: str) -> None:
        super().__init__(
            "number",
            _("Invoice number %(number)s is already used by another invoice: check the number on the paper.")
            % {"number": number},
        )
