"""Proof: two packers never get the same waybill number from a carrier's range (号段), under real concurrency.

Real threads, each with its own PostgreSQL connection to the committed test data (``transactional_db``).
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, transaction

from fulfillment.choices import PoolNumberStatus
from fulfillment.exceptions import WaybillPoolEmpty
from fulfillment.models import CarrierAccount, PoolNumber, Waybill
from fulfillment.services import pool_add_range, shipments_create_for_order, waybill_issue
from fulfillment.services.waybills import _pool_take
from tests.factories import (
    CarrierFactory,
    CarrierServiceFactory,
    RateRowFactory,
    SKUFactory,
    WarehouseFactory,
)
from tests.fulfillment.conftest import allocated_order_through_services

pytestmark = pytest.mark.django_db(transaction=True)

PARCELS = 12


@pytest.fixture
def parcels(transactional_db):
    warehouse = WarehouseFactory(code="WH-P", name="上海一号仓", province="上海", city="上海市")
    carrier = CarrierFactory(code="EMS", name="邮政EMS", adapter="waybill")
    service = CarrierServiceFactory(carrier=carrier, code="STD", name="标准")
    RateRowFactory(service=service, first_price="8.00")
    account = CarrierAccount.objects.create(code="ems-range", carrier=carrier, api="pool")
    sku = SKUFactory(code="TEE", weight_g=200)
    ids = []
    for n in range(PARCELS):
        order = allocated_order_through_services(
            lines=[(sku, 1, "9.90")], phone=f"1380000{n:04d}", external_id=f"POOL-{n}", warehouse=warehouse
        )
        ids += [s.pk for s in shipments_create_for_order(order_id=order.pk)]
    return account, ids


def _issue(shipment_id: int, start: threading.Barrier) -> str:
    try:
        start.wait()
        return waybill_issue(shipment_id=shipment_id).number
    finally:
        connection.close()


def test_parallel_packers_take_distinct_numbers_and_the_range_runs_out_cleanly(parcels):
    account, shipment_ids = parcels
    assert pool_add_range(account_id=account.pk, prefix="EA", first=1000, last=1009, width=6) == 10
    assert pool_add_range(account_id=account.pk, prefix="EA", first=1000, last=1009, width=6) == 0
    start = threading.Barrier(PARCELS)
    with ThreadPoolExecutor(max_workers=PARCELS) as pool:
        futures = [pool.submit(_issue, pk, start) for pk in shipment_ids]
    numbers, empty = [], 0
    for future in futures:
        try:
            numbers.append(future.result())
        except WaybillPoolEmpty:
            empty += 1
    assert (len(numbers), len(set(numbers)), empty) == (10, 10, 2)
    assert sorted(numbers) == [f"EA{n:06d}" for n in range(1000, 1010)]
    assert Waybill.objects.count() == 10
    assert PoolNumber.objects.filter(status=PoolNumberStatus.USED).count() == 10
    taken = PoolNumber.objects.exclude(shipment=None).values_list("number", "shipment_id")
    assert dict(taken) == dict(Waybill.objects.values_list("number", "shipment_id"))


def test_a_number_held_by_an_open_transaction_is_skipped_not_waited_for(parcels):
    """Packer A's transaction holds EA…1 (not committed yet); packer B gets EA…2 at once, not A's number."""
    account, (first, second, *_rest) = parcels
    pool_add_range(account_id=account.pk, prefix="EA", first=1, last=3, width=6)
    a_took, b_done, a_release = threading.Event(), threading.Event(), threading.Event()
    result = {}

    def packer_a():
        try:
            with transaction.atomic():
                from fulfillment.models import Shipment

                result["a"] = _pool_take(account, Shipment.objects.get(pk=first)).number
                a_took.set()
                a_release.wait(10)
        finally:
            connection.close()

    def packer_b():
        try:
            a_took.wait(10)
            result["b"] = waybill_issue(shipment_id=second).number
            b_done.set()
        finally:
            connection.close()

    threads = [threading.Thread(target=packer_a), threading.Thread(target=packer_b)]
    for t in threads:
        t.start()
    assert b_done.wait(10), "packer B waited for packer A's lock"
    a_release.set()
    for t in threads:
        t.join(10)
    assert (result["a"], result["b"]) == ("EA000001", "EA000002")
