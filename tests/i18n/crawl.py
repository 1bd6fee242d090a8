"""A crawler for the leak tests: visible text of every page a role reaches, compared with the catalogue.

Pages are found, not listed: the role's navigation, then every same-site link (and the result of a few
posted actions), a few pages per URL pattern. A zh-hans page must show no English UI text (a word of the
catalogue's msgids outside data such as codes, e-mails and upper-case abbreviations); an en page no Chinese
UI text (a msgstr of the catalogue).
"""

from __future__ import annotations

import re
import time
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import polib
from django.urls import Resolver404, resolve

PO = Path(__file__).resolve().parents[2] / "locale/zh_Hans/LC_MESSAGES/django.po"

# Never crawled: leaving the session, Django's own admin, machine endpoints, downloads.
SKIP_PREFIXES = ("/logout/", "/admin/", "/api/", "/static/", "/media/", "/language/", "/healthz/", "/favicon")
SKIP_URL_NAMES = re.compile(r"(export|download|csv|xlsx|pdf|print|label|bad-rows|template|reveal)", re.I)
PER_PATTERN = 2  # pages visited per URL pattern (two orders, two parcels, ...)

WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]")
CJK = re.compile(r"[\u3400-\u9fff]")
# Data, not UI text: e-mails, URLs, codes with digits or dashes (SKU-0001, WH-SH, order-line:12), file names.
DATA = re.compile(
    r"\S+@\S+|https?://\S+|\b[\w.]*\d[\w.:/-]*\b|\b\w+[-_:/.]\w[\w:/.-]*\b|\b[A-Z][A-Z0-9]{1,6}\b",
)
# Words that are data in the demo and test records (brands, channel and carrier names), image formats, and
# the language switcher's "English" (each language is named in its own language). Content marked
# ``translate="no"`` (user names) is data too and not collected.
DATA_WORDS = {
    *("tmall", "jd", "douyin", "pinduoduo", "taobao", "sf", "zto", "yto", "sto", "yunda", "ems", "express"),
    *("jpeg", "png", "webp", "gif", "english"),
    # Platform and protocol names, written the same in Chinese screens (Shopify's own Chinese UI does too).
    *("shopify", "woocommerce", "webhook"),
}


def catalogue() -> tuple[set[str], set[str]]:
    """(English UI words, Chinese UI texts) of the catalogue: the words of the msgids (3 letters or more), and
    the runs of Chinese of the msgstrs (2 characters or more)."""
    words: set[str] = set()
    texts: set[str] = set()
    for entry in polib.pofile(str(PO)):
        if entry.obsolete:
            continue
        plain = re.sub(r"%\(\w+\)[sd]|%[sd]|\{[^}]*\}|<[^>]+>", " ", entry.msgid)
        words.update(w.lower() for w in WORD.findall(plain) if len(w) >= 3)
        for msgstr in [entry.msgstr, *entry.msgstr_plural.values()]:
            # A run the msgid has too is an example (a province in a help text), not UI text.
            texts.update(r for r in CJK_RUN.findall(msgstr or "") if len(r) >= 2 and r not in entry.msgid)
    return words - DATA_WORDS, texts


class _Text(HTMLParser):
    """Visible text nodes, placeholders and titles; and the page's links and forms.

    Not UI text, so not collected: scripts and styles; literal machine text (``<code>``, ``<kbd>``, ``<samp>``,
    ``<pre>``: file columns, API fields); content marked as written in another language (``lang="en"`` on a
    message sent to an English-speaking customer).
    """

    LITERAL = ("script", "style", "template", "code", "kbd", "samp", "pre")

    def __init__(self, language: str = "") -> None:
        super().__init__(convert_charrefs=True)
        self.language = language[:2]
        self._other = []  # open elements marked with another language
        self.texts: list[str] = []
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag in self.LITERAL:
            self._skip += 1
        lang = (a.get("lang") or "").lower()
        if self._other and tag == self._other[-1][0]:
            self._other[-1][1] += 1
        elif a.get("translate") == "no" or (lang and self.language and not lang.startswith(self.language)):
            self._other.append([tag, 1])
            self._skip += 1
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        for name in ("placeholder", "title", "aria-label"):
            if a.get(name):
                self.texts.append(a[name])
        if tag == "form":
            self.forms.append(
                {"action": a.get("action") or "", "method": (a.get("method") or "get").lower(), "fields": []}
            )
        elif tag in ("input", "textarea", "select") and self.forms and a.get("name"):
            self.forms[-1]["fields"].append((tag, a))

    def handle_endtag(self, tag):
        if tag in self.LITERAL and self._skip:
            self._skip -= 1
        if self._other and tag == self._other[-1][0]:
            self._other[-1][1] -= 1
            if not self._other[-1][1]:
                self._other.pop()
                self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.texts.append(" ".join(data.split()))


def parse(html: str, language: str = "") -> _Text:
    parser = _Text(language)
    parser.feed(html)
    return parser


