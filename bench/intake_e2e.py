"""End-to-end intake (issue #18): orders posted to gunicorn, allocated, their notices sent by a real Celery worker.

Run:  .venv/bin/python bench/intake_e2e.py --mode single|batch|both --orders 3000 --clients 4 --runs 3
      [--workers 4] [--worker-class sync|gthread --threads 2] [--celery-pool prefork --celery-concurrency 2]
      [--batch 100] [--pgbench-seconds 15] [--backorder-share 0] [--reuse-data] [--profile]

Data (database ``oms_bench_e2e_tpl``, built once per command, or kept with ``--reuse-data``): migrations
(they install the project's default order rules, ``orders.rules.DEFAULT_RULES``; ``ensure_default_rules`` is
called again and adds none), one channel with an API token, 7 warehouses in several regions (SH, GZ, BJ,
CD, WH serve their regions and stock every SKU; XA and SY stock 40% of them), 500 SKUs of 10 categories
at 9.90–899 (10 of them high-value, 2,199–6,999), 100,000 units per stock row (nothing backorders unless
``--backorder-share`` sends that share of orders a sold-out SKU), 20,000 existing customers (3% VIP, 20
blacklisted). Each order body: a new customer (about 55%), an existing one (30%), a second order of a
customer of this run (12%, same address mostly), a few third orders (0.4%: the same-address and same-phone
rules then hold them), a few blacklisted buyers (0.2%); names, phones, e-mails (35%); an address in one
of the 34 provinces (full or short name) with a city, district and street; 1–3 lines (55/32/13%) of SKUs
with a mild best-seller skew, 15% promotion prices, shipping fee under 99, a coupon on some, 6% cash on
delivery, 1.5% buyer remarks (review), 1% urgent, 0.6% a high-value item. So the rules run on real
facts, and most orders are approved and allocated; the held ones are counted.

Each run (and each mode) gets a fresh copy of that database (``oms_bench_e2e``), then starts gunicorn
(``--workers`` sync workers by default; gthread with ``--worker-class gthread``) and a real Celery worker
(``celery -A oms worker``, prefork, concurrency 2 by default), with DEBUG=0, LOG_LEVEL=WARNING, the cache
and the broker on Redis db 10, and ``OMS_API_RATE`` raised so that the channel throttle (still counted in
Redis) does not refuse the load. A few warm-up orders go first. Then ``--clients`` threads, each with its
own keep-alive connection, post the orders (single: one per request to /api/v1/orders/; batch:
``--batch`` per request to /api/v1/orders/batch/) and the latency of every request is recorded. The
benchmark then polls the database until every order of the run is decided (allocated, backordered, or
held for review: not pending payment, paid or approved) and the outbox has no pending message. Printed:
intake orders/s, end-to-end orders/s (until decided, and until the notices were sent), p50/p95/p99
request latency, the orders' statuses, and the load average with each figure.

pgbench then runs, on the same database and with the same client count, the minimal SQL of the mode
(the ceiling): single = one transaction per order (``single_order_script``); batch = the SQL of one batch
request (``intake_throughput.pgbench_script``, 2 lines per order) followed by the batch allocation's SQL
(``allocation_script``). The ratio is end-to-end orders/s divided by the ceiling.

Statements and commits per order are counted in this process first, on another copy of the data
(``oms_bench_e2e_count``): ~50 orders posted one by one through django.test.Client (every statement
through ``connection.execute_wrapper``, commits from ``CaptureQueriesContext``), 3 batches, then
``orders_allocate_pending()`` (the worker's batch allocation) and ``outbox_deliver`` (the worker's
delivery) run here to count their statements too. ``--profile`` adds a cProfile of single intakes
in this process (py-spy is not installed) and prints the top functions.
"""

from __future__ import annotations

import contextlib
import cProfile
import http.client
import io
import json
import os
import pstats
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import (  # noqa: E402
    SERVER,
    bench_parser,
    database_create,
    database_drop,
    database_exists,
    gunicorn_start,
    http_wait,
    load_text,
    migrate,
    percentile,
    pgbench_run,
    process_stop,
)
from bench.intake_throughput import pgbench_script  # noqa: E402
from inventory.regions import PROVINCES  # noqa: E402 - plain data, no Django needed

TEMPLATE_DB = "oms_bench_e2e_tpl"
RUN_DB = "oms_bench_e2e"
COUNT_DB = "oms_bench_e2e_count"
PORT = 8797
REDIS_DB = 10
REDIS_URL = f"redis://127.0.0.1:6379/{REDIS_DB}"
SEED = 20261121
EXISTING_CUSTOMERS = 20_000
BLACKLISTED = 20
STOCK_PER_ROW = 100_000
MAIN_WAREHOUSES = 5  # ids 1..5 in a fresh database: every SKU is stocked in each
UNDECIDED = ("pending_payment", "paid", "approved")
HELD = ("on_review", "finance_review")

