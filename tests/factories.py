"""factory_boy factories shared by the test suite (each app appends its own; never rewrite another's)."""

from __future__ import annotations

import factory

# --- inventory --------------------------------------------------------------------------------


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.Product"

    code = factory.Sequence(lambda n: f"P-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")


class SKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.SKU"

    product = factory.SubFactory(ProductFactory)
    code = factory.Sequence(lambda n: f"SKU-{n:04d}")
    barcode = factory.Sequence(lambda n: f"69{n:011d}")
    price = "59.90"


class SupplierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.Supplier"

    code = factory.Sequence(lambda n: f"SUP-{n:03d}")
    name = factory.Sequence(lambda n: f"Supplier {n}")
    email = factory.LazyAttribute(lambda o: f"{o.code.lower()}@example.com")


class SupplierSKUFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.SupplierSKU"

    supplier = factory.SubFactory(SupplierFactory)
    sku = factory.SubFactory(SKUFactory)
    cost = "20.00"
    lead_time_days = 7


class WarehouseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.Warehouse"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"WH{n}")
    name = factory.LazyAttribute(lambda o: f"Warehouse {o.code}")
    regions = factory.LazyFunction(list)
    priority = 10
    daily_capacity = 1000


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "inventory.Location"

    warehouse = factory.SubFactory(WarehouseFactory)
    code = factory.Sequence(lambda n: f"A-{n:03d}")
    kind = "pick"


def stock_in(sku, warehouse, quantity: int, *, safety_stock: int | None = None):
    """Put stock in the way production does (a receipt through the service, so the ledger explains it)."""
    from inventory.services import stock_level_set_policy, stock_receive

    if quantity:
        stock_receive(sku_id=sku.pk, warehouse_id=warehouse.pk, quantity=quantity, reference="test")
    if safety_stock is not None:
        stock_level_set_policy(sku_id=sku.pk, warehouse_id=warehouse.pk, safety_stock=safety_stock)


# --- fulfillment ------------------------------------------------------------------------------


class CarrierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "fulfillment.Carrier"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"C{n}")
    name = factory.LazyAttribute(lambda o: f"Carrier {o.code}")
    kind = "standard"
    adapter = "manual"
    webhook_secret = factory.LazyAttribute(lambda o: f"secret-{o.code}")


class CarrierServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "fulfillment.CarrierService"

    carrier = factory.SubFactory(CarrierFactory)
    code = factory.Sequence(lambda n: f"S{n}")
    name = factory.LazyAttribute(lambda o: f"Service {o.code}")
    kind = factory.LazyAttribute(lambda o: o.carrier.kind)
    provinces = factory.LazyFunction(list)


class RateRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "fulfillment.RateRow"

    service = factory.SubFactory(CarrierServiceFactory)
    province = ""
    first_weight_g = 1000
    first_price = "10.00"
    extra_kg_price = "2.00"


class CarrierRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "fulfillment.CarrierRule"

    name = factory.Sequence(lambda n: f"Rule {n}")
    priority = 10
    condition = "urgent"
    service = factory.SubFactory(CarrierServiceFactory)


# --- orders -----------------------------------------------------------------------------------


class ChannelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.Channel"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ch{n}")
    name = factory.LazyAttribute(lambda o: f"Channel {o.code}")
    kind = "marketplace"
    currency = "CNY"
    sla_hours = 24


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "orders.Customer"

    name = factory.Sequence(lambda n: f"客户{n}")
    phone = factory.Sequence(lambda n: f"139{n:08d}")
    language = "zh-hans"