def english_in(text: str, words: set[str]) -> list[str]:
    """The catalogue's English words in a text node, once data (codes, e-mails, abbreviations) is removed."""
    rest = DATA.sub(" ", text)
    return [w for w in WORD.findall(rest) if w.lower() in words and w.lower() not in DATA_WORDS]


CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
# Demo records whose text happens to be a catalogue translation too (what a customer wrote, a channel name).
CHINESE_DATA = {"物流延误", "七天无理由", "电话订购", "草稿", "已审核", "官网商城", "客户来电"}


def chinese_in(text: str, texts: set[str]) -> list[str]:
    """The runs of Chinese in a text node that are, whole, Chinese UI texts of the catalogue."""
    return [run for run in CJK_RUN.findall(text) if run in texts and run not in CHINESE_DATA]


@dataclass
class Leak:
    role: str
    language: str
    url: str
    text: str
    found: list[str]

    def __str__(self) -> str:
        return f"[{self.language} · {self.role}] {self.url}: {self.found} in “{self.text[:160]}”"


@dataclass
class Crawl:
    client: object
    role: str
    language: str
    check: object  # text -> list of offending pieces
    seen: set[str] = field(default_factory=set)
    per_pattern: dict[str, int] = field(default_factory=dict)
    leaks: list[Leak] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    pages: int = 0
    timings: list = field(default_factory=list)
    limit_per_pattern: int = PER_PATTERN

    def wanted(self, url: str, *, always: bool = False) -> str | None:
        """The path to visit for a link, or None (elsewhere, skipped, or enough of its pattern)."""
        parts = urlsplit(url)
        if parts.scheme not in ("", "http", "https") or (parts.netloc and parts.netloc != "testserver"):
            return None
        path = parts.path
        if not path.startswith("/") or path.startswith(SKIP_PREFIXES) or path in self.seen:
            return None
        try:
            match = resolve(path)
        except Resolver404:
            return None
        if SKIP_URL_NAMES.search(match.url_name or "") or SKIP_URL_NAMES.search(path):
            return None
        key = match.route
        if self.per_pattern.get(key, 0) >= self.limit_per_pattern and not always:
            return None
        self.per_pattern[key] = self.per_pattern.get(key, 0) + 1
        self.seen.add(path)
        return path

    def look(self, url: str, response) -> _Text | None:
        self.pages += 1
        if response.status_code >= 500:
            self.errors.append(f"[{self.language} · {self.role}] {url}: HTTP {response.status_code}")
            return None
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return None
        page = parse(response.content.decode(), self.language)
        for text in page.texts:
            found = self.check(text)
            if found:
                self.leaks.append(Leak(self.role, self.language, url, text, found))
        return page

    def run(self, start: list[str], *, extra: list[str] = (), limit: int = 400) -> list[_Text]:
        """Visit ``start`` (always: a role's own menu), ``extra`` when not seen yet, then the links not yet seen
        by this crawl."""
        for url in start:
            self.seen.discard(urlsplit(url).path)
        queue = deque(p for p in (self.wanted(u, always=True) for u in start) if p)
        queue.extend(
            p for p in (self.wanted(u, always=True) for u in extra if urlsplit(u).path not in self.seen) if p
        )
        pages = []
        while queue and self.pages < limit:
            path = queue.popleft()
            t0 = time.monotonic()
            page = self.look(path, self.client.get(path))
            self.timings.append((time.monotonic() - t0, path))
            if page is None:
                continue
            pages.append((path, page))
            for href in page.links:
                nxt = self.wanted(urljoin(path, href))
                if nxt:
                    queue.append(nxt)
        return pages

    def post_actions(self, pages, *, done: set, limit: int = 30) -> None:
        """Post each kind of action form once (a reason filled in where one is asked) and look at the result;
        ``done`` is shared by the roles, so each kind is posted once per language."""
        posted = 0
        for path, page in pages:
            for form in page.forms:
                if form["method"] != "post" or posted >= limit:
                    continue
                target = urlsplit(urljoin(path, form["action"] or path)).path
                try:
                    match = resolve(target)
                except Resolver404:
                    continue
                if target.startswith(SKIP_PREFIXES) or SKIP_URL_NAMES.search(match.url_name or ""):
                    continue
                key = (match.route, tuple(sorted((k, v) for k, v in match.kwargs.items() if k != "pk")))
                if key in done:
                    continue
                done.add(key)
                posted += 1
                data = {}
                for tag, attrs in form["fields"]:
                    kind = attrs.get("type", "text")
                    if kind in ("checkbox", "radio") and "checked" not in attrs:
                        continue
                    value = attrs.get("value") or ""
                    if (
                        not value
                        and tag != "select"
                        and kind in ("text", "textarea", "search")
                        or tag == "textarea"
                    ):
                        value = value or "x1"
                    data[attrs["name"]] = value
                response = self.client.post(target, data, follow=True)
                final = response.redirect_chain[-1][0] if response.redirect_chain else target
                self.look(f"POST {target} → {final}", response)