# --- The data ------------------------------------------------------------------------------------------

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
CITIES: dict[str, tuple[float, list[tuple[str, list[str]]]]] = {
    "北京": (5, [("北京市", ["朝阳区", "海淀区", "东城区", "丰台区", "通州区"])]),
    "天津": (2, [("天津市", ["和平区", "南开区", "河西区", "滨海新区"])]),
    "河北": (
        4,
        [("石家庄市", ["长安区", "裕华区"]), ("保定市", ["竞秀区", "莲池区"]), ("唐山市", ["路北区"])],
    ),
    "山西": (2, [("太原市", ["小店区", "迎泽区"]), ("大同市", ["平城区"])]),
    "内蒙古": (1, [("呼和浩特市", ["新城区", "赛罕区"]), ("包头市", ["昆都仑区"])]),
    "辽宁": (3, [("沈阳市", ["和平区", "沈河区", "浑南区"]), ("大连市", ["中山区", "甘井子区"])]),
    "吉林": (1.5, [("长春市", ["朝阳区", "南关区"]), ("吉林市", ["船营区"])]),
    "黑龙江": (2, [("哈尔滨市", ["南岗区", "道里区"]), ("大庆市", ["萨尔图区"])]),
    "上海": (6, [("上海市", ["浦东新区", "徐汇区", "静安区", "闵行区", "杨浦区"])]),
    "江苏": (8, [("南京市", ["鼓楼区", "玄武区"]), ("苏州市", ["姑苏区", "吴中区"]), ("无锡市", ["梁溪区"])]),
    "浙江": (
        8,
        [
            ("杭州市", ["西湖区", "余杭区", "滨江区"]),
            ("宁波市", ["鄞州区", "海曙区"]),
            ("温州市", ["鹿城区"]),
        ],
    ),
    "安徽": (3, [("合肥市", ["蜀山区", "包河区"]), ("芜湖市", ["镜湖区"])]),
    "福建": (4, [("福州市", ["鼓楼区", "台江区"]), ("厦门市", ["思明区", "湖里区"]), ("泉州市", ["丰泽区"])]),
    "江西": (2, [("南昌市", ["东湖区", "红谷滩区"]), ("赣州市", ["章贡区"])]),
    "山东": (7, [("济南市", ["历下区", "市中区"]), ("青岛市", ["市南区", "崂山区"]), ("烟台市", ["芝罘区"])]),
    "河南": (5, [("郑州市", ["金水区", "二七区", "中原区"]), ("洛阳市", ["洛龙区"])]),
    "湖北": (4, [("武汉市", ["武昌区", "洪山区", "江汉区"]), ("宜昌市", ["西陵区"])]),
    "湖南": (3.5, [("长沙市", ["岳麓区", "天心区", "雨花区"]), ("株洲市", ["天元区"])]),
    "广东": (
        12,
        [
            ("广州市", ["天河区", "越秀区", "海珠区"]),
            ("深圳市", ["南山区", "福田区", "宝安区"]),
            ("东莞市", ["南城街道"]),
        ],
    ),
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
FULL_NAME = {short: full for short, full, _spellings in PROVINCES}
assert set(CITIES) == set(FULL_NAME), "every province of inventory.regions has cities here"

STREETS = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "新华路",
    "长江路",
    "黄河路",
    "文化路",
    "胜利路",
    "青年路",
    "光明路",
    "朝阳路",
    "友谊路",
    "学府路",
    "科技路",
    "滨江路",
    "湖滨路",
    "创业大道",
    "世纪大道",
]
COMPOUNDS = [
    "阳光花园",
    "锦绣家园",
    "翠湖苑",
    "金地小区",
    "万科城",
    "碧桂园",
    "保利花园",
    "龙湖天街",
    "世纪新城",
    "幸福里",
    "时代广场",
    "东方明珠苑",
]
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰建国志红文辉晓雪梅琳婷浩宇子涵欣怡思雨俊杰"
HANDLES = [
    "xiaoming",
    "lily",
    "happy",
    "sunny",
    "tiger",
    "panda",
    "moon",
    "star",
    "leaf",
    "river",
    "cloud",
    "apple",
    "kevin",
    "amy",
    "jack",
    "lucy",
    "tom",
]
MAIL_DOMAINS = (
    ["qq.com", "163.com", "126.com", "gmail.com", "outlook.com", "sina.com", "foxmail.com"],
    [40, 25, 10, 8, 8, 5, 4],
)
MOBILE_PREFIXES = [
    *(f"13{d}" for d in range(10)),
    *(f"15{d}" for d in "012356789"),
    "166",
    "173",
    "175",
    "176",
    "177",
    "178",
    *(f"18{d}" for d in range(10)),
    "191",
    "198",
    "199",
]
REMARKS = ["请周末送货", "送给朋友，不要放价格单", "发票抬头：上海某某科技有限公司", "请用顺丰", "放门卫室"]
PROMOTION = "double11"

