"""Test helpers: poll with a deadline instead of sleeping and hoping."""

import time


def wait_until(predicate, *, timeout: float = 10.0, interval: float = 0.05, message: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = predicate()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"{message} not met within {timeout}s")
