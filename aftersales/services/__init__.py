"""Every write of the aftersales app: register, approve, reject, receive, inspect, refund, replace, compensate,
close; complaints; surveys; and the supplier charges the reconciliation app reads and marks.

Each service runs in one transaction (retried on conflict when it is the outermost one), locks rows in a
fixed order — the order first (``orders.locks``), then the case, then its refunds — runs transitions through
``oms.audit.run_transition`` and saves in the same transaction; notifications go through the outbox (sent
after commit, de-duplicated). One module per sub-domain; the names are re-exported here.
"""

from aftersales.services._common import (
    CENT,
    SURVEY_SALT,
    ZERO,
    LineRequest,
    _absolute,
    _check_perm,
    _customer_message,
    _lock_case,
    _lock_order,
    money,
)
from aftersales.services.cases import (
    _stop_parcel,
    case_add_photos,
    case_approve,
    case_assign,
    case_close,
    case_register,
    case_reject,
)
from aftersales.services.compensation import _check_compensation
from aftersales.services.complaints import complaint_register, complaint_resolve
from aftersales.services.customers import customer_anonymised, customer_merged
from aftersales.services.refunds import (
    _ask_finance_manager,
    _lock_refund,
    _money_done,
    _money_transition,
    large_refund_amount,
    refund_approve,
    refund_record,
    refund_reject,
)
from aftersales.services.reissue import _create_replacement_order, case_send_replacement
from aftersales.services.returns import case_inspect, case_receive_return
from aftersales.services.supplier_charges import (
    _charge_supplier,
    _locked_charges,
    supplier_charges_attach,
    supplier_charges_detach,
    supplier_charges_mark_reconciled,
)
from aftersales.services.surveys import (
    survey_answered,
    survey_invite_delivered,
    survey_read_token,
    survey_submit,
    survey_token,
    survey_url,
    surveys_invite_delivered,
)

__all__ = [
    "CENT",
    "SURVEY_SALT",
    "ZERO",
    "LineRequest",
    "_absolute",
    "_ask_finance_manager",
    "_charge_supplier",
    "_check_compensation",
    "_check_perm",
    "_create_replacement_order",
    "_customer_message",
    "_lock_case",
    "_lock_order",
    "_lock_refund",
    "_locked_charges",
    "_money_done",
    "_money_transition",
    "_stop_parcel",
    "case_add_photos",
    "case_approve",
    "case_assign",
    "case_close",
    "case_inspect",
    "case_receive_return",
    "case_register",
    "case_reject",
    "case_send_replacement",
    "complaint_register",
    "complaint_resolve",
    "customer_anonymised",
    "customer_merged",
    "large_refund_amount",
    "money",
    "refund_approve",
    "refund_record",
    "refund_reject",
    "supplier_charges_attach",
    "supplier_charges_detach",
    "supplier_charges_mark_reconciled",
    "survey_answered",
    "survey_invite_delivered",
    "survey_read_token",
    "survey_submit",
    "survey_token",
    "survey_url",
    "surveys_invite_delivered",
]
