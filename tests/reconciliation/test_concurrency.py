"""Two transactions put the same items on two statements at the same time: exactly one wins (real threads)."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from reconciliation.exceptions import ItemsNotAvailable
from reconciliation.models import ReconcilableItem, StatementLine
from reconciliation.selectors import ItemFilter
from reconciliation.services import items_collect, statement_create, statement_select
from tests.utils import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def twenty_items(supplier, cup, receive):
    for n in range(20):
        receive(cup, 1, f"PO-{n:03d}")
    items_collect()
    return list(ReconcilableItem.objects.order_by("pk").values_list("pk", flat=True))


def _waiting_on_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def test_the_second_waits_for_the_first_and_is_refused(twenty_items, supplier, finance_user):
    first = statement_create(supplier_id=supplier.pk)
    second = statement_create(supplier_id=supplier.pk)
    item_id = twenty_items[0]
    holding, release = threading.Event(), threading.Event()
    outcome: dict[str, object] = {}

    def a():
        try:
            with transaction.atomic():
                outcome["a"] = statement_select(statement_id=first.pk, item_ids=[item_id]).changed
                holding.set()
                release.wait(10)
        finally:
            connections.close_all()

    def b():
        holding.wait(10)
        try:
            outcome["b"] = statement_select(statement_id=second.pk, item_ids=[item_id]).changed
        except ItemsNotAvailable as exc:
            outcome["b"] = exc
        finally:
            connections.close_all()

    ta, tb = threading.Thread(target=a), threading.Thread(target=b)
    ta.start()
    tb.start()
    holding.wait(10)
    wait_until(lambda: _waiting_on_a_lock() >= 1, message="the second transaction waits on the item's lock")
    release.set()
    ta.join(10)
    tb.join(10)
    assert outcome["a"] == 1
    assert isinstance(outcome["b"], ItemsNotAvailable)
    assert list(StatementLine.objects.filter(item_id=item_id).values_list("statement_id", flat=True)) == [
        first.pk
    ]
    item = ReconcilableItem.objects.get(pk=item_id)
    assert (item.status, item.statement_id) == ("in_statement", first.pk)


def test_racing_select_all_splits_the_items_never_shares_one(twenty_items, supplier):
    statements = [statement_create(supplier_id=supplier.pk) for _ in range(2)]
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(statement_id: int):
        try:
            barrier.wait(10)
            statement_select(statement_id=statement_id, filters=ItemFilter())
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(s.pk,)) for s in statements]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert errors == []
    lines = list(StatementLine.objects.values_list("item_id", "statement_id"))
    assert sorted(i for i, _s in lines) == twenty_items  # each item exactly once
    totals = {}
    for s in statements:
        s.refresh_from_db()
        totals[s.pk] = (s.line_count, s.total)
    assert sum(c for c, _t in totals.values()) == 20
    assert sum(t for _c, t in totals.values()) == Decimal("250.00")
