"""Reading uploaded CSV text: find its encoding, and say which lines cannot be read instead of failing all.

Files reach the back office from Excel, from platforms' exports and from suppliers: UTF-8 (with or without a
byte-order mark), GB18030/GBK from Chinese Excel, sometimes a Western code page. The rules:
- UTF-8 when its non-ASCII lines read as UTF-8, else GB18030 when Chinese reads; a few lines that do not
  read are reported one by one (the other rows are still checked), so one bad row never hides every other
  row's errors;
- otherwise charset-normalizer names the encoding, and when its best candidates would read the text
  differently (cp1250 or cp1252: "Nuñez" or "Nuńez") the file is refused with a message that says how to
  save it as UTF-8, never imported mangled.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from dataclasses import dataclass, field

import charset_normalizer
from django.utils.translation import gettext as _

MAX_CELL_CHARS = 100_000  # a longer cell is one row's error, not the whole file's
CJK = re.compile(r"[\u3400-\u9fff]")
NON_ASCII = re.compile(r"[^\x00-\x7f]")
# GB18030 is the superset of GBK and GB2312: what Chinese Excel writes as "CSV".
CHINESE = "gb18030"


class UnreadableText(ValueError):
    """The file's text cannot be read with confidence; the message says what to do."""


@dataclass
class DecodedText:
    text: str
    encoding: str
    bad_lines: dict[int, str] = field(default_factory=dict)  # 1-based line number -> message


def _by_lines(content: bytes, encoding: str) -> DecodedText:
    """Decode line by line; a line that does not decode becomes empty and is listed in ``bad_lines``."""
    lines, bad = [], {}
    for number, raw in enumerate(content.split(b"\n"), start=1):
        try:
            lines.append(raw.decode(encoding))
        except UnicodeDecodeError as exc:
            lines.append("")
            bad[number] = _(
                "This row is not readable as %(encoding)s text (byte %(byte)s at position %(pos)s)."
            ) % {
                "encoding": encoding.upper(),
                "byte": f"0x{raw[exc.start]:02X}",
                "pos": exc.start + 1,
            }
    return DecodedText("\n".join(lines), encoding, bad)


def decode_text(content: bytes) -> DecodedText:
    """The text of an uploaded file, its encoding and the lines that could not be read."""
    if content.startswith(codecs.BOM_UTF8):
        content = content[len(codecs.BOM_UTF8) :]
        return _by_lines(content, "utf-8")
    try:
        return DecodedText(content.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    few = max(1, (content.count(b"\n") + 1) // 10)
    # Non-ASCII lines that are valid UTF-8 are strong evidence of UTF-8 (GBK text rarely is): the
    # unreadable lines are then rows saved in another encoding, reported one by one.
    as_utf8 = _by_lines(content, "utf-8")
    if len(as_utf8.bad_lines) <= few and NON_ASCII.search(as_utf8.text):
        return as_utf8
    as_chinese = _by_lines(content, CHINESE)
    if len(as_chinese.bad_lines) <= few and CJK.search(as_chinese.text):
        return as_chinese
    return _guess(content)


def _guess(content: bytes) -> DecodedText:
    """Neither UTF-8 nor Chinese: accept charset-normalizer's answer only when it is unambiguous."""
    matches = [m for m in charset_normalizer.from_bytes(content) if m.percent_chaos <= 1.0][:4]
    if not matches:
        raise UnreadableText(
            _(
                "This file is not text in an encoding we can recognise. Save it from Excel as "
                "“CSV UTF-8 (comma delimited)” and upload it again."
            )
        )
    readings = {str(m) for m in matches}
    if len(readings) > 1:
        raise UnreadableText(
            _(
                "The file's encoding is not certain: it could be %(first)s or %(second)s, which read some "
                "letters differently. Save it from Excel as “CSV UTF-8 (comma delimited)” and upload it again."
            )
            % {"first": matches[0].encoding, "second": matches[1].encoding}
        )
    return DecodedText(str(matches[0]), matches[0].encoding)


def csv_rows(text: str, bad_lines: dict[int, str] | None = None) -> tuple[list[list[str]], dict[int, str]]:
    """The records of CSV text and, by record number (1 = the header), the problems of those refused.

    A record is a spreadsheet row (a quoted cell may span lines). A record touching an unreadable line
    (``bad_lines``), an invalid record or one with an over-long cell is kept as an empty row, so the
    numbering of every other row stays as the spreadsheet shows it.
    """
    bad_lines = bad_lines or {}
    csv.field_size_limit(max(csv.field_size_limit(), MAX_CELL_CHARS * 10))
    reader = csv.reader(io.StringIO(text))
    rows: list[list[str]] = []
    bad: dict[int, str] = {}
    last_line = 0
    while True:
        number = len(rows) + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row, bad[number] = [], _("This row is not valid CSV: %(error)s") % {"error": exc}
        problem = next(
            (bad_lines[n] for n in range(last_line + 1, reader.line_num + 1) if n in bad_lines), None
        )
        last_line = reader.line_num
        if problem is None and number > 1:
            problem = _too_long(row)
        if problem:
            row, bad[number] = [], problem
        rows.append(row)
    return rows, bad


def _too_long(row: list[str]) -> str | None:
    for index, cell in enumerate(row):
        if len(cell) > MAX_CELL_CHARS:
            return _("Cell %(n)s is %(length)s characters long; at most %(max)s.") % {
                "n": index + 1,
                "length": len(cell),
                "max": MAX_CELL_CHARS,
            }
    return None
