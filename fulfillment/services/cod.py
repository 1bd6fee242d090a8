"""Cash on delivery remitted by carriers: finance records each remittance against the cash they collected."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fulfillment.models import Carrier, CodRemittance
from oms.audit import log_changes
from oms.exceptions import DomainError, PermissionRefused


class RemittanceRefused(DomainError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message, field_errors={field: [message]})


def _amount(value) -> Decimal:
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise RemittanceRefused("amount", _("Enter an amount, e.g. 1280.50.")) from exc
    if not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise RemittanceRefused("amount", _("Enter an amount above zero with at most 2 decimals."))
    return amount


def cod_remittance_record(
    *, carrier_id: int, amount, reference: str, remitted_on: date | None = None, note: str = "", by
) -> CodRemittance:
    """A carrier paid over cash it collected on delivery: recorded once per carrier and reference."""
    if by is not None and not by.has_perm("fulfillment.add_codremittance"):
        raise PermissionRefused(_("You do not have permission to record COD remittances."))
    amount = _amount(amount)
    reference = (reference or "").strip()
    if not reference or "\x00" in reference:
        raise RemittanceRefused("reference", _("Give the carrier's statement or transfer reference."))
    carrier = Carrier.objects.filter(pk=carrier_id).first()
    if carrier is None:
        raise RemittanceRefused("carrier", _("Choose a carrier."))
    remitted_on = remitted_on or timezone.localdate()
    if remitted_on > timezone.localdate():
        raise RemittanceRefused("remitted_on", _("The date cannot be in the future."))
    try:
        with transaction.atomic():
            remittance = CodRemittance.objects.create(
                carrier=carrier,
                amount=amount,
                remitted_on=remitted_on,
                reference=reference[:100],
                note=(note or "").strip()[:300],
                recorded_by=by if getattr(by, "pk", None) else None,
            )
            log_changes(instance=remittance, before={}, by=by, action="create")
    except IntegrityError as exc:
        raise RemittanceRefused(
            "reference",
            _("%(carrier)s's remittance %(reference)s is already recorded.")
            % {"carrier": carrier.name, "reference": reference},
        ) from exc
    return remittance
