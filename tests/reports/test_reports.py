"""Reports: summaries match the orders, every report filters and exports, the dashboard counts link to lists."""

import csv
import io
from datetime import datetime, timedelta
from decimal import Decimal

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django_fsm_log.models import StateLog

from orders.models import Order
from reports.models import DailyAmountBucket, DailyOrderStat
from reports.registry import REPORTS, Filters
from reports.summaries import refresh_order_summaries
from tests.reports.conftest import make_order

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def test_refresh_builds_summaries_that_match_the_orders(shop):
    refresh_order_summaries()
    stats = {
        (s.channel_id, s.province, s.is_promotion): (s.orders, s.cancelled, s.amount, s.units)
        for s in DailyOrderStat.objects.filter(day=TODAY)
    }
    assert stats == {
        (shop["tmall"].pk, "上海", False): (1, 0, Decimal("120.00"), 2),
        (shop["tmall"].pk, "上海", True): (1, 0, Decimal("80.00"), 1),
        (shop["web"].pk, "广东", False): (2, 1, Decimal("999.00"), 3),
    }
    bands = dict(
        DailyAmountBucket.objects.filter(channel_id=shop["tmall"].pk).values_list("bucket", "orders")
    )
    assert bands == {1: 1, 2: 1}  # 80 in 50–100, 120 in 100–200; cancelled orders are not counted


def test_refresh_is_safe_to_run_twice_and_follows_changes(shop):
    refresh_order_summaries()
    refresh_order_summaries()
    assert DailyOrderStat.objects.filter(day=TODAY).count() == 3
    make_order(number="SO5", channel=shop["web"], total="10.00", province="广东")
    refresh_order_summaries(day_from=TODAY, day_to=TODAY)
    assert DailyOrderStat.objects.get(day=TODAY, channel_id=shop["web"].pk, is_promotion=False).orders == 3


def test_every_report_computes_for_the_default_filters(shop):
    refresh_order_summaries()
    filters = Filters(date_from=TODAY - timedelta(days=29), date_to=TODAY)
    for report in REPORTS:
        result = report.compute(filters)
        assert len(result.columns) == len(result.rows[0]) if result.rows else True, report.key


def test_volume_report_table_and_average(shop, client_for, ops_user):
    refresh_order_summaries()
    response = client_for(ops_user).get(reverse("reports:detail", args=["volume"]))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.rows == [[TODAY, 4, 1, Decimal("1199.00"), 6, Decimal("399.67")]]
    assert 'id="report-chart-data"' in response.content.decode()