# code, category, products, price range, variants
CATEGORIES = [
    (
        "FZ",
        "服装",
        "纯棉T恤 羽绒服 牛仔裤 卫衣 衬衫 连衣裙 羊毛衫 运动裤",
        (49, 599),
        ["白色/M", "黑色/L", "灰色/XL", "蓝色/S"],
    ),
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
HIGH_VALUE = [
    ("扫地机器人", "2999.00"),
    ("笔记本电脑", "6999.00"),
    ("智能手机", "4999.00"),
    ("投影仪", "3299.00"),
    ("空气净化器", "2199.00"),
]
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
        name = names[(n // len(CATEGORIES)) % len(names)]
        product_code = f"P-{code}{n:03d}"
        price = Decimal(str(round(rng.uniform(low, high)))) - Decimal("0.10")
        price = max(price, Decimal("9.90"))
        for v, variant in enumerate(rng.sample(variants, k=min(len(variants), rng.choice([1, 2, 2, 3, 4])))):
            if len(items) == 485:
                break
            items.append(
                Item(
                    f"{code}{n:03d}-{v + 1:02d}",
                    product_code,
                    name,
                    variant,
                    category,
                    price,
                    rng.random() < 0.4,
                )
            )
        n += 1
    for i, (name, price) in enumerate(HIGH_VALUE):
        for v, variant in enumerate(["标准版", "旗舰版"]):
            bump = Decimal(str(v * 500))
            items.append(
                Item(
                    f"GJ{i:03d}-{v + 1:02d}",
                    f"P-GJ{i:03d}",
                    name,
                    variant,
                    "数码家电",
                    Decimal(price) + bump,
                    True,
                    "high",
                )
            )
    for i in range(SOLD_OUT):
        items.append(
            Item(
                f"QH{i:03d}-01",
                f"P-QH{i:03d}",
                "限量礼盒",
                "售罄款",
                "礼品",
                Decimal("199.00"),
                False,
                "sold_out",
            )
        )
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
    print(
        f"  data: {len(warehouses)} warehouses, {len(items)} SKUs, {len(levels)} stock rows, "
        f"{EXISTING_CUSTOMERS} customers, {OrderRule.objects.filter(is_active=True).count()} active order rules "
        f"(default rules from the migrations; {rules_added} added here)"
    )


def build_template() -> None:
    started = time.perf_counter()
    url = database_create(TEMPLATE_DB)
    migrate(url)
    env = {**os.environ, "DATABASE_URL": url, "CELERY_BROKER_URL": "", "LOG_LEVEL": "WARNING"}
    code = "from bench.intake_e2e import load_template; load_template()"
    subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code], cwd=ROOT, env=env, check=True
    )
    _sql(url, "VACUUM ANALYZE", autocommit=True)
    print(f"  {TEMPLATE_DB} built in {time.perf_counter() - started:.0f} s")


def _sql(url: str, sql: str, params=None, *, autocommit: bool = True):
    import psycopg

    with psycopg.connect(url, autocommit=autocommit) as conn:
        cursor = conn.execute(sql, params)
        return cursor.fetchall() if cursor.description else None


def bench_setting(url: str, key: str) -> str:
    return _sql(url, "SELECT value FROM bench_e2e WHERE key = %s", [key])[0][0]


# --- Servers -------------------------------------------------------------------------------------------


def server_env(url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "oms.settings",
        "DATABASE_URL": url,
        "DEBUG": "0",
        "LOG_LEVEL": "WARNING",
        "OMS_CACHE_URL": REDIS_URL,
        "CELERY_BROKER_URL": REDIS_URL,
        # The channel throttle stays on (counted in Redis); its default 1,200/min would refuse this load.
        "OMS_API_RATE": "100000000/min",
    }


def redis_flush() -> None:
    subprocess.run(["redis-cli", "-n", str(REDIS_DB), "FLUSHDB"], capture_output=True, check=False)


def celery_start(*, env: dict, pool: str, concurrency: int, name: str, log) -> subprocess.Popen:
    command = [
        str(ROOT / ".venv/bin/celery"),
        "-A",
        "oms",
        "worker",
        "--pool",
        pool,
        "--concurrency",
        str(concurrency),
        "--loglevel",
        "WARNING",
        "-n",
        name,
        "--without-gossip",
        "--without-mingle",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)


def celery_wait(name: str, *, process: subprocess.Popen, timeout: float = 90) -> None:
    """Wait until the worker answers a ping through the broker (it consumes tasks from then on)."""
    from oms.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the Celery worker exited ({process.returncode})")
        if app.control.ping(destination=[name], timeout=0.5):
            return
    raise RuntimeError(f"the Celery worker {name} did not answer within {timeout:.0f} s")


# --- Load ----------------------------------------------------------------------------------------------


def payloads(maker: OrderMaker, *, orders: int, batch: int) -> list[tuple[str, bytes, int]]:
    """(path, JSON body, orders in it) of each request; encoded before the clock starts."""
    if batch <= 1:
        return [("/api/v1/orders/", json.dumps(maker.body()).encode(), 1) for _ in range(orders)]
    out = []
    for start in range(0, orders, batch):
        bodies = [maker.body() for _ in range(min(batch, orders - start))]
        out.append(("/api/v1/orders/batch/", json.dumps({"orders": bodies}).encode(), len(bodies)))
    return out


def post_all(token: str, work: list[tuple[str, bytes, int]], *, clients: int) -> dict:
    """Post every request from ``clients`` threads, each with its own keep-alive connection."""
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    lock = threading.Lock()
    queue = iter(work)
    latencies: list[float] = []
    answers: list[tuple[int, bytes]] = []
    failures: list[str] = []

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=300)
        mine, got = [], []
        try:
            while True:
                with lock:
                    item = next(queue, None)
                if item is None:
                    break
                path, body, _n = item
                t0 = time.perf_counter()
                conn.request("POST", path, body, headers)
                response = conn.getresponse()
                data = response.read()
                mine.append(time.perf_counter() - t0)
                got.append((response.status, data))
        except Exception as exc:  # noqa: BLE001 - reported, the others carry on
            failures.append(f"{type(exc).__name__}: {exc}")
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                answers.extend(got)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    http_codes: Counter[int] = Counter()
    order_codes: Counter[int] = Counter()
    states: Counter[str] = Counter()
    errors: list[str] = []
    for code, data in answers:
        http_codes[code] += 1
        body = json.loads(data) if data[:1] in (b"{", b"[") else {}
        results = (
            body.get("results")
            if isinstance(body, dict) and "results" in body
            else [{"status": code, "order": body}]
        )
        for result in results:
            order_codes[result["status"]] += 1
            if result["status"] in (200, 201):
                states[(result.get("order") or {}).get("status", "?")] += 1
            elif len(errors) < 3:
                errors.append(f"{result['status']}: {json.dumps(result, ensure_ascii=False)[:300]}")
    return {
        "started": started,
        "elapsed": elapsed,
        "latencies": latencies,
        "http": dict(http_codes),
        "orders": dict(order_codes),
        "answered": dict(states),
        "created": order_codes.get(201, 0),
        "errors": errors + failures,
    }


