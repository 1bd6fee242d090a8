"""Demo data of the inventory app: warehouses, bins, catalogue, suppliers, and stock received.

The stock is received through the services (so the ledger explains it). Idempotent: a second run
changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction

from inventory.choices import LocationKind
from inventory.models import SKU, Location, Product, StockMovement, Supplier, SupplierSKU, Warehouse
from inventory.selectors import replenishment_suggestions
from inventory.services import (
    DemandLine,
    allocate,
    purchase_order_send,
    purchase_orders_from_suggestions,
    reservation_consume,
    stock_level_set_policy,
    stock_receive,
)

WAREHOUSES = [
    # code, name, province, city, regions, priority, capacity
    ("SH", "上海仓", "上海", "上海市", ["上海", "江苏", "浙江", "安徽"], 10, 3000),
    ("GZ", "广州仓", "广东", "广州市", ["广东", "广西", "福建", "海南"], 20, 2000),
    ("BJ", "北京仓", "北京", "北京市", ["北京", "天津", "河北", "山东"], 30, 1500),
]

SUPPLIERS = [
    # code, name, contact, phone, email, drop-ship
    ("SUP-HZ", "杭州织造服饰有限公司", "王丽", "0571-88001234", "sales@hz-textile.example.com", False),
    ("SUP-SZ", "深圳优品供应链有限公司", "陈伟", "0755-26605678", "order@sz-youpin.example.com", False),
    ("SUP-JDZ", "景德镇瓷源陶瓷厂", "李强", "0798-8209876", "ds@ciyuan.example.com", True),
]

# product code, name, brand, category, supplier, unit cost, price, flags, variants
PRODUCTS = [
    (
        "P-TEE",
        "纯棉圆领T恤",
        "素织",
        "服装",
        "SUP-HZ",
        "22.00",
        "59.90",
        {},
        ["白色 / M", "白色 / L", "黑色 / L"],
    ),
    (
        "P-DOWN",
        "轻薄羽绒服",
        "素织",
        "服装",
        "SUP-HZ",
        "168.00",
        "399.00",
        {"is_bulky": True},
        ["黑色 / M", "黑色 / L", "藏青 / XL"],
    ),
    (
        "P-YOGA",
        "加厚瑜伽垫",
        "悦动",
        "运动",
        "SUP-HZ",
        "38.00",
        "89.00",
        {"is_bulky": True},
        ["紫色 6mm", "蓝色 8mm", "灰色 10mm"],
    ),
    (
        "P-BAG",
        "双肩电脑包",
        "行者",
        "箱包",
        "SUP-HZ",
        "65.00",
        "169.00",
        {},
        ["黑色 15英寸", "灰色 15英寸", "黑色 17英寸"],
    ),
    (
        "P-CUP",
        "不锈钢保温杯 500ml",
        "暖途",
        "家居",
        "SUP-SZ",
        "28.00",
        "79.00",
        {},
        ["银色", "黑色", "樱花粉"],
    ),
    (
        "P-BUDS",
        "无线蓝牙耳机",
        "声悦",
        "数码",
        "SUP-SZ",
        "95.00",
        "249.00",
        {"is_high_value": True},
        ["白色", "黑色", "湖蓝"],
    ),
    (
        "P-BRUSH",
        "声波电动牙刷",
        "净白",
        "个护",
        "SUP-SZ",
        "55.00",
        "139.00",
        {},
        ["白色", "粉色", "替换刷头 4 支装"],
    ),
    (
        "P-BAND",
        "智能运动手环",
        "声悦",
        "数码",
        "SUP-SZ",
        "110.00",
        "299.00",
        {"is_high_value": True},
        ["曜石黑", "月光白", "薄荷绿"],
    ),
    (
        "P-SHAMPOO",
        "氨基酸洗发水",
        "净白",
        "个护",
        "SUP-SZ",
        "18.00",
        "49.90",
        {},
        ["400ml", "750ml", "旅行装 100ml"],
    ),
    (
        "P-DISH",
        "青花陶瓷餐具套装",
        "瓷源",
        "家居",
        "SUP-JDZ",
        "120.00",
        "329.00",
        {"is_fragile": True},
        ["4 人份", "6 人份", "8 人份"],
    ),
]

# SKUs left below safety stock so the alert and replenishment screens have something to show
LOW = {"P-BUDS-2", "P-TEE-3", "P-BAND-1"}
# Sold (allocated and shipped through the services) so replenishment has a sales velocity to work on
BESTSELLERS = {"P-BUDS-2": 14, "P-TEE-1": 9, "P-CUP-1": 8, "P-SHAMPOO-1": 12, "P-BAND-1": 4}


def ean13(body12: str) -> str:
    digits = [int(c) for c in body12]
    check = (10 - (sum(digits[0::2]) + 3 * sum(digits[1::2])) % 10) % 10
    return body12 + str(check)


def seed(*, stdout) -> None:
    with transaction.atomic():
        warehouses = _warehouses()
        suppliers = _suppliers()
        skus = _catalogue(suppliers)
    if StockMovement.objects.filter(reference__startswith="DEMO-PO").exists():
        stdout.write("  inventory: stock already received, left as it is")
        return
    _stock(warehouses, skus, suppliers)
    _purchase_order(next(iter(warehouses.values())))
    stdout.write(
        f"  inventory: {len(warehouses)} warehouses, {len(skus)} SKUs, stock received, a purchase order sent"
    )


def _purchase_order(warehouse: Warehouse) -> None:
    """The replenishment suggestions of the first supplier as a purchase order, sent (its lines on order)."""
    suggestions = replenishment_suggestions()
    if not suggestions:
        return
    supplier_id = suggestions[0].supplier_id
    picks = [(s.supplier_id, s.sku_id, s.suggested) for s in suggestions if s.supplier_id == supplier_id]
    (po,) = purchase_orders_from_suggestions(warehouse_id=warehouse.pk, picks=picks)
    purchase_order_send(po_id=po.pk)


def _warehouses() -> dict[str, Warehouse]:
    result = {}
    for code, name, province, city, regions, priority, capacity in WAREHOUSES:
        wh, _created = Warehouse.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "province": province,
                "city": city,
                "address": f"{city}物流园 {priority // 10} 号库",
                "regions": regions,
                "priority": priority,
                "daily_capacity": capacity,
            },
        )
        bins = [(f"A-{aisle:02d}-{level:02d}", LocationKind.PICK) for aisle in (1, 2, 3) for level in (1, 2)]
        bins += [("RCV-01", LocationKind.RECEIVING), ("DMG-01", LocationKind.DAMAGED)]
        for seq, (bin_code, kind) in enumerate(bins, start=1):
            Location.objects.update_or_create(
                warehouse=wh, code=bin_code, defaults={"kind": kind, "pick_sequence": seq * 10}
            )
        result[code] = wh
    return result


def _suppliers() -> dict[str, Supplier]:
    result = {}
    for code, name, contact, phone, email, _drop_ship in SUPPLIERS:
        result[code], _created = Supplier.objects.update_or_create(
            code=code, defaults={"name": name, "contact_name": contact, "phone": phone, "email": email}
        )
    return result


def _catalogue(suppliers: dict[str, Supplier]) -> list[SKU]:
    drop_ship = {code for code, *_rest, ds in SUPPLIERS if ds}
    skus = []
    for p_index, (code, name, brand, category, supplier_code, cost, price, flags, variants) in enumerate(
        PRODUCTS, start=1
    ):
        product, _created = Product.objects.update_or_create(
            code=code, defaults={"name": name, "brand": brand, "category": category}
        )
        for v_index, variant in enumerate(variants, start=1):
            sku, _created = SKU.objects.update_or_create(
                code=f"{code}-{v_index}",
                defaults={
                    "product": product,
                    "name": variant,
                    "barcode": ean13(f"690{p_index:04d}{v_index:05d}"),
                    "price": Decimal(price),
                    "weight_g": 200 + 150 * p_index,
                    "volume_cm3": 800 * p_index,
                    **flags,
                },
            )
            SupplierSKU.objects.update_or_create(
                supplier=suppliers[supplier_code],
                sku=sku,
                defaults={
                    "supplier_sku_code": f"{supplier_code[4:]}-{p_index:02d}{v_index:02d}",
                    "cost": Decimal(cost),
                    "lead_time_days": 3 if supplier_code == "SUP-SZ" else 10,
                    "min_order_qty": 12 if supplier_code == "SUP-SZ" else 20,
                    "is_drop_ship": supplier_code in drop_ship,
                    "is_preferred": True,
                },
            )
            bin_code = f"A-{(v_index % 3) + 1:02d}-{(p_index % 2) + 1:02d}"
            for location in Location.objects.filter(code=bin_code):
                location.skus.add(sku)
            skus.append(sku)
    return skus


def _stock(warehouses: dict[str, Warehouse], skus: list[SKU], suppliers: dict[str, Supplier]) -> None:
    links = {link.sku_id: link for link in SupplierSKU.objects.filter(sku__in=skus)}
    for n, sku in enumerate(skus):
        link = links[sku.pk]
        if link.is_drop_ship:
            continue  # the factory ships these itself
        for w_index, wh in enumerate(warehouses.values()):
            if sku.code in LOW:
                quantity = (3, 5, 4)[w_index] + BESTSELLERS.get(sku.code, 0) // 3
            else:
                quantity = 20 + (n * 7 + w_index * 13) % 60
            stock_receive(
                sku_id=sku.pk,
                warehouse_id=wh.pk,
                quantity=quantity,
                supplier_id=link.supplier_id,
                reference=f"DEMO-PO-{2026110 + w_index:07d}",
                unit_cost=link.cost,
            )
            stock_level_set_policy(sku_id=sku.pk, warehouse_id=wh.pk, safety_stock=10, reorder_point=15)
    by_code = {sku.code: sku for sku in skus}
    provinces = ["上海", "广东", "北京"]
    for code, units in BESTSELLERS.items():
        for n in range(units):
            ref = f"demo-sale:{code}:{n}"
            result = allocate(
                lines=[DemandLine(ref=ref, sku_id=by_code[code].pk, quantity=1)], province=provinces[n % 3]
            )
            if result.allocated:
                reservation_consume(demand_ref=ref, reference=f"DEMO-SHIP-{n:04d}")
