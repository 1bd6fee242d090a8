"""What the aftersales screens share: showing a service's refusal on a form, the receiving station's session key."""

from __future__ import annotations

from oms.exceptions import DomainError

SESSION_WAREHOUSE = "aftersales_warehouse_id"


def _apply_domain_error(form, exc: DomainError) -> None:
    """Show a refusal from a service on the form: on its fields when it names them, else on top."""
    placed = False
    for field, errors in exc.field_errors.items():
        if field in form.fields:
            for error in errors:
                form.add_error(field, error)
            placed = True
    if not placed or exc.field_errors.get("lines"):
        form.add_error(None, exc.message)
