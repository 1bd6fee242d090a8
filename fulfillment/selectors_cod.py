"""The COD reconciliation per carrier: cash its couriers collected at the door, what it remitted, what it owes."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet, Sum

from fulfillment.models import Carrier, CodRemittance
from orders.selectors_money import cod_collected_by_carrier

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class CodBalance:
    carrier_id: int | None
    code: str
    name: str
    orders: int
    collected: Decimal
    remitted: Decimal
    remittances: int

    @property
    def outstanding(self) -> Decimal:
        return self.collected - self.remitted


def cod_balances() -> list[CodBalance]:
    """One row per carrier that collected or remitted anything (three queries, whatever the volume);
    cash collected without a known carrier comes last, under "—"."""
    collected = cod_collected_by_carrier()
    remitted = {
        row["carrier_id"]: row
        for row in CodRemittance.objects.values("carrier_id").annotate(amount=Sum("amount"), n=Count("pk"))
    }
    rows = []
    for carrier in Carrier.objects.order_by("name"):
        got = collected.pop(carrier.code, None)
        paid = remitted.get(carrier.pk)
        if got is None and paid is None:
            continue
        rows.append(
            CodBalance(
                carrier_id=carrier.pk,
                code=carrier.code,
                name=carrier.name,
                orders=got["orders"] if got else 0,
                collected=got["amount"] if got else ZERO,
                remitted=paid["amount"] if paid else ZERO,
                remittances=paid["n"] if paid else 0,
            )
        )
    for code, got in sorted(collected.items()):
        rows.append(
            CodBalance(
                carrier_id=None,
                code=code,
                name=code or "—",
                orders=got["orders"],
                collected=got["amount"],
                remitted=ZERO,
                remittances=0,
            )
        )
    return rows


def cod_remittances_for_list() -> QuerySet[CodRemittance]:
    return CodRemittance.objects.select_related("carrier", "recorded_by").order_by("-remitted_on", "-pk")


def carrier_choices() -> list[tuple[int, str]]:
    return list(Carrier.objects.order_by("name").values_list("pk", "name"))
