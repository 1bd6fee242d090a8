"""The compensation split of a case: the supplier's share and the platform's share, checked at registration."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from aftersales.choices import CaseType
from aftersales.exceptions import CompensationMismatch, SupplierRequired
from aftersales.services._common import ZERO, money


def _check_compensation(
    *, case_type: str, applies: bool, supplier_share, platform_share, supplier_id: int | None
) -> tuple[Decimal, Decimal]:
    if not applies:
        if case_type == CaseType.COMPENSATION:
            raise CompensationMismatch(
                _("A compensation case needs the compensation amounts: tick 'compensation applies'."),
                field="compensation_applies",
            )
        return ZERO, ZERO
    supplier = money(supplier_share, field="supplier_share", allow_zero=True)
    platform = money(platform_share, field="platform_share", allow_zero=True)
    if supplier + platform == 0:
        raise CompensationMismatch(
            _("Enter the supplier's share, the platform's share, or both (the total is their sum).")
        )
    if supplier > 0 and not supplier_id:
        raise SupplierRequired()
    return supplier, platform
