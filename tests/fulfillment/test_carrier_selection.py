"""Carrier selection: rules (urgent → express, heavy or bulky → freight), coverage, then the cheapest rate."""

from decimal import Decimal

import pytest

from fulfillment.carrier_selection import ParcelFacts, carrier_choose
from fulfillment.exceptions import NoCarrierAvailable
from oms.notes import render_note
from tests.factories import CarrierFactory, CarrierRuleFactory, CarrierServiceFactory, RateRowFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def carriers():
    yto = CarrierServiceFactory(carrier=CarrierFactory(code="YTO", name="YTO"), code="STD", name="Standard")
    zto = CarrierServiceFactory(
        carrier=CarrierFactory(code="ZTO", name="ZTO"),
        code="STD",
        name="Standard",
        provinces=["上海", "江苏"],
    )
    sf = CarrierServiceFactory(
        carrier=CarrierFactory(code="SF", name="SF", kind="express"), code="NEXT", name="Next day"
    )
    freight = CarrierServiceFactory(
        carrier=CarrierFactory(code="DB", name="Deppon", kind="freight"), code="LTL", name="Freight"
    )
    # YTO: 8 + 3/kg everywhere; ZTO: 7 + 2/kg but only 上海/江苏; SF: 20 + 5/kg; freight: 30 flat up to 30 kg
    RateRowFactory(service=yto, first_price="8.00", extra_kg_price="3.00")
    RateRowFactory(service=yto, province="新疆", first_price="18.00", extra_kg_price="9.00")
    RateRowFactory(service=zto, first_price="7.00", extra_kg_price="2.00")
    RateRowFactory(service=sf, first_price="20.00", extra_kg_price="5.00")
    RateRowFactory(service=freight, first_weight_g=30000, first_price="30.00", extra_kg_price="1.00")
    for s in (yto, zto, sf):
        s.max_weight_g = 20000
        s.save()
    CarrierRuleFactory(name="Urgent by air", priority=1, condition="urgent", service=sf)
    CarrierRuleFactory(name="Heavy", priority=2, condition="weight_gte", threshold=20000, service=freight)
    CarrierRuleFactory(name="Bulky", priority=3, condition="bulky", service=freight)
    return {"yto": yto, "zto": zto, "sf": sf, "freight": freight}


def test_cheapest_covering_rate_wins(carriers):
    choice = carrier_choose(facts=ParcelFacts(province="上海", weight_g=2500))
    # ZTO 7 + 2×2 = 11.00 beats YTO 8 + 3×2 = 14.00; freight 30.00; SF 30.00
    assert (choice.service, choice.price) == (carriers["zto"], Decimal("11.00"))
    assert render_note(choice.reasons[-1]) == "Cheapest: ZTO · Standard."


def test_region_coverage_excludes_a_service(carriers):
    choice = carrier_choose(facts=ParcelFacts(province="广东", weight_g=2500))
    assert (choice.service, choice.price) == (carriers["yto"], Decimal("14.00"))
    assert "ZTO · Standard: does not cover 广东." in [render_note(r) for r in choice.reasons]


def test_province_rate_row_beats_the_default_row(carriers):
    choice = carrier_choose(facts=ParcelFacts(province="新疆", weight_g=1000))
    # YTO 新疆 18.00 vs SF 20.00 vs freight 30.00
    assert (choice.service, choice.price) == (carriers["yto"], Decimal("18.00"))


def test_urgent_goes_express_even_when_dearer(carriers):
    choice = carrier_choose(facts=ParcelFacts(province="上海", weight_g=500, is_urgent=True))
    assert (choice.service, choice.price) == (carriers["sf"], Decimal("20.00"))
    assert [render_note(r) for r in choice.reasons] == ["Rule “Urgent by air” sends it with SF · Next day."]


def test_heavy_goes_freight(carriers):
    choice = carrier_choose(facts=ParcelFacts(province="上海", weight_g=25000))
    assert (choice.service, choice.price) == (carriers["freight"], Decimal("30.00"))


def test_bulky_goes_freight(carriers):
    choice = carrier_choose(facts=ParcelFacts(province="上海", weight_g=800, has_bulky=True))
    assert choice.service == carriers["freight"]


def test_urgent_but_too_heavy_for_express_falls_to_the_next_rule(carriers):
    choice = carrier_choose(facts=ParcelFacts(province="上海", weight_g=25000, is_urgent=True))
    assert choice.service == carriers["freight"]
    assert render_note(choice.reasons[0]) == (
        "Rule “Urgent by air” matched but SF · Next day 25,000 g is above its 20,000 g limit."
    )


def test_inactive_carrier_is_never_chosen(carriers):
    carriers["zto"].carrier.is_active = False
    carriers["zto"].carrier.save()
    choice = carrier_choose(facts=ParcelFacts(province="上海", weight_g=2500))
    assert choice.service == carriers["yto"]


def test_nothing_covers_the_parcel():
    CarrierServiceFactory(provinces=["上海"])
    with pytest.raises(NoCarrierAvailable) as exc:
        carrier_choose(facts=ParcelFacts(province="西藏", weight_g=1000))
    assert str(exc.value) == (
        "No active carrier service covers 西藏 for a 1000 g parcel. "
        "Add a rate row in admin or choose a carrier by hand."
    )


def test_selection_takes_a_fixed_number_of_queries(carriers, django_assert_num_queries):
    with django_assert_num_queries(3):  # services, their rates, the rules
        carrier_choose(facts=ParcelFacts(province="上海", weight_g=2500))
