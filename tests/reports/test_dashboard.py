"""The dashboard per role (its own numbers first), this week against last week, and report summaries that
are built when they never were and kept fresh when no Celery worker runs beat."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from orders.models import Order
from reports.dashboard import week_against_last
from reports.models import SummaryRefresh
from tests.factories import ChannelFactory
from tests.reports.conftest import make_order

pytestmark = pytest.mark.django_db

TZ = timezone.get_default_timezone()
WEDNESDAY_3PM = datetime(2026, 11, 25, 15, 0, tzinfo=TZ)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=TZ)


@pytest.fixture
def two_weeks():
    channel = ChannelFactory(code="tmall", name="天猫旗舰店")
    make_order(number="W1", channel=channel, total="100.00", placed_at=at(23, 10))  # this Monday
    make_order(number="W2", channel=channel, total="50.00", placed_at=at(25, 14), status="cancelled")
    make_order(number="W3", channel=channel, total="70.00", placed_at=at(25, 16))  # after "now"
    make_order(number="L1", channel=channel, total="80.00", placed_at=at(16, 9))  # last Monday
    make_order(number="L2", channel=channel, total="30.00", placed_at=at(18, 16))  # last Wed, after 15:00
    make_order(number="E1", channel=channel, total="999.00", placed_at=at(9, 9))  # two weeks ago
    return channel


def test_this_week_so_far_against_the_same_span_of_last_week(two_weeks):
    week = week_against_last(now=WEDNESDAY_3PM)
    assert (week["orders"], week["orders_before"], week["revenue"], week["revenue_before"]) == (
        2,
        1,
        Decimal("100.00"),
        Decimal("80.00"),
    )
    assert (week["orders_change"], week["revenue_change"]) == (Decimal("100"), Decimal("25"))
    assert week["url"] == (
        reverse("reports:detail", args=["volume"])
        + "?date_from=2026-10-05&date_to=2026-11-25&granularity=week"
    )


def test_no_change_is_shown_when_last_week_had_nothing(db):
    week = week_against_last(now=WEDNESDAY_3PM)
    assert (week["orders"], week["orders_change"], week["revenue"], week["revenue_change"]) == (
        0,
        None,
        Decimal("0.00"),
        None,
    )


def test_the_manager_sees_the_week_on_the_dashboard_the_warehouse_does_not(
    client_for, finance_manager_user, warehouse_user
):
    page = client_for(finance_manager_user).get(reverse("home"))
    assert page.context["week"] is not None
    assert 'data-testid="week-against-last"' in page.content.decode()
    page = client_for(warehouse_user).get(reverse("home"))
    assert page.context["week"] is None
    assert 'data-testid="week-against-last"' not in page.content.decode()


@pytest.mark.parametrize(
    ("user", "first"),
    [
        ("finance_manager_user", ["statements", "open_cases"]),
        ("finance_user", ["statements", "open_cases"]),
        ("ops_user", ["awaiting_review", "on_hold", "late_sla", "backordered", "open_cases"]),
        ("warehouse_user", ["to_pick", "packed", "low_stock"]),
    ],
)
def test_each_role_sees_its_own_numbers_first(request, client_for, user, first):
    tiles = client_for(request.getfixturevalue(user)).get(reverse("home")).context["tiles"]
    assert [t["key"] for t in tiles][: len(first)] == first


def test_a_report_builds_the_summaries_that_were_never_built(shop, client_for, ops_user):
    assert not SummaryRefresh.objects.exists()
    response = client_for(ops_user).get(reverse("reports:detail", args=["volume"]))
    assert response.status_code == 200
    assert [row[1] for row in response.context["result"].rows] == [4]
    assert response.context["refresh"] == SummaryRefresh.objects.get(name="orders")
    assert 'data-testid="refreshed"' in response.content.decode()


def test_without_a_worker_stale_summaries_are_refreshed_by_the_page(
    shop,
    client_for,
    ops_user,
    settings,
):
    client = client_for(ops_user)
    client.get(reverse("reports:detail", args=["volume"]))
    make_order(number="SO-NEW", channel=shop["web"], total="10.00", placed_at=timezone.now())

    # With a worker (beat refreshes every few minutes), a page does not refresh: it shows the last refresh.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    SummaryRefresh.objects.update(refreshed_at=timezone.now() - timedelta(minutes=10))
    rows = client.get(reverse("reports:detail", args=["volume"])).context["result"].rows
    assert [row[1] for row in rows] == [4]

    # Without one (the demo), a page refreshes the last days once they are older than five minutes.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    rows = client.get(reverse("reports:detail", args=["volume"])).context["result"].rows
    assert [row[1] for row in rows] == [5]
    assert timezone.now() - SummaryRefresh.objects.get().refreshed_at < timedelta(minutes=1)
    assert Order.objects.count() == 5


def test_date_inputs_carry_iso_dates_in_chinese(client_for, ops_user):
    ops_user.language = "zh-hans"
    ops_user.save(update_fields=["language"])
    today = timezone.localdate()
    page = client_for(ops_user).get(reverse("reports:detail", args=["channels"])).content.decode()
    assert f'value="{today.isoformat()}"' in page
    assert f'value="{(today - timedelta(days=29)).isoformat()}"' in page
