"""Intercepted parcels (截停) are flagged on every parcel list and detail, not only refused at the pack station."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from fulfillment.models import Shipment
from fulfillment.selectors import order_parcels_panel, shipment_detail, shipments_list, waves_today
from fulfillment.services import (
    pack_scan,
    shipment_cancel,
    shipment_mark_packed,
    shipment_ship,
    shipments_create_for_order,
    wave_build,
)
from orders.services import order_cancel, order_hold, order_resume

pytestmark = pytest.mark.django_db

_phone = iter(range(13900001000, 13900002000))


@pytest.fixture
def make_parcel(allocated_order, skus, ops_user, warehouse_user):
    """A parcel of a one-line order; ``pack``: scanned and packed; ``stop``: "hold" / "cancel" its order after."""

    def make(*, stop: str = "", pack: bool = False, reason: str = "") -> Shipment:
        order = allocated_order([(skus[0], 1)], phone=str(next(_phone)))
        [shipment] = shipments_create_for_order(order_id=order.pk)
        if pack:
            pack_scan(shipment_id=shipment.pk, code="TEE-RED-L", by=warehouse_user)
            shipment_mark_packed(shipment_id=shipment.pk, by=warehouse_user)
        if stop == "hold":
            order_hold(order_id=order.pk, by=ops_user, reason=reason or "客户要求改地址")
        elif stop == "cancel":
            order_cancel(order_id=order.pk, by=ops_user, reason=reason or "customer changed mind")
        return Shipment.objects.get(pk=shipment.pk)

    return make


@pytest.fixture
def three(make_parcel):
    """Packed parcels: a normal one, one whose order is held, one whose order is cancelled."""
    return make_parcel(pack=True), make_parcel(pack=True, stop="hold"), make_parcel(pack=True, stop="cancel")


def flag_of(shipment: Shipment):
    return shipments_list().get(pk=shipment.pk).interception


# --- the selector -----------------------------------------------------------------------------------


def test_a_held_orders_parcel_is_flagged_with_the_order_and_the_hold_reason(make_parcel):
    parcel = make_parcel(stop="hold", reason="地址待确认")
    flag = flag_of(parcel)
    assert (flag.order_id, flag.order_number, flag.order_status, flag.reason) == (
        parcel.order_id,
        parcel.order.number,
        "on_hold",
        "地址待确认",
    )
    assert flag.label == "Intercepted — order on hold"
    assert not flag.is_cancelled


def test_a_cancelled_orders_parcel_is_flagged_with_the_cancel_reason(make_parcel):
    parcel = make_parcel(stop="cancel", reason="customer changed mind")
    flag = flag_of(parcel)
    assert (flag.order_number, flag.order_status, flag.reason) == (
        parcel.order.number,
        "cancelled",
        "customer changed mind",
    )
    assert flag.label == "Intercepted — order cancelled"
    assert flag.is_cancelled


def test_the_label_is_translated(make_parcel):
    held, cancelled = make_parcel(stop="hold"), make_parcel(stop="cancel")
    with translation.override("zh-hans"):
        assert flag_of(held).label == "已截停——订单已拦截"
        assert flag_of(cancelled).label == "已截停——订单已取消"


def test_a_normal_parcel_and_a_resumed_orders_parcel_are_not_flagged(make_parcel, ops_user):
    normal = make_parcel()
    resumed = make_parcel(stop="hold")
    order_resume(order_id=resumed.order_id, by=ops_user)
    assert (flag_of(normal), flag_of(resumed)) == (None, None)


def test_a_cancelled_parcel_is_no_longer_flagged_it_has_been_stopped(make_parcel, ops_user):
    parcel = make_parcel(stop="cancel")
    shipment_cancel(shipment_id=parcel.pk, by=ops_user, reason="order cancelled")
    assert flag_of(parcel) is None


def test_a_shipped_parcel_is_never_flagged(make_parcel, warehouse_user):
    parcel = make_parcel(pack=True)
    shipment_ship(shipment_id=parcel.pk, tracking_number="ZT1", by=warehouse_user)
    assert flag_of(parcel) is None


def test_every_selector_a_screen_reads_carries_the_flag(three, rf):
    normal, held, cancelled = three
    assert shipment_detail(held.pk).interception.order_status == "on_hold"
    assert shipment_detail(normal.pk).interception is None
    [in_panel] = order_parcels_panel(cancelled.order, rf.get("/"))["shipments"]
    assert in_panel.interception.order_status == "cancelled"


def test_the_flag_agrees_with_the_pack_stations_refusal(three):
    from fulfillment.services import interception_reason

    for shipment in three:
        assert (flag_of(shipment) is None) == (interception_reason(shipment) is None)


def test_the_waves_list_counts_each_waves_intercepted_parcels(make_parcel, warehouse):
    _normal, held, cancelled = make_parcel(), make_parcel(), make_parcel()
    wave = wave_build(warehouse_id=warehouse.pk)
    order_hold(order_id=held.order_id, reason="x")
    order_cancel(order_id=cancelled.order_id, reason="y", check_perm=False)
    [row] = waves_today()
    assert (row.pk, row.parcels, row.intercepted) == (wave.pk, 3, 2)


# --- the screens ------------------------------------------------------------------------------------


def badges(page: str) -> dict[str, str]:
    """order number → the interception label shown for it on the page."""
    return dict(
        re.findall(
            r'data-testid="interception"\s+data-order="([^"]+)"[^>]*>\s*<span class="badge[^"]*">([^<]+)</span>',
            page,
        )
    )


def expected(held: Shipment, cancelled: Shipment) -> dict[str, str]:
    return {
        held.order.number: "Intercepted — order on hold",
        cancelled.order.number: "Intercepted — order cancelled",
    }


@pytest.mark.parametrize("url_name", ["fulfillment:to-ship", "fulfillment:shipments"])
def test_lists_flag_held_and_cancelled_orders_parcels_only(
    three, url_name, client_for, ops_user, warehouse_user
):
    normal, held, cancelled = three
    user = warehouse_user if url_name == "fulfillment:to-ship" else ops_user
    page = client_for(user).get(reverse(url_name)).content.decode()
    assert normal.number in page and held.number in page and cancelled.number in page
    assert badges(page) == expected(held, cancelled)


def test_the_wave_page_and_the_waves_list_show_the_intercepted_parcels(
    make_parcel, warehouse, client_for, warehouse_user
):
    normal, held, cancelled = make_parcel(), make_parcel(), make_parcel()
    wave = wave_build(warehouse_id=warehouse.pk)
    order_hold(order_id=held.order_id, reason="客户要求改地址")
    order_cancel(order_id=cancelled.order_id, reason="customer changed mind", check_perm=False)
    client = client_for(warehouse_user)
    detail = client.get(reverse("fulfillment:wave", args=[wave.pk])).content.decode()
    assert normal.number in detail
    assert badges(detail) == expected(held, cancelled)
    assert "客户要求改地址" in detail and "customer changed mind" in detail
    waves = client.get(reverse("fulfillment:waves")).content.decode()
    assert re.search(r'data-testid="wave-intercepted">\s*2 intercepted\s*</a>', waves)


def test_the_to_ship_list_offers_no_ship_button_for_an_intercepted_parcel(three, client_for, warehouse_user):
    normal, held, cancelled = three
    page = client_for(warehouse_user).get(reverse("fulfillment:to-ship")).content.decode()
    assert f'action="/fulfillment/shipments/{normal.pk}/ship/"' in page
    assert f'action="/fulfillment/shipments/{held.pk}/ship/"' not in page
    assert f'action="/fulfillment/shipments/{cancelled.pk}/ship/"' not in page


def test_the_parcel_page_flags_it_with_the_reason_and_a_link_to_the_order(three, client_for, ops_user):
    normal, held, cancelled = three
    client = client_for(ops_user)
    page = client.get(reverse("fulfillment:shipment", args=[held.pk])).content.decode()
    assert badges(page) == {held.order.number: "Intercepted — order on hold"}
    assert f'<a class="small" href="/orders/{held.order_id}/">{held.order.number}</a>' in page
    assert "客户要求改地址" in page
    assert "This parcel must not be packed or shipped" in page
    page = client.get(reverse("fulfillment:shipment", args=[cancelled.pk])).content.decode()
    assert badges(page) == {cancelled.order.number: "Intercepted — order cancelled"}
    page = client.get(reverse("fulfillment:shipment", args=[normal.pk])).content.decode()
    assert 'data-testid="interception"' not in page


def test_the_order_pages_parcels_panel_flags_the_parcel(three, client_for, ops_user):
    normal, held, cancelled = three
    client = client_for(ops_user)
    for shipment, label in (
        (held, "Intercepted — order on hold"),
        (cancelled, "Intercepted — order cancelled"),
    ):
        page = client.get(reverse("orders:detail", args=[shipment.order_id])).content.decode()
        assert badges(page) == {shipment.order.number: label}
    page = client.get(reverse("orders:detail", args=[normal.order_id])).content.decode()
    assert 'data-testid="order-parcels"' in page and 'data-testid="interception"' not in page


def test_the_flag_is_in_chinese_on_a_chinese_screen(three, client_for, ops_user):
    _normal, held, cancelled = three
    ops_user.language = "zh-hans"
    ops_user.save(update_fields=["language"])
    page = client_for(ops_user).get(reverse("fulfillment:shipments")).content.decode()
    assert badges(page) == {
        held.order.number: "已截停——订单已拦截",
        cancelled.order.number: "已截停——订单已取消",
    }


def test_a_warehouse_user_without_order_access_sees_the_order_number_unlinked(
    three, client_for, warehouse_user
):
    _normal, held, _cancelled = three
    page = client_for(warehouse_user).get(reverse("fulfillment:to-ship")).content.decode()
    if warehouse_user.has_perm("orders.view_order"):
        assert f'href="/orders/{held.order_id}/"' in page
    else:
        assert f'<span class="small">{held.order.number}</span>' in page


# --- query counts -----------------------------------------------------------------------------------


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_lists_do_not_grow_queries_with_intercepted_rows(make_parcel, client_for, ops_user, warehouse_user):
    make_parcel(pack=True, stop="hold")
    ops, wh = client_for(ops_user), client_for(warehouse_user)
    urls = [(ops, reverse("fulfillment:shipments")), (wh, reverse("fulfillment:to-ship"))]
    few = [queries_for(client, url) for client, url in urls]
    for stop in ("hold", "cancel", "", "hold", "cancel"):
        make_parcel(pack=True, stop=stop)
    assert [queries_for(client, url) for client, url in urls] == few


def test_the_wave_page_and_waves_list_do_not_grow_queries_with_intercepted_parcels(
    make_parcel, warehouse, client_for, warehouse_user
):
    client = client_for(warehouse_user)
    first = [make_parcel()]
    wave = wave_build(warehouse_id=warehouse.pk)
    order_hold(order_id=first[0].order_id, reason="x")
    urls = [reverse("fulfillment:wave", args=[wave.pk]), reverse("fulfillment:waves")]
    few = [queries_for(client, url) for url in urls]
    more = [make_parcel() for _ in range(5)]
    wave2 = wave_build(warehouse_id=warehouse.pk)
    for shipment in more[:3]:
        order_cancel(order_id=shipment.order_id, reason="y", check_perm=False)
    urls[0] = reverse("fulfillment:wave", args=[wave2.pk])
    assert [queries_for(client, url) for url in urls] == few


def test_the_sort_list_marks_the_intercepted_parcels(make_parcel, warehouse):
    import io

    from pypdf import PdfReader

    from fulfillment.pdf import render_sortlist
    from fulfillment.selectors import picklist_data

    normal, held, cancelled = make_parcel(), make_parcel(), make_parcel()
    wave = wave_build(warehouse_id=warehouse.pk)
    order_hold(order_id=held.order_id, reason="x")
    order_cancel(order_id=cancelled.order_id, reason="y", check_perm=False)
    header, _rows, parcels = picklist_data(wave)
    assert {p["number"]: str(p["intercepted"]) for p in parcels} == {
        normal.number: "",
        held.number: "Intercepted — order on hold",
        cancelled.number: "Intercepted — order cancelled",
    }
    text = PdfReader(io.BytesIO(render_sortlist(wave=header, parcels=parcels, language="en"))).pages[0]
    assert text.extract_text().count("Intercepted") == 2
