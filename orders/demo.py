"""Demo data of the orders app: three channels, ~40 customers, ~150 orders in varied states via the services;
customers on two channels with a duplicate to merge, and invoices in several states.

Runs after inventory's seed (warehouses, SKUs, stock); reads the SKUs that exist. Idempotent: orders are
keyed by (channel, external_id), so a second run finds them and changes nothing.
"""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from inventory.models import SKU
from oms.exceptions import DomainError
from orders import services
from orders.choices import ChannelKind, CustomerTier, OrderStatus, PaymentMethod, PaymentStatus, RefundStatus
from orders.models import Channel, Customer, Order, OrderRule, RefundRecord, Tag
from orders.rules import ensure_default_rules

CHANNELS = [
    ("tmall", "天猫旗舰店", ChannelKind.MARKETPLACE, 24),
    ("webshop", "官网商城", ChannelKind.OWN_SHOP, 48),
    ("phone", "电话订购", ChannelKind.PHONE, 24),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明"]
PLACES = [
    ("上海", "上海市", "浦东新区", "世纪大道{n}号"),
    ("上海", "上海市", "徐汇区", "漕溪北路{n}号"),
    ("江苏", "南京市", "鼓楼区", "中山路{n}号"),
    ("浙江", "杭州市", "西湖区", "文三路{n}号"),
    ("广东", "广州市", "天河区", "天河路{n}号"),
    ("广东", "深圳市", "南山区", "科技园南路{n}号"),
    ("北京", "北京市", "朝阳区", "建国路{n}号"),
    ("天津", "天津市", "和平区", "南京路{n}号"),
    ("四川", "成都市", "武侯区", "人民南路{n}号"),
]
REMARKS = ["请周末送货", "发票抬头：上海某某公司", "送给朋友，不要放价格单"]


def seed(*, stdout) -> None:
    ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
    skus = list(SKU.objects.filter(is_sellable=True).select_related("product").order_by("code"))
    if not skus:
        stdout.write("  orders: no SKUs yet (inventory demo first); nothing seeded")
        return
    channels = _channels()
    services.channel_token_create  # noqa: B018 - tokens are created on demand with manage.py create_api_token
    _customers_and_invoices(channels, skus, stdout)
    if Order.objects.filter(external_id__startswith="DEMO-").count() >= 150:
        stdout.write("  orders: demo orders already there, left as they are")
        _money_stories(stdout)
        return
    customers = _customers()
    rng = random.Random(20261121)  # the same demo every time
    counts: dict[str, int] = {}
    now = timezone.now()
    for n in range(1, 151):
        channel = channels[n % 3]
        customer = customers[rng.randrange(len(customers))]
        order = _order(n, channel, customer, skus, rng, now)
        if order is not None:
            counts[order.status] = counts.get(order.status, 0) + 1
    summary = ", ".join(f"{k} {v}" for k, v in sorted(counts.items()))
    stdout.write(f"  orders: {len(channels)} channels, {len(customers)} customers, orders: {summary}")
    _money_stories(stdout)


def _money_stories(stdout) -> None:
    """Money for finance to see: delivered orders whose after-sales window closed are completed; the first
    refunds owed on cancelled paid orders are paid out (the others wait on the refunds-owed screen)."""
    completed = services.orders_complete_due()["completed"]
    finance = _user("finance")
    paid_out = 0
    refunds = RefundRecord.objects.filter(status=RefundStatus.OPEN, order__external_id__startswith="DEMO-")
    for refund in refunds.order_by("pk")[:3]:
        services.refund_record_mark_paid(
            refund_id=refund.pk, reference=f"BANK-RF-{refund.pk:06d}", by=finance
        )
        paid_out += 1
    stdout.write(f"  orders: {completed} orders completed, {paid_out} refunds owed paid out")


def _channels() -> list[Channel]:
    out = []
    for code, name, kind, sla in CHANNELS:
        channel, _created = Channel.objects.update_or_create(
            code=code, defaults={"name": name, "kind": kind, "sla_hours": sla, "currency": "CNY"}
        )
        out.append(channel)
    return out


def _customers() -> list[Customer]:
    out = []
    with transaction.atomic():
        for i in range(40):
            phone = f"139{20260000 + i:08d}"
            customer, _created = Customer.objects.get_or_create(
                phone=phone,
                defaults={
                    "name": SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
                    "tier": CustomerTier.VIP if i % 8 == 0 else CustomerTier.NORMAL,
                    "language": "en" if i % 10 == 9 else "zh-hans",
                    "email": f"customer{i}@example.com" if i % 5 == 0 else "",
                    "is_blacklisted": i == 13,
                    "blacklist_reason": "多次拒收货到付款订单" if i == 13 else "",
                },
            )
            out.append(customer)
    return out


def _demo_lines(n: int, kind: int, skus: list[SKU], rng: random.Random) -> tuple[list[dict], Decimal]:
    """The order's lines and total for the story ``kind`` tells (backorder, large amount, COD …)."""
    lines = []
    for sku in rng.sample(skus, k=1 + rng.randrange(min(3, len(skus)))):
        quantity = 500 if kind == 7 else 1 + rng.randrange(3)  # 500: more than any warehouse holds
        lines.append(
            {"sku": sku.code, "quantity": quantity, "unit_price": str(sku.price or Decimal("99.00"))}
        )
    if kind == 11:
        lines = [{"sku": lines[0]["sku"], "quantity": 1, "unit_price": "1800.00"}]
    if kind == 5:  # a large order: amount review (and a finance review above 20 000)
        lines = [{"sku": lines[0]["sku"], "quantity": 1, "unit_price": "6800.00" if n % 2 else "23800.00"}]
    return lines, sum(Decimal(line["unit_price"]) * line["quantity"] for line in lines)


def _demo_body(n: int, kind: int, channel: Channel, customer: Customer, skus, rng, now) -> dict:
    place = PLACES[n % len(PLACES)]
    lines, total = _demo_lines(n, kind, skus, rng)
    method = PaymentMethod.COD if kind == 11 else rng.choice(["alipay", "wechat", "card"])
    return {
        "external_id": f"DEMO-{channel.code.upper()}-{n:04d}",
        "placed_at": (now - timedelta(hours=rng.randrange(1, 240), minutes=rng.randrange(60))).isoformat(),
        "customer": {"name": customer.name, "phone": customer.phone, "email": customer.email},
        "shipping_address": {
            "name": customer.name,
            "phone": customer.phone,
            "province": place[0],
            "city": place[1],
            "district": place[2],
            "line1": "某小区" if kind == 13 else place[3].format(n=10 + n) + f" {1 + n % 9}栋{100 + n}室",
        },
        "lines": lines,
        "payment": {
            "method": str(method),
            "status": str(PaymentStatus.PENDING if kind == 1 else PaymentStatus.PAID),
            "amount": str(total),
            "transaction_id": "" if method == PaymentMethod.COD else f"TX{n:08d}",
        },
        "flags": {"urgent": kind == 3, "promotion": "double11" if kind in (2, 9) else ""},
        "note": REMARKS[n % len(REMARKS)] if kind == 4 else "",
    }


def _demo_story(order: Order, n: int, kind: int) -> Order:
    """Move the order on as its story says: allocate, hold, ship, deliver, cancel or release."""
    S = OrderStatus
    if kind == 11 and order.status in (S.ON_REVIEW, S.FINANCE_REVIEW):
        order = services.order_approve(order_id=order.pk)  # cash on delivery, checked by phone
    if kind == 1 and n % 2:
        # The payment failed: the customer got a link to pay again; every other one is marked paid by hand.
        services.payment_mark_failed(order_id=order.pk, reason="余额不足")
        if n % 4 == 1:
            order = services.payment_mark_paid(
                order_id=order.pk, reference=f"BANK-{n:06d}", by=_user("finance")
            )
    if order.status == S.APPROVED and kind != 0:
        order = services.order_allocate(order_id=order.pk)
    if kind == 6 and order.status == S.ALLOCATED:
        order = services.order_hold(order_id=order.pk, reason="客户来电：更换收货地址")
    if kind == 8 and order.status == S.ALLOCATED:
        order = services.order_mark_released(order_id=order.pk)
        order = services.order_mark_shipped(order_id=order.pk)
        if n % 2:
            order = services.order_mark_delivered(order_id=order.pk)
    if kind == 10 and order.status in (S.ALLOCATED, S.APPROVED):
        order = services.order_cancel(order_id=order.pk, reason="客户取消", check_perm=False)
    if kind == 11 and order.status == S.ALLOCATED:
        order = services.order_mark_released(order_id=order.pk)
        order = services.order_mark_shipped(order_id=order.pk)
        # Delivered: the carrier collected the cash at the door (the COD reconciliation shows it).
        order = services.order_mark_delivered(order_id=order.pk, collected_by="SF" if n % 2 else "ZTO")
    if kind == 12 and order.status == S.ALLOCATED:
        order = services.order_mark_released(order_id=order.pk)
    return order


def _order(
    n: int, channel: Channel, customer: Customer, skus: list[SKU], rng: random.Random, now
) -> Order | None:
    kind = n % 15  # which story this order tells
    body = _demo_body(n, kind, channel, customer, skus, rng, now)
    result = services.order_intake(channel=channel, data=body, allocate_now=False)
    if result.errors or result.order is None:
        return None
    if not result.created:
        return result.order
    try:
        return _demo_story(result.order, n, kind)
    except DomainError:
        return Order.objects.get(pk=result.order.pk)


# --- customers on two channels, a duplicate to merge, invoices in several states -------------------

DEMO_BUYERS = [
    # (key, name, phone, e-mail, address phone, [(channel code, n)])
    ("wf", "王芳", "13955550001", "wangfang@example.com", "13955550001", [("tmall", 1), ("webshop", 2)]),
    # The same person ordering by phone under her office number, shipped to her usual one: a duplicate.
    ("wf2", "王芳", "13955550002", "", "13955550001", [("phone", 3)]),
    (
        "cl",
        "陈磊",
        "13955550003",
        "chenlei@example.com",
        "13955550003",
        [("webshop", 4), ("phone", 5), ("tmall", 6)],
    ),
]


def _user(username: str):
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=username).first()


