"""Writes of the reconciliation app: collect items, build and move statements, import and match supplier
bills, resolve differences, settle. Every function locks the statement row first (fixed order: statement,
then items by id, then aftersales charges by id) and runs in one transaction.

Sub-modules by sub-domain; this package re-exports their public names (and the job handler path
``reconciliation.services.bill_match_job``) so callers keep importing from ``reconciliation.services``.
"""

from reconciliation.services._common import CENT, Totals, money
from reconciliation.services.bills import (
    MAPPING_FIELDS,
    REQUIRED_MAPPING,
    bill_match_job,
    bill_match_start,
    bill_upload,
    mapping_save,
)
from reconciliation.services.items import items_collect
from reconciliation.services.matching import bill_match, bill_match_resolve
from reconciliation.services.payments import settlement_record
from reconciliation.services.statements import statement_create, statement_deselect, statement_select
from reconciliation.services.workflow import (
    statement_approve,
    statement_reject,
    statement_reopen,
    statement_submit,
)

__all__ = [
    "CENT",
    "MAPPING_FIELDS",
    "REQUIRED_MAPPING",
    "Totals",
    "bill_match",
    "bill_match_job",
    "bill_match_resolve",
    "bill_match_start",
    "bill_upload",
    "items_collect",
    "mapping_save",
    "money",
    "settlement_record",
    "statement_approve",
    "statement_create",
    "statement_deselect",
    "statement_reject",
    "statement_reopen",
    "statement_select",
    "statement_submit",
]
