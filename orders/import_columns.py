"""The order import's columns: English key, Chinese header, an example and the values each takes.

The importer accepts either header; the template download (``oms.import_templates``) is built from these.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from oms.import_templates import TemplateColumn
from orders.choices import PaymentMethod, PaymentStatus


def _choices(choices) -> str:
    return ", ".join(f"{value} ({label})" for value, label in choices)


class _Choices:
    """Allowed values of a choice column, rendered in the reader's language when the template is built."""

    def __init__(self, choices_class, note=""):
        self.choices_class = choices_class
        self.note = note

    def __str__(self) -> str:
        text = _choices(self.choices_class.choices)
        return f"{text}. {self.note}" if self.note else text


ORDER_COLUMNS = (
    TemplateColumn("channel", "渠道", "tmall", _("A channel code (empty: the channel chosen on the screen)")),
    TemplateColumn(
        "external_id",
        "渠道订单号",
        "TB-20261121-0001",
        _("The channel's order id; rows sharing it form one order"),
        True,
    ),
    TemplateColumn("placed_at", "下单时间", "2026-11-21 10:00", _("Date and time, YYYY-MM-DD HH:MM")),
    TemplateColumn("customer_name", "客户姓名", "张三", _("Text")),
    TemplateColumn("customer_phone", "客户电话", "13812345678", _("A mobile number")),
    TemplateColumn("customer_email", "客户邮箱", "", _("An e-mail address")),
    TemplateColumn("recipient", "收件人", "张三", _("Text (empty: the customer)")),
    TemplateColumn("recipient_phone", "收件人电话", "13812345678", _("A mobile number")),
    TemplateColumn("province", "省", "上海", _("Province")),
    TemplateColumn("city", "市", "上海市", _("City")),
    TemplateColumn("district", "区", "浦东新区", _("District")),
    TemplateColumn("line1", "详细地址", "世纪大道100号 2栋 301室", _("Street and number")),
    TemplateColumn("postcode", "邮编", "200120", _("Six digits")),
    TemplateColumn("sku", "SKU编码", "SKU-0001", _("A SKU code of the catalogue"), True),
    TemplateColumn("quantity", "数量", 2, _("A whole number, at least 1"), True),
    TemplateColumn("unit_price", "单价", "59.90", _("An amount, e.g. 59.90"), True),
    TemplateColumn("shipping_fee", "运费", "0.00", _("An amount (empty: 0.00)")),
    TemplateColumn("discount", "优惠", "0.00", _("An amount (empty: 0.00)")),
    TemplateColumn("coupon_amount", "店铺优惠券", "0.00", _("An amount within the discount (empty: 0.00)")),
    TemplateColumn(
        "platform_coupon_amount", "平台优惠券", "0.00", _("An amount within the discount (empty: 0.00)")
    ),
    TemplateColumn("points_amount", "积分抵扣", "0.00", _("An amount within the discount (empty: 0.00)")),
    TemplateColumn("payment_method", "支付方式", "alipay", _Choices(PaymentMethod)),
    TemplateColumn("payment_status", "支付状态", "paid", _Choices(PaymentStatus)),
    TemplateColumn("payment_amount", "实付金额", "119.80", _("An amount: lines + shipping − discount")),
    TemplateColumn("transaction_id", "支付流水号", "ALI-0001", _("Text")),
    TemplateColumn("urgent", "加急", "0", _("1 / yes / 是 for urgent, else empty")),
    TemplateColumn("promotion", "促销活动", "", _("A promotion name, e.g. double11")),
    TemplateColumn("note", "买家备注", "", _("Text")),
)
