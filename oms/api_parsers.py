"""The JSON parser of every API endpoint: a body nested deeper than MAX_DEPTH levels is refused with a 400.

Python's parser would overflow its stack on such a body (a server error). NUL characters inside strings
are left to the intake validation, which refuses them field by field (one bad order in a batch does not
sink the others).
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


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        if _nesting_depth_exceeds(raw, MAX_DEPTH):
            raise ParseError(
                _("JSON nested deeper than %(n)s levels; send a flatter body.") % {"n": MAX_DEPTH}
            )
        return super().parse(io.BytesIO(raw), media_type, parser_context)
