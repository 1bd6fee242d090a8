"""Logging filters: an ordinary refusal (403, 400) is logged as one line, without the exception's traceback."""

from __future__ import annotations

import logging


class RefusalWithoutTraceback(logging.Filter):
    """Drop the traceback Django attaches to a 4xx response (PermissionDenied, BadRequest); keep the line."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
