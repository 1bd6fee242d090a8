"""Hooks that apps above fulfillment register at start-up, so fulfillment can tell them without importing them.

- Shipped handlers: ``fn(*, shipment, by)``, run inside ``shipment_ship``'s (and the drop-ship's)
  transaction right after a parcel left with its tracking number (connectors queue the channel's
  write-back in the outbox there, so it is sent exactly when the shipment commits).
"""

from __future__ import annotations

from collections.abc import Callable

_shipped_handlers: list[Callable] = []


def register_shipped_handler(fn: Callable) -> None:
    # Registering the same function twice (ready() running again in tests) is a no-op.
    if fn not in _shipped_handlers:
        _shipped_handlers.append(fn)


def run_shipped_handlers(*, shipment, by=None) -> None:
    for handler in _shipped_handlers:
        handler(shipment=shipment, by=by)