def _delivered(
    channel: Channel, key: str, n: int, name: str, phone: str, email: str, ship_phone: str, sku
) -> Order:
    body = {
        "external_id": f"DEMO-CUST-{key.upper()}-{n}",
        "placed_at": (timezone.now() - timedelta(days=20 - n)).isoformat(),
        "customer": {"name": name, "phone": phone, "email": email},
        "shipping_address": {
            "name": name,
            "phone": ship_phone,
            "province": "上海",
            "city": "上海市",
            "district": "静安区",
            "line1": f"南京西路{100 + n}号 {n}01室",
        },
        "lines": [{"sku": sku.code, "quantity": 1, "unit_price": str(sku.price or Decimal("99.00"))}],
        "payment": {
            "method": "alipay",
            "status": "paid",
            "amount": str(sku.price or Decimal("99.00")),
            "transaction_id": f"TXC{n:06d}",
        },
    }
    result = services.order_intake(channel=channel, data=body, allocate_now=False)
    order = result.order
    if not result.created or order is None:
        return order
    try:
        if order.status == OrderStatus.ON_REVIEW:
            order = services.order_approve(order_id=order.pk)
        order = services.order_allocate(order_id=order.pk)
        order = services.order_mark_released(order_id=order.pk)
        order = services.order_mark_shipped(order_id=order.pk)
        # Delivered two days after it was placed: the oldest ones' after-sales window has closed since.
        order = services.order_mark_delivered(
            order_id=order.pk, delivered_at=order.placed_at + timedelta(days=2)
        )
    except DomainError:
        pass
    return order


