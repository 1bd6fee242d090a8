"""Electronic waybills: every carrier API against its fake (signature checked by the fake), a blank ship form
fetching the number, nothing written on a refusal, interception voiding the waybill, the parcel-shipped hook."""

from __future__ import annotations

import pytest

from fulfillment import hooks
from fulfillment.carriers.cn import CLIENTS
from fulfillment.carriers.waybill import Credentials, Party, WaybillRequest
from fulfillment.choices import ShipmentStatus as S
from fulfillment.choices import WaybillStatus
from fulfillment.exceptions import CarrierAdapterError
from fulfillment.models import CarrierAccount, Waybill
from fulfillment.services import (
    pack_scan,
    shipment_cancel,
    shipment_mark_packed,
    shipment_ship,
    shipments_create_for_order,
    waybill_cancel_if_intercepted,
    waybill_issue,
    waybills_intercepted_ids,
)
from oms.audit import timeline_for
from tests.fulfillment.fake_waybill_apis import fake_waybill_server

pytestmark = pytest.mark.django_db

REQUEST = WaybillRequest(
    reference="SHP-000042",
    carrier_code="ZTO",
    service_code="1",
    weight_g=1250,
    packages=1,
    sender=Party("上海一号仓", "02112345678", "上海", "上海市", "浦东新区", "外高桥 1 号"),
    receiver=Party("张小三", "13812341234", "浙江省", "杭州市", "西湖区", "文三路 100 号 5 幢 302"),
    items=("纯棉T恤",),
)
EXPECTED = {
    "sf": ("SF0000000001", "571WE-010", "F33"),
    "zto": ("75310000000001", "300-W01 012", "杭州集包"),
    "yto": ("YT0000000001", "200-010-03", "210045"),
    "yunda": ("43120000000001", "510 B9 07", "B9"),
    "jd": ("JDV0000000001", "C12", "北京亦庄站"),
    "kdniao": ("KDN0000000001", "021-A3-05", "上海转"),
    "cainiao": ("CN0000000001", "710-C 23", "西安"),
}


def client(api, fake, *, secret=None):
    return CLIENTS[api](
        Credentials(
            endpoint=f"{fake.url}/{api}",
            partner_id="ZTO-KEY",
            customer_code="CUST-1",
            secret=fake.secret if secret is None else secret,
            carrier_name=f"Carrier {api}",
        )
    )


@pytest.mark.parametrize("api", sorted(EXPECTED))
def test_each_api_issues_and_voids_a_waybill_with_a_valid_signature(api):
    with fake_waybill_server() as fake:
        answer = client(api, fake).issue(REQUEST)
        client(api, fake).cancel(number=answer.number, reference="SHP-000042", carrier_code="ZTO")
    assert (answer.number, answer.sort_code, answer.destination_code) == EXPECTED[api]
    assert [(c["action"], c["signature_ok"]) for c in fake.calls] == [("issue", True), ("cancel", True)]
    assert "张小三" in str(fake.calls[0]["payload"])  # the carrier gets the real receiver; the label masks it
    assert "SHP-000042" in str(fake.calls[0]["payload"])


@pytest.mark.parametrize("api", sorted(EXPECTED))
def test_a_wrong_secret_is_refused_by_the_carrier_with_its_message(api):
    with fake_waybill_server() as fake, pytest.raises(CarrierAdapterError) as exc:
        client(api, fake, secret="not-the-secret").issue(REQUEST)
    assert fake.calls[0]["signature_ok"] is False
    assert exc.value.message.startswith(f"The carrier Carrier {api} did not answer as expected (")


@pytest.mark.parametrize("api", sorted(EXPECTED))
def test_the_carriers_business_error_and_http_errors_are_clear(api):
    with fake_waybill_server() as fake:
        fake.refuse = "收件地址超区"
        with pytest.raises(CarrierAdapterError) as refused:
            client(api, fake).issue(REQUEST)
        fake.http_status = 503
        with pytest.raises(CarrierAdapterError) as down:
            client(api, fake).issue(REQUEST)
    assert "收件地址超区" in refused.value.message
    assert "HTTP 503" in down.value.message


@pytest.fixture
def zto(manual_service):
    """The parcels' carrier (中通) with an electronic waybill account instead of typed numbers."""
    manual_service.carrier.adapter = "waybill"
    manual_service.carrier.save()
    return manual_service


@pytest.fixture
def fake():
    with fake_waybill_server() as state:
        yield state


@pytest.fixture
def account(zto, fake):
    return CarrierAccount.objects.create(
        code="zto-sh",
        carrier=zto.carrier,
        api="zto",
        endpoint=f"{fake.url}/zto",
        partner_id="ZTO-KEY",
        customer_code="CUST-1",
        secret=fake.secret,
        sender_name="上海一号仓",
        sender_phone="02112345678",
    )


