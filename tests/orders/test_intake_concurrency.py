"""Invariant 3: the same channel order delivered ten times at once makes exactly one order."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from orders.models import Address, Customer, Order, OrderLine, Payment
from orders.services import order_intake
from tests.factories import order_body

pytestmark = pytest.mark.django_db(transaction=True)


def test_ten_concurrent_deliveries_make_one_order(channel, sku):
    # given ten threads ready to deliver the same order at the same moment
    barrier = threading.Barrier(10)
    results, failures = [], []

    def deliver():
        try:
            barrier.wait(timeout=10)
            result = order_intake(channel=channel, data=order_body(external_id="TB-RACE"))
            results.append((result.created, result.order.pk, result.errors))
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(10)]
    # when they all run
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    # then one order was created, nine got the same one back, nothing was half-written
    assert failures == []
    assert sorted(created for created, _pk, _e in results) == [False] * 9 + [True]
    assert len({pk for _c, pk, _e in results}) == 1
    assert Order.objects.count() == 1
    assert OrderLine.objects.count() == 1
    assert Payment.objects.count() == 1
    assert Address.objects.count() == 1
    assert Customer.objects.count() == 1


def test_concurrent_api_deliveries_answer_one_201_and_nine_200(channel, sku, token):
    from rest_framework.test import APIClient

    barrier = threading.Barrier(10)
    codes, failures = [], []

    def post():
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
            barrier.wait(timeout=10)
            codes.append(
                client.post(
                    "/api/v1/orders/", order_body(external_id="TB-API-RACE"), format="json"
                ).status_code
            )
        except Exception as exc:  # noqa: BLE001
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert failures == []
    assert sorted(codes) == [200] * 9 + [201]
    assert Order.objects.count() == 1
