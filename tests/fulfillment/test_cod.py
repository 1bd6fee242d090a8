"""Cash on delivery: the carrier that delivers the parcel collects the cash (the payment becomes paid, by that
carrier); finance records the carrier's remittances and sees, per carrier, what is still outstanding."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fulfillment.carriers import TrackingUpdate
from fulfillment.models import CodRemittance
from fulfillment.selectors_cod import cod_balances
from fulfillment.services import (
    RemittanceRefused,
    cod_remittance_record,
    pack_scan,
    shipment_mark_packed,
    shipment_ship,
    shipments_create_for_order,
    tracking_record,
)
from oms.exceptions import PermissionRefused
from orders.choices import PaymentStatus
from tests.factories import ChannelFactory, order_body, stock_in

D = Decimal
pytestmark = pytest.mark.django_db


def cod_order(sku, warehouse, *, external_id: str, price: str = "88.00"):
    from orders.services import order_allocate, order_approve, order_intake

    stock_in(sku, warehouse, 1)
    body = order_body(external_id=external_id, lines=[{"sku": sku.code, "quantity": 1, "unit_price": price}])
    body["payment"] = {"method": "cod", "status": "paid", "amount": price, "transaction_id": ""}
    order = order_intake(channel=ChannelFactory(code="tmall"), data=body, allocate_now=False).order
    while order.status in ("on_review", "finance_review"):
        order = order_approve(order_id=order.pk)
    return order_allocate(order_id=order.pk)


def deliver(order, tracking_number: str):
    [shipment] = shipments_create_for_order(order_id=order.pk)
    for line in shipment.lines.select_related("sku"):
        pack_scan(shipment_id=shipment.pk, code=line.sku.code)
    shipment_mark_packed(shipment_id=shipment.pk)
    shipment_ship(shipment_id=shipment.pk, tracking_number=tracking_number)
    done = TrackingUpdate(
        occurred_at=timezone.now() - timedelta(minutes=5), kind="delivered", description="签收"
    )
    tracking_record(shipment_id=shipment.pk, updates=[done])
    return shipment


def test_the_carrier_collects_cod_on_delivery_and_finance_reconciles_it(
    skus, warehouse, manual_service, finance_user, client_for, django_assert_max_num_queries
):
    tee, mug, _ = skus
    first = cod_order(tee, warehouse, external_id="COD-1", price="88.00")
    second = cod_order(mug, warehouse, external_id="COD-2", price="120.50")
    assert first.payments.get().status == PaymentStatus.PENDING
    deliver(first, "ZT-COD-1")
    deliver(second, "ZT-COD-2")
    for order in (first, second):
        order.refresh_from_db()
        payment = order.payments.get()
        assert (order.status, payment.status, payment.collected_by) == (
            "delivered",
            PaymentStatus.PAID,
            "ZTO",
        )

    [balance] = cod_balances()
    assert (balance.name, balance.orders, balance.collected, balance.remitted) == (
        "中通",
        2,
        D("208.50"),
        D("0"),
    )

    client = client_for(finance_user)
    response = client.post(
        reverse("fulfillment:cod"),
        {
            "carrier": manual_service.carrier_id,
            "amount": "88.00",
            "remitted_on": timezone.localdate().isoformat(),
            "reference": "ZTO-2026-11",
        },
    )
    assert response.status_code == 302
    remittance = CodRemittance.objects.get()
    assert (remittance.amount, remittance.recorded_by) == (D("88.00"), finance_user)
    [balance] = cod_balances()
    assert (balance.remitted, balance.outstanding) == (D("88.00"), D("120.50"))

    client.get(reverse("fulfillment:cod"))
    with django_assert_max_num_queries(14):
        page = client.get(reverse("fulfillment:cod"))
    html = page.content.decode()
    assert "120.50" in html and "ZTO-2026-11" in html

    # The same statement twice is refused on its field; what was typed stays.
    again = client.post(
        reverse("fulfillment:cod"),
        {
            "carrier": manual_service.carrier_id,
            "amount": "88.00",
            "remitted_on": timezone.localdate().isoformat(),
            "reference": "ZTO-2026-11",
        },
    )
    assert again.status_code == 400
    assert "already recorded" in again.content.decode()
    assert CodRemittance.objects.count() == 1

    export = client.get(reverse("fulfillment:cod"), {"export": "csv"})
    [row] = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert (row["Carrier"], row["Cash collected"], row["Remitted"], row["Outstanding"]) == (
        "中通",
        "208.50",
        "88.00",
        "120.50",
    )


def test_remittances_are_checked_and_need_the_permission(
    manual_service, finance_user, warehouse_user, client_for
):
    carrier_id = manual_service.carrier_id
    with pytest.raises(RemittanceRefused) as refused:
        cod_remittance_record(carrier_id=carrier_id, amount="-5", reference="X", by=finance_user)
    assert "amount" in refused.value.field_errors
    with pytest.raises(RemittanceRefused):
        cod_remittance_record(
            carrier_id=carrier_id,
            amount="5.00",
            reference="X",
            remitted_on=timezone.localdate() + timedelta(days=1),
            by=finance_user,
        )
    with pytest.raises(PermissionRefused):
        cod_remittance_record(carrier_id=carrier_id, amount="5.00", reference="X", by=warehouse_user)
    assert client_for(warehouse_user).get(reverse("fulfillment:cod")).status_code == 403
    assert not CodRemittance.objects.exists()
