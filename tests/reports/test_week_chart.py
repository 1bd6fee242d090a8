"""The dashboard draws the last 7 days' orders and sales as inline SVG (no script)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from orders.models import Order
from tests.reports.conftest import make_order

pytestmark = pytest.mark.django_db


def test_dashboard_draws_seven_days_of_orders_and_sales(client_for, ops_user):
    from tests.factories import ChannelFactory

    shop = ChannelFactory(code="tmall")
    now = timezone.localtime()
    make_order(number="W1", channel=shop, total="100.00", placed_at=now)
    make_order(number="W2", channel=shop, total="50.50", placed_at=now)
    make_order(number="W3", channel=shop, total="20.00", placed_at=now - timedelta(days=2))
    make_order(
        number="W4", channel=shop, total="999.00", placed_at=now - timedelta(days=2), status="cancelled"
    )
    make_order(number="OLD", channel=shop, total="7.00", placed_at=now - timedelta(days=9))
    assert Order.objects.count() == 5
    page = client_for(ops_user).get("/").content.decode()
    assert (
        'data-testid="week-chart"' in page
        and "<svg" in page
        and "<script" not in page.split("<svg")[1].split("</svg>")[0]
    )
    days = re.findall(r'data-day="([\d-]+)" data-orders="(\d+)" data-sales="([\d.]+)"', page)
    assert len(days) == 7
    by_day = {d: (int(n), s) for d, n, s in days}
    assert by_day[now.date().isoformat()] == (2, "150.50")
    assert by_day[(now - timedelta(days=2)).date().isoformat()] == (
        2,
        "20.00",
    )  # cancelled: counted, no sales
    assert sum(n for n, _s in by_day.values()) == 4


def test_warehouse_sees_no_chart(client_for, warehouse_user):
    assert 'data-testid="week-chart"' not in client_for(warehouse_user).get("/").content.decode()
