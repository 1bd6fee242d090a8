"""Order data of the intake benchmarks: a catalogue, customers and warehouses to load, and order bodies as
channels send them (DESIGN.md "Intake API"), varied enough that the order rules decide on real facts.

``load_template()`` loads the catalogue, stock, customers, a channel and its token into the current database
(run it with ``manage.py shell``); ``OrderMaker`` makes the bodies, the same for the same seed. Plain Python
apart from ``load_template``: the benchmark process builds bodies without Django.
"""

from __future__ import annotations

import contextlib
import io
import random
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal

from inventory.regions import PROVINCES

SEED = 20261121
EXISTING_CUSTOMERS = 20_000
BLACKLISTED = 20
STOCK_PER_ROW = 100_000
HISTORY_ORDERS = 5_000  # taken in before the runs (``load_history``)
MAIN_WAREHOUSES = 5  # ids 1..5 in a fresh database: every SKU is stocked in each

WAREHOUSES = [
    # code, name, province, city, regions served first, priority
    ("SH", "上海仓", "上海", "上海市", ["上海", "江苏", "浙江", "安徽"], 10),
    ("GZ", "广州仓", "广东", "广州市", ["广东", "广西", "福建", "海南", "香港", "澳门"], 20),
    ("BJ", "北京仓", "北京", "北京市", ["北京", "天津", "河北", "山东", "山西", "内蒙古"], 30),
    ("CD", "成都仓", "四川", "成都市", ["四川", "重庆", "云南", "贵州", "西藏"], 40),
    ("WH", "武汉仓", "湖北", "武汉市", ["湖北", "湖南", "河南", "江西"], 50),
    ("XA", "西安仓", "陕西", "西安市", ["陕西", "甘肃", "青海", "宁夏", "新疆"], 60),
    ("SY", "沈阳仓", "辽宁", "沈阳市", ["辽宁", "吉林", "黑龙江"], 70),
]

# Cities and districts of every province in inventory.regions, and a rough share of online orders.
# fmt: off
CITIES: dict[str, tuple[float, list[tuple[str, list[str]]]]] = {
    "北京": (5, [("北京市", ["朝阳区", "海淀区", "东城区", "丰台区", "通州区"])]),
    "天津": (2, [("天津市", ["和平区", "南开区", "河西区", "滨海新区"])]),
    "河北": (4, [("石家庄市", ["长安区", "裕华区"]), ("保定市", ["竞秀区", "莲池区"]), ("唐山市", ["路北区"])]),
    "山西": (2, [("太原市", ["小店区", "迎泽区"]), ("大同市", ["平城区"])]),
    "内蒙古": (1, [("呼和浩特市", ["新城区", "赛罕区"]), ("包头市", ["昆都仑区"])]),
    "辽宁": (3, [("沈阳市", ["和平区", "沈河区", "浑南区"]), ("大连市", ["中山区", "甘井子区"])]),
    "吉林": (1.5, [("长春市", ["朝阳区", "南关区"]), ("吉林市", ["船营区"])]),
    "黑龙江": (2, [("哈尔滨市", ["南岗区", "道里区"]), ("大庆市", ["萨尔图区"])]),
    "上海": (6, [("上海市", ["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区"])]),
    "江苏": (8, [("南京市", ["鼓楼区", "玄武区"]), ("苏州市", ["姑苏区", "吴中区"]), ("无锡市", ["梁溪区"])]),
    "浙江": (8, [("杭州市", ["西湖区", "余杭区", "滨江区"]), ("宁波市", ["鄞州区", "海曙区"]), ("温州市", ["鹿城区"])]),
    "安徽": (3, [("合肥市", ["蜀山区", "包河区"]), ("芜湖市", ["镜湖区"])]),
    "福建": (4, [("福州市", ["鼓楼区", "台江区"]), ("厦门市", ["思明区", "湖里区"]), ("泉州市", ["丰泽区"])]),
    "江西": (2, [("南昌市", ["东湖区", "红谷滩区"]), ("赣州市", ["章贡区"])]),
    "山东": (7, [("济南市", ["历下区", "市中区"]), ("青岛市", ["市南区", "崂山区"]), ("烟台市", ["芝罘区"])]),
    "河南": (5, [("郑州市", ["金水区", "二七区", "中原区"]), ("洛阳市", ["洛龙区"])]),
    "湖北": (4, [("武汉市", ["武昌区", "洪山区", "江汉区"]), ("宜昌市", ["西陵区"])]),
    "湖南": (3.5, [("长沙市", ["岳麓区", "天心区", "雨花区"]), ("株洲市", ["天元区"])]),
    "广东": (12, [("广州市", ["天河区", "越秀区", "海珠区"]), ("深圳市", ["南山区", "福田区", "宝安区"]),
                  ("东莞市", ["南城街道"])]),
    "广西": (2, [("南宁市", ["青秀区", "兴宁区"]), ("桂林市", ["七星区"])]),
    "海南": (1, [("海口市", ["龙华区", "美兰区"]), ("三亚市", ["吉阳区"])]),
    "重庆": (3, [("重庆市", ["渝中区", "江北区", "南岸区", "渝北区"])]),
    "四川": (5, [("成都市", ["武侯区", "锦江区", "高新区"]), ("绵阳市", ["涪城区"])]),
    "贵州": (1.5, [("贵阳市", ["云岩区", "南明区"]), ("遵义市", ["红花岗区"])]),
    "云南": (2, [("昆明市", ["五华区", "盘龙区"]), ("大理白族自治州", ["大理市"])]),
    "西藏": (0.2, [("拉萨市", ["城关区"])]),
    "陕西": (2.5, [("西安市", ["雁塔区", "碑林区", "未央区"]), ("宝鸡市", ["渭滨区"])]),
    "甘肃": (1, [("兰州市", ["城关区", "七里河区"])]),
    "青海": (0.3, [("西宁市", ["城西区", "城东区"])]),
    "宁夏": (0.3, [("银川市", ["兴庆区", "金凤区"])]),
    "新疆": (1, [("乌鲁木齐市", ["天山区", "沙依巴克区"])]),
    "台湾": (0.2, [("台北市", ["大安区", "信义区"])]),
    "香港": (0.3, [("香港", ["九龙城区", "湾仔区"])]),
    "澳门": (0.1, [("澳门", ["花地玛堂区"])]),
}
# fmt: on
FULL_NAME = {short: full for short, full, _spellings in PROVINCES}
assert set(CITIES) == set(FULL_NAME), "every province of inventory.regions has cities here"

