"""The shop screens: list, page, edit, messages to review, stock told, column mapping, import templates."""

from __future__ import annotations

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile

from connectors.models import ColumnMapping, Connection, InboundEvent
from orders import importers
from orders.models import Order
from tests.connectors.conftest import make_shop, post_shopify
from tests.connectors.fake_platform import FakePlatform
from tests.connectors.payloads import shopify_order
from tests.factories import ChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db


def test_shop_list_query_count_does_not_grow(client_for, ops_user, django_assert_max_num_queries):
    client = client_for(ops_user)
    make_shop("shopify")
    client.get("/connectors/")
    with django_assert_max_num_queries(12) as one:
        assert client.get("/connectors/").status_code == 200
    first = len(one.captured_queries)
    for platform in ("woocommerce", "taobao", "jd", "douyin"):
        make_shop(platform)
    with django_assert_max_num_queries(first):
        response = client.get("/connectors/")
    assert response.content.decode().count("/connectors/") >= 5
    export = client.get("/connectors/?export=csv")
    assert export["Content-Type"].startswith("text/csv")


def test_shop_page_masks_credentials_and_shows_the_webhook_address(client_for, ops_user):
    shop = make_shop("shopify")
    page = client_for(ops_user).get(f"/connectors/{shop.pk}/").content.decode()
    assert "shpss_webhook_secret" not in page and "shpat_test" not in page
    assert "••••" in page
    assert f"/connectors/webhooks/{shop.webhook_key}/" in page


def test_only_an_admin_connects_a_shop(client_for, ops_user, admin_user_role):
    channel = ChannelFactory(code="myshop")
    data = {
        "channel": channel.pk,
        "platform": "shopify",
        "shop_url": "https://my-shop.myshopify.com",
        "is_active": "on",
        "write_back": "on",
        "stock_share_percent": "100",
        "stock_buffer": "0",
        "access_token": "shpat_secret_value",
        "webhook_secret": "hook-secret",
    }
    assert client_for(ops_user).post("/connectors/new/", data).status_code == 403
    response = client_for(admin_user_role).post("/connectors/new/", data)
    shop = Connection.objects.get(channel=channel)
    assert response.status_code == 302
    assert "shpat_secret_value" not in shop.secrets
    # Saving again with the credentials left blank keeps them.
    client_for(admin_user_role).post(
        f"/connectors/{shop.pk}/edit/", {**data, "access_token": "", "webhook_secret": ""}
    )
    from connectors.crypto import decrypt_secrets

    assert decrypt_secrets(Connection.objects.get(pk=shop.pk).secrets)["access_token"] == "shpat_secret_value"
    bad = client_for(admin_user_role).post("/connectors/new/", {**data, "shop_url": "my-shop"})
    assert bad.status_code == 400


def test_test_connection_button(client_for, ops_user):
    with FakePlatform() as fake:
        shop = make_shop("shopify", shop_url=fake.url)
        response = client_for(ops_user).post(f"/connectors/{shop.pk}/test/", follow=True)
    assert "Connection works: Fake Shop" in response.content.decode()


def test_messages_to_review_and_retry(client, client_for, ops_user, sku):
    shop = make_shop("shopify")
    payload = shopify_order()
    payload["line_items"][0]["sku"] = "LATER-1"
    post_shopify(client, shop, payload)
    staff = client_for(ops_user)
    page = staff.get("/connectors/messages/?status=needs_review").content.decode()
    assert "Unknown SKU LATER-1" in page
    SKUFactory(code="LATER-1")
    event = InboundEvent.objects.get()
    staff.post(f"/connectors/messages/{event.pk}/retry/")
    assert Order.objects.filter(external_id="450789469").exists()


