"""Issue #16: the waves page and the to-ship list fit a 390 px phone without sideways scrolling, and an
intercepted parcel (its order held or cancelled) is flagged in red on the lists."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from fulfillment.models import Shipment
from fulfillment.services import pack_scan, shipment_mark_packed, shipments_create_for_order, wave_build
from orders.services import order_cancel, order_hold
from tests.factories import (
    CarrierFactory,
    CarrierServiceFactory,
    RateRowFactory,
    SKUFactory,
    WarehouseFactory,
)
from tests.fulfillment.conftest import allocated_order_through_services

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"


@pytest.fixture
def floor(transactional_db, warehouse_user, ops_user):
    """A wave built today, and packed parcels waiting to ship: one normal, one held, one cancelled."""
    warehouse = WarehouseFactory(
        code="WH-SH-PUDONG", name="上海浦东外高桥保税区一号仓库", province="上海", city="上海市"
    )
    service = CarrierServiceFactory(
        carrier=CarrierFactory(code="ZTO", name="中通快递（电商标准件）"), code="STD", name="标准快递"
    )
    RateRowFactory(service=service, first_price="8.00")
    tee = SKUFactory(code="TEE-RED-L", barcode="6900000000011", weight_g=200, product__name="纯棉T恤")

    def order(n: int):
        return allocated_order_through_services(
            lines=[(tee, 1, "59.90")],
            phone=f"138000000{n:02d}",
            external_id=f"E2E-W-{n}",
            warehouse=warehouse,
        )

    in_wave = [shipments_create_for_order(order_id=order(n).pk)[0] for n in range(3)]
    wave_build(warehouse_id=warehouse.pk, carrier_id=service.carrier_id, by=warehouse_user)
    order_hold(order_id=in_wave[1].order_id, by=ops_user, reason="客户来电要求修改收货地址，请暂停发货")
    packed = []
    for n in range(3, 6):
        [shipment] = shipments_create_for_order(order_id=order(n).pk)
        pack_scan(shipment_id=shipment.pk, code="TEE-RED-L", by=warehouse_user)
        packed.append(shipment_mark_packed(shipment_id=shipment.pk, by=warehouse_user))
    order_hold(order_id=packed[1].order_id, by=ops_user, reason="客户来电要求修改收货地址，请暂停发货")
    order_cancel(order_id=packed[2].order_id, by=ops_user, reason="顾客申请取消订单（重复下单）")
    order(6)  # an allocated order still to be parcelled: the waves page says so
    shipments_create_for_order(order_id=order(7).pk)  # a pending parcel waiting for a wave
    return packed


def page_width(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_waves_and_to_ship_fit_a_390px_phone(floor, warehouse_user, page, live_server, login):
    login("warehouse", "pw-warehouse")  # at desktop width: the phone layout folds the user menu away
    page.set_viewport_size(PHONE)
    SHOTS.mkdir(parents=True, exist_ok=True)
    for language in ("en", "zh-hans"):
        warehouse_user.language = language
        warehouse_user.save(update_fields=["language"])
        for name, path in (("waves", "/fulfillment/waves/"), ("to-ship", "/fulfillment/to-ship/")):
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("html")).to_have_attribute("lang", language)
            page.screenshot(path=str(SHOTS / f"phone-{name}-{language}.png"), full_page=True)
            width = page_width(page)
            assert width <= 390, f"{path} is {width} px wide on a 390 px phone ({language})"


def test_the_to_ship_list_flags_the_intercepted_parcels_in_red(
    floor, warehouse_user, page, live_server, login
):
    normal, held, cancelled = floor
    warehouse_user.language = "zh-hans"
    warehouse_user.save(update_fields=["language"])
    login("warehouse", "pw-warehouse")
    page.goto(f"{live_server.url}/fulfillment/to-ship/")
    flags = page.get_by_test_id("interception")
    expect(flags).to_have_count(2)
    held_flag = page.locator(f"[data-testid=interception][data-order='{held.order.number}']")
    expect(held_flag.locator(".badge")).to_have_text("已截停——订单已拦截")
    expect(held_flag).to_contain_text("客户来电要求修改收货地址，请暂停发货")
    cancelled_flag = page.locator(f"[data-testid=interception][data-order='{cancelled.order.number}']")
    expect(cancelled_flag.locator(".badge")).to_have_text("已截停——订单已取消")
    colour = held_flag.locator(".badge").evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(220, 53, 69)"  # Bootstrap's danger red
    assert Shipment.objects.get(pk=normal.pk).interception is None
    page.screenshot(path=str(SHOTS / "to-ship-intercepted-zh-hans.png"), full_page=True)
    page.get_by_role("link", name=held.number).click()
    expect(page.locator(".alert-danger .badge")).to_have_text("已截停——订单已拦截")
    expect(page.locator(".alert-danger")).to_contain_text("此包裹不得打包或发货")
    page.screenshot(path=str(SHOTS / "parcel-intercepted-zh-hans.png"), full_page=True)
