"""What the benchmarks share: the percentile they report, their argument parser, a query counter."""

from __future__ import annotations

import argparse
import time


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def bench_parser(doc: str | None) -> argparse.ArgumentParser:
    """An argument parser whose help is the benchmark's docstring, as written."""
    return argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)


class QueryCounter:
    """Installed with ``connection.execute_wrapper``: counts the queries (``n``) and their time in seconds (``db``)."""

    def __init__(self) -> None:
        self.n = 0
        self.db = 0.0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.db += time.perf_counter() - started
