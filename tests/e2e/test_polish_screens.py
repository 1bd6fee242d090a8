"""A Chinese-speaking clerk's tab shows the OMS icon, and the outbox says 待发送 (not yet sent) for Pending."""

import os

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = os.environ.get("OMS_SCREENSHOTS", "")


def test_favicon_and_outbox_status_in_chinese(make_user, login, live_server):
    make_user("clerk", "operations", language="zh-hans")
    page = login("clerk", "pw-clerk")
    icon_href = page.locator("link[rel=icon]").get_attribute("href")
    icon = page.request.get(f"{live_server.url}{icon_href}")
    assert icon.status == 200
    assert icon.headers["content-type"].startswith("image/svg+xml")

    page.goto(f"{live_server.url}/notifications/")
    options = page.locator("#status option").all_inner_texts()
    assert "待发送" in options
    assert "待支付" not in options
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/outbox-zh.png")
        page.goto(f"{live_server.url}{icon_href}")
        page.screenshot(path=f"{SHOTS}/favicon.png")
