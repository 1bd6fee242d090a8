"""Province and city names normalised to one spelling: 广东省 = 广东 = Guangdong = guangdong → 广东.

Warehouse regions, carrier coverage and rate rows, and order addresses spell the same place in several ways
(with or without 省 / 市 / 自治区, in Chinese or in pinyin). Every comparison of places goes through
``normalise_region`` on both sides; stored values are normalised by the data migrations of the apps that
store them. Lives in inventory, the lowest app that compares places (warehouse regions).
"""

from __future__ import annotations

import re
from functools import lru_cache

# The 34 provincial-level divisions: canonical short name, full name, pinyin (and English) spellings.
PROVINCES: list[tuple[str, str, tuple[str, ...]]] = [
    ("北京", "北京市", ("beijing", "peking")),
    ("天津", "天津市", ("tianjin",)),
    ("河北", "河北省", ("hebei",)),
    ("山西", "山西省", ("shanxi",)),
    ("内蒙古", "内蒙古自治区", ("neimenggu", "neimongol", "innermongolia")),
    ("辽宁", "辽宁省", ("liaoning",)),
    ("吉林", "吉林省", ("jilin",)),
    ("黑龙江", "黑龙江省", ("heilongjiang",)),
    ("上海", "上海市", ("shanghai",)),
    ("江苏", "江苏省", ("jiangsu",)),
    ("浙江", "浙江省", ("zhejiang",)),
    ("安徽", "安徽省", ("anhui",)),
    ("福建", "福建省", ("fujian",)),
    ("江西", "江西省", ("jiangxi",)),
    ("山东", "山东省", ("shandong",)),
    ("河南", "河南省", ("henan",)),
    ("湖北", "湖北省", ("hubei",)),
    ("湖南", "湖南省", ("hunan",)),
    ("广东", "广东省", ("guangdong",)),
    ("广西", "广西壮族自治区", ("guangxi",)),
    ("海南", "海南省", ("hainan",)),
    ("重庆", "重庆市", ("chongqing",)),
    ("四川", "四川省", ("sichuan",)),
    ("贵州", "贵州省", ("guizhou",)),
    ("云南", "云南省", ("yunnan",)),
    ("西藏", "西藏自治区", ("xizang", "tibet")),
    ("陕西", "陕西省", ("shaanxi",)),
    ("甘肃", "甘肃省", ("gansu",)),
    ("青海", "青海省", ("qinghai",)),
    ("宁夏", "宁夏回族自治区", ("ningxia",)),
    ("新疆", "新疆维吾尔自治区", ("xinjiang",)),
    ("台湾", "台湾省", ("taiwan",)),
    ("香港", "香港特别行政区", ("xianggang", "hongkong")),
    ("澳门", "澳门特别行政区", ("aomen", "macau", "macao")),
]

# Suffixes dropped before looking a name up (longest first).
_CHINESE_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "省", "市")
_ASCII_SUFFIXES = (
    "specialadministrativeregion",
    "autonomousregion",
    "municipality",
    "tebiexingzhengqu",
    "zizhiqu",
    "province",
    "sheng",
    "city",
    "shi",
    "sar",
)
_NOT_LETTERS = re.compile(r"[\s\-_'’.·,]+")


def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for short, full, spellings in PROVINCES:
        table[short] = short
        table[full] = short
        for spelling in spellings:
            table[spelling] = short
    return table


_TABLE = _lookup()


def _strip_suffix(text: str, suffixes: tuple[str, ...]) -> str:
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


@lru_cache(maxsize=4096)
def normalise_region(name: str | None) -> str:
    """One spelling for a province (its short Chinese name) or a city (without 市 / "city").

    Unknown names come back trimmed (Chinese without a trailing 市, pinyin lower-case without spaces), so
    two spellings of the same unknown city still compare equal. Empty stays empty.
    """
    text = (name or "").strip()
    if not text:
        return ""
    if text in _TABLE:
        return _TABLE[text]
    if text.isascii():
        key = _NOT_LETTERS.sub("", text.lower())
        if key in _TABLE:
            return _TABLE[key]
        key = _strip_suffix(key, _ASCII_SUFFIXES)
        return _TABLE.get(key, key)
    key = _strip_suffix(text, _CHINESE_SUFFIXES)
    return _TABLE.get(key, key)


def normalise_regions(names) -> list[str]:
    """Each name normalised, duplicates dropped, first spelling's order kept."""
    try:
        return list(_normalised_regions(tuple(names or ())))
    except TypeError:  # something unhashable in the list: normalised afresh
        return list(_normalise_all(names or ()))


@lru_cache(maxsize=4096)
def _normalised_regions(names: tuple) -> tuple[str, ...]:
    # Allocation compares every order's province with every warehouse's regions: the same few lists.
    return _normalise_all(names)


def _normalise_all(names) -> tuple[str, ...]:
    out: list[str] = []
    for name in names:
        value = normalise_region(name)
        if value and value not in out:
            out.append(value)
    return tuple(out)


def same_region(a: str | None, b: str | None) -> bool:
    return bool(a and b) and normalise_region(a) == normalise_region(b)
