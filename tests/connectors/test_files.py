"""Platforms' order exports taken by the order import as they come: recognised by their headers, GBK or UTF-8,
CSV or XLSX with merged cells; every bad row still reported with its spreadsheet row number."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest
import tablib

from orders import importers
from orders.models import Order
from tests.factories import ChannelFactory, SKUFactory

pytestmark = pytest.mark.django_db

SHOPIFY_HEADERS = [
    "Name",
    "Email",
    "Financial Status",
    "Paid at",
    "Fulfillment Status",
    "Fulfilled at",
    "Accepts Marketing",
    "Currency",
    "Subtotal",
    "Shipping",
    "Taxes",
    "Total",
    "Discount Code",
    "Discount Amount",
    "Shipping Method",
    "Created at",
    "Lineitem quantity",
    "Lineitem name",
    "Lineitem price",
    "Lineitem compare at price",
    "Lineitem sku",
    "Lineitem requires shipping",
    "Lineitem taxable",
    "Lineitem fulfillment status",
    "Billing Name",
    "Billing Street",
    "Billing Address1",
    "Billing Address2",
    "Billing Company",
    "Billing City",
    "Billing Zip",
    "Billing Province",
    "Billing Country",
    "Billing Phone",
    "Shipping Name",
    "Shipping Street",
    "Shipping Address1",
    "Shipping Address2",
    "Shipping Company",
    "Shipping City",
    "Shipping Zip",
    "Shipping Province",
    "Shipping Country",
    "Shipping Phone",
    "Notes",
    "Note Attributes",
    "Cancelled at",
    "Payment Method",
    "Payment Reference",
    "Refunded Amount",
    "Vendor",
    "Outstanding Balance",
    "Employee",
    "Location",
    "Device ID",
    "Id",
    "Tags",
    "Risk Level",
    "Source",
    "Lineitem discount",
    "Tax 1 Name",
    "Tax 1 Value",
    "Tax 2 Name",
    "Tax 2 Value",
    "Tax 3 Name",
    "Tax 3 Value",
    "Tax 4 Name",
    "Tax 4 Value",
    "Tax 5 Name",
    "Tax 5 Value",
    "Phone",
    "Receipt Number",
    "Duties",
    "Billing Province Name",
    "Shipping Province Name",
    "Payment ID",
    "Payment Terms Name",
    "Next Payment Due At",
    "Payment References",
]


def shopify_row(**cells) -> list[str]:
    return [cells.get(h, "") for h in SHOPIFY_HEADERS]


def shopify_csv() -> bytes:
    first = {
        "Name": "#1001",
        "Email": "zhang@example.com",
        "Financial Status": "paid",
        "Paid at": "2026-12-01 10:16:00 +0800",
        "Fulfillment Status": "unfulfilled",
        "Currency": "CNY",
        "Subtotal": "497.00",
        "Shipping": "15.00",
        "Taxes": "57.18",
        "Total": "512.00",
        "Discount Code": "TENOFF",
        "Discount Amount": "10.00",
        "Shipping Method": "SF Express",
        "Created at": "2026-12-01 10:15:00 +0800",
        "Lineitem quantity": "2",
        "Lineitem name": "Tea cup - white",
        "Lineitem price": "199.00",
        "Lineitem sku": "SHOP-1",
        "Lineitem requires shipping": "true",
        "Lineitem taxable": "true",
        "Lineitem fulfillment status": "pending",
        "Billing Name": "张三",
        "Billing Phone": "13812345678",
        "Shipping Name": "张三",
        "Shipping Street": "世纪大道100号",
        "Shipping Address1": "世纪大道100号",
        "Shipping City": "浦东新区",
        "Shipping Zip": "200120",
        "Shipping Province": "SH",
        "Shipping Country": "CN",
        "Shipping Phone": "13812345678",
        "Notes": "周末送",
        "Payment Method": "Shopify Payments",
        "Payment Reference": "c25048437719.1",
        "Id": "5213371809863",
        "Source": "web",
        "Shipping Province Name": "Shanghai",
    }
    second = {  # Shopify's next line item of the same order: only the name, e-mail and the line
        "Name": "#1001",
        "Email": "zhang@example.com",
        "Lineitem quantity": "1",
        "Lineitem name": "Tea pot",
        "Lineitem price": "109.00",
        "Lineitem sku": "SHOP-2",
        "Lineitem requires shipping": "true",
    }
    unknown = {
        **first,
        "Name": "#1002",
        "Id": "5213371809864",
        "Lineitem sku": "NOPE-1",
        "Lineitem quantity": "1",
        "Subtotal": "189.00",
        "Total": "204.00",
    }
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(SHOPIFY_HEADERS)
    writer.writerows([shopify_row(**first), shopify_row(**second), shopify_row(**unknown)])
    return out.getvalue().encode("utf-8")


TAOBAO_HEADERS = [
    "订单编号",
    "买家会员名",
    "买家支付宝账号",
    "买家应付货款",
    "买家应付邮费",
    "总金额",
    "实付金额",
    "订单状态",
    "买家留言",
    "收货人姓名",
    "收货地址",
    "运送方式",
    "联系电话",
    "联系手机",
    "订单创建时间",
    "订单付款时间",
    "宝贝标题",
    "宝贝种类",
    "商家编码",
    "购买数量",
    "价格",
    "物流单号",
    "物流公司",
    "订单备注",
]


def taobao_rows() -> list[list[str]]:
    def row(**cells):
        return [cells.get(h, "") for h in TAOBAO_HEADERS]

    return [
        row(
            订单编号='="3012345678901234"',
            买家会员名="tb_小王",
            买家应付货款="507.00",
            买家应付邮费="0.00",
            总金额="507.00",
            实付金额="497.00",
            订单状态="买家已付款，等待卖家发货",
            买家留言="请用顺丰",
            收货人姓名="王小明",
            收货地址="浙江省 杭州市 西湖区 文三路478号华星科技大厦(310012)",
            联系手机="'13900001111",
            订单创建时间="2026-12-01 09:30:11",
            订单付款时间="2026-12-01 09:31:02",
            宝贝标题="白瓷茶杯",
            宝贝种类="2",
            商家编码="SHOP-1",
            购买数量="2",
            价格="199.00",
        ),
        # The second item of the same order: the order's cells left empty (merged in the spreadsheet).
        row(宝贝标题="紫砂壶", 商家编码="SHOP-2", 购买数量="1", 价格="109.00"),
        row(
            订单编号='="3012345678909999"',
            买家会员名="tb_老李",
            实付金额="199.00",
            订单状态="交易关闭",
            收货人姓名="李四",
            收货地址="上海 上海市 浦东新区 世纪大道100号(200120)",
            联系手机="13812345678",
            订单创建时间="2026-12-01 11:00:00",
            商家编码="SHOP-1",
            购买数量="1",
            价格="199.00",
        ),
    ]


def taobao_csv(encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(TAOBAO_HEADERS)
    writer.writerows(taobao_rows())
    return out.getvalue().encode(encoding)


@pytest.fixture
def skus(db):
    return SKUFactory(code="SHOP-1"), SKUFactory(code="SHOP-2")


def test_shopify_export_is_recognised_and_imported_one_order_per_name(skus):
    channel = ChannelFactory(code="shopify-cn")
    report = importers.run(
        content=shopify_csv(),
        name="orders_export_1.csv",
        default_channel=channel,
        dry_run=False,
        good_rows_only=True,
    )

    assert report.recognised_as == "Shopify orders export"
    assert report.errors == [{"row": 4, "message": "sku: Unknown SKU NOPE-1"}]
    assert report.written == 1
    order = Order.objects.get(channel=channel, external_id="5213371809863")
    assert [(line.sku_code, line.quantity, line.unit_price) for line in order.lines.order_by("line_no")] == [
        ("SHOP-1", 2, Decimal("199.00")),
        ("SHOP-2", 1, Decimal("109.00")),
    ]
    assert (order.shipping_fee, order.discount, order.total) == (
        Decimal("15.00"),
        Decimal("10.00"),
        Decimal("512.00"),
    )
    assert order.province == "Shanghai"
    assert order.note == "周末送"


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig"])
def test_taobao_export_in_gbk_or_utf8_with_merged_rows(skus, encoding):
    channel = ChannelFactory(code="taobao")
    report = importers.run(
        content=taobao_csv(encoding),
        name="ExportOrderList.csv",
        default_channel=channel,
        dry_run=False,
        good_rows_only=True,
    )

    assert report.recognised_as == "Taobao / Tmall order export"
    assert [e["row"] for e in report.errors] == [4]
    assert "交易关闭" in report.errors[0]["message"]
    order = Order.objects.get(channel=channel, external_id="3012345678901234")
    assert order.lines.count() == 2
    # Paid 497.00 for 2 × 199 + 109 = 507: the 10.00 not paid is the discount.
    assert (order.subtotal, order.discount, order.total) == (
        Decimal("507.00"),
        Decimal("10.00"),
        Decimal("497.00"),
    )
    address = order.shipping_address
    assert (address.province, address.city, address.district, address.postcode) == (
        "浙江省",
        "杭州市",
        "西湖区",
        "310012",
    )
    assert address.line1 == "文三路478号华星科技大厦"
    assert order.contact_phone == "13900001111"
    assert order.customer.name == "tb_小王"


def test_taobao_xlsx_with_merged_cells(skus):
    channel = ChannelFactory(code="tmall-x")
    rows = taobao_rows()[:2]
    rows[0][0] = "3012345678901234"  # an XLSX cell holds the number as text, no ="…" wrapper
    data = tablib.Dataset(*rows, headers=TAOBAO_HEADERS)
    report = importers.run(
        content=data.export("xlsx"),
        name="订单.xlsx",
        default_channel=channel,
        dry_run=False,
        good_rows_only=False,
    )

    assert report.errors == []
    assert report.written == 1
    assert Order.objects.get(channel=channel).lines.count() == 2


def test_pinduoduo_and_douyin_exports_are_recognised(skus):
    pdd = [
        [
            "订单号",
            "订单状态",
            "商品",
            "商品规格",
            "商家编码-规格维度",
            "商品数量(件)",
            "商品单价(元)",
            "邮费(元)",
            "用户实付金额(元)",
            "收货人",
            "手机",
            "省",
            "市",
            "区",
            "街道",
            "订单成交时间",
            "买家留言",
        ],
        [
            "261201-123456789",
            "待发货",
            "白瓷茶杯",
            "白色",
            "SHOP-1",
            "1",
            "199.00",
            "0.00",
            "189.00",
            "赵六",
            "13700002222",
            "广东省",
            "深圳市",
            "南山区",
            "科技园路1号",
            "2026-12-01 08:00:00",
            "",
        ],
    ]
    douyin = [
        [
            "主订单编号",
            "子订单编号",
            "选购商品",
            "商品规格",
            "商品数量",
            "商品ID",
            "商家编码",
            "商品单价",
            "订单应付金额",
            "运费",
            "收件人",
            "收件人手机号",
            "省",
            "市",
            "区",
            "街道",
            "详细地址",
            "订单提交时间",
            "订单状态",
            "买家留言",
        ],
        [
            "6934567890123",
            "6934567890124",
            "紫砂壶",
            "",
            "2",
            "3567",
            "SHOP-2",
            "109.00",
            "218.00",
            "0",
            "钱七",
            "13600003333",
            "北京市",
            "北京市",
            "朝阳区",
            "望京街道",
            "望京SOHO T1",
            "2026-12-01 07:00:00",
            "待发货",
            "",
        ],
    ]
    for code, rows in (("pdd", pdd), ("douyin", douyin)):
        channel = ChannelFactory(code=code)
        content = "\n".join(",".join(r) for r in rows).encode("gbk")
        report = importers.run(
            content=content, name=f"{code}.csv", default_channel=channel, dry_run=False, good_rows_only=False
        )
        assert report.errors == [], (code, report.errors)
        assert report.written == 1, code
    assert Order.objects.get(channel__code="pdd").discount == Decimal("10.00")
    assert Order.objects.get(channel__code="douyin").shipping_address.line1 == "望京SOHO T1"


def test_the_import_screen_says_what_the_file_was(client_for, ops_user, skus):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(ops_user)
    channel = ChannelFactory(code="taobao")
    upload = SimpleUploadedFile("ExportOrderList.csv", taobao_csv("gbk"), content_type="text/csv")
    response = client.post("/orders/import/", {"channel": channel.pk, "file": upload}, follow=True)

    assert response.status_code == 200
    text = response.content.decode()
    assert "Taobao / Tmall order export" in text
    assert "交易关闭" in text


@pytest.mark.parametrize(
    "text, expected",
    [
        ("浙江省 杭州市 西湖区 文三路478号(310012)", ("浙江省", "杭州市", "西湖区", "文三路478号", "310012")),
        ("浙江省杭州市西湖区文三路478号", ("浙江省", "杭州市", "西湖区", "文三路478号", "")),
        (
            "北京朝阳区三环到四环之间望京SOHO T1",
            ("北京市", "北京市", "朝阳区", "三环到四环之间望京SOHO T1", ""),
        ),
        ("上海市浦东新区世纪大道100号", ("上海市", "上海市", "浦东新区", "世纪大道100号", "")),
        ("广西壮族自治区南宁市青秀区民族大道1号", ("广西壮族自治区", "南宁市", "青秀区", "民族大道1号", "")),
    ],
)
def test_chinese_addresses_are_split(text, expected):
    from connectors.formats import split_address

    parts = split_address(text)
    assert (
        parts["province"],
        parts["city"],
        parts["district"],
        parts["line1"],
        parts["postcode"],
    ) == expected


def test_jd_export_with_a_compact_address(skus):
    rows = [
        [
            "订单号",
            "商品ID",
            "商品名称",
            "订购数量",
            "支付方式",
            "下单时间",
            "京东价",
            "订单金额",
            "结算金额",
            "应付金额",
            "订单状态",
            "订单类型",
            "下单帐号",
            "客户姓名",
            "客户地址",
            "联系电话",
            "订单备注",
            "运费金额",
            "商家SKU",
        ],
        [
            "298765432101",
            "100012345",
            "白瓷茶杯",
            "2",
            "在线支付",
            "2026-12-01 12:00:00",
            "199.00",
            "398.00",
            "398.00",
            "398.00",
            "等待出库",
            "普通订单",
            "jd_user01",
            "孙八",
            "上海市浦东新区世纪大道100号",
            "13500004444",
            "",
            "0.00",
            "SHOP-1",
        ],
    ]
    channel = ChannelFactory(code="jd")
    content = "\n".join(",".join(r) for r in rows).encode("gbk")
    report = importers.run(
        content=content, name="jd.csv", default_channel=channel, dry_run=False, good_rows_only=False
    )
    assert report.recognised_as == "JD order export"
    assert report.errors == []
    order = Order.objects.get(channel=channel)
    assert (order.province, order.shipping_address.district, order.total) == (
        "上海市",
        "浦东新区",
        Decimal("398.00"),
    )
