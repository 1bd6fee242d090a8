"""Payments: marked paid by hand with a reference (and who), failed with a pay-again link to the customer, cash on
delivery collected at the door; refunds owed on cancelled paid orders paid out by finance (screen, export)."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from oms.exceptions import IllegalTransition, PermissionRefused
from oms.models import OutboxMessage
from orders import services
from orders.choices import ContactChannel, PaymentStatus, RefundStatus
from orders.models import Order, RefundRecord

D = Decimal
pytestmark = pytest.mark.django_db


def table(response) -> str:
    """The list's table only (a flash message may name the order too)."""
    html = response.content.decode()
    start = html.index('data-testid="refunds-owed-table"')
    return html[start : html.index("</table>", start)]


def texts(order) -> list[str]:
    from oms.audit import timeline_for

    return [f"{e.title} {e.note}" for e in timeline_for(order)]


# --- mark paid by hand ---------------------------------------------------------------------------------


def test_finance_marks_an_order_paid_with_a_reference(make_order, finance_user, client_for):
    order = make_order(paid=False)
    response = client_for(finance_user).post(
        reverse("orders:payment-mark-paid", args=[order.pk]), {"reference": "ICBC-20261203-77"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    payment = order.payments.get()
    assert order.status == "approved"
    assert (payment.status, payment.transaction_id, payment.recorded_by) == (
        PaymentStatus.PAID,
        "ICBC-20261203-77",
        finance_user,
    )
    assert any("Payment of 119.80 marked paid by hand, reference ICBC-20261203-77" in t for t in texts(order))


def test_mark_paid_needs_a_reference_the_permission_and_a_waiting_order(
    make_order, warehouse_user, finance_user
):
    order = make_order(paid=False)
    with pytest.raises(services.ReferenceRequired):
        services.payment_mark_paid(order_id=order.pk, reference="  ", by=finance_user)
    with pytest.raises(PermissionRefused):
        services.payment_mark_paid(order_id=order.pk, reference="X-1", by=warehouse_user)
    paid = make_order()
    with pytest.raises(IllegalTransition):
        services.payment_mark_paid(order_id=paid.pk, reference="X-1", by=finance_user)
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


def test_the_warehouse_cannot_post_mark_paid(make_order, warehouse_user, client_for):
    order = make_order(paid=False)
    response = client_for(warehouse_user).post(
        reverse("orders:payment-mark-paid", args=[order.pk]), {"reference": "X"}
    )
    assert response.status_code == 403
    assert Order.objects.get(pk=order.pk).status == "pending_payment"


# --- failed payment: the customer gets a link to pay again ------------------------------------------------


def test_a_failed_payment_sends_the_customer_a_signed_pay_again_link(make_order, api, client, settings):
    order = make_order(paid=False)
    Order.objects.filter(pk=order.pk).update()
    order.customer.email = "buyer@example.com"
    order.customer.preferred_contact = ContactChannel.EMAIL  # the buyer asked to be written to by e-mail
    order.customer.language = "en"  # the message and the page are in the buyer's language
    order.customer.save()
    response = api.post(
        f"/api/v1/orders/{order.number}/payment-failed/", {"reason": "card declined"}, format="json"
    )
    assert response.status_code == 200, response.content
    payment = order.payments.get()
    assert (payment.status, payment.failure_reason) == (PaymentStatus.FAILED, "card declined")
    message = OutboxMessage.objects.get(event="order.payment_failed")
    assert message.recipient == "buyer@example.com"
    # (In Chinese the link follows the text with no space before it.)
    url = re.search(r"https?://[^\s，。：]+/orders/pay/\S+", message.body).group(0)
    # The page needs no login and shows the amount due.
    page = client.get(url.replace(settings.OMS_PUBLIC_URL.rstrip("/"), ""))
    assert page.status_code == 200
    body = page.content.decode()
    assert order.number in body and "119.80" in body
    # A forged link shows nothing of the order.
    forged = client.get(reverse("orders:pay-again", args=["not-a-token"]))
    assert forged.status_code == 404 and order.number not in forged.content.decode()
    # Paying later works as before; the link then says there is nothing left to pay.
    services.order_mark_paid(order_id=order.pk, transaction_id="ALI-2")
    assert order.payments.get().status == PaymentStatus.PAID
    assert (
        "nothing more to pay"
        in client.get(url.replace(settings.OMS_PUBLIC_URL.rstrip("/"), "")).content.decode()
    )


def test_a_failed_payment_of_a_paid_order_is_refused_with_409(make_order, api):
    order = make_order()
    response = api.post(f"/api/v1/orders/{order.number}/payment-failed/", {"reason": "x"}, format="json")
    assert response.status_code == 409
    assert order.payments.get().status == PaymentStatus.PAID


# --- cash on delivery ---------------------------------------------------------------------------------------


COD = {"method": "cod", "status": "paid", "amount": "119.80", "transaction_id": ""}


def test_cash_on_delivery_is_collected_by_the_carrier_on_delivery(make_order):
    order = make_order(payment=COD)
    assert order.status == "approved"  # confirmed: it ships
    assert order.payments.get().status == PaymentStatus.PENDING  # the money is still at the door
    order = services.order_allocate(order_id=order.pk)
    services.order_mark_released(order_id=order.pk)
    services.order_mark_shipped(order_id=order.pk)
    services.order_mark_delivered(order_id=order.pk, collected_by="SF")
    payment = order.payments.get()
    assert (payment.status, payment.collected_by) == (PaymentStatus.PAID, "SF")
    assert payment.paid_at is not None
    assert any("Cash on delivery of 119.80 collected by SF" in t for t in texts(order))


def test_a_cancelled_cod_order_owes_no_refund(make_order):
    order = make_order(payment=COD)
    services.order_cancel(order_id=order.pk, reason="客户取消", check_perm=False)
    assert not RefundRecord.objects.filter(order=order).exists()


# --- refunds owed on cancelled paid orders --------------------------------------------------------------


def cancelled_paid(make_order, **kw) -> Order:
    order = make_order(**kw)
    return services.order_cancel(order_id=order.pk, reason="客户取消", check_perm=False)


def test_finance_pays_out_a_refund_owed_and_it_is_on_the_timeline(make_order, finance_user, client_for):
    order = cancelled_paid(make_order)
    refund = RefundRecord.objects.get(order=order)
    assert (refund.amount, refund.status) == (D("119.80"), RefundStatus.OPEN)
    client = client_for(finance_user)
    assert order.number in table(client.get(reverse("orders:refunds-owed")))
    response = client.post(reverse("orders:refund-mark-paid", args=[refund.pk]), {"reference": "BANK-RF-1"})
    assert response.status_code == 302
    refund.refresh_from_db()
    assert (refund.status, refund.paid_reference, refund.paid_by) == (
        RefundStatus.DONE,
        "BANK-RF-1",
        finance_user,
    )
    assert refund.paid_at is not None
    payment = order.payments.get()
    assert (payment.status, payment.refunded_amount) == (PaymentStatus.REFUNDED, D("119.80"))
    assert any("Refund of 119.80 paid out, reference BANK-RF-1" in t for t in texts(order))
    # Paid out once: a second click is refused and changes nothing.
    with pytest.raises(IllegalTransition):
        services.refund_record_mark_paid(refund_id=refund.pk, reference="BANK-RF-2", by=finance_user)
    assert RefundRecord.objects.get(pk=refund.pk).paid_reference == "BANK-RF-1"
    # The open list no longer shows it; the done filter does.
    assert order.number not in table(client.get(reverse("orders:refunds-owed")))
    assert order.number in table(client.get(reverse("orders:refunds-owed"), {"status": "done"}))


def test_operations_cannot_pay_out_refunds(make_order, ops_user, client_for):
    order = cancelled_paid(make_order)
    refund = RefundRecord.objects.get(order=order)
    response = client_for(ops_user).post(
        reverse("orders:refund-mark-paid", args=[refund.pk]), {"reference": "X"}
    )
    assert response.status_code == 403
    assert RefundRecord.objects.get(pk=refund.pk).status == RefundStatus.OPEN


def test_refunds_owed_list_filters_exports_and_keeps_its_query_count(
    make_order, finance_user, client_for, django_assert_max_num_queries
):
    orders = [cancelled_paid(make_order) for _ in range(3)]
    client = client_for(finance_user)
    client.get(reverse("orders:refunds-owed"))  # warm the caches (session, permissions)
    with django_assert_max_num_queries(14):
        few = client.get(reverse("orders:refunds-owed"))
    orders += [cancelled_paid(make_order) for _ in range(12)]
    with django_assert_max_num_queries(14):
        many = client.get(reverse("orders:refunds-owed"))
    assert few.status_code == many.status_code == 200
    assert "15 refunds still to pay out, 1,797.00 in all." in many.content.decode()
    only = client.get(reverse("orders:refunds-owed"), {"q": orders[0].number, "status": ""})
    assert orders[0].number in table(only) and orders[1].number not in table(only)
    export = client.get(reverse("orders:refunds-owed"), {"export": "csv", "status": "open"})
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert len(rows) == 15
    assert {r["Amount"] for r in rows} == {"119.80"}
    assert rows[0]["Status"] == "Open"


def test_the_refunds_owed_screen_is_in_the_finance_menu(finance_user, warehouse_user, client_for):
    from oms.navigation import nav_items_for

    entries = {item["url_name"]: item["section"] for item in nav_items_for(finance_user)}
    assert entries["orders:refunds-owed"] == "Finance"
    assert entries["fulfillment:cod"] == "Finance"
    assert "orders:refunds-owed" not in {item["url_name"] for item in nav_items_for(warehouse_user)}
    assert client_for(warehouse_user).get(reverse("orders:refunds-owed")).status_code == 403
