"""The order import's template in each language: the columns with English or Chinese headers (both are read
back by the import), and a second sheet saying what each column holds, with an example."""

from __future__ import annotations

import tablib
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from orders.hooks import ImportTranslation
from orders.importers import COLUMNS, REQUIRED_COLUMNS

CHINESE_HEADERS = {
    "channel": "渠道",
    "external_id": "渠道订单号",
    "placed_at": "下单时间",
    "customer_name": "客户姓名",
    "customer_phone": "客户手机",
    "customer_email": "客户邮箱",
    "recipient": "收货人",
    "recipient_phone": "收货人电话",
    "province": "省",
    "city": "市",
    "district": "区",
    "line1": "详细地址",
    "postcode": "邮编",
    "sku": "sku编码",
    "quantity": "数量",
    "unit_price": "单价",
    "shipping_fee": "运费",
    "discount": "优惠",
    "payment_method": "支付方式",
    "payment_status": "支付状态",
    "payment_amount": "实付金额",
    "transaction_id": "支付流水号",
    "urgent": "加急",
    "promotion": "活动",
    "note": "买家留言",
}
MEANINGS = {
    "channel": (gettext_lazy("Channel code (or choose the channel when importing)"), "tmall"),
    "external_id": (
        gettext_lazy("The channel's order id; rows with the same id form one order"),
        "TM-20261201-001",
    ),
    "placed_at": (gettext_lazy("When the order was placed"), "2026-12-01 10:15"),
    "customer_name": (gettext_lazy("Customer name"), "张三"),
    "customer_phone": (gettext_lazy("Customer mobile"), "13812345678"),
    "customer_email": (gettext_lazy("Customer e-mail"), ""),
    "recipient": (gettext_lazy("Recipient (default: the customer)"), "张三"),
    "recipient_phone": (gettext_lazy("Recipient phone (default: the customer's)"), ""),
    "province": (gettext_lazy("Province"), "上海"),
    "city": (gettext_lazy("City"), "上海市"),
    "district": (gettext_lazy("District"), "浦东新区"),
    "line1": (gettext_lazy("Street address"), "世纪大道100号"),
    "postcode": (gettext_lazy("Postcode"), "200120"),
    "sku": (gettext_lazy("SKU code"), "SKU-0001"),
    "quantity": (gettext_lazy("Quantity"), "2"),
    "unit_price": (gettext_lazy("Unit price"), "59.90"),
    "shipping_fee": (gettext_lazy("Shipping fee of the order (first row)"), "0.00"),
    "discount": (gettext_lazy("Discount of the order (first row)"), "0.00"),
    "payment_method": (gettext_lazy("alipay, wechat, card, bank_transfer, cod or none"), "alipay"),
    "payment_status": (gettext_lazy("paid or pending"), "paid"),
    "payment_amount": (gettext_lazy("Amount paid: lines + shipping − discount"), "119.80"),
    "transaction_id": (gettext_lazy("Payment reference (needed when paid)"), "2026120122001"),
    "urgent": (gettext_lazy("yes for an urgent order"), ""),
    "promotion": (gettext_lazy("Promotion name"), ""),
    "note": (gettext_lazy("Buyer's remark"), ""),
}
ZH_SIGNATURE = {CHINESE_HEADERS[c] for c in REQUIRED_COLUMNS}
ZH_TO_COLUMN = {v: k for k, v in CHINESE_HEADERS.items()}


def template_headers(language: str) -> list[str]:
    if language.startswith("zh"):
        return [CHINESE_HEADERS[c].upper() if c == "sku" else CHINESE_HEADERS[c] for c in COLUMNS]
    return list(COLUMNS)


def template_xlsx(language: str) -> bytes:
    """Sheet 1: the headers only (the rows to fill in); sheet 2: what each column holds, with an example."""
    orders = tablib.Dataset(headers=template_headers(language), title=_("Orders"))
    help_sheet = tablib.Dataset(
        headers=[_("Column"), _("What it holds"), _("Required"), _("Example")], title=_("Columns")
    )
    for header, column in zip(template_headers(language), COLUMNS, strict=True):
        meaning, example = MEANINGS[column]
        help_sheet.append([header, str(meaning), _("yes") if column in REQUIRED_COLUMNS else "", example])
    return tablib.Databook([orders, help_sheet]).export("xlsx")


def translate_chinese_template(
    *, headers: list[str], rows: list[list[str]], channel
) -> ImportTranslation | None:
    """The Chinese template's headers read as the import's own columns (same columns, same rows)."""
    if not set(headers) >= ZH_SIGNATURE:
        return None
    return ImportTranslation(
        label=_("Order import template (Chinese headers)"),
        headers=[ZH_TO_COLUMN.get(h, h) for h in headers],
        rows=rows,
    )
