"""Carrier selection: rules first (urgent → express, heavy or bulky → freight), then the cheapest covering rate."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch

from fulfillment.choices import RuleCondition
from fulfillment.exceptions import NoCarrierAvailable
from fulfillment.models import CarrierRule, CarrierService, RateRow
from inventory.regions import normalise_region, normalise_regions
from oms.notes import money_param, note, note_param


@dataclass(frozen=True)
class ParcelFacts:
    """What the rules look at; built from a shipment's lines and its address."""

    province: str
    weight_g: int
    volume_cm3: int = 0
    is_urgent: bool = False
    has_bulky: bool = False


@dataclass
class CarrierChoice:
    service: CarrierService
    price: Decimal | None
    reasons: list[str] = field(default_factory=list)


def _rate_for(service: CarrierService, province: str) -> RateRow | None:
    default = None
    province = normalise_region(province)
    for row in service.rates.all():
        if row.province and normalise_region(row.province) == province:
            return row
        if not row.province:
            default = row
    return default


def _fits(service: CarrierService, facts: ParcelFacts) -> dict | None:
    """None when the service can take the parcel, else why not."""
    if not service.covers(facts.province):
        return note_param("fulfillment.not_covered", province=facts.province)
    if service.max_weight_g is not None and facts.weight_g > service.max_weight_g:
        return note_param("fulfillment.too_heavy", weight=facts.weight_g, max=service.max_weight_g)
    if service.max_volume_cm3 is not None and facts.volume_cm3 > service.max_volume_cm3:
        return note_param("fulfillment.too_bulky", volume=facts.volume_cm3, max=service.max_volume_cm3)
    return None


def _rule_matches(rule: CarrierRule, facts: ParcelFacts) -> bool:
    c = rule.condition
    if c == RuleCondition.URGENT:
        return facts.is_urgent
    if c == RuleCondition.WEIGHT_GTE:
        return rule.threshold is not None and facts.weight_g >= rule.threshold
    if c == RuleCondition.VOLUME_GTE:
        return rule.threshold is not None and facts.volume_cm3 >= rule.threshold
    if c == RuleCondition.BULKY:
        return facts.has_bulky
    if c == RuleCondition.PROVINCE_IN:
        return normalise_region(facts.province) in normalise_regions(rule.provinces)
    return False


def active_services() -> list[CarrierService]:
    """Active services of active carriers, with their rate rows (two queries)."""
    return list(
        CarrierService.objects.filter(is_active=True, carrier__is_active=True)
        .select_related("carrier")
        .prefetch_related(Prefetch("rates", queryset=RateRow.objects.order_by("province")))
        .order_by("pk")
    )


def carrier_choose(*, facts: ParcelFacts, services: list[CarrierService] | None = None) -> CarrierChoice:
    """The service a parcel goes with, and why. Raises NoCarrierAvailable when nothing can take it."""
    services = active_services() if services is None else services
    by_pk = {s.pk: s for s in services}
    reasons: list[str] = []
    for rule in CarrierRule.objects.filter(is_active=True).order_by("priority", "pk"):
        if not _rule_matches(rule, facts):
            continue
        service = by_pk.get(rule.service_id)
        if service is None:
            reasons.append(note("fulfillment.rule_inactive", rule=rule.name))
            continue
        why_not = _fits(service, facts)
        if why_not:
            reasons.append(note("fulfillment.rule_cannot", rule=rule.name, service=str(service), why=why_not))
            continue
        rate = _rate_for(service, facts.province)
        reasons.append(note("fulfillment.rule_sends", rule=rule.name, service=str(service)))
        return CarrierChoice(
            service=service, price=rate.price_for(facts.weight_g) if rate else None, reasons=reasons
        )

    best: tuple[Decimal, int, CarrierService] | None = None
    for service in services:
        why_not = _fits(service, facts)
        rate = _rate_for(service, facts.province) if why_not is None else None
        if why_not is None and rate is None:
            why_not = note_param("fulfillment.no_rate", province=facts.province)
        if why_not:
            reasons.append(note("fulfillment.service_cannot", service=str(service), why=why_not))
            continue
        price = rate.price_for(facts.weight_g)
        reasons.append(note("fulfillment.service_price", service=str(service), price=money_param(price)))
        if best is None or (price, service.pk) < (best[0], best[1]):
            best = (price, service.pk, service)
    if best is None:
        raise NoCarrierAvailable(province=facts.province, weight_g=facts.weight_g)
    reasons.append(note("fulfillment.cheapest", service=str(best[2])))
    return CarrierChoice(service=best[2], price=best[0], reasons=reasons)