@pytest.fixture
def packed(allocated_order, skus, zto, warehouse_user):
    tee, mug, _ = skus
    order = allocated_order([(tee, 1), (mug, 1)])
    [shipment] = shipments_create_for_order(order_id=order.pk)
    for code in ("TEE-RED-L", "MUG-500"):
        pack_scan(shipment_id=shipment.pk, code=code, by=warehouse_user)
    shipment_mark_packed(shipment_id=shipment.pk, by=warehouse_user)
    return order, shipment


def test_blank_tracking_number_fetches_the_waybill_and_ships(
    packed, account, fake, warehouse_user, django_capture_on_commit_callbacks
):
    order, shipment = packed
    received = []

    def listener(*, shipment, by):
        # what a channel write-back sees, inside the shipping transaction
        received.append({"shipment_id": shipment.pk, "tracking_number": shipment.tracking_number})

    hooks.register_shipped_handler(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            shipment = shipment_ship(shipment_id=shipment.pk, tracking_number="", by=warehouse_user)
    finally:
        hooks._shipped_handlers.remove(listener)
    waybill = Waybill.objects.get()
    assert (shipment.status, shipment.tracking_number) == (S.SHIPPED, "75310000000001")
    assert (waybill.number, waybill.sort_code, waybill.status) == ("75310000000001", "300-W01 012", "issued")
    assert fake.calls[0]["payload"]["receiveInfo"]["receiverMobile"] == "13812345678"
    titles = [(e.title, e.note) for e in timeline_for(shipment) if e.kind == "change"]
    assert ("Waybill issued", "Waybill 75310000000001 issued (account zto-sh)") in titles
    assert received == [{"shipment_id": shipment.pk, "tracking_number": "75310000000001"}]


def test_a_refusal_by_the_carrier_writes_nothing(packed, account, fake, warehouse_user):
    _order, shipment = packed
    fake.refuse = "账号余额不足"
    with pytest.raises(CarrierAdapterError) as exc:
        shipment_ship(shipment_id=shipment.pk, tracking_number="", by=warehouse_user)
    assert "账号余额不足" in exc.value.message
    shipment.refresh_from_db()
    assert (shipment.status, shipment.tracking_number, Waybill.objects.count()) == (S.PACKED, "", 0)


def test_issuing_twice_gives_the_same_waybill(packed, account, fake):
    _order, shipment = packed
    first = waybill_issue(shipment_id=shipment.pk)
    again = waybill_issue(shipment_id=shipment.pk)
    assert first.pk == again.pk
    assert len(fake.calls) == 1


def test_a_cancelled_order_voids_its_printed_waybill_at_the_carrier(packed, account, fake, ops_user):
    from orders.services import order_cancel

    order, shipment = packed
    waybill = waybill_issue(shipment_id=shipment.pk)
    assert waybills_intercepted_ids() == []
    assert waybill_cancel_if_intercepted(shipment_id=shipment.pk) is None  # not intercepted: kept
    order_cancel(order_id=order.pk, by=ops_user, reason="customer asked")
    assert waybills_intercepted_ids() == [shipment.pk]
    waybill_cancel_if_intercepted(shipment_id=shipment.pk)
    waybill.refresh_from_db()
    assert (waybill.status, waybill.cancel_error) == (WaybillStatus.CANCELLED, "")
    cancel = fake.calls[-1]
    assert (cancel["action"], cancel["signature_ok"], cancel["payload"]["billCode"]) == (
        "cancel",
        True,
        waybill.number,
    )
    notes = [e.note for e in timeline_for(shipment) if e.kind == "change"]
    assert f"Waybill {waybill.number} voided at the carrier (parcel intercepted)" in notes
    assert waybills_intercepted_ids() == []


def test_a_cancelled_parcel_voids_its_waybill_after_commit(
    packed, account, fake, ops_user, django_capture_on_commit_callbacks
):
    _order, shipment = packed
    waybill = waybill_issue(shipment_id=shipment.pk)
    with django_capture_on_commit_callbacks(execute=True):
        shipment_cancel(shipment_id=shipment.pk, by=ops_user, reason="damaged")
    waybill.refresh_from_db()
    assert waybill.status == WaybillStatus.CANCELLED
    assert [c["action"] for c in fake.calls] == ["issue", "cancel"]


def test_a_void_the_carrier_refuses_is_recorded(packed, account, fake, ops_user):
    _order, shipment = packed
    waybill = waybill_issue(shipment_id=shipment.pk)
    shipment_cancel(shipment_id=shipment.pk, by=ops_user, reason="damaged")
    fake.refuse = "已揽收，不能取消"
    waybill_cancel_if_intercepted(shipment_id=shipment.pk)
    waybill.refresh_from_db()
    assert waybill.status == WaybillStatus.CANCEL_FAILED
    assert "已揽收，不能取消" in waybill.cancel_error
