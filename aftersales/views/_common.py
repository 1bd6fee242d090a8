"""What the aftersales screens share: showing a service's refusal on a form, the receiving station's session key."""

from __future__ import annotations

from oms.exceptions import DomainError
from oms.forms import form_add_domain_error

SESSION_WAREHOUSE = "aftersales_warehouse_id"


def _apply_domain_error(form, exc: DomainError) -> None:
    """Show a refusal from a service on the form: on its fields when it names them, else on top."""
    form_add_domain_error(form, exc, also_on_top_for=("lines",))
