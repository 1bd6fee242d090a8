"""Pick and sort lists through the background job, tracking polling through the Celery task (a fake
carrier on 127.0.0.1), and the operations actions on a shipment, refusals included."""

import io
import shutil
import subprocess

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from pypdf import PdfReader

from fulfillment.choices import ShipmentStatus as S
from fulfillment.models import Shipment, TrackingEvent
from fulfillment.services import (
    pack_scan,
    shipment_approve_drop_ship,
    shipment_mark_packed,
    shipment_override_carrier,
    shipment_ship,
    shipments_create_for_order,
    wave_build,
)
from fulfillment.tasks import tracking_poll_due_task
from oms.models import BackgroundJob, OutboxMessage
from oms.notes import render_note
from tests.factories import CarrierFactory, CarrierServiceFactory, RateRowFactory, SupplierSKUFactory
from tests.fulfillment.fake_carrier import fake_carrier_server

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def messages_of(response) -> list[str]:
    return [m.message for m in get_messages(response.wsgi_request)]


# --- pick list and sort list as background jobs -------------------------------------------------


@pytest.fixture
def wave(allocated_order, skus, warehouse):
    tee, mug, sock = skus
    allocated_order([(tee, 2), (mug, 1)], phone="13900000071")
    allocated_order([(sock, 3), (tee, 1)], phone="13900000072")
    return wave_build(warehouse_id=warehouse.pk)


def _print(client, wave, kind, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("fulfillment:wave-print", args=[wave.pk, kind]))
    job = BackgroundJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("job-detail", args=[job.pk])
    job.refresh_from_db()
    return job


def test_pick_list_job_renders_the_walking_order_with_barcodes(
    wave, client_for, warehouse_user, django_capture_on_commit_callbacks, tmp_path
):
    client = client_for(warehouse_user)
    job = _print(client, wave, "picklist", django_capture_on_commit_callbacks)

    assert (job.status, job.file_name, job.message) == ("done", f"picklist-{wave.number}.pdf", "3 pick lines")
    data = job.file.read()
    assert data.startswith(b"%PDF-")
    text = pdf_text(data)
    assert f"Pick list {wave.number}" in text and "2 parcels · 7 units" in text
    # walking order: bins A-10 (mug), A-20 (socks), A-30 (tee), each SKU once with its total
    positions = [text.index(code) for code in ("MUG-500", "SOCK-3", "TEE-RED-L")]
    assert positions == sorted(positions)
    assert "SHP-" not in text  # parcels are on the sort list, not on the picker's document
    if shutil.which("zbarimg") and shutil.which("pdftoppm"):
        (tmp_path / "p.pdf").write_bytes(data)
        subprocess.run(
            ["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", tmp_path / "p.pdf", tmp_path / "p"]
        )
        scanned = subprocess.run(
            ["zbarimg", "--quiet", "--raw", *sorted(tmp_path.glob("p*.png"))], capture_output=True, text=True
        )
        assert sorted(scanned.stdout.split()) == sorted([wave.number, "MUG-500", "SOCK-3", "TEE-RED-L"])


def test_sort_list_job_lists_each_parcel_with_its_contents(
    wave, client_for, warehouse_user, django_capture_on_commit_callbacks
):
    job = _print(client_for(warehouse_user), wave, "sortlist", django_capture_on_commit_callbacks)

    assert (job.status, job.file_name, job.message) == ("done", f"sortlist-{wave.number}.pdf", "2 parcels")
    text = pdf_text(job.file.read())
    for shipment in wave.shipments.all():
        assert shipment.number in text
    assert "TEE-RED-L × 2" in text and "SOCK-3 × 3" in text


def test_printing_an_unknown_document_is_not_found_and_queues_nothing(wave, client_for, warehouse_user):
    response = client_for(warehouse_user).post(reverse("fulfillment:wave-print", args=[wave.pk, "labels"]))
    assert response.status_code == 404
    assert BackgroundJob.objects.count() == 0


def test_finance_cannot_print_pick_lists(wave, client_for, finance_user):
    response = client_for(finance_user).post(reverse("fulfillment:wave-print", args=[wave.pk, "picklist"]))
    assert response.status_code == 403
    assert BackgroundJob.objects.count() == 0


# --- tracking polling through the Celery task ----------------------------------------------------


