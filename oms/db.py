"""Database helpers shared by every app: retry a transaction on deadlock or serialization failure."""

from __future__ import annotations

import functools
import logging
import random
import time
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection, transaction
from psycopg import errors as pg_errors

logger = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

RETRYABLE = (pg_errors.DeadlockDetected, pg_errors.SerializationFailure, pg_errors.LockNotAvailable)


def is_retryable(exc: BaseException) -> bool:
    cause = exc
    while cause is not None:
        if isinstance(cause, RETRYABLE):
            return True
        cause = cause.__cause__
    return False


def retry_on_conflict(func: Callable[P, R] | None = None, *, attempts: int = 8, base_delay: float = 0.01):
    """Run ``func`` in its own transaction; on deadlock or serialization failure, roll back and try again.

    Must wrap the outermost transaction: a retry inside an enclosing atomic block cannot help,
    so then the error is raised at once.
    """

    def decorate(inner: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(inner)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            if connection.in_atomic_block:
                return inner(*args, **kwargs)
            for attempt in range(1, attempts + 1):
                try:
                    with transaction.atomic():
                        return inner(*args, **kwargs)
                except OperationalError as exc:
                    if not is_retryable(exc) or attempt == attempts:
                        raise
                    delay = base_delay * (2 ** (attempt - 1)) * (1 + random.random())
                    logger.info(
                        "retrying %s after %s (attempt %s)",
                        inner.__name__,
                        type(exc.__cause__).__name__,
                        attempt,
                    )
                    time.sleep(delay)
            raise AssertionError("unreachable")

        return wrapper

    return decorate(func) if func is not None else decorate