def test_message_and_stock_lists_have_a_constant_query_count(
    client, client_for, ops_user, sku, django_assert_max_num_queries
):
    shop = make_shop("shopify")
    staff = client_for(ops_user)
    post_shopify(client, shop, shopify_order(), webhook_id="a")
    staff.get("/connectors/messages/")
    with django_assert_max_num_queries(14) as one:
        staff.get("/connectors/messages/")
    first = len(one.captured_queries)  # read now: the next requests reset Django's query log
    for n in range(5):
        post_shopify(client, shop, shopify_order(id=1000 + n), webhook_id=f"n{n}")
    with django_assert_max_num_queries(first):
        assert staff.get("/connectors/messages/").status_code == 200
    with django_assert_max_num_queries(14):
        assert staff.get("/connectors/stock/").status_code == 200
    assert staff.get("/connectors/stock/?export=xlsx").status_code == 200


def test_column_mapping_for_a_shop_of_its_own_format(client_for, ops_user, sku):
    shop = make_shop("other")
    staff = client_for(ops_user)
    sample = "单号,手机,姓名,省份,城市,区县,地址,货号,件数,单价,金额\nA-1,13812345678,张三,上海,上海市,浦东新区,世纪大道100号,SHOP-1,2,50.00,100.00\n"
    upload = SimpleUploadedFile("mine.csv", sample.encode("gbk"), content_type="text/csv")
    page = staff.post(f"/connectors/{shop.pk}/mapping/", {"file": upload}).content.decode()
    assert 'data-testid="mapping-form"' in page and "货号" in page

    headers = '["单号","手机","姓名","省份","城市","区县","地址","货号","件数","单价","金额"]'
    refused = staff.post(f"/connectors/{shop.pk}/mapping/", {"headers": headers, "sku": "货号"})
    assert refused.status_code == 400
    assert not ColumnMapping.objects.exists()
    mapping = {
        "headers": headers,
        "external_id": "单号",
        "customer_phone": "手机",
        "customer_name": "姓名",
        "province": "省份",
        "city": "城市",
        "district": "区县",
        "line1": "地址",
        "sku": "货号",
        "quantity": "件数",
        "unit_price": "单价",
        "payment_amount": "金额",
    }
    assert staff.post(f"/connectors/{shop.pk}/mapping/", mapping).status_code == 302

    report = importers.run(
        content=sample.encode("gbk"),
        name="mine.csv",
        default_channel=shop.channel,
        dry_run=False,
        good_rows_only=False,
    )
    assert report.errors == [] and report.written == 1
    assert report.recognised_as.startswith("the column mapping saved for")


def test_import_templates_in_each_language_are_read_back(client_for, ops_user, sku):
    staff = client_for(ops_user)
    for lang, first in (("en", "channel"), ("zh-hans", "渠道")):
        response = staff.get(f"/connectors/import-template/?lang={lang}")
        book = tablib.Databook().load(response.content, format="xlsx")
        assert book.sheets()[0].headers[0] == first
        assert len(book.sheets()[1]) == len(importers.COLUMNS)  # one help row per column
    zh = tablib.Dataset(
        headers=tablib.Databook()
        .load(staff.get("/connectors/import-template/?lang=zh-hans").content, "xlsx")
        .sheets()[0]
        .headers
    )
    row = dict.fromkeys(zh.headers, "")
    row.update(
        {
            "渠道订单号": "Z-1",
            "客户姓名": "张三",
            "客户电话": "13812345678",
            "省": "上海",
            "市": "上海市",
            "区": "浦东新区",
            "详细地址": "世纪大道100号",
            "SKU编码": "SHOP-1",
            "数量": "1",
            "单价": "10.00",
            "支付方式": "alipay",
            "支付状态": "paid",
            "实付金额": "10.00",
            "支付流水号": "T1",
        }
    )
    zh.append([row[h] for h in zh.headers])
    report = importers.run(
        content=zh.export("xlsx"),
        name="t.xlsx",
        default_channel=ChannelFactory(code="tpl"),
        dry_run=False,
        good_rows_only=False,
    )
    assert report.errors == [] and report.written == 1


def test_retry_of_a_missing_message_is_404(client_for, ops_user):
    assert client_for(ops_user).post("/connectors/messages/999999/retry/").status_code == 404
