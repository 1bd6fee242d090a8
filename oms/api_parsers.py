"""The JSON parser of every API endpoint: a body nested too deeply is refused with a 400, not a 500.

Python's JSON decoder raises RecursionError on a body nested about a thousand levels deep; that becomes a
clear 400 here. (No byte-by-byte pre-scan: it would cost every large batch on the intake hot path.) NUL
characters inside strings are left to the intake validation, which refuses them field by field (one bad
order in a batch does not sink the others).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64  # what the message promises: no real order is nested anywhere near this


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as exc:
            raise ParseError(
                _("JSON nested deeper than %(n)s levels; send a flatter body.") % {"n": MAX_DEPTH}
            ) from exc
