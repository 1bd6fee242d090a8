"""Waybill screens: a wave's labels in pick order (a real Celery worker renders them), the parcel's label and
its reprint with a reason on the timeline, batch ship by scan, the to-ship list's ticked parcels."""

from __future__ import annotations

import io

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from fulfillment.choices import ShipmentStatus as S
from fulfillment.models import CarrierAccount, Shipment, Waybill
from fulfillment.services import (
    pack_scan,
    pool_add_range,
    shipment_mark_packed,
    shipments_create_for_order,
    wave_build,
)
from oms.audit import timeline_for
from oms.models import BackgroundJob
from tests.fulfillment.test_waybill_labels import decode_barcodes
from tests.utils import wait_until

pytestmark = pytest.mark.django_db


def messages_of(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


@pytest.fixture
def pool_account(manual_service):
    carrier = manual_service.carrier
    carrier.adapter = "waybill"
    carrier.save()
    account = CarrierAccount.objects.create(
        code="zto-range", carrier=carrier, api="pool", sender_name="上海一号仓"
    )
    pool_add_range(account_id=account.pk, prefix="7531", first=1, last=50, width=8)
    return account


@pytest.fixture
def two_parcels(allocated_order, skus, pool_account):
    tee, mug, sock = skus
    a = allocated_order([(tee, 1)], phone="13900000081")  # bin A-30: picked last
    b = allocated_order([(mug, 1)], phone="13900000082")  # bin A-10: picked first
    return [shipments_create_for_order(order_id=o.pk)[0] for o in (a, b)]


def _pack(shipment, user, code):
    pack_scan(shipment_id=shipment.pk, code=code, by=user)
    shipment_mark_packed(shipment_id=shipment.pk, by=user)


@pytest.mark.django_db(transaction=True)
def test_wave_waybills_in_pick_order_rendered_by_a_worker(
    celery_worker_real, two_parcels, warehouse, client_for, warehouse_user, tmp_path
):
    tee_parcel, mug_parcel = two_parcels
    wave = wave_build(warehouse_id=warehouse.pk)
    response = client_for(warehouse_user).post(
        reverse("fulfillment:wave-waybills", args=[wave.pk]), {"size": "76x130"}
    )
    job = BackgroundJob.objects.get()
    assert response["Location"] == reverse("job-detail", args=[job.pk])
    wait_until(lambda: BackgroundJob.objects.get(pk=job.pk).status in ("done", "failed"), timeout=60)
    job.refresh_from_db()
    assert (job.status, job.message) == ("done", "2 waybills")
    pages = PdfReader(io.BytesIO(job.file.read())).pages
    numbers = [Waybill.objects.get(shipment=s).number for s in (mug_parcel, tee_parcel)]
    assert numbers == ["753100000001", "753100000002"]  # the mug's parcel is picked first
    assert [numbers[k] in pages[k].extract_text() for k in (0, 1)] == [True, True]
    assert Waybill.objects.filter(print_count=1).count() == 2


def test_first_print_then_reprint_needs_a_reason_and_is_on_the_timeline(
    two_parcels, client_for, warehouse_user, tmp_path
):
    shipment = two_parcels[0]
    client = client_for(warehouse_user)
    url = reverse("fulfillment:waybill", args=[shipment.pk, "print"])
    response = client.post(url, {"size": "100x180", "output": "pdf"})
    assert response["Content-Type"] == "application/pdf"
    waybill = Waybill.objects.get()
    assert set(decode_barcodes(response.content, tmp_path)) == {waybill.number}
    again = client.post(url, {"size": "100x180", "output": "pdf"})
    assert messages_of(again) == ["This label was printed before: reprint it with a reason."]
    reprint = reverse("fulfillment:waybill", args=[shipment.pk, "reprint"])
    refused = client.post(reprint, {"size": "100x180", "output": "zpl", "reason": ""})
    assert messages_of(refused)[-1] == "Choose why the label is printed again."
    zpl = client.post(reprint, {"size": "100x180", "output": "zpl", "reason": "damaged", "detail": "wet"})
    assert zpl["Content-Disposition"] == f'attachment; filename="waybill-{waybill.number}.zpl"'
    assert f"^FD{waybill.number}^FS" in zpl.content.decode()
    waybill.refresh_from_db()
    assert waybill.print_count == 2
    notes = [e.note for e in timeline_for(shipment) if e.kind == "change"]
    assert f"Waybill {waybill.number} printed again: label damaged wet" in notes
    page = client.get(reverse("fulfillment:shipment", args=[shipment.pk])).content.decode()
    assert "printed 2 times" in page and 'data-testid="waybill-reprint-form"' in page


def test_batch_ship_by_scanning_the_label(two_parcels, client_for, warehouse_user, skus):
    tee_parcel, mug_parcel = two_parcels
    _pack(tee_parcel, warehouse_user, "TEE-RED-L")
    client = client_for(warehouse_user)
    client.post(
        reverse("fulfillment:waybill", args=[tee_parcel.pk, "print"]), {"size": "100x180", "output": "pdf"}
    )
    number = Waybill.objects.get(shipment=tee_parcel).number
    row = client.post(
        reverse("fulfillment:batch-ship"), {"code": number}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-ok="1"' in row and number in row
    tee_parcel.refresh_from_db()
    assert (tee_parcel.status, tee_parcel.tracking_number) == (S.SHIPPED, number)
    again = client.post(reverse("fulfillment:batch-ship"), {"code": number}, HTTP_HX_REQUEST="true")
    assert f"{tee_parcel.number} has already shipped (tracking number {number})." in again.content.decode()
    unknown = client.post(reverse("fulfillment:batch-ship"), {"code": "NOPE-1"}, HTTP_HX_REQUEST="true")
    assert "No parcel or waybill NOPE-1. Check the label and scan again." in unknown.content.decode()
    not_packed = client.post(
        reverse("fulfillment:batch-ship"), {"code": mug_parcel.number}, HTTP_HX_REQUEST="true"
    )
    assert 'data-ok="0"' in not_packed.content.decode()
    assert Shipment.objects.get(pk=mug_parcel.pk).status == S.PENDING


def test_ship_selected_ships_the_ticked_parcels_with_waybills(two_parcels, client_for, warehouse_user):
    tee_parcel, mug_parcel = two_parcels
    _pack(tee_parcel, warehouse_user, "TEE-RED-L")
    _pack(mug_parcel, warehouse_user, "MUG-500")
    client = client_for(warehouse_user)
    page = client.get(reverse("fulfillment:to-ship")).content.decode()
    assert f'data-testid="select-{tee_parcel.number}"' in page
    response = client.post(reverse("fulfillment:ship-selected"), {"ids": [tee_parcel.pk, mug_parcel.pk]})
    assert response["Location"] == reverse("fulfillment:to-ship")
    shipped = dict(Shipment.objects.values_list("number", "tracking_number"))
    assert shipped == {
        tee_parcel.number: "753100000001",
        mug_parcel.number: "753100000002",
    }
    empty = client.post(reverse("fulfillment:ship-selected"), {})
    assert messages_of(empty)[-1] == "Tick a parcel."


def test_to_ship_list_query_count_does_not_grow(
    allocated_order, skus, client_for, warehouse_user, django_assert_max_num_queries
):
    tee = skus[0]
    client = client_for(warehouse_user)
    for n in range(6):
        order = allocated_order([(tee, 1)], phone=f"1390000010{n}")
        _pack(shipments_create_for_order(order_id=order.pk)[0], warehouse_user, "TEE-RED-L")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("fulfillment:to-ship")).status_code == 200


def test_the_account_secret_is_never_shown_and_an_empty_field_keeps_it(pool_account, admin_client):
    pool_account.secret = "very-secret-checkword"
    pool_account.save()
    url = reverse("admin:fulfillment_carrieraccount_change", args=[pool_account.pk])
    page = admin_client.get(url).content.decode()
    assert "very-secret-checkword" not in page
    fields = {
        "code": "zto-range",
        "carrier": pool_account.carrier_id,
        "api": "pool",
        "endpoint": "",
        "partner_id": "",
        "customer_code": "",
        "secret": "",
        "sender_name": "上海一号仓",
        "sender_phone": "",
        "label_size": "100x180",
        "is_active": "on",
        "range_prefix": "7531",
        "range_first": "51",
        "range_last": "60",
        "range_width": "8",
    }
    response = admin_client.post(url, fields)
    assert response.status_code == 302
    pool_account.refresh_from_db()
    assert pool_account.secret == "very-secret-checkword"
    assert pool_account.pool.count() == 60