# fmt: off
STREETS = ["人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "长江路", "黄河路", "文化路", "胜利路", "青年路",
           "光明路", "朝阳路", "友谊路", "学府路", "科技路", "滨江路", "湖滨路", "创业大道", "世纪大道"]
COMPOUNDS = ["阳光花园", "锦绣家园", "翠湖苑", "金地小区", "万科城", "碧桂园", "保利花园", "龙湖天街", "世纪新城", "幸福里",
             "时代广场", "东方明珠苑"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文辉晓雪梅琳婷浩宇子涵欣怡思雨俊杰"
HANDLES = ["xiaoming", "lily", "happy", "sunny", "tiger", "panda", "moon", "star", "leaf", "river", "cloud", "apple",
           "kevin", "amy", "jack", "lucy", "tom"]
MAIL_DOMAINS = (["qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.com", "foxmail.com"],
                [40, 25, 10, 8, 8, 5, 4])
MOBILE_PREFIXES = [*(f"13{d}" for d in range(10)), *(f"15{d}" for d in "012356789"), "166", "173", "175", "176", "177",
                   "178", *(f"18{d}" for d in range(10)), "191", "198", "199"]
# fmt: on
REMARKS = ["请周末送货", "送给朋友，不要放价格单", "发票抬头：上海某某科技有限公司", "请用顺丰", "放门卫室"]
PROMOTION = "double11"

# code, category, products, price range, variants
# fmt: off
CATEGORIES = [
    ("FZ", "服装", "纯棉T恤 羽绒服 牛仔裤 卫衣 衬衫 连衣裙 羊毛衫 运动裤", (49, 599), ["白色/M", "黑色/L", "灰色/XL", "蓝色/S"]),
    ("XX", "鞋靴", "跑步鞋 帆布鞋 皮鞋 雪地靴 拖鞋", (59, 699), ["38", "40", "42", "44"]),
    ("JJ", "家居", "四件套 乳胶枕 收纳箱 毛巾 香薰 地毯", (19, 899), ["标准", "大号"]),
    ("CJ", "厨具", "不粘锅 保温杯 菜刀 砧板 电饭煲 咖啡杯", (29, 699), ["单件", "套装"]),
    ("SM", "数码配件", "充电宝 数据线 蓝牙耳机 手机壳 键盘 鼠标", (19, 499), ["黑色", "白色"]),
    ("MZ", "美妆个护", "洗面奶 面霜 口红 防晒霜 洗发水", (39, 459), ["50ml", "100ml"]),
    ("SP", "食品", "坚果礼盒 挂耳咖啡 红枣 牛肉干 绿茶 蜂蜜", (9.9, 199), ["250g", "500g", "1kg"]),
    ("MY", "母婴", "纸尿裤 奶瓶 婴儿湿巾 儿童水杯", (29, 299), ["S", "M", "L"]),
    ("YD", "运动户外", "瑜伽垫 登山包 跳绳 哑铃 帐篷", (19, 899), ["标准", "加大"]),
    ("TS", "图书文具", "笔记本 钢笔 绘本 台历", (9.9, 129), ["单本", "套装"]),
]
HIGH_VALUE = [("扫地机器人", "2999.00"), ("笔记本电脑", "6999.00"), ("智能手机", "4999.00"), ("投影仪", "3299.00"),
              ("空气净化器", "2199.00")]
# fmt: on
SOLD_OUT = 5  # the last SKUs of the catalogue have no stock (``--backorder-share`` sends orders to them)


@dataclass(frozen=True)
class Item:
    code: str
    product_code: str
    product: str
    variant: str
    category: str
    price: Decimal
    regional: bool  # also stocked in the two small warehouses (XA, SY)
    kind: str = "normal"  # normal, high, sold_out


def catalogue() -> list[Item]:
    """The 500 SKUs, the same every time: 485 everyday ones, 10 high-value, 5 sold out (no stock)."""
    rng = random.Random(SEED)
    items: list[Item] = []
    n = 0
    while len(items) < 485:
        code, category, names, (low, high), variants = CATEGORIES[n % len(CATEGORIES)]
        names = names.split()
        product = {"product_code": f"P-{code}{n:03d}", "product": names[(n // len(CATEGORIES)) % len(names)]}
        price = max(Decimal(str(round(rng.uniform(low, high)))) - Decimal("0.10"), Decimal("9.90"))
        chosen = rng.sample(variants, k=min(len(variants), rng.choice([1, 2, 2, 3, 4])))
        for v, variant in enumerate(chosen[: 485 - len(items)]):
            regional = rng.random() < 0.4
            items.append(Item(f"{code}{n:03d}-{v + 1:02d}", **product, variant=variant, category=category,
                              price=price, regional=regional))  # fmt: skip
        n += 1
    for i, (name, price) in enumerate(HIGH_VALUE):
        for v, variant in enumerate(["标准版", "旗舰版"]):
            items.append(Item(f"GJ{i:03d}-{v + 1:02d}", f"P-GJ{i:03d}", name, variant, "数码家电",
                              Decimal(price) + 500 * v, regional=True, kind="high"))  # fmt: skip
    for i in range(SOLD_OUT):
        items.append(Item(f"QH{i:03d}-01", f"P-QH{i:03d}", "限量礼盒", "售罄款", "礼品", Decimal("199.00"),
                          regional=False, kind="sold_out"))  # fmt: skip
    return items


@dataclass
class Person:
    name: str
    phone: str
    email: str = ""
    tier: str = "normal"
    language: str = "zh-hans"
    preferred_contact: str = "sms"
    blacklisted: bool = False


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2, 2])))