def _ship_with(fake_url, allocated_order, skus, warehouse_user, ops_user, phone):
    service = CarrierServiceFactory(
        carrier=CarrierFactory(code="FAST", name="Fast Express", adapter="http", api_base_url=fake_url),
        code="NEXT",
    )
    RateRowFactory(service=service)
    [shipment] = shipments_create_for_order(order_id=allocated_order([(skus[0], 1)], phone=phone).pk)
    shipment_override_carrier(shipment_id=shipment.pk, carrier_service_id=service.pk, by=ops_user)
    pack_scan(shipment_id=shipment.pk, code=skus[0].code, by=warehouse_user)
    shipment_mark_packed(shipment_id=shipment.pk, by=warehouse_user)
    return shipment_ship(shipment_id=shipment.pk, by=warehouse_user)  # number from the carrier's API


def test_polling_task_fetches_events_and_delivers_the_order(allocated_order, skus, warehouse_user, ops_user):
    with fake_carrier_server() as fake:
        shipment = _ship_with(fake.url, allocated_order, skus, warehouse_user, ops_user, "13900000081")
        assert shipment.tracking_number == "FAKE00000001"
        fake.events["FAKE00000001"] = [
            {
                "time": "2026-11-21T10:00:00+08:00",
                "status": "picked_up",
                "description": "揽收",
                "location": "上海",
            },
            {
                "time": "2026-11-22T09:30:00+08:00",
                "status": "delivered",
                "description": "签收",
                "location": "杭州",
            },
        ]
        assert tracking_poll_due_task.delay().get() == 1
        assert tracking_poll_due_task.delay().get() == 0  # delivered: no longer polled
    shipment.refresh_from_db()
    assert (shipment.status, shipment.order.status) == (S.DELIVERED, "delivered")
    assert list(shipment.events.values_list("kind", "description", "source")) == [
        ("picked_up", "揽收", "poll"),
        ("delivered", "签收", "poll"),
    ]
    assert [r[1] for r in fake.requests if r[0] == "GET"] == ["/tracking/FAKE00000001"]


def test_a_carrier_that_fails_leaves_the_parcel_unchanged(allocated_order, skus, warehouse_user, ops_user):
    with fake_carrier_server() as fake:
        shipment = _ship_with(fake.url, allocated_order, skus, warehouse_user, ops_user, "13900000082")
        fake.fail_with = 503
        assert tracking_poll_due_task.delay().get() == 1  # one poll sent; it failed on its own
    shipment.refresh_from_db()
    assert (shipment.status, shipment.last_event_at) == (S.SHIPPED, None)
    assert TrackingEvent.objects.count() == 0


# --- operations actions on a shipment ------------------------------------------------------------


@pytest.fixture
def dropped(allocated_order, skus):
    SupplierSKUFactory(sku=skus[1], is_drop_ship=True, supplier__email="factory@example.com")
    order = allocated_order([(skus[0], 1), (skus[1], 2)], phone="13900000091")
    shipments = shipments_create_for_order(order_id=order.pk)
    return (
        order,
        next(s for s in shipments if s.is_drop_ship),
        next(s for s in shipments if not s.is_drop_ship),
    )


def action(client, shipment, name, data=None):
    return client.post(reverse("fulfillment:shipment-action", args=[shipment.pk, name]), data or {})


def test_operations_approve_a_drop_ship_and_the_supplier_is_asked(dropped, client_for, ops_user):
    _order, drop, _own = dropped
    response = action(client_for(ops_user), drop, "approve")
    assert response.status_code == 302
    assert messages_of(response) == [f"{drop.number} approved; the supplier has been sent the request."]
    drop.refresh_from_db()
    assert drop.status == S.APPROVED and drop.approved_at is not None
    assert list(
        OutboxMessage.objects.filter(event__startswith="fulfillment.").values_list("event", "recipient")
    ) == [("fulfillment.drop_ship_request", "factory@example.com")]


def test_approving_a_warehouse_parcel_is_refused_with_a_message_and_changes_nothing(
    dropped, client_for, ops_user
):
    _order, _drop, own = dropped
    response = action(client_for(ops_user), own, "approve")
    assert response.status_code == 302
    [message] = messages_of(response)
    assert message.startswith(
        f"{own.number}: {own.number} is Pending, so “Drop-ship approved” is not possible now."
    )
    own.refresh_from_db()
    assert (own.status, own.approved_at) == (S.PENDING, None)
    assert not OutboxMessage.objects.filter(event="fulfillment.drop_ship_request").exists()