def wait_settled(
    url: str, *, prefix: str, expected: int, started: float, stall: float, deadline: float
) -> dict:
    """Poll until every order of ``prefix`` is decided and the outbox has nothing pending."""
    import psycopg

    decided = drained = None
    last, last_change = None, time.perf_counter()
    stalled = False
    with psycopg.connect(url, autocommit=True) as conn:
        while True:
            statuses = dict(
                conn.execute(
                    "SELECT status, count(*) FROM orders_order WHERE external_id LIKE %s GROUP BY status",
                    [prefix + "%"],
                ).fetchall()
            )
            pending = conn.execute(
                "SELECT count(*) FROM oms_outboxmessage WHERE status = 'pending'"
            ).fetchone()[0]
            now = time.perf_counter()
            if (
                decided is None
                and sum(statuses.values()) >= expected
                and not any(statuses.get(s) for s in UNDECIDED)
            ):
                decided = now
            if decided is not None and pending == 0:
                drained = now
                break
            state = (tuple(sorted(statuses.items())), pending)
            if state != last:
                last, last_change = state, now
            elif now - last_change > stall or now - started > deadline:
                stalled = True
                break
            time.sleep(0.05)
        outbox = dict(
            conn.execute("SELECT status, count(*) FROM oms_outboxmessage GROUP BY status").fetchall()
        )
    return {
        "statuses": statuses,
        "decided_s": decided - started if decided else None,
        "drained_s": drained - started if drained else None,
        "outbox": outbox,
        "outbox_pending": pending,
        "stalled": stalled,
    }


# --- pgbench ceilings ----------------------------------------------------------------------------------


def single_order_script(*, skus: int, customers: tuple[int, int]) -> str:
    """The minimal SQL of one order, one transaction: the idempotent order insert (with its address), 2 lines,
    the stock rows of its 2 SKUs locked (every warehouse, as the planner needs them), the chosen warehouse's
    rows reserved, 2 reservation rows, the outbox row; commit. (No payment, change log, state log or
    line-allocation rows: the issue's definition of the ceiling.)"""
    return f"""\\set n random(1, 2000000000)
\\set cust random({customers[0]}, {customers[1]})
\\set s1 random(1, {skus})
\\set s2 random(1, {skus})
\\set wh random(1, {MAIN_WAREHOUSES})
BEGIN;
WITH a AS (INSERT INTO orders_address (name, phone, province, city, district, line1, postcode, country, customer_id)
  VALUES ('张伟', '13800138000', '广东省', '广州市', '天河区', '天河路100号阳光花园1栋2单元301室', '510000', 'CN', :cust)
  RETURNING id)
INSERT INTO orders_order (number, external_id, source, contact_phone, address_key, province, status, held_from_status,
  hold_reason, cancel_reason, placed_at, paid_at, approved_at, allocated_at, currency, subtotal, shipping_fee, discount,
  coupon_amount, platform_coupon_amount, points_amount, total, is_urgent, promotion, note, priority, priority_reasons,
  risk_score, risk_reasons, review_reasons, needs_finance_review, review_note, allocation_explanation, backorder_info,
  intake_digest, created_at, updated_at, channel_id, customer_id, shipping_address_id)
SELECT 'SO' || to_char(now(), 'YYMMDD') || lpad(nextval('orders_order_number_seq')::text, 4, '0'),
  'PG1-' || :client_id || '-' || :n, 'api', '13800138000', md5(:n::text), '广东', 'allocated', '', '', '',
  now(), now(), now(), now(), 'CNY', 119.80, 0, 0, 0, 0, 0, 119.80, false, '', '', 0, '[]', 0, '[]', '[]', false, '',
  '{{"decision": "single"}}', '{{}}', '{{}}', now(), now(), 1, :cust, a.id FROM a
ON CONFLICT (channel_id, external_id) WHERE NOT external_id = '' DO NOTHING RETURNING id AS order_id \\gset
INSERT INTO orders_orderline (line_no, sku_code, name, quantity, unit_price, line_total, coupon_share, discount_share,
  platform_coupon_share, points_share, net_total, order_id, sku_id)
  VALUES (1, 'SKU', '商品', 1, 59.90, 59.90, 0, 0, 0, 0, 59.90, :order_id, :s1),
         (2, 'SKU', '商品', 1, 59.90, 59.90, 0, 0, 0, 0, 59.90, :order_id, :s2);
SELECT id, on_hand, reserved FROM inventory_stocklevel WHERE sku_id IN (:s1, :s2) ORDER BY sku_id, warehouse_id FOR UPDATE;
UPDATE inventory_stocklevel SET reserved = reserved + 1, updated_at = now() WHERE sku_id IN (:s1, :s2) AND warehouse_id = :wh;
INSERT INTO inventory_reservation (quantity, demand_ref, status, created_at, sku_id, warehouse_id, closed_reason)
  VALUES (1, 'order-line:' || :order_id || '-1', 'active', now(), :s1, :wh, ''),
         (1, 'order-line:' || :order_id || '-2', 'active', now(), :s2, :wh, '');
INSERT INTO oms_outboxmessage (created_at, channel, recipient, subject, body, language, event, dedupe_key, status,
  attempts, last_error)
  VALUES (now(), 'sms', '13800138000', '', '您的订单已付款，我们会尽快发货。', 'zh-hans', 'order.paid',
          'order:' || :order_id || ':paid', 'pending', 0, '');
COMMIT;
"""


