"""What the reconciliation screens share: permissions, page size, object lookups, refusal messages."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404

from oms.exceptions import DomainError
from reconciliation.models import SupplierBill, SupplierStatement

VIEW = "reconciliation.view_supplierstatement"
EDIT = "reconciliation.change_supplierstatement"
APPROVE = "reconciliation.approve_statement"
PAGE = 50


def _refuse(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _form_errors(exc: DomainError, form) -> None:
    """The refusal's field errors on the form (on the form itself for fields it does not have)."""
    for field, errors in exc.field_errors.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _refuse_form(request, exc: DomainError, form) -> None:
    _refuse(request, exc)
    _form_errors(exc, form)


def _statement(pk: int) -> SupplierStatement:
    return get_object_or_404(
        SupplierStatement.objects.select_related("supplier", "created_by", "approved_by"), pk=pk
    )


def _bill(pk: int) -> SupplierBill:
    return get_object_or_404(SupplierBill.objects.select_related("statement", "statement__supplier"), pk=pk)
