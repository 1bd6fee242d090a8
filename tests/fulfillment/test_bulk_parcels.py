"""Bulk work on parcels: the parcel list's bar and export, and printing the slips of orders picked on the
order list (an action fulfillment adds to the orders list)."""

from __future__ import annotations

import io

import openpyxl
import pytest
from pypdf import PdfReader

from fulfillment.models import Shipment
from fulfillment.services import shipments_create_for_order
from oms.models import BackgroundJob

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def parcels(allocated_order, skus):
    tee, mug, sock = skus
    orders = [
        allocated_order([(tee, 1)], phone="13900000081"),
        allocated_order([(mug, 1)], phone="13900000082"),
        allocated_order([(sock, 2)], phone="13900000083"),
    ]
    for order in orders:
        shipments_create_for_order(order_id=order.pk)
    return orders


def test_print_slips_of_the_selected_orders_from_the_order_list(
    parcels, client_for, ops_user, django_capture_on_commit_callbacks, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(ops_user)
    page = client.get("/orders/").content.decode()
    assert 'data-testid="bulk-print"' in page
    picked = [parcels[0].pk, parcels[2].pk]
    confirm = client.post("/orders/", {"action": "print", "ids": picked}).content.decode()
    assert "Print shipping slips: 2 orders. Go ahead?" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/orders/", {"action": "print", "ids": picked, "confirmed": "1"})
    job = BackgroundJob.objects.get()
    assert response.status_code == 302
    job.refresh_from_db()
    assert (job.status, job.message) == ("done", "2 shipping slips.")
    text = pdf_text(job.file.read())
    assert parcels[0].number in text and parcels[2].number in text
    assert parcels[1].number not in text


def test_parcel_list_exports_what_the_filter_shows_and_what_is_ticked(parcels, client_for, ops_user):
    client = client_for(ops_user)
    shipments = list(Shipment.objects.order_by("pk"))
    Shipment.objects.filter(pk=shipments[0].pk).update(tracking_number="YT123")
    response = client.get("/fulfillment/shipments/", {"q": shipments[1].number, "export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [shipments[1].number]
    assert rows[1][7] == 1  # units stay a number
    streamed = client.get("/fulfillment/shipments/", {"export": "csv"}).streaming_content
    csv = b"".join(streamed).decode("utf-8-sig")
    assert len(csv.strip().splitlines()) == 4
    picked = client.post(
        "/fulfillment/shipments/", {"action": "export", "ids": [shipments[0].pk, shipments[2].pk]}
    )
    rows = list(openpyxl.load_workbook(io.BytesIO(picked.content)).active.iter_rows(values_only=True))
    assert sorted(r[0] for r in rows[1:]) == sorted([shipments[0].number, shipments[2].number])


def test_cancel_parcels_in_bulk_reports_each(parcels, client_for, ops_user):
    client = client_for(ops_user)
    ids = list(Shipment.objects.values_list("pk", flat=True))
    page = client.get("/fulfillment/shipments/").content.decode()
    assert "3 parcels match" in page
    result = client.post(
        "/fulfillment/shipments/",
        {
            "action": "cancel",
            "scope": "matching",
            "query": "",
            "confirmed": "1",
            "reason": "customer cancelled",
        },
    )
    assert result.context["summary"]["total"] == 3
    assert (
        Shipment.objects.filter(pk__in=ids, status="cancelled").count() == result.context["summary"]["done"]
    )


def test_wave_export_lists_todays_waves_with_typed_counts(
    allocated_order, skus, warehouse, client_for, warehouse_user
):
    from fulfillment.services import wave_build

    tee, mug, _sock = skus
    allocated_order([(tee, 1)], phone="13900000091")
    allocated_order([(mug, 1)], phone="13900000092")
    wave = wave_build(warehouse_id=warehouse.pk)
    client = client_for(warehouse_user)
    assert 'data-testid="export-xlsx"' in client.get("/fulfillment/waves/").content.decode()
    response = client.get("/fulfillment/waves/", {"export": "xlsx"})
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert [(r[0], r[1], r[5]) for r in rows[1:]] == [(wave.number, warehouse.code, 2)]
    other = client.get("/fulfillment/waves/", {"export": "xlsx", "warehouse": warehouse.pk + 999})
    assert openpyxl.load_workbook(io.BytesIO(other.content)).active.max_row == 1
