"""In a real browser: an order's reasons, timeline and warehouse choice read in the clerk's language only."""

import os

import pytest

from tests.factories import ChannelFactory, SKUFactory, WarehouseFactory, order_body, stock_in
from tests.i18n.crawl import catalogue, chinese_in, english_in, parse

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("OMS_SCREENSHOTS", "")


def _order_for_review():
    from orders.models import OrderRule, Tag
    from orders.rules import ensure_default_rules
    from orders.services import order_approve, order_intake

    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)  # a transactional test starts without them

    # Records named as a Chinese shop names them (the factories' defaults are English words).
    sku = SKUFactory(code="SKU-LAMP", name="白色", product__name="台灯")
    warehouse = WarehouseFactory(code="SH", name="上海仓", regions=["上海"])
    WarehouseFactory(code="BJ", name="北京仓", regions=["北京"])
    stock_in(sku, warehouse, 10)
    body = order_body(
        external_id="TB-I18N",
        lines=[{"sku": sku.code, "quantity": 2, "unit_price": "3086.40"}],
        note="请周末送货",
    )
    order = order_intake(
        channel=ChannelFactory(code="tmall", name="天猫旗舰店"), data=body, allocate_now=False
    ).order
    assert order.status == "on_review", order.status
    order = order_approve(order_id=order.pk, note="已电话确认")  # approving allocates too
    return order


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_order_page_reads_in_one_language(language, make_user, login, live_server):
    make_user("clerk", "operations", language=language)
    order = _order_for_review()
    page = login("clerk", "pw-clerk")
    page.goto(f"{live_server.url}/orders/{order.pk}/")
    timeline = page.locator("[data-testid=timeline]").inner_text()
    words, texts = catalogue()
    if language == "zh-hans":
        assert "接入渠道：API" in timeline
        assert "转人工审核：金额超过审核限额、买家有留言" in timeline
        assert "6,172.80" in page.inner_text("body")
        leaks = [t for t in parse(page.content(), language).texts if english_in(t, words)]
    else:
        assert "Received through API" in timeline
        assert "Sent to review: Amount above the review limit, Buyer left a remark" in timeline
        leaks = [t for t in parse(page.content(), language).texts if chinese_in(t, texts)]
    assert leaks == [], "\n".join(leaks)
    if SHOTS:
        page.set_viewport_size({"width": 1280, "height": 1800})
        page.screenshot(path=f"{SHOTS}/order-reasons-{language}.png", full_page=True)
