"""Platforms' order exports, recognised by their headers and read into the order import's own columns.

Registered as an ``orders.hooks`` import translator: the import screen and ``manage.py import orders`` take
these files as they come. One output row per file row (row numbers stay as the spreadsheet shows them); an
order's cells left blank on its later rows (merged cells, Shopify's one row per line item) are carried down.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from connectors.platforms.base import money
from orders.hooks import ImportTranslation
from orders.importers import COLUMNS

POSTCODE = re.compile(r"[(（](\d{6})[)）]\s*$")


@dataclass(frozen=True)
class ExportFormat:
    label: object  # lazy text
    key: str  # the file's order id column
    signature: tuple[str, ...]  # headers that must all be there (lower-case)
    columns: dict[str, str | tuple[str, ...]]  # import column -> file header (or alternatives)
    order_columns: tuple[str, ...] = ()  # import columns carried down an order's rows
    payment_method: str = "alipay"
    address_column: str = ""  # one cell "省 市 区 街道 (邮编)" split into province / city / district / line1
    closed_words: tuple[str, ...] = ()  # status words of an order closed on the platform
    status_column: str = ""
    paid_words: tuple[str, ...] = field(default_factory=tuple)


ORDER_LEVEL = (
    "placed_at",
    "customer_name",
    "customer_phone",
    "customer_email",
    "recipient",
    "recipient_phone",
    "province",
    "city",
    "district",
    "line1",
    "postcode",
    "shipping_fee",
    "payment_status",
    "payment_amount",
    "note",
)

SHOPIFY = ExportFormat(
    label=gettext_lazy("Shopify orders export"),
    key="name",
    signature=("name", "financial status", "lineitem quantity", "lineitem sku", "lineitem price"),
    columns={
        "external_id": "id",
        "placed_at": "created at",
        "customer_name": "billing name",
        "customer_phone": ("phone", "billing phone", "shipping phone"),
        "customer_email": "email",
        "recipient": "shipping name",
        "recipient_phone": ("shipping phone", "phone"),
        "province": ("shipping province name", "shipping province"),
        "city": "shipping city",
        "district": "shipping city",
        "line1": "shipping street",
        "postcode": "shipping zip",
        "sku": "lineitem sku",
        "quantity": "lineitem quantity",
        "unit_price": "lineitem price",
        "shipping_fee": "shipping",
        "discount": "discount amount",
        "payment_status": "financial status",
        "payment_amount": "total",
        "transaction_id": "payment reference",
        "note": "notes",
    },
    order_columns=(*ORDER_LEVEL, "external_id", "discount", "transaction_id"),
    payment_method="card",
    status_column="financial status",
    paid_words=("paid", "partially_refunded"),
    closed_words=("voided", "refunded"),
)
TAOBAO = ExportFormat(
    label=gettext_lazy("Taobao / Tmall order export"),
    key="订单编号",
    signature=("订单编号", "收货人姓名", "收货地址", "商家编码", "购买数量"),
    columns={
        "placed_at": "订单创建时间",
        "customer_name": "买家会员名",
        "customer_phone": "联系手机",
        "recipient": "收货人姓名",
        "recipient_phone": "联系手机",
        "sku": "商家编码",
        "quantity": "购买数量",
        "unit_price": "价格",
        "shipping_fee": "买家应付邮费",
        "payment_amount": "实付金额",
        "note": "买家留言",
    },
    order_columns=ORDER_LEVEL,
    address_column="收货地址",
    status_column="订单状态",
    closed_words=("交易关闭",),
    paid_words=("等待卖家发货", "卖家已发货", "交易成功", "已付款"),
)
JD = ExportFormat(
    label=gettext_lazy("JD order export"),
    key="订单号",
    signature=("订单号", "客户姓名", "客户地址", "订购数量"),
    columns={
        "placed_at": "下单时间",
        "customer_name": "客户姓名",
        "customer_phone": "联系电话",
        "recipient": "客户姓名",
        "recipient_phone": "联系电话",
        "sku": "商家sku",
        "quantity": "订购数量",
        "unit_price": "京东价",
        "shipping_fee": "运费金额",
        "payment_amount": "应付金额",
        "note": "订单备注",
    },
    order_columns=ORDER_LEVEL,
    payment_method="wechat",
    address_column="客户地址",
    status_column="订单状态",
    closed_words=("已取消", "锁定"),
)
PINDUODUO = ExportFormat(
    label=gettext_lazy("Pinduoduo order export"),
    key="订单号",
    signature=("订单号", "商家编码-规格维度", "商品数量(件)", "收货人"),
    columns={
        "placed_at": "订单成交时间",
        "customer_name": "收货人",
        "customer_phone": "手机",
        "recipient": "收货人",
        "recipient_phone": "手机",
        "province": "省",
        "city": "市",
        "district": "区",
        "line1": "街道",
        "sku": "商家编码-规格维度",
        "quantity": "商品数量(件)",
        "unit_price": "商品单价(元)",
        "shipping_fee": "邮费(元)",
        "payment_amount": "用户实付金额(元)",
        "note": "买家留言",
    },
    order_columns=ORDER_LEVEL,
    payment_method="wechat",
    status_column="订单状态",
    closed_words=("已取消", "未成交"),
)
DOUYIN = ExportFormat(
    label=gettext_lazy("Douyin shop order export"),
    key="主订单编号",
    signature=("主订单编号", "子订单编号", "商家编码", "收件人"),
    columns={
        "placed_at": "订单提交时间",
        "customer_name": "收件人",
        "customer_phone": "收件人手机号",
        "recipient": "收件人",
        "recipient_phone": "收件人手机号",
        "province": "省",
        "city": "市",
        "district": "区",
        "line1": "详细地址",
        "sku": "商家编码",
        "quantity": "商品数量",
        "unit_price": "商品单价",
        "shipping_fee": "运费",
        "payment_amount": "订单应付金额",
        "note": "买家留言",
    },
    order_columns=ORDER_LEVEL,
    payment_method="alipay",
    status_column="订单状态",
    closed_words=("已关闭", "已取消"),
)
FORMATS = (SHOPIFY, TAOBAO, JD, PINDUODUO, DOUYIN)


def _clean(value: str) -> str:
    """Cells as platforms write them: ``="123"`` (kept as text in Excel), a leading apostrophe, tabs."""
    value = (value or "").strip().strip("\t")
    if value.startswith('="') and value.endswith('"'):
        value = value[2:-1]
    return value.lstrip("'").strip()


def split_address(text: str) -> dict[str, str]:
    """``浙江省 杭州市 西湖区 文三路478号(310000)`` → province, city, district, line1, postcode."""
    text = _clean(text)
    postcode = ""
    match = POSTCODE.search(text)
    if match:
        postcode, text = match.group(1), text[: match.start()].strip()
    parts = text.split()
    if len(parts) >= 4:
        province, city, district, line1 = parts[0], parts[1], parts[2], " ".join(parts[3:])
    else:
        province, city, district, line1 = (parts + ["", "", ""])[0], "", "", text
    return {"province": province, "city": city, "district": district, "line1": line1, "postcode": postcode}


def recognise(headers: list[str]) -> ExportFormat | None:
    present = set(headers)
    return next((f for f in FORMATS if set(f.signature) <= present), None)


def translate(*, headers: list[str], rows: list[list[str]], channel) -> ImportTranslation | None:
    """The orders.hooks translator: a platform's export, else the channel's saved column mapping, else None."""
    fmt = recognise(headers)
    if fmt is None:
        return _mapped(headers, rows, channel)
    index = {h: i for i, h in enumerate(headers)}

    def cell(values: list[str], header) -> str:
        """The first non-empty cell of ``header`` (a header, or alternatives from newer and older exports)."""
        for name in (header,) if isinstance(header, str) else header:
            i = index.get(name)
            if i is not None and i < len(values) and _clean(values[i]):
                return _clean(values[i])
        return ""

    out_rows: list[list[str]] = []
    row_errors: dict[int, str] = {}
    carried: dict[str, str] = {}
    last_key = ""
    orders: dict[str, list[dict]] = {}
    for offset, values in enumerate(rows):
        if not any((v or "").strip() for v in values):
            out_rows.append([])
            continue
        key = cell(values, fmt.key) or last_key
        row = {col: cell(values, header) for col, header in fmt.columns.items()}
        row["external_id"] = row.get("external_id") or key
        if fmt.address_column and cell(values, fmt.address_column):
            row.update(split_address(cell(values, fmt.address_column)))
        if key != last_key:
            carried = {c: row.get(c, "") for c in fmt.order_columns}
            carried["_status"] = cell(values, fmt.status_column)
        else:
            for col in fmt.order_columns:
                row[col] = row.get(col) or carried.get(col, "")
        last_key = key
        status = carried.get("_status", "")
        if status and any(word in status for word in fmt.closed_words):
            row_errors[offset + 2] = _(
                "Order %(id)s is closed on the platform (%(status)s): not imported."
            ) % {
                "id": key,
                "status": status,
            }
        row["payment_method"] = fmt.payment_method
        paid = not fmt.paid_words or not status or any(w in status.lower() for w in fmt.paid_words)
        row["payment_status"] = "paid" if paid else "pending"
        row["transaction_id"] = row.get("transaction_id") or (f"{fmt.key}:{key}" if paid else "")
        orders.setdefault(key, []).append(row)
        out_rows.append(row)
    _fill_discounts(orders, fmt)
    return ImportTranslation(
        label=str(fmt.label),
        headers=list(COLUMNS),
        rows=[[r.get(c, "") for c in COLUMNS] if r else [] for r in out_rows],
        row_errors=row_errors,
    )


def _fill_discounts(orders: dict[str, list[dict]], fmt: ExportFormat) -> None:
    """Chinese exports give the amount paid, not the discount: the discount is what the buyer did not pay."""
    if "discount" in fmt.columns:
        return
    for rows in orders.values():
        goods = sum(
            (
                money(r.get("unit_price")) * int(r.get("quantity") or 0)
                for r in rows
                if (r.get("quantity") or "").isdigit()
            ),
            Decimal("0.00"),
        )
        paid = money(rows[0].get("payment_amount"))
        discount = goods + money(rows[0].get("shipping_fee")) - paid
        for r in rows:
            r["discount"] = str(max(discount, Decimal("0.00")))


def _mapped(headers: list[str], rows: list[list[str]], channel) -> ImportTranslation | None:
    """A channel's own format, through the column mapping saved for its shop."""
    from connectors.selectors import column_mapping_for

    columns = column_mapping_for(channel) if channel is not None else None
    if not columns or not {h.lower() for h in columns.values()} <= set(headers):
        return None
    index = {h: i for i, h in enumerate(headers)}
    picks = [index.get(columns[c].lower()) if c in columns else None for c in COLUMNS]
    out = [
        [_clean(values[i]) if i is not None and i < len(values) else "" for i in picks] if any(values) else []
        for values in rows
    ]
    return ImportTranslation(
        label=_("the column mapping saved for %(channel)s") % {"channel": channel.name},
        headers=list(COLUMNS),
        rows=out,
    )