def _phone(rng: random.Random, taken: set[str]) -> str:
    while True:
        phone = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(100_000_000):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def _email(rng: random.Random, taken: set[str]) -> str:
    while True:
        if rng.random() < 0.4:
            local = str(rng.randrange(10_000_000, 3_000_000_000))
            domain = "qq.com"
        else:
            local = f"{rng.choice(HANDLES)}{rng.choice(['', '_', '.'])}{rng.randrange(1, 99999)}"
            domain = rng.choices(*MAIL_DOMAINS)[0]
        email = f"{local}@{domain}"
        if email not in taken:
            taken.add(email)
            return email


def existing_customers() -> list[Person]:
    """Customers already known before the run (the same every time); the last BLACKLISTED are blacklisted."""
    rng = random.Random(SEED + 1)
    phones: set[str] = set()
    emails: set[str] = set()
    people = []
    for i in range(EXISTING_CUSTOMERS):
        email = _email(rng, emails) if rng.random() < 0.35 else ""
        people.append(
            Person(
                name=_name(rng),
                phone=_phone(rng, phones),
                email=email,
                tier="vip" if rng.random() < 0.03 else "normal",
                language="en" if rng.random() < 0.05 else "zh-hans",
                preferred_contact="email" if email and rng.random() < 0.2 else "sms",
                blacklisted=i >= EXISTING_CUSTOMERS - BLACKLISTED,
            )
        )
    return people


