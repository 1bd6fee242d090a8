"""Property test: any sequence of stock operations keeps invariants 1 and 2 after every step.

Hypothesis draws sequences of receive, reserve, release, consume (ship), restock return (resellable
or damaged), count, adjust, transfer and allocate over 2 SKUs × 2 warehouses. A plain Python model
predicts on hand / reserved / damaged; refusals must change nothing.
"""

from __future__ import annotations

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from inventory.exceptions import InsufficientStock, StockBelowReserved
from inventory.models import StockLevel
from inventory.services import (
    DemandLine,
    allocate,
    reservation_consume,
    reservation_release,
    stock_adjust,
    stock_count,
    stock_receive,
    stock_reserve,
    stock_restock_return,
    stock_transfer,
)
from tests.factories import SKUFactory, WarehouseFactory
from tests.inventory.helpers import assert_invariants

SKUS, WAREHOUSES, REFS = 2, 2, 4

sku_i = st.integers(0, SKUS - 1)
wh_i = st.integers(0, WAREHOUSES - 1)
ref_i = st.integers(0, REFS - 1)
qty = st.integers(1, 8)

operations = st.one_of(
    st.tuples(st.just("receive"), sku_i, wh_i, qty),
    st.tuples(st.just("reserve"), sku_i, wh_i, qty, ref_i),
    st.tuples(st.just("release"), ref_i),
    st.tuples(st.just("consume"), ref_i),
    st.tuples(st.just("restock"), sku_i, wh_i, qty, st.booleans()),
    st.tuples(st.just("count"), sku_i, wh_i, st.integers(0, 15)),
    st.tuples(st.just("adjust"), sku_i, wh_i, st.integers(-6, 6).filter(bool)),
    st.tuples(st.just("transfer"), sku_i, wh_i, qty),
    st.tuples(st.just("allocate"), sku_i, qty, ref_i),
)


class Rollback(Exception):
    pass


@pytest.mark.django_db
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(operations, min_size=1, max_size=25))
def test_any_sequence_keeps_the_ledger_and_reservations_in_step(steps):
    try:
        with transaction.atomic():
            _run(steps)
            raise Rollback  # each example starts from an empty database
    except Rollback:
        pass


def _run(steps):
    skus = [SKUFactory() for _ in range(SKUS)]
    warehouses = [WarehouseFactory(code=f"W{i}", regions=["上海"]) for i in range(WAREHOUSES)]
    # model: (sku, wh) -> [on_hand, reserved, damaged]; ref -> {(sku, wh): qty} of active holds
    model = {(s, w): [0, 0, 0] for s in range(SKUS) for w in range(WAREHOUSES)}
    held: dict[int, dict[tuple[int, int], int]] = {}

    def ids(s, w):
        return {"sku_id": skus[s].pk, "warehouse_id": warehouses[w].pk}

    for step in steps:
        op = step[0]
        if op == "receive":
            _, s, w, q = step
            stock_receive(**ids(s, w), quantity=q)
            model[(s, w)][0] += q
        elif op == "reserve":
            _, s, w, q, r = step
            if r in held:
                continue  # one allocation per demand, as the orders app does
            available = model[(s, w)][0] - model[(s, w)][1]
            if q > available:
                with pytest.raises(InsufficientStock):
                    stock_reserve(**ids(s, w), quantity=q, demand_ref=f"ref-{r}")
            else:
                stock_reserve(**ids(s, w), quantity=q, demand_ref=f"ref-{r}")
                model[(s, w)][1] += q
                held[r] = {(s, w): q}
        elif op == "release":
            _, r = step
            released = reservation_release(demand_refs=[f"ref-{r}"])
            holds = held.pop(r, {})
            assert released == sum(holds.values())
            for key, q in holds.items():
                model[key][1] -= q
        elif op == "consume":
            _, r = step
            if r not in held:
                continue
            reservation_consume(demand_ref=f"ref-{r}")
            for key, q in held.pop(r).items():
                model[key][0] -= q
                model[key][1] -= q
        elif op == "restock":
            _, s, w, q, resellable = step
            stock_restock_return(**ids(s, w), quantity=q, resellable=resellable)
            model[(s, w)][0 if resellable else 2] += q
        elif op == "count":
            _, s, w, counted = step
            if counted < model[(s, w)][1]:
                with pytest.raises(StockBelowReserved):
                    stock_count(**ids(s, w), counted=counted)
            else:
                stock_count(**ids(s, w), counted=counted)
                model[(s, w)][0] = counted
        elif op == "adjust":
            _, s, w, delta = step
            if model[(s, w)][0] + delta < model[(s, w)][1]:
                with pytest.raises(StockBelowReserved):
                    stock_adjust(**ids(s, w), quantity=delta, reason="property test")
            else:
                stock_adjust(**ids(s, w), quantity=delta, reason="property test")
                model[(s, w)][0] += delta
        elif op == "transfer":
            _, s, w, q = step
            other = 1 - w
            available = model[(s, w)][0] - model[(s, w)][1]
            kwargs = {
                "sku_id": skus[s].pk,
                "from_warehouse_id": warehouses[w].pk,
                "to_warehouse_id": warehouses[other].pk,
                "quantity": q,
            }
            if q > available:
                with pytest.raises(InsufficientStock):
                    stock_transfer(**kwargs)
            else:
                stock_transfer(**kwargs)
                model[(s, w)][0] -= q
                model[(s, other)][0] += q
        elif op == "allocate":
            _, s, q, r = step
            if r in held:
                continue
            result = allocate(
                lines=[DemandLine(ref=f"ref-{r}", sku_id=skus[s].pk, quantity=q)], province="上海"
            )
            total = sum(model[(s, w)][0] - model[(s, w)][1] for w in range(WAREHOUSES))
            assert result.allocated is (q <= total)
            if result.allocated:
                holds = {}
                for res in result.reservations:
                    key = (s, [wh.pk for wh in warehouses].index(res.warehouse_id))
                    holds[key] = holds.get(key, 0) + res.quantity
                    model[key][1] += res.quantity
                assert sum(holds.values()) == q
                held[r] = holds
            else:
                assert result.short == {skus[s].pk: q - total}
        _assert_matches(model, skus, warehouses)


def _assert_matches(model, skus, warehouses):
    actual = {
        (s, w): list(
            StockLevel.objects.filter(sku=skus[s], warehouse=warehouses[w])
            .values_list("on_hand", "reserved", "damaged")
            .first()
            or (0, 0, 0)
        )
        for s in range(SKUS)
        for w in range(WAREHOUSES)
    }
    assert actual == model
    assert_invariants()
