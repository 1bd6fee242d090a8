"""The JSON parser of every API endpoint: refuses what PostgreSQL or Python cannot take, with a 400.

A body nested deeper than MAX_DEPTH levels (Python's parser would overflow its stack) and a string holding
a NUL character (PostgreSQL text cannot store it) are refused with a message naming the problem, instead of
a server error.
"""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def _nesting_depth_exceeds(raw: bytes, limit: int) -> bool:
    """True when brackets outside strings nest deeper than ``limit`` (checked before parsing)."""
    depth = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):
            depth -= 1
    return False


def _nul_path(value, path: str = "$") -> str | None:
    """The JSON path of the first string (key or value) holding a NUL character, if any."""
    stack = [(value, path)]
    while stack:
        item, where = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return where
        elif isinstance(item, dict):
            for key, child in item.items():
                if "\x00" in key:
                    return where
                stack.append((child, f"{where}.{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]") for i, child in enumerate(item))
    return None


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if _nesting_depth_exceeds(raw, MAX_DEPTH):
            raise ParseError(
                _("JSON nested deeper than %(n)s levels; send a flatter body.") % {"n": MAX_DEPTH}
            )
        data = super().parse(io.BytesIO(raw), media_type, parser_context)
        where = _nul_path(data)
        if where:
            raise ParseError(_("%(path)s contains a NUL character (\\u0000); remove it.") % {"path": where})
        return data