class OrderMaker:
    """Order bodies as a channel sends them (DESIGN.md "Intake API"), varied as described in the docstring."""

    def __init__(
        self, *, seed: int, prefix: str, items: list[Item], existing: list[Person], backorder_share=0.0
    ):
        self.rng = random.Random(seed)
        self.prefix = prefix
        self.n = 0
        self.normal = [i for i in items if i.kind == "normal"]
        ranks = list(range(1, len(self.normal) + 1))
        self.rng.shuffle(ranks)
        self.weights = [r**-0.5 for r in ranks]  # mild best-seller skew: the top 20 SKUs take ~17% of lines
        self.high = [i for i in items if i.kind == "high"]
        self.sold_out = [i for i in items if i.kind == "sold_out"]
        self.backorder_share = backorder_share
        self.existing = [p for p in existing if not p.blacklisted]
        self.rng.shuffle(self.existing)
        self.blacklisted = [p for p in existing if p.blacklisted]
        self.phones = {p.phone for p in existing}
        self.emails = {p.email for p in existing if p.email}
        self.once: list[tuple[Person, dict]] = []  # customers with one order in this run, and its address
        self.twice: list[tuple[Person, dict]] = []
        self.kinds: Counter[str] = Counter()
        self.lines = 0
        self.now = datetime.now(timezone(timedelta(hours=8)))

    def _address(self, person: Person) -> dict:
        rng = self.rng
        shorts = list(CITIES)
        short = rng.choices(shorts, weights=[CITIES[s][0] for s in shorts])[0]
        city, districts = rng.choice(CITIES[short][1])
        street = rng.choice(STREETS)
        style = rng.random()
        if style < 0.6:
            line1 = (
                f"{street}{rng.randrange(1, 999)}号{rng.choice(COMPOUNDS)}{rng.randrange(1, 40)}栋"
                f"{rng.randrange(1, 6)}单元{rng.randrange(1, 33)}{rng.randrange(1, 5):02d}室"
            )
        elif style < 0.85:
            line1 = f"{street}{rng.randrange(1, 999)}号{rng.choice('ABCD')}座{rng.randrange(2, 40)}楼"
        else:
            line1 = f"{street}{rng.randrange(1, 999)}弄{rng.randrange(1, 60)}号{rng.randrange(101, 2204)}室"
        recipient = person
        if rng.random() < 0.15:  # a gift, or the family's other phone
            recipient = Person(name=_name(rng), phone=_phone(rng, self.phones))
        return {
            "name": recipient.name,
            "phone": recipient.phone,
            "province": FULL_NAME[short] if rng.random() < 0.7 else short,
            "city": city,
            "district": rng.choice(districts),
            "line1": line1,
            "postcode": f"{rng.randrange(100000, 860000)}" if rng.random() < 0.6 else "",
            "country": "CN",
        }

    def _new_person(self) -> Person:
        rng = self.rng
        email = _email(rng, self.emails) if rng.random() < 0.35 else ""
        return Person(name=_name(rng), phone=_phone(rng, self.phones), email=email)

    def _buyer(self) -> tuple[str, Person, dict]:
        rng = self.rng
        r = rng.random()
        if r < 0.004 and self.twice:
            person, address = self.twice.pop(rng.randrange(len(self.twice)))
            return "third", person, address
        if r < 0.124 and self.once:
            person, address = self.once.pop(rng.randrange(len(self.once)))
            if rng.random() >= 0.85:
                address = self._address(person)
            self.twice.append((person, address))
            return "second", person, address
        if r < 0.126:
            person = rng.choice(self.blacklisted)
            return "blacklisted", person, self._address(person)
        if r < 0.426 and self.existing:
            person = self.existing.pop()
            kind = "existing"
        else:
            person = self._new_person()
            kind = "new"
        address = self._address(person)
        self.once.append((person, address))
        return kind, person, address

    def _lines(self) -> tuple[list[dict], Decimal, str]:
        rng = self.rng
        count = rng.choices([1, 2, 3], weights=[55, 32, 13])[0]
        chosen: list[Item] = []
        while len(chosen) < count:
            item = rng.choices(self.normal, weights=self.weights)[0]
            if item not in chosen:
                chosen.append(item)
        if rng.random() < 0.006:
            chosen[-1] = rng.choice(self.high)
            self.kinds["high_value"] += 1
        if self.backorder_share and rng.random() < self.backorder_share:
            chosen[0] = rng.choice(self.sold_out)
            self.kinds["sold_out_sku"] += 1
        promotion = PROMOTION if rng.random() < 0.15 else ""
        lines = []
        subtotal = Decimal("0.00")
        for item in chosen:
            price = (item.price * Decimal("0.9")).quantize(Decimal("0.01")) if promotion else item.price
            quantity = 1 if item.kind == "high" else rng.choices([1, 2, 3], weights=[80, 15, 5])[0]
            lines.append({"sku": item.code, "quantity": quantity, "unit_price": str(price)})
            subtotal += price * quantity
        self.lines += len(lines)
        return lines, subtotal, promotion

    def body(self) -> dict:
        rng = self.rng
        self.n += 1
        kind, person, address = self._buyer()
        self.kinds[kind] += 1
        lines, subtotal, promotion = self._lines()
        shipping = Decimal("0.00") if subtotal >= 99 else rng.choice([Decimal("8.00"), Decimal("10.00")])
        discount = Decimal("20.00") if subtotal >= 200 and rng.random() < 0.12 else Decimal("0.00")
        total = subtotal + shipping - discount
        method = rng.choices(["alipay", "wechat", "card", "cod"], weights=[48, 38, 8, 6])[0]
        transaction_id = {
            "alipay": f"2026{rng.randrange(10**23, 10**24)}",
            "wechat": f"4200{rng.randrange(10**23, 10**24)}",
            "card": f"UP{rng.randrange(10**15, 10**16)}",
            "cod": "",
        }[method]
        note = ""
        if rng.random() < 0.015:
            note = rng.choice(REMARKS)
            self.kinds["remark"] += 1
        self.kinds[method] += 1
        placed = self.now - timedelta(seconds=rng.randrange(0, 5400))
        return {
            "external_id": f"{self.prefix}{self.n:07d}",
            "placed_at": placed.isoformat(timespec="seconds"),
            "customer": {"name": person.name, "phone": person.phone, "email": person.email},
            "shipping_address": address,
            "lines": lines,
            "shipping_fee": str(shipping),
            "discount": str(discount),
            "payment": {
                "method": method,
                "status": "paid",
                "amount": str(total),
                "transaction_id": transaction_id,
            },
            "flags": {"urgent": rng.random() < 0.01, "promotion": promotion},
            "note": note,
        }


