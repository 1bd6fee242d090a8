"""Who acts next on a case, and why: one role and one reason per state (shown on the case page).

Pure: it reads the case, its type and whether a refund waits for the finance manager; no query of its own
beyond the case's prefetched refunds.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from aftersales.choices import RETURN_TYPES, CaseStatus, CaseType, RefundStatus
from oms.roles import ROLE_BY_KEY

CS = CaseStatus


@dataclass(frozen=True)
class NextStep:
    role: object  # the role's label, or "" when nobody needs to act
    why: object
    done: bool = False


def _role(key: str):
    return ROLE_BY_KEY[key].label


def _after_approval(case) -> NextStep:
    if case.case_type in RETURN_TYPES:
        return NextStep(
            _role("warehouse"), _("The customer sends the goods back; the warehouse receives them.")
        )
    if case.case_type == CaseType.REISSUE:
        return NextStep(_role("operations"), _("Send the replacement shipment."))
    if case.case_type == CaseType.COMPENSATION:
        return NextStep(_role("finance"), _("Record the compensation paid to the customer."))
    return NextStep(_role("finance"), _("Record the refund (no goods come back)."))


def _after_inspection(case) -> NextStep:
    if case.case_type == CaseType.EXCHANGE:
        return NextStep(_role("operations"), _("The return is inspected: send the replacement."))
    return NextStep(_role("finance"), _("The return is inspected: record the refund."))


def next_step(case) -> NextStep:
    """The role that must act on ``case`` now and why."""
    if any(r.status == RefundStatus.AWAITING_APPROVAL for r in case.refunds.all()):
        return NextStep(_role("finance_manager"), _("A refund above the limit waits for approval."))
    status = case.status
    if status == CS.REQUESTED:
        return NextStep(_role("operations"), _("Check the request: approve or reject it."))
    if status == CS.APPROVED:
        return _after_approval(case)
    if status == CS.AWAITING_RETURN:
        return NextStep(_role("warehouse"), _("Receive the returned parcel at the receiving station."))
    if status == CS.RECEIVED:
        return NextStep(_role("warehouse"), _("Inspect the returned goods (resellable or damaged)."))
    if status == CS.INSPECTED:
        return _after_inspection(case)
    if status in (CS.REFUNDED, CS.REPLACEMENT_SENT, CS.COMPENSATED):
        return NextStep(_role("operations"), _("Close the case; the customer then gets the survey."))
    return NextStep("", _("Nothing left to do: the case is finished."), done=True)
