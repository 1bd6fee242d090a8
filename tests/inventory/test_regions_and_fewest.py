"""Place names compare in any spelling (广东省 = 广东 = Guangdong), and a split uses the fewest warehouses."""

import pytest

from inventory.regions import PROVINCES, normalise_region, normalise_regions
from inventory.services import DemandLine, allocate
from tests.factories import SKUFactory, WarehouseFactory, stock_in
from tests.inventory.helpers import assert_invariants


@pytest.mark.parametrize(
    ("spellings", "canonical"),
    [
        (["广东省", "广东", "Guangdong", "guangdong", " GUANGDONG Province "], "广东"),
        (["上海市", "上海", "Shanghai", "shanghai shi"], "上海"),
        (["内蒙古自治区", "内蒙古", "Inner Mongolia", "Nei Mongol"], "内蒙古"),
        (["广西壮族自治区", "广西", "Guangxi"], "广西"),
        (["香港特别行政区", "香港", "Hong Kong", "Hong Kong SAR"], "香港"),
        (["新疆维吾尔自治区", "新疆", "Xinjiang"], "新疆"),
        (["山西省", "Shanxi"], "山西"),
        (["陕西省", "Shaanxi"], "陕西"),
        (["深圳市", "深圳"], "深圳"),
    ],
)
def test_every_spelling_of_a_place_normalises_to_one(spellings, canonical):
    assert {normalise_region(s) for s in spellings} == {canonical}


def test_all_34_provincial_divisions_are_known_by_full_name_and_pinyin():
    assert len(PROVINCES) == 34
    for short, full, pinyin in PROVINCES:
        assert normalise_region(full) == short
        assert normalise_region(pinyin[0].capitalize()) == short
    assert normalise_region("") == "" and normalise_regions(["广东省", "Guangdong", "上海"]) == [
        "广东",
        "上海",
    ]


@pytest.mark.django_db
def test_a_warehouse_serving_guangdong_matches_an_order_to_guangdong_province_in_pinyin():
    gz = WarehouseFactory(code="GZ", regions=["Guangdong"], priority=20)
    bj = WarehouseFactory(code="BJ", regions=["北京"], priority=5)
    sku = SKUFactory()
    stock_in(sku, gz, 5)
    stock_in(sku, bj, 5)

    result = allocate(lines=[DemandLine(ref="r1", sku_id=sku.pk, quantity=1)], province="广东省")

    assert result.explanation["chosen"] == ["GZ"]
    assert result.explanation["province"] == "广东"
    assert {c["warehouse"]: c["region_match"] for c in result.explanation["candidates"]} == {
        "GZ": True,
        "BJ": False,
    }


@pytest.mark.django_db
def test_a_split_uses_two_warehouses_where_greedy_by_priority_would_use_three():
    # given six lines; W1 (the best priority) holds four of them, W2 and W3 three each:
    # greedy takes W1 (most lines, best priority) and then still needs W2 and W3 — the best is W2 + W3
    w1 = WarehouseFactory(code="W1", priority=1)
    w2 = WarehouseFactory(code="W2", priority=2)
    w3 = WarehouseFactory(code="W3", priority=3)
    s = [SKUFactory(code=f"S{n}") for n in range(1, 7)]
    for sku in (s[0], s[1], s[2], s[3]):
        stock_in(sku, w1, 1)
    for sku in (s[0], s[1], s[4]):
        stock_in(sku, w2, 1)
    for sku in (s[2], s[3], s[5]):
        stock_in(sku, w3, 1)

    result = allocate(
        lines=[DemandLine(ref=f"l{n}", sku_id=sku.pk, quantity=1) for n, sku in enumerate(s, start=1)],
        province="西藏",
    )

    assert result.allocated is True
    assert result.explanation["decision"] == "split"
    assert sorted(result.explanation["chosen"]) == ["W2", "W3"]
    assert {r.warehouse_id for r in result.reservations} == {w2.pk, w3.pk}
    assert sorted((r.demand_ref, r.warehouse.code) for r in result.reservations) == [
        ("l1", "W2"),
        ("l2", "W2"),
        ("l3", "W3"),
        ("l4", "W3"),
        ("l5", "W2"),
        ("l6", "W3"),
    ]
    assert_invariants()