def load_template() -> None:
    """Load the data into the current database (run by ``manage.py shell`` on TEMPLATE_DB)."""
    from django.db import connection, transaction

    from inventory.models import SKU, Product, StockLevel, StockMovement, Warehouse
    from orders.models import Channel, Customer, OrderRule, Tag
    from orders.rules import ensure_default_rules
    from orders.services import channel_token_create

    items = catalogue()
    with transaction.atomic():
        # The first channel (id 1, as intake_throughput.pgbench_script expects).
        channel = Channel.objects.create(code="tmall", name="天猫旗舰店", kind="marketplace", sla_hours=24)
        rules_added = ensure_default_rules(rule_model=OrderRule, tag_model=Tag)
        warehouses = [
            Warehouse.objects.create(
                code=code,
                name=name,
                province=province,
                city=city,
                regions=regions,
                priority=priority,
                daily_capacity=20_000,
            )
            for code, name, province, city, regions, priority in WAREHOUSES
        ]
        products = {}
        for item in items:
            products.setdefault(
                item.product_code, Product(code=item.product_code, name=item.product, category=item.category)
            )
        Product.objects.bulk_create(products.values())
        skus = SKU.objects.bulk_create(
            [
                SKU(
                    product=products[item.product_code],
                    code=item.code,
                    name=item.variant,
                    price=item.price,
                    barcode=f"69{n:011d}",
                    weight_g=200 + n % 1800,
                    is_high_value=item.kind == "high",
                )
                for n, item in enumerate(items)
            ]
        )
        levels, movements = [], []
        for item, sku in zip(items, skus, strict=True):
            if item.kind == "sold_out":
                continue
            for wh in warehouses[:MAIN_WAREHOUSES] + (warehouses[MAIN_WAREHOUSES:] if item.regional else []):
                levels.append(StockLevel(sku=sku, warehouse=wh, on_hand=STOCK_PER_ROW))
                movements.append(
                    StockMovement(
                        sku=sku,
                        warehouse=wh,
                        kind="receipt",
                        quantity=STOCK_PER_ROW,
                        balance_after=STOCK_PER_ROW,
                        reference="BENCH-E2E",
                    )
                )
        StockLevel.objects.bulk_create(levels, batch_size=2000)
        StockMovement.objects.bulk_create(movements, batch_size=2000)
        Customer.objects.bulk_create(
            [
                Customer(
                    name=p.name,
                    phone=p.phone,
                    email=p.email,
                    tier=p.tier,
                    language=p.language,
                    preferred_contact=p.preferred_contact,
                    is_blacklisted=p.blacklisted,
                    blacklist_reason="多次拒收货到付款订单" if p.blacklisted else "",
                )
                for p in existing_customers()
            ],
            batch_size=5000,
        )
        _token, raw = channel_token_create(channel=channel, name="bench")
    sku_ids = sorted(s.pk for s in skus)
    assert (channel.pk, sku_ids[0], sku_ids[-1], warehouses[0].pk) == (1, 1, len(items), 1), "fresh ids"
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_e2e (key text PRIMARY KEY, value text NOT NULL)")
        cursor.execute("INSERT INTO bench_e2e VALUES ('token', %s)", [raw])
        cursor.execute("SELECT min(id), max(id) FROM orders_customer")
        low, high = cursor.fetchone()
        cursor.execute("INSERT INTO bench_e2e VALUES ('customers', %s)", [f"{low}-{high}"])
    history = load_history(channel)
    print(
        f"  data: {len(warehouses)} warehouses, {len(items)} SKUs, {len(levels)} stock rows, "
        f"{EXISTING_CUSTOMERS} customers, {history} orders of history, "
        f"{OrderRule.objects.filter(is_active=True).count()} active order rules "
        f"(default rules from the migrations; {rules_added} added here)"
    )


