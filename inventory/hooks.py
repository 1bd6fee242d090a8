"""Hooks that apps above inventory register at start-up, so inventory can tell them without importing them.

- Stock changed handlers: ``fn(levels)``, run inside every stock write's transaction with the locked
  levels it changed (the same writes that review the low-stock alert). A handler must be cheap and must
  not write rows other writers lock (connectors only ask for a stock push after commit).
"""

from __future__ import annotations

from collections.abc import Callable

_stock_changed_handlers: list[Callable] = []


def register_stock_changed_handler(fn: Callable) -> None:
    if fn not in _stock_changed_handlers:
        _stock_changed_handlers.append(fn)


def run_stock_changed_handlers(levels: list) -> None:
    for handler in _stock_changed_handlers:
        handler(levels)
