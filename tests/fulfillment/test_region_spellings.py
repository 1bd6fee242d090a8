"""Carrier coverage, rate rows and rules match a province in any spelling; stored spellings are normalised."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from fulfillment.carrier_selection import ParcelFacts, carrier_choose
from fulfillment.models import CarrierService, RateRow
from inventory.models import Warehouse
from tests.factories import (
    CarrierFactory,
    CarrierRuleFactory,
    CarrierServiceFactory,
    RateRowFactory,
    WarehouseFactory,
)

pytestmark = pytest.mark.django_db


def test_a_rate_row_for_guangdong_prices_a_parcel_to_guangdong_province_in_pinyin():
    service = CarrierServiceFactory(carrier=CarrierFactory(code="SF"), provinces=["广东省", "Guangxi"])
    RateRowFactory(service=service, province="", first_price="20.00")
    RateRowFactory(service=service, province="广东", first_price="8.00")

    choice = carrier_choose(facts=ParcelFacts(province="Guangdong Province", weight_g=500))

    assert (choice.service, choice.price) == (service, Decimal("8.00"))
    assert service.covers("广西壮族自治区") and not service.covers("上海市")


def test_a_province_rule_matches_any_spelling():
    cheap = CarrierServiceFactory(carrier=CarrierFactory(code="ZTO"))
    RateRowFactory(service=cheap, first_price="5.00")
    ems = CarrierServiceFactory(carrier=CarrierFactory(code="EMS"))
    RateRowFactory(service=ems, first_price="15.00")
    CarrierRuleFactory(condition="province_in", provinces=["新疆维吾尔自治区", "西藏"], service=ems)

    assert carrier_choose(facts=ParcelFacts(province="xinjiang", weight_g=500)).service == ems
    assert carrier_choose(facts=ParcelFacts(province="上海", weight_g=500)).service == cheap


def test_the_data_migrations_normalise_stored_regions():
    wh = WarehouseFactory(code="GZ", regions=["广东省", "Guangdong", "广西壮族自治区"])
    service = CarrierServiceFactory(provinces=["上海市", "Zhejiang"])
    RateRowFactory(service=service, province="上海")
    duplicate = RateRowFactory(service=service, province="Shanghai", first_price="99.00")
    other = RateRowFactory(service=service, province="内蒙古自治区")

    importlib.import_module("inventory.migrations.0003_normalise_warehouse_regions").normalise(apps, None)
    importlib.import_module("fulfillment.migrations.0003_normalise_carrier_regions").normalise(apps, None)

    assert Warehouse.objects.get(pk=wh.pk).regions == ["广东", "广西"]
    assert CarrierService.objects.get(pk=service.pk).provinces == ["上海", "浙江"]
    assert RateRow.objects.get(pk=other.pk).province == "内蒙古"
    assert RateRow.objects.get(pk=duplicate.pk).province == "Shanghai"  # 上海 is taken: left as it was