def load_history(channel, orders: int = HISTORY_ORDERS) -> int:
    """Orders taken in two months ago, through the batch intake (allocated, their notices marked sent).

    An OMS database is never empty, and the planner must see it so: with the order tables empty at ANALYZE
    time, PostgreSQL plans the foreign-key checks of new rows (a line's order, an allocation's line) as
    sequential scans and keeps those plans while the tables grow; every run then measured scans of its own
    growing tables (PostgreSQL CPU per order doubled from 3,000 to 6,000 orders). A live database is
    analysed by autovacuum within a minute of growing; a benchmark run is over before that.
    """
    from django.db import connection

    from oms.models import OutboxMessage
    from orders.services import orders_intake_batch

    maker = OrderMaker(seed=SEED + 5, prefix="HIST-", items=catalogue(), existing=existing_customers())
    maker.now -= timedelta(days=60)  # outside every risk rule's window: the run's orders are scored as before
    # Without a broker the notices are delivered at once, to the console e-mail backend: not printed here.
    with contextlib.redirect_stdout(io.StringIO()):
        for start in range(0, orders, 100):
            results = orders_intake_batch(channel=channel, bodies=[maker.body() for _ in range(100)])
            assert all(r.created for r in results), [r.errors for r in results if not r.created][:3]
            if start == 500:
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")  # the rest planned as for a live database
    OutboxMessage.objects.filter(status="pending").update(status="sent", sent_at=maker.now)
    return orders