def allocation_script() -> str:
    """The batch allocation's SQL for the batch that ``pgbench_script`` just wrote (its ids in ``:orders``),
    one transaction: lock the orders, read their lines, lock every stock row of their SKUs, reserve in one
    warehouse (one UPDATE), insert reservations and line allocations, mark the orders allocated (one UPDATE),
    their state-log rows; commit."""
    lines = "SELECT id FROM orders_orderline WHERE order_id = ANY(:orders)"
    return f"""\\set wh random(1, {MAIN_WAREHOUSES})
BEGIN;
SELECT id, status, province, priority FROM orders_order WHERE id = ANY(:orders)
  AND status IN ('approved', 'backordered') ORDER BY id FOR UPDATE OF orders_order;
SELECT id, order_id, sku_id, quantity, line_no FROM orders_orderline WHERE order_id = ANY(:orders) ORDER BY order_id, line_no;
SELECT id, on_hand, reserved FROM inventory_stocklevel
  WHERE sku_id IN (SELECT sku_id FROM orders_orderline WHERE order_id = ANY(:orders))
  ORDER BY sku_id, warehouse_id FOR UPDATE;
UPDATE inventory_stocklevel s SET reserved = s.reserved + v.q, updated_at = now()
  FROM (SELECT sku_id, sum(quantity) AS q FROM orders_orderline WHERE order_id = ANY(:orders) GROUP BY sku_id) v
  WHERE s.sku_id = v.sku_id AND s.warehouse_id = :wh;
WITH r AS (INSERT INTO inventory_reservation (quantity, demand_ref, status, created_at, sku_id, warehouse_id, closed_reason)
  SELECT quantity, 'order-line:' || id, 'active', now(), sku_id, :wh, '' FROM orders_orderline
  WHERE id IN ({lines}) RETURNING id, demand_ref, quantity, warehouse_id)
INSERT INTO orders_orderlineallocation (quantity, reservation_id, demand_ref, created_at, line_id, warehouse_id)
  SELECT quantity, id, demand_ref, now(), substr(demand_ref, 12)::bigint, warehouse_id FROM r;
UPDATE orders_order SET status = 'allocated', allocation_explanation = '{{"decision": "single"}}', backorder_info = '{{}}',
  allocated_at = now(), updated_at = now() WHERE id = ANY(:orders);
INSERT INTO django_fsm_log_statelog (timestamp, source_state, state, transition, object_id, by_id, content_type_id, description)
  SELECT now(), 'approved', 'allocated', 'allocate', o, NULL, ct.id, NULL
  FROM django_content_type ct, unnest(:orders) o WHERE ct.app_label = 'orders' AND ct.model = 'order';
COMMIT;
"""


def ceiling_script(mode: str, *, batch: int, url: str) -> tuple[str, int]:
    """(pgbench script, orders per script run) of the mode's ceiling."""
    skus = len(catalogue())
    if mode == "single":
        low, high = (int(x) for x in bench_setting(url, "customers").split("-"))
        return single_order_script(skus=skus, customers=(low, high)), 1
    codes = tuple(item.code for item in catalogue()[:3])
    return pgbench_script(batch, skus=skus, lines=2, sku_codes=codes) + allocation_script(), batch


# --- Statements per order, in this process -------------------------------------------------------------


def django_setup(url: str) -> None:
    os.environ.update(server_env(url))
    import django

    # WhiteNoise warns once that collectstatic has not run: the API needs no static files.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()