def test_channel_filter_and_csv_export(shop, client_for, ops_user):
    refresh_order_summaries()
    url = reverse("reports:detail", args=["channels"])
    response = client_for(ops_user).get(url, {"channel": shop["web"].pk, "export": "csv"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows == [
        ["Channel", "Orders", "Cancelled", "Amount", "Average order value", "Share %"],
        ["官网商城", "2", "1", "999.00", "999.00", "100.0"],
    ]


def test_xlsx_export_opens(shop, client_for, ops_user):
    refresh_order_summaries()
    response = client_for(ops_user).get(reverse("reports:detail", args=["provinces"]), {"export": "xlsx"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[1]] == ["Province", "Orders", "Amount", "Share %"]
    assert [c.value for c in sheet[2]] == ["上海", 2, "200.00", "50.0"]


def test_repurchase_rate(shop, client_for, ops_user):
    result = client_for(ops_user).get(reverse("reports:detail", args=["repurchase"])).context["result"]
    assert result.rows[0][1:] == [
        2,
        Decimal("100.0"),
    ]  # two customers ordered (the cancelled one does not count)
    assert result.rows[1][1:] == [1, Decimal("50.0")]  # one of them ordered twice


def test_bad_dates_are_refused_with_a_message(client_for, ops_user):
    response = client_for(ops_user).get(
        reverse("reports:detail", args=["volume"]), {"date_from": "2026-11-20", "date_to": "2026-11-01"}
    )
    assert response.status_code == 400
    assert "start date must be on or before the end date" in response.content.decode()


def test_reports_are_refused_to_the_warehouse(client_for, warehouse_user):
    assert client_for(warehouse_user).get(reverse("reports:index")).status_code == 403
    assert client_for(warehouse_user).get(reverse("reports:finance-export")).status_code == 403


def test_unknown_report_is_404(client_for, ops_user):
    assert client_for(ops_user).get(reverse("reports:detail", args=["nope"])).status_code == 404


def test_dashboard_numbers_link_to_their_lists(shop, client_for, ops_user):
    page = client_for(ops_user).get(reverse("home"))
    tiles = {t["key"]: t for t in page.context["tiles"]}
    assert tiles["orders_today"]["value"] == 4
    assert tiles["awaiting_review"]["value"] == 0
    assert tiles["orders_today"]["url"].startswith(reverse("orders:list"))


def test_dashboard_query_count_does_not_grow_with_orders(
    shop, client_for, ops_user, django_assert_max_num_queries
):
    client = client_for(ops_user)
    client.get(reverse("home"))
    with django_assert_max_num_queries(20) as small:
        client.get(reverse("home"))
    for i in range(30):
        make_order(number=f"SOX{i}", channel=shop["tmall"], total="10.00")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(reverse("home"))


def test_finance_export_is_balanced_journal_lines(shop, client_for, finance_user):
    order = Order.objects.get(number="SO3")
    Order.objects.filter(pk=order.pk).update(status="completed")
    StateLog.objects.create(
        content_type=ContentType.objects.get_for_model(Order),
        object_id=order.pk,
        source_state="delivered",
        state="completed",
        transition="complete",
        timestamp=timezone.now(),
    )
    response = client_for(finance_user).get(reverse("reports:finance-export"), {"download": "1"})
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(content)))
    assert [(r["reference"], r["account"], r["debit"], r["credit"]) for r in rows] == [
        ("SO3", "1122 Accounts receivable", "999.00", "0.00"),
        ("SO3", "6001 Sales revenue", "0.00", "999.00"),
    ]
    assert sum(Decimal(r["debit"]) for r in rows) == sum(Decimal(r["credit"]) for r in rows)


def test_placed_at_uses_the_business_time_zone(shop):
    # 23:30 in Shanghai is 15:30 UTC the same day; 00:30 Shanghai is the previous day in UTC.
    tz = timezone.get_default_timezone()
    late = datetime.combine(TODAY, datetime.min.time(), tzinfo=tz) + timedelta(minutes=30)
    make_order(number="SO-EARLY", channel=shop["tmall"], total="10.00", province="北京", placed_at=late)
    refresh_order_summaries()
    assert DailyOrderStat.objects.get(province="北京").day == TODAY


def test_an_admin_sees_every_tile_and_each_link_opens(client_for, admin_user_role):
    client = client_for(admin_user_role)
    tiles = client.get(reverse("home")).context["tiles"]
    assert {t["key"] for t in tiles} == {
        "orders_today",
        "orders_week",
        "awaiting_review",
        "on_hold",
        "backordered",
        "late_sla",
        "low_stock",
        "to_pick",
        "packed",
        "open_cases",
        "statements",
    }
    for tile in tiles:
        assert client.get(tile["url"]).status_code == 200, tile


def test_fulfilment_and_aftersales_reports_compute_on_empty_data(client_for, finance_manager_user):
    client = client_for(finance_manager_user)
    for key in [
        "fulfilment-time",
        "shipments",
        "aftersales-sku",
        "aftersales-supplier",
        "aftersales-channel",
        "aftersales-reason",
        "suppliers",
    ]:
        response = client.get(reverse("reports:detail", args=[key]))
        assert response.status_code == 200, key
        assert response.context["result"].rows == []


def test_fulfilment_time_median_and_p90_by_warehouse_and_carrier(shop, client_for, finance_manager_user):
    from fulfillment.models import Shipment
    from tests.factories import CarrierServiceFactory, WarehouseFactory

    warehouse = WarehouseFactory(name="上海仓")
    service = CarrierServiceFactory()
    paid = timezone.now() - timedelta(days=2)
    for i, hours in enumerate([2, 4, 6, 8, 30]):
        order = make_order(number=f"SOF{i}", channel=shop["tmall"], total="10.00")
        Order.objects.filter(pk=order.pk).update(paid_at=paid)
        Shipment.objects.create(
            number=f"SH{i}",
            order=order,
            customer=order.customer,
            address=order.shipping_address,
            address_key=order.address_key,
            province=order.province,
            warehouse=warehouse,
            status="delivered",
            carrier_service=service,
            shipped_at=paid + timedelta(hours=hours),
            delivered_at=paid + timedelta(hours=hours + 24),
        )
    result = (
        client_for(finance_manager_user)
        .get(reverse("reports:detail", args=["fulfilment-time"]))
        .context["result"]
    )
    assert result.rows == [
        [
            "上海仓",
            service.carrier.name,
            5,
            Decimal("6.0"),
            Decimal("21.2"),
            5,
            Decimal("24.0"),
            Decimal("24.0"),
        ]
    ]


def test_fulfilment_time_counts_orders_delivered_without_a_parcel(shop, client_for, finance_manager_user):
    """The demo delivers orders through the orders services alone: they are counted, not shown as 0."""
    now = timezone.now()
    for i in range(3):
        order = make_order(number=f"SOD{i}", channel=shop["tmall"], total="10.00", status="delivered")
        Order.objects.filter(pk=order.pk).update(
            paid_at=now - timedelta(days=3), delivered_at=now - timedelta(hours=i)
        )
    url = reverse("reports:detail", args=["fulfilment-time"])
    result = client_for(finance_manager_user).get(url).context["result"]
    assert result.rows == [["No parcel recorded", "—", 3, "—", "—", 3, "—", "—"]]
    other_channel = client_for(finance_manager_user).get(url, {"channel": shop["web"].pk}).context["result"]
    assert other_channel.rows == []
