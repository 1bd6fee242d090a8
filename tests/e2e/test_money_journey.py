"""Finance in a browser: from the Finance menu to the refunds owed, a refund paid out with its reference (on the
order's timeline), the COD reconciliation with a remittance; the customer's pay-again page in Chinese."""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from orders.models import OrderRule, Tag
from orders.rules import ensure_default_rules
from orders.services import order_cancel, order_intake, order_mark_delivered, pay_url, payment_mark_failed
from tests.factories import ChannelFactory, ProductFactory, SKUFactory, WarehouseFactory, order_body, stock_in

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("OMS_E2E_SCREENSHOTS", "")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.fixture
def money_data(transactional_db):
    from tests.factories import CarrierFactory

    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    channel = ChannelFactory(code="tmall", name="天猫旗舰店")
    warehouse = WarehouseFactory(code="SH", name="上海仓", province="上海", regions=["上海"])
    tea = SKUFactory(product=ProductFactory(code="P-TEA", name="龙井茶"), code="SKU-0001", price="59.90")
    cup = SKUFactory(product=ProductFactory(code="P-CUP", name="茶杯"), code="SKU-0002", price="20.00")
    stock_in(tea, warehouse, 50)
    stock_in(cup, warehouse, 50)
    CarrierFactory(code="SF", name="顺丰速运")
    body = order_body(
        external_id="E2E-MONEY-1",
        lines=[
            {"sku": "SKU-0001", "quantity": 3, "unit_price": "59.90"},
            {"sku": "SKU-0002", "quantity": 1, "unit_price": "20.00"},
        ],
    )
    body.update(
        {
            "discount": "10.00",
            "coupon_amount": "5.00",
            "platform_coupon_amount": "3.00",
            "points_amount": "1.99",
        }
    )
    body["payment"]["amount"] = "179.71"
    cancelled = order_intake(channel=channel, data=body, allocate_now=False).order
    order_cancel(order_id=cancelled.pk, reason="客户取消", check_perm=False)
    cod_body = order_body(external_id="E2E-COD-1")
    cod_body["payment"] = {"method": "cod", "status": "paid", "amount": "119.80", "transaction_id": ""}
    from orders.services import order_allocate, order_mark_released, order_mark_shipped

    cod = order_intake(channel=channel, data=cod_body, allocate_now=False).order
    order_allocate(order_id=cod.pk)
    order_mark_released(order_id=cod.pk)
    order_mark_shipped(order_id=cod.pk)
    order_mark_delivered(order_id=cod.pk, collected_by="SF")
    unpaid = order_intake(
        channel=channel, data=order_body(external_id="E2E-UNPAID-1", paid=False), allocate_now=False
    )
    unpaid.order.customer.language = "zh-hans"
    unpaid.order.customer.save()
    payment_mark_failed(order_id=unpaid.order.pk, reason="余额不足")
    return {"cancelled": cancelled, "cod": cod, "unpaid": unpaid.order}


def test_finance_pays_a_refund_out_and_reconciles_cod(make_user, money_data, login, live_server):
    make_user("fin", "finance")
    page = login("fin", "pw-fin")
    order = money_data["cancelled"]

    page.locator("[data-testid=main-nav] a.dropdown-toggle", has_text="Finance").click()
    page.locator("[data-nav='orders:refunds-owed']").click()
    expect(page.locator("h1")).to_have_text("Refunds owed")
    row = page.locator("[data-testid=refunds-owed-table] tbody tr", has_text=order.number)
    expect(row).to_contain_text("179.71")
    shot(page, "refunds-owed-en")
    row.locator("input[name=reference]").fill("ICBC-RF-0001")
    row.get_by_role("button", name="Mark paid out").click()
    expect(page.locator(".alert-success")).to_contain_text(
        f"Refund of 179.71 for order {order.number} marked paid out."
    )
    expect(page.locator("[data-testid=refunds-owed-table]")).not_to_contain_text(order.number)

    page.goto(f"{live_server.url}/orders/{order.pk}/")
    money = page.locator("[data-testid=order-money]")
    expect(money.locator("[data-testid=line-shares]")).to_contain_text("161.71")
    expect(money.locator("[data-testid=payments]")).to_contain_text("Refunded")
    expect(page.locator("[data-testid=timeline]")).to_contain_text(
        "Refund of 179.71 paid out, reference ICBC-RF-0001"
    )
    shot(page, "order-money-en")

    page.locator("[data-testid=main-nav] a.dropdown-toggle", has_text="Finance").click()
    page.locator("[data-nav='fulfillment:cod']").click()
    expect(page.locator("[data-testid=cod-balances]")).to_contain_text("顺丰速运")
    form = page.locator("[data-testid=remittance-form]")
    form.locator("select[name=carrier]").select_option(label="顺丰速运")
    form.locator("input[name=amount]").fill("100.00")
    form.locator("input[name=reference]").fill("SF-2026-12")
    form.get_by_role("button", name="Record").click()
    expect(page.locator(".alert-success")).to_contain_text("Remittance SF-2026-12")
    expect(page.locator("[data-testid=cod-outstanding]")).to_contain_text("19.80")
    shot(page, "cod-reconciliation-en")


def test_the_money_screens_in_chinese(make_user, money_data, login, live_server):
    user = make_user("fin-zh", "finance")
    user.language = "zh-hans"
    user.save()
    page = login("fin-zh", "pw-fin-zh")
    page.locator("[data-testid=main-nav] a.dropdown-toggle", has_text="财务").click()
    page.locator("[data-nav='orders:refunds-owed']").click()
    expect(page.locator("h1")).to_have_text("应退款")
    expect(page.locator("[data-testid=refunds-owed-totals]")).to_contain_text("还有 1 笔退款待退出")
    shot(page, "refunds-owed-zh")
    page.goto(f"{live_server.url}/fulfillment/cod/")
    expect(page.locator("h1")).to_have_text("货到付款对账")
    shot(page, "cod-reconciliation-zh")
    page.goto(f"{live_server.url}/orders/{money_data['unpaid'].pk}/")
    expect(page.locator("[data-testid=payment-mark-paid]")).to_be_visible()
    expect(page.locator("[data-testid=payments]")).to_contain_text("失败")
    shot(page, "order-unpaid-zh")

    # The customer's link: no login, in the customer's language, the amount to pay.
    context = page.context.browser.new_context()
    customer = context.new_page()
    url = pay_url(order_id=money_data["unpaid"].pk)
    customer.goto(re.sub(r"^https?://[^/]+", live_server.url, url))
    expect(customer.locator("[data-testid=amount-due]")).to_contain_text("119.80")
    expect(customer.locator("h1")).to_have_text("支付订单")
    shot(customer, "pay-again-zh")
    context.close()