def _measured(fn):
    """(fn's result, statements, commits): every statement through the cursor (savepoints included), and
    the COMMITs Django logs with a forced debug cursor."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench._common import QueryCounter

    counter = QueryCounter()
    with connection.execute_wrapper(counter), CaptureQueriesContext(connection) as captured:
        result = fn()
    commits = sum(1 for q in captured.captured_queries if q["sql"] == "COMMIT")
    return result, counter.n, commits


def count_statements(token: str, *, mode: str, batch: int, orders: int, items, existing, seed: int) -> dict:
    """Statements and commits of each unit of work, in this process: a request (one order, or a batch), the
    worker's batch allocation (batch mode), one notice's delivery. Each entry: the per-unit counts and how many
    orders a unit carries."""
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    maker = OrderMaker(seed=seed, prefix=f"CNT-{mode[0].upper()}-", items=items, existing=existing)

    def post(path: str, data: dict):
        return client.post(path, data=json.dumps(data), content_type="application/json")

    out: dict = {}
    if mode == "single":
        for _ in range(5):  # warm-up: caches, content types, the token
            post("/api/v1/orders/", maker.body())
        statements, commits, states = [], [], Counter()
        for _ in range(orders):
            response, n, c = _measured(lambda: post("/api/v1/orders/", maker.body()))
            assert response.status_code == 201, response.content[:500]
            statements.append(n)
            commits.append(c)
            states[response.json()["status"]] += 1
        out["intake"] = {"statements": statements, "commits": commits, "orders": 1, "states": dict(states)}
    else:
        post("/api/v1/orders/batch/", {"orders": [maker.body() for _ in range(10)]})
        statements, commits, states = [], [], Counter()
        for _ in range(3):
            response, n, c = _measured(
                lambda: post("/api/v1/orders/batch/", {"orders": [maker.body() for _ in range(batch)]})
            )
            results = response.json()["results"]
            assert response.status_code == 200 and all(r["status"] == 201 for r in results), results[:3]
            statements.append(n)
            commits.append(c)
            states.update(r["order"]["status"] for r in results)
        out["intake"] = {
            "statements": statements,
            "commits": commits,
            "orders": batch,
            "states": dict(states),
        }
        from orders.services.allocation import orders_allocate_pending

        result, n, c = _measured(lambda: orders_allocate_pending(limit=500, batch_size=100))
        decided = result["allocated"] + result["backordered"]
        out["allocation"] = {"statements": [n], "commits": [c], "orders": max(decided, 1), "states": result}
    from oms.models import OutboxMessage
    from oms.notifications import outbox_deliver

    ids = list(
        OutboxMessage.objects.filter(status="pending").order_by("pk").values_list("pk", flat=True)[:100]
    )
    statements, commits = [], []
    for message_id in ids:
        _r, n, c = _measured(lambda message_id=message_id: outbox_deliver(message_id=message_id))
        statements.append(n)
        commits.append(c)
    out["notice"] = {"statements": statements or [0], "commits": commits or [0], "orders": 1, "states": {}}
    return out


def per_order(entry: dict) -> tuple[float, float]:
    """(statements, commits) per order of a ``count_statements`` entry (medians over its units)."""
    return (
        statistics.median(entry["statements"]) / entry["orders"],
        statistics.median(entry["commits"]) / entry["orders"],
    )


def profile_single(token: str, *, orders: int, items, existing, seed: int) -> None:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Token {token}")
    maker = OrderMaker(seed=seed, prefix="PRF-", items=items, existing=existing)
    bodies = [json.dumps(maker.body()) for _ in range(orders + 5)]
    for body in bodies[:5]:
        client.post("/api/v1/orders/", data=body, content_type="application/json")
    from django.db import connection

    from bench._common import QueryCounter

    counter = QueryCounter()
    profiler = cProfile.Profile()
    started = time.perf_counter()
    with connection.execute_wrapper(counter), contextlib.redirect_stdout(io.StringIO()):
        profiler.enable()
        for body in bodies[5:]:
            client.post("/api/v1/orders/", data=body, content_type="application/json")
        profiler.disable()
    elapsed = time.perf_counter() - started
    print(
        f"\ncProfile of {orders} single intakes in this process (django.test.Client; py-spy is not installed): "
        f"{elapsed / orders * 1000:.1f} ms per order under the profiler, {counter.db / orders * 1000:.1f} ms of "
        f"it in {counter.n / orders:.1f} statements  [{load_text()}]"
    )
    project = rf"^{ROOT}/(?!\.venv)"  # the project's own code, not the libraries
    for key, restriction, what in (("tottime", (), "all code"), ("cumulative", (project,), "project code")):
        buffer = io.StringIO()
        pstats.Stats(profiler, stream=buffer).sort_stats(key).print_stats(*restriction, 10)
        text = buffer.getvalue()
        print(f"top 10 by {key} ({what}):")
        print(text[text.index("   ncalls") :].rstrip() if "   ncalls" in text else text)


# --- One run -------------------------------------------------------------------------------------------


def run_once(mode: str, run: int, args, token: str, items, existing) -> dict:
    url = database_create(RUN_DB, template=TEMPLATE_DB)
    redis_flush()
    env = server_env(url)
    batch = args.batch if mode == "batch" else 1
    name = f"e2e{os.getpid()}@{socket.gethostname()}"
    log_path = Path(tempfile.gettempdir()) / f"oms_bench_e2e_{mode}_{run}.log"
    server = worker = None
    with open(log_path, "w") as log:
        try:
            server = gunicorn_start(
                port=PORT,
                env=env,
                workers=args.workers,
                worker_class=args.worker_class,
                threads=args.threads,
                log=log,
            )
            worker = celery_start(
                env=env, pool=args.celery_pool, concurrency=args.celery_concurrency, name=name, log=log
            )
            http_wait(PORT, process=server)
            celery_wait(name, process=worker)
            warm = OrderMaker(
                seed=SEED + 100 + run,
                prefix=f"WARM-{mode[0].upper()}{run}-",
                items=items,
                existing=existing,
                backorder_share=args.backorder_share,
            )
            warm_load = post_all(
                token,
                payloads(warm, orders=args.clients * (5 if batch == 1 else 10), batch=min(batch, 10)),
                clients=args.clients,
            )
            wait_settled(
                url,
                prefix=warm.prefix,
                expected=warm_load["created"],
                started=time.perf_counter(),
                stall=args.stall,
                deadline=args.deadline,
            )
            maker = OrderMaker(
                seed=SEED + 1000 * run + len(mode),
                prefix=f"E2E-{mode[0].upper()}{run}-",
                items=items,
                existing=existing,
                backorder_share=args.backorder_share,
            )
            work = payloads(maker, orders=args.orders, batch=batch)
            load = post_all(token, work, clients=args.clients)
            load["load_intake"] = load_text()
            settled = wait_settled(
                url,
                prefix=maker.prefix,
                expected=load["created"],
                started=load["started"],
                stall=args.stall,
                deadline=args.deadline,
            )
            settled["load"] = load_text()
        finally:
            process_stop(worker)
            process_stop(server)
            redis_flush()
    script, per = ceiling_script(mode, batch=args.batch, url=url)
    ceiling = pgbench_run(
        script, url=url, clients=args.clients, seconds=args.pgbench_seconds, per_transaction=per
    )
    ceiling["load"] = load_text()
    result = {
        "mode": mode,
        "run": run,
        "load": load,
        "settled": settled,
        "ceiling": ceiling,
        "log": str(log_path),
        "kinds": dict(maker.kinds),
        "lines_per_order": maker.lines / max(maker.n, 1),
    }
    report_run(result, args)
    return result


def _rates(result: dict) -> dict:
    load, settled = result["load"], result["settled"]
    created = load["created"]
    out = {
        "intake": created / load["elapsed"] if load["elapsed"] else 0.0,
        "allocated": created / settled["decided_s"] if settled["decided_s"] else None,
        "sent": created / settled["drained_s"] if settled["drained_s"] else None,
        "p50": percentile(load["latencies"], 50) * 1000,
        "p95": percentile(load["latencies"], 95) * 1000,
        "p99": percentile(load["latencies"], 99) * 1000,
        "ceiling": result["ceiling"]["orders_per_s"],
    }
    out["ratio"] = out["allocated"] / out["ceiling"] if out["allocated"] else None
    out["ratio_sent"] = out["sent"] / out["ceiling"] if out["sent"] else None
    return out


def _fmt(value, spec: str = ".0f") -> str:
    return "—" if value is None else format(value, spec)


def report_run(result: dict, args) -> None:
    mode, load, settled, ceiling = result["mode"], result["load"], result["settled"], result["ceiling"]
    r = _rates(result)
    unit = "order" if mode == "single" else f"batch of {args.batch}"
    statuses = settled["statuses"]
    held = sum(statuses.get(s, 0) for s in HELD)
    print(
        f"\n{mode} run {result['run']}: {load['created']} orders created ({load['orders']}), HTTP {load['http']}, "
        f"{result['lines_per_order']:.2f} lines/order; mix {dict(sorted(result['kinds'].items()))}"
    )
    print(
        f"  intake      {r['intake']:7.1f} orders/s ({load['elapsed']:.2f} s); latency per {unit}: p50 "
        f"{r['p50']:.1f} ms, p95 {r['p95']:.1f} ms, p99 {r['p99']:.1f} ms  [{load['load_intake']}]"
    )
    print(
        f"  allocated   {_fmt(r['allocated'], '7.1f')} orders/s end-to-end ({_fmt(settled['decided_s'], '.2f')} s "
        "from the first request until every order is allocated, backordered or held; notices queued)"
    )
    print(
        f"  notices     {_fmt(r['sent'], '7.1f')} orders/s with the notices sent ({_fmt(settled['drained_s'], '.2f')} s "
        f"until the outbox had nothing pending)  [{settled['load']}]"
    )
    print(
        f"  statuses    {dict(sorted(statuses.items()))}: {held} held for review; outbox {settled['outbox']}"
    )
    if settled["stalled"]:
        print(
            f"  STALLED: nothing changed for {args.stall:.0f} s (or the {args.deadline:.0f} s deadline passed); "
            f"{settled['outbox_pending']} outbox messages pending; no beat runs here to sweep. Log: {result['log']}"
        )
    if load["errors"]:
        print(f"  errors: {load['errors']}")
    print(
        f"  ceiling     {ceiling['orders_per_s']:7.1f} orders/s pgbench ({args.clients} clients, "
        f"{args.pgbench_seconds} s, {ceiling['tps']:.1f} tps, {ceiling['latency_ms']} ms avg)  [{ceiling['load']}]"
    )
    print(
        f"  ratio       allocated/ceiling {_fmt(r['ratio'], '.2f')} (notices sent/ceiling "
        f"{_fmt(r['ratio_sent'], '.2f')})"
    )


def _median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def report_counts(mode: str, counts: dict, batch: int) -> None:
    print(f"\nstatements and commits, {mode}: counted in this process (medians) [{load_text()}]")
    names = {
        "intake": "intake request (POST /api/v1/orders/)"
        if mode == "single"
        else f"intake request (POST /api/v1/orders/batch/, {batch} orders)",
        "allocation": "the worker's allocation (orders_allocate_pending)",
        "notice": "one notice delivered (outbox_deliver, as the worker does)",
    }
    total = [0.0, 0.0]
    for key, name in names.items():
        entry = counts.get(key)
        if entry is None:
            continue
        statements, commits = entry["statements"], entry["commits"]
        n, c = per_order(entry)
        total[0] += n
        total[1] += c
        spread = f" (min {min(statements)}, max {max(statements)})" if len(statements) > 1 else ""
        each = f"; {n:.2f} statements, {c:.3f} commits per order" if entry["orders"] > 1 else ""
        print(
            f"  {name}: {statistics.median(statements):.0f} statements{spread}, "
            f"{statistics.median(commits):.0f} commits{each}  {entry['states'] or ''}"
        )
    print(f"  per order, end to end: {total[0]:.2f} statements, {total[1]:.2f} commits")


def summary(results: dict[str, list[dict]], counts: dict, args) -> None:
    print(
        f"\n=== median of {args.runs} run(s), {args.orders} orders each, {args.clients} clients, gunicorn "
        f"{args.workers} {args.worker_class} workers, Celery {args.celery_pool}×{args.celery_concurrency} "
        f"[{load_text()}] ==="
    )
    for mode, runs in results.items():
        if not runs:
            continue
        rates = [_rates(r) for r in runs]
        med = {key: _median([r[key] for r in rates]) for key in rates[0]}
        print(
            f"{mode:6}: intake {med['intake']:.1f} orders/s, allocated {_fmt(med['allocated'], '.1f')}, notices "
            f"sent {_fmt(med['sent'], '.1f')}; p50 {med['p50']:.1f} ms, p95 {med['p95']:.1f} ms, p99 "
            f"{med['p99']:.1f} ms; ceiling {med['ceiling']:.1f} orders/s; ratio {_fmt(med['ratio'], '.2f')}"
        )
        print(
            "        runs (intake/allocated/sent orders/s, p95, ceiling): "
            + "; ".join(
                f"{r['intake']:.0f}/{_fmt(r['allocated'])}/{_fmt(r['sent'])}, {r['p95']:.0f} ms, {r['ceiling']:.0f}"
                for r in rates
            )
        )
        statements, commits = per_order(counts[mode]["intake"])
        if mode == "single":
            print(
                f"        goals: ≥ 120 orders/s: {med['intake']:.1f} {'ok' if med['intake'] >= 120 else 'NOT MET'}; "
                f"≤ 12 statements: {statements:.0f} {'ok' if statements <= 12 else 'NOT MET'}; 1 commit: "
                f"{commits:.0f} {'ok' if commits <= 1 else 'NOT MET'}; p95 < 60 ms: {med['p95']:.1f} "
                f"{'ok' if med['p95'] < 60 else 'NOT MET'}"
            )
        else:
            ratio = med["ratio"]
            verdict = "ok" if ratio is not None and ratio >= 0.4 else "NOT MET"
            print(f"        goal: allocated end-to-end ≥ 0.4 × ceiling: {_fmt(ratio, '.2f')} {verdict}")


def main() -> None:
    parser = bench_parser(__doc__)
    parser.add_argument("--mode", choices=["single", "batch", "both"], default="both")
    parser.add_argument("--orders", type=int, default=3000, help="orders per run and mode")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers")
    parser.add_argument("--worker-class", choices=["sync", "gthread"], default="sync")
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--celery-pool", default="prefork")
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--pgbench-seconds", type=int, default=15)
    parser.add_argument("--count-orders", type=int, default=50, help="single orders counted in-process")
    parser.add_argument(
        "--backorder-share", type=float, default=0.0, help="share of orders with a sold-out SKU"
    )
    parser.add_argument(
        "--stall", type=float, default=30, help="give up waiting after this long without progress"
    )
    parser.add_argument("--deadline", type=float, default=600, help="give up waiting after this long")
    parser.add_argument("--reuse-data", action="store_true", help=f"keep {TEMPLATE_DB} if it exists")
    parser.add_argument("--profile", action="store_true", help="cProfile of single intakes in this process")
    parser.add_argument("--profile-orders", type=int, default=200)
    args = parser.parse_args()
    modes = ["single", "batch"] if args.mode == "both" else [args.mode]

    print(f"intake_e2e: {', '.join(modes)}; {os.cpu_count()} cores [{load_text()}]")
    if not (args.reuse_data and database_exists(TEMPLATE_DB)):
        build_template()
    template_url = f"{SERVER}/{TEMPLATE_DB}"
    token = bench_setting(template_url, "token")
    items, existing = catalogue(), existing_customers()

    redis_flush()
    count_url = database_create(COUNT_DB, template=TEMPLATE_DB)
    django_setup(count_url)
    from django.db import connection

    counts = {}
    try:
        for mode in modes:
            with contextlib.redirect_stdout(io.StringIO()):  # the console e-mail backend prints the notices
                counts[mode] = count_statements(
                    token,
                    mode=mode,
                    batch=args.batch,
                    orders=args.count_orders,
                    items=items,
                    existing=existing,
                    seed=SEED + 7 + len(mode),
                )
            report_counts(mode, counts[mode], args.batch)
        if args.profile:
            profile_single(token, orders=args.profile_orders, items=items, existing=existing, seed=SEED + 9)
    finally:
        connection.close()
        redis_flush()
        database_drop(COUNT_DB)

    results: dict[str, list[dict]] = {mode: [] for mode in modes}
    try:
        for run in range(1, args.runs + 1):
            for mode in modes:
                results[mode].append(run_once(mode, run, args, token, items, existing))
    finally:
        redis_flush()
    summary(results, counts, args)


if __name__ == "__main__":
    main()