def order_body(*, external_id: str = "TB-0001", lines=None, paid: bool = True, **overrides) -> dict:
    """An intake body as DESIGN.md shows it; the payment amount is made to add up unless overridden."""
    from decimal import Decimal

    lines = lines if lines is not None else [{"sku": "SKU-0001", "quantity": 2, "unit_price": "59.90"}]
    total = sum((Decimal(str(line["unit_price"])) * int(line["quantity"]) for line in lines), Decimal("0.00"))
    shipping_fee = Decimal(overrides.get("shipping_fee", "0.00"))
    discount = Decimal(overrides.get("discount", "0.00"))
    body = {
        "external_id": external_id,
        "placed_at": "2026-11-21T10:00:00+08:00",
        "customer": {"name": "张三", "phone": "13812345678", "email": ""},
        "shipping_address": {
            "name": "张三",
            "phone": "13812345678",
            "province": "上海",
            "city": "上海市",
            "district": "浦东新区",
            "line1": "世纪大道100号 2栋 301室",
            "postcode": "200120",
            "country": "CN",
        },
        "lines": lines,
        "shipping_fee": str(shipping_fee),
        "discount": str(discount),
        "payment": {
            "method": "alipay",
            "status": "paid" if paid else "pending",
            "amount": str(total + shipping_fee - discount),
            "transaction_id": f"ALI-{external_id}",
        },
        "flags": {"urgent": False, "promotion": ""},
        "note": "",
    }
    body.update({k: v for k, v in overrides.items() if k not in {"shipping_fee", "discount"}})
    return body


# --- aftersales -------------------------------------------------------------------------------

import itertools  # noqa: E402 - kept with the aftersales section it serves


class ReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "aftersales.Reason"
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"reason-{n}")
    name = factory.LazyAttribute(lambda o: f"Reason {o.code}")
    supplier_at_fault = False


def order_through_services(
    *,
    lines: list[tuple] | None = None,
    shipped: bool = True,
    delivered: bool = False,
    phone: str = "13812345678",
    email: str = "",
    external_id: str | None = None,
    warehouse=None,
    deductions: dict | None = None,
    payment_method: str = "alipay",
):
    """An order taken in, allocated, released and (optionally) shipped / delivered through the orders services.

    ``lines`` are (sku, quantity, unit_price) tuples; stock is received first so allocation succeeds.
    ``deductions`` are optional intake fields (discount, coupon_amount, platform_coupon_amount, points_amount);
    the payment amount is made to add up.
    """
    from orders.services import (
        order_allocate,
        order_approve,
        order_intake,
        order_mark_delivered,
    )

    warehouse = warehouse or WarehouseFactory(code="WH-AS")
    lines = lines or [(SKUFactory(), 1, "199.00")]
    for sku, quantity, _price in lines:
        stock_in(sku, warehouse, quantity)
    external_id = external_id or f"AS-{next(_order_counter)}"
    body = order_body(
        external_id=external_id,
        lines=[
            {"sku": sku.code, "quantity": quantity, "unit_price": str(price)}
            for sku, quantity, price in lines
        ],
    )
    body["customer"].update({"phone": phone, "email": email})
    body["shipping_address"]["phone"] = phone
    if deductions:
        from decimal import Decimal

        body.update({k: str(v) for k, v in deductions.items()})
        taken = sum((Decimal(str(v)) for v in deductions.values()), Decimal("0.00"))
        body["payment"]["amount"] = str(Decimal(body["payment"]["amount"]) - taken)
    if payment_method != "alipay":
        body["payment"].update({"method": payment_method, "transaction_id": ""})
    result = order_intake(channel=ChannelFactory(code="tmall"), data=body, allocate_now=False)
    assert not result.errors, result.errors
    order = result.order
    if order.status == "on_review":
        order = order_approve(order_id=order.pk)
    if order.status == "finance_review":
        order = order_approve(order_id=order.pk)
    order = order_allocate(order_id=order.pk)
    assert order.status == "allocated", order.status
    if shipped:
        ship_through_fulfillment(order)
        order.refresh_from_db()
        if delivered:
            order = order_mark_delivered(order_id=order.pk)
    return order


def ship_through_fulfillment(order) -> None:
    """Release an allocated order to the floor and ship its parcels the way the warehouse does (scan, pack, ship)."""
    from fulfillment.services import (
        pack_scan,
        shipment_mark_packed,
        shipment_ship,
        shipments_create_for_order,
    )

    for shipment in shipments_create_for_order(order_id=order.pk):
        for line in shipment.lines.select_related("sku"):
            for _unit in range(line.quantity):
                pack_scan(shipment_id=shipment.pk, code=line.sku.code)
        shipment_mark_packed(shipment_id=shipment.pk)
        shipment_ship(shipment_id=shipment.pk, tracking_number=f"SF{shipment.pk:010d}")


_order_counter = itertools.count(1)
