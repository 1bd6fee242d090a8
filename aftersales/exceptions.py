"""Domain errors of the aftersales app, each with a message the user can act on."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from aftersales.choices import ReconciliationStatus
from oms.exceptions import DomainError


class AftersalesError(DomainError):
    """Base of every refused after-sales action."""


class QuantityTooHigh(AftersalesError):
    def __init__(
        self, *, sku_code: str, allowed: int, shipped: int, returned: int, asked: int, field: str, basis: str
    ) -> None:
        if basis == "shipped":
            message = _(
                "Only %(allowed)s of %(sku)s can be returned: %(shipped)s shipped, %(returned)s already returned."
            )
        else:
            message = _(
                "Only %(allowed)s of %(sku)s can be claimed: %(shipped)s ordered, %(returned)s already claimed."
            )
        message = message % {"allowed": allowed, "sku": sku_code, "shipped": shipped, "returned": returned}
        super().__init__(message, field_errors={field: [_("At most %(allowed)s.") % {"allowed": allowed}]})
        self.allowed = allowed
        self.asked = asked


class NoLines(AftersalesError):
    def __init__(self) -> None:
        super().__init__(
            _("Choose at least one order line and a quantity above zero."),
            field_errors={"lines": [_("Enter a quantity for at least one line.")]},
        )


class LineNotInOrder(AftersalesError):
    def __init__(self, line_id: int, order_number: str) -> None:
        super().__init__(
            _("Line %(line)s is not a line of order %(order)s: reload the order and choose again.")
            % {"line": line_id, "order": order_number}
        )


class CompensationMismatch(AftersalesError):
    def __init__(self, message: str, field: str = "supplier_share") -> None:
        super().__init__(message, field_errors={field: [message]})


class SupplierRequired(AftersalesError):
    def __init__(self) -> None:
        message = _("Choose the supplier who bears the supplier's share, or set the supplier's share to 0.")
        super().__init__(message, field_errors={"supplier": [message]})


class ReasonRequired(AftersalesError):
    def __init__(self, field: str = "reason") -> None:
        super().__init__(_("Give a reason."), field_errors={field: [_("This field is required.")]})


class RefundTooHigh(AftersalesError):
    def __init__(
        self, *, asked: Decimal, refundable: Decimal, paid: Decimal, refunded: Decimal, currency: str
    ) -> None:
        message = _(
            "At most %(refundable)s %(currency)s can be refunded: %(paid)s paid, %(refunded)s already refunded "
            "(%(asked)s asked)."
        ) % {
            "refundable": refundable,
            "paid": paid,
            "refunded": refunded,
            "asked": asked,
            "currency": currency,
        }
        super().__init__(message, field_errors={"amount": [message]})


class InvalidAmount(AftersalesError):
    def __init__(self, field: str = "amount") -> None:
        message = _("Enter an amount above zero with at most 2 decimal places.")
        super().__init__(message, field_errors={field: [message]})


class InspectionIncomplete(AftersalesError):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(
            _("Say for every line whether it is resellable or damaged (missing: %(skus)s).")
            % {"skus": ", ".join(missing)}
        )


class CaseNotFound(AftersalesError):
    http_status = 404

    def __init__(self, code: str) -> None:
        super().__init__(
            _("No case awaiting a return matches %(code)s. Check the label, or search the case list.")
            % {"code": code}
        )


class NoWarehouse(AftersalesError):
    def __init__(self) -> None:
        message = _("Choose the warehouse the return arrived at.")
        super().__init__(message, field_errors={"warehouse": [message]})


class ReplacementNotPossible(AftersalesError):
    pass


class ChargeNotAttachable(AftersalesError):
    http_status = 409

    def __init__(self, charge, statement_id: int) -> None:
        if charge.reconciliation_status == ReconciliationStatus.RECONCILED:
            message = _("Supplier charge %(id)s (case %(case)s) was already reconciled on %(date)s.") % {
                "id": charge.pk,
                "case": charge.case_id,
                "date": charge.reconciled_at,
            }
        else:
            message = _(
                "Supplier charge %(id)s (case %(case)s) is already on statement %(other)s; remove it there first."
            ) % {"id": charge.pk, "case": charge.case_id, "other": charge.statement_id}
        super().__init__(message)
        self.charge_id = charge.pk
        self.statement_id = statement_id


class ChargeNotFound(AftersalesError):
    http_status = 404

    def __init__(self, missing: list[int]) -> None:
        super().__init__(
            _("No supplier charge with id %(ids)s.") % {"ids": ", ".join(str(i) for i in missing)}
        )


class SurveyLinkInvalid(AftersalesError):
    def __init__(self) -> None:
        super().__init__(_("This survey link is not valid or has expired. Thank you all the same."))


class SurveyAlreadyAnswered(AftersalesError):
    def __init__(self) -> None:
        super().__init__(_("This survey was already answered. Thank you!"))