def _customers_and_invoices(channels: list[Channel], skus: list[SKU], stdout) -> None:
    if Order.objects.filter(external_id__startswith="DEMO-CUST-").exists():
        return
    by_code = {c.code: c for c in channels}
    ops, finance = _user("ops"), _user("finance")
    orders: dict[int, Order] = {}
    for key, name, phone, email, ship_phone, placed in DEMO_BUYERS:
        for code, n in placed:
            orders[n] = _delivered(by_code[code], key, n, name, phone, email, ship_phone, skus[n % len(skus)])
    delivered = {n: o for n, o in orders.items() if o is not None and o.status == OrderStatus.DELIVERED}

    def invoice(n, title, email, taxpayer_id="", kind="ordinary"):
        return services.invoice_request(
            order_id=delivered[n].pk,
            invoice_type=kind,
            title=title,
            taxpayer_id=taxpayer_id,
            email=email,
            by=ops,
        )

    def issue(inv, number):
        due = services.order_invoiceable(order_id=inv.order_id).amount
        return services.invoice_issue(invoice_id=inv.pk, number=number, amount=due, by=finance)

    try:
        invoice(1, "王芳", "wangfang@example.com")  # requested, waiting for finance
        sent = issue(invoice(2, "王芳", "wangfang@example.com"), "24312000000000000201")
        services.invoice_send(invoice_id=sent.pk, by=finance)
        issue(
            invoice(4, "上海陈氏贸易有限公司", "chenlei@example.com", "91310106MA1FY2XK3B", "special"),
            "24312000000000000401",
        )
        wrong = issue(invoice(5, "上海陈氏贸易公司", "chenlei@example.com"), "24312000000000000501")
        services.invoice_void(invoice_id=wrong.pk, reason="抬头少了“有限”二字", by=finance)
        invoice(5, "上海陈氏贸易有限公司", "chenlei@example.com", "91310106MA1FY2XK3B")
    except (DomainError, KeyError) as exc:
        stdout.write(f"  orders: demo invoices incomplete ({exc})")
    stdout.write(
        f"  orders: {len(delivered)} delivered demo orders of 3 customers (one a duplicate), 6 invoices"
    )