def test_approving_a_held_orders_drop_ship_is_refused(dropped, client_for, ops_user):
    from orders.services import order_hold

    order, drop, _own = dropped
    order_hold(order_id=order.pk, by=ops_user, reason="customer called")
    response = action(client_for(ops_user), drop, "approve")
    assert messages_of(response) == [
        f"{drop.number}: Stop: do not ship this parcel (截停). Order {order.number} is On hold. "
        "Put it on the exception shelf."
    ]
    drop.refresh_from_db()
    assert drop.status == S.AWAITING_APPROVAL
    assert not OutboxMessage.objects.filter(event="fulfillment.drop_ship_request").exists()


def test_the_warehouse_may_not_approve_drop_ships(dropped, client_for, warehouse_user):
    _order, drop, _own = dropped
    assert action(client_for(warehouse_user), drop, "approve").status_code == 403
    drop.refresh_from_db()
    assert drop.status == S.AWAITING_APPROVAL


def test_operations_override_the_carrier_from_the_detail_page(dropped, client_for, ops_user):
    _order, _drop, own = dropped
    other = CarrierServiceFactory(name="顺丰次日")
    response = action(client_for(ops_user), own, "override", {"carrier_service": other.pk, "reason": "VIP"})
    assert messages_of(response) == [f"{own.number}: carrier changed."]
    own.refresh_from_db()
    assert (own.carrier_service, own.carrier_overridden, [render_note(r) for r in own.carrier_reasons]) == (
        other,
        True,
        ["Chosen by hand by ops: VIP"],
    )


def test_override_without_a_service_shows_the_form_error_and_changes_nothing(dropped, client_for, ops_user):
    _order, _drop, own = dropped
    before = own.carrier_service_id
    response = action(client_for(ops_user), own, "override", {"carrier_service": "", "reason": "x"})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    own.refresh_from_db()
    assert (own.carrier_service_id, own.carrier_overridden) == (before, False)


def test_override_after_shipping_is_refused_and_changes_nothing(
    allocated_order, skus, client_for, ops_user, warehouse_user
):
    [shipment] = shipments_create_for_order(order_id=allocated_order([(skus[0], 1)], phone="13900000092").pk)
    pack_scan(shipment_id=shipment.pk, code=skus[0].code, by=warehouse_user)
    shipment_mark_packed(shipment_id=shipment.pk, by=warehouse_user)
    shipment_ship(shipment_id=shipment.pk, tracking_number="ZT9", by=warehouse_user)
    before = Shipment.objects.get(pk=shipment.pk).carrier_service_id
    other = CarrierServiceFactory()
    response = action(client_for(ops_user), shipment, "override", {"carrier_service": other.pk})
    assert messages_of(response) == [
        f"{shipment.number}: {shipment.number} has left the warehouse; its carrier cannot change."
    ]
    shipment.refresh_from_db()
    assert (shipment.carrier_service_id, shipment.carrier_overridden, shipment.status) == (
        before,
        False,
        S.SHIPPED,
    )


def test_warehouse_may_not_override_and_unknown_actions_are_not_found(
    dropped, client_for, warehouse_user, ops_user
):
    _order, _drop, own = dropped
    other = CarrierServiceFactory()
    assert (
        action(client_for(warehouse_user), own, "override", {"carrier_service": other.pk}).status_code == 403
    )
    assert action(client_for(ops_user), own, "explode").status_code == 404
    own.refresh_from_db()
    assert (own.carrier_overridden, own.status) == (False, S.PENDING)


def test_approve_twice_notifies_the_supplier_once(dropped, ops_user, client_for):
    _order, drop, _own = dropped
    shipment_approve_drop_ship(shipment_id=drop.pk, by=ops_user)
    response = action(client_for(ops_user), drop, "approve")
    [message] = messages_of(response)
    assert message.startswith(
        f"{drop.number}: {drop.number} is Approved (supplier notified), so “Drop-ship approved” is not possible now."
    )
    assert OutboxMessage.objects.filter(event="fulfillment.drop_ship_request").count() == 1
