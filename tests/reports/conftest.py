"""Fixtures of the report tests: orders stored as the orders app stores them, in two channels."""

from decimal import Decimal

import pytest
from django.utils import timezone

from orders.models import Address, Order, OrderLine
from tests.factories import ChannelFactory, CustomerFactory, SKUFactory


def make_order(
    *,
    number,
    channel,
    total,
    status="paid",
    province="上海",
    promotion="",
    units=1,
    placed_at=None,
    shipping_fee=Decimal("0.00"),
    customer=None,
):
    """Report fixtures: rows as the orders app stores them (the intake rules are tested in tests/orders)."""
    customer = customer or CustomerFactory()
    address = Address.objects.create(
        customer=customer,
        name=customer.name,
        phone=customer.phone,
        province=province,
        city="市",
        district="区",
        line1="路1号",
    )
    placed_at = placed_at or timezone.localtime().replace(hour=10, minute=0, second=0, microsecond=0)
    subtotal = Decimal(total) - shipping_fee
    order = Order.objects.create(
        number=number,
        channel=channel,
        external_id=number,
        customer=customer,
        shipping_address=address,
        contact_phone=customer.phone,
        address_key=f"k{number}",
        province=province,
        status=status,
        placed_at=placed_at,
        paid_at=placed_at,
        subtotal=subtotal,
        shipping_fee=shipping_fee,
        discount=Decimal("0.00"),
        total=Decimal(total),
        promotion=promotion,
    )
    sku = SKUFactory()
    OrderLine.objects.create(
        order=order,
        line_no=1,
        sku=sku,
        sku_code=sku.code,
        name="item",
        quantity=units,
        unit_price=subtotal / units,
        line_total=subtotal,
    )
    return order


@pytest.fixture
def shop():
    tmall = ChannelFactory(code="tmall", name="天猫旗舰店")
    web = ChannelFactory(code="web", name="官网商城")
    customer = CustomerFactory()
    make_order(number="SO1", channel=tmall, total="120.00", units=2, customer=customer)
    make_order(number="SO2", channel=tmall, total="80.00", promotion="double11", customer=customer)
    make_order(number="SO3", channel=web, total="999.00", province="广东", units=3)
    make_order(number="SO4", channel=web, total="40.00", status="cancelled", province="广东")
    return {"tmall": tmall, "web": web}
