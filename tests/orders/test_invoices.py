"""Invoices (开票): the state machine, its refusals (nothing changes), the red-letter flag, screens and export."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_fsm_log.models import StateLog

from oms.exceptions import IllegalTransition, PermissionRefused
from oms.models import OutboxMessage
from orders import services
from orders.exceptions import (
    InvoiceAlreadyExists,
    InvoiceAmountWrong,
    InvoiceNumberTaken,
    OrderNotInvoiceable,
)
from orders.models import Invoice

pytestmark = pytest.mark.django_db

PAID = Decimal("119.80")  # order_body's default: 2 × 59.90


def request_for(order, by, **overrides) -> Invoice:
    data = {
        "invoice_type": "ordinary",
        "title": "上海某某贸易有限公司",
        "taxpayer_id": "91310000MA1FL8XQ30",
        "email": "buyer@example.com",
    }
    data.update(overrides)
    return services.invoice_request(order_id=order.pk, by=by, **data)


def delivered_for(order_in, n: int):
    """A delivered order of customer ``n``: its own phone and address (repeats would send it to review)."""
    phone = f"1370000{n:04d}"
    return order_in(
        "delivered",
        customer={"name": f"客户{n}", "phone": phone, "email": ""},
        shipping_address={
            "name": f"客户{n}",
            "phone": phone,
            "province": "上海",
            "city": "上海市",
            "district": "徐汇区",
            "line1": f"漕溪北路{n}号 {n}室",
            "postcode": "200030",
            "country": "CN",
        },
    )


def state(invoice_id: int) -> tuple:
    inv = Invoice.objects.get(pk=invoice_id)
    return (inv.status, inv.number, inv.amount, inv.issued_on, inv.void_reason)


@pytest.fixture
def delivered(order_in):
    return order_in("delivered")


@pytest.fixture
def requested(delivered, ops_user):
    return request_for(delivered, ops_user)


@pytest.fixture
def issued(requested, finance_user):
    return services.invoice_issue(
        invoice_id=requested.pk, number="24312000000012345678", amount="119.80", by=finance_user
    )


# --- the happy path, every transition logged ------------------------------------------------


def test_request_issue_send_each_step_logged_and_the_mail_queued_after_commit(
    delivered, ops_user, finance_user, django_capture_on_commit_callbacks
):
    # given a delivered order, when operations request and finance issue and send the invoice
    invoice = request_for(delivered, ops_user)
    assert (invoice.status, invoice.amount, invoice.requested_by) == ("requested", None, ops_user)
    invoice = services.invoice_issue(
        invoice_id=invoice.pk, number="24312000000012345678", amount="119.80", by=finance_user
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        invoice = services.invoice_send(invoice_id=invoice.pk, by=finance_user)
    # then it is sent, for what was paid, dated today, and each transition is in the log
    invoice.refresh_from_db()
    assert (invoice.status, invoice.number, invoice.amount, invoice.issued_on, invoice.issued_by) == (
        "sent",
        "24312000000012345678",
        PAID,
        timezone.localdate(),
        finance_user,
    )
    logs = list(
        StateLog.objects.filter(object_id=invoice.pk, content_type__model="invoice")
        .order_by("pk")
        .values_list("transition", "source_state", "state", "by__username")
    )
    assert logs == [("issue", "requested", "issued", "finance"), ("send", "issued", "sent", "finance")]
    message = OutboxMessage.objects.get(event="invoice.sent")
    assert (message.channel, message.recipient, message.dedupe_key) == (
        "email",
        "buyer@example.com",
        f"invoice:{invoice.pk}:sent",
    )
    assert "24312000000012345678" in message.subject
    assert len(callbacks) == 1  # the delivery task is sent only once the transaction commits


def test_void_with_a_reason_frees_the_order_for_a_new_request(issued, finance_user, ops_user, delivered):
    services.invoice_void(invoice_id=issued.pk, reason="抬头写错", by=finance_user)
    assert state(issued.pk)[0] == "voided"
    again = request_for(delivered, ops_user, title="正确的抬头有限公司")
    assert again.status == "requested"


# --- refused actions: a clear message, nothing changed ---------------------------------------


def test_issuing_twice_is_refused_and_nothing_changes(issued, finance_user):
    before = state(issued.pk)
    with pytest.raises(IllegalTransition) as refused:
        services.invoice_issue(invoice_id=issued.pk, number="99999999", amount="119.80", by=finance_user)
    assert "issued once only" in refused.value.message
    assert state(issued.pk) == before
    assert StateLog.objects.filter(object_id=issued.pk, content_type__model="invoice").count() == 1


@pytest.mark.parametrize("status", ["approved", "allocated", "shipped"])
def test_an_undelivered_order_cannot_be_invoiced(order_in, ops_user, status):
    order = order_in(status)
    with pytest.raises(OrderNotInvoiceable) as refused:
        request_for(order, ops_user)
    assert order.number in refused.value.message
    assert "once the order is delivered" in refused.value.message
    assert Invoice.objects.count() == 0


@pytest.mark.parametrize("amount", ["119.81", "500.00"])
def test_an_amount_above_what_was_paid_is_refused(requested, finance_user, amount):
    before = state(requested.pk)
    with pytest.raises(InvoiceAmountWrong) as refused:
        services.invoice_issue(
            invoice_id=requested.pk, number="24312000000012345678", amount=amount, by=finance_user
        )
    assert refused.value.field_errors["amount"] == [refused.value.message]
    assert "at most 119.80" in refused.value.message
    assert state(requested.pk) == before


def test_an_amount_below_what_was_paid_is_refused_too(requested, finance_user):
    with pytest.raises(InvoiceAmountWrong) as refused:
        services.invoice_issue(invoice_id=requested.pk, number="1234", amount="100.00", by=finance_user)
    assert "119.80" in refused.value.message
    assert state(requested.pk)[0] == "requested"


def test_a_second_live_invoice_for_the_order_is_refused(requested, delivered, ops_user):
    with pytest.raises(InvoiceAlreadyExists):
        request_for(delivered, ops_user)
    assert Invoice.objects.count() == 1


def test_the_database_refuses_two_live_invoices_for_one_order_and_a_negative_amount(requested):
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(order=requested.order, title="x", email="a@b.cn")
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.filter(pk=requested.pk).update(amount=Decimal("-1.00"))


def test_an_invoice_number_is_used_once(order_in, ops_user, finance_user, issued):
    other = request_for(order_in("delivered"), ops_user)
    with pytest.raises(InvoiceNumberTaken) as refused:
        services.invoice_issue(invoice_id=other.pk, number=issued.number, amount="119.80", by=finance_user)
    assert "number" in refused.value.field_errors
    assert state(other.pk)[0] == "requested"


def test_request_field_errors_come_back_field_by_field(delivered, ops_user):
    with pytest.raises(Exception) as refused:
        request_for(
            delivered, ops_user, invoice_type="special", taxpayer_id="", title="", email="not-an-email"
        )
    assert set(refused.value.field_errors) == {"title", "taxpayer_id", "email"}
    assert Invoice.objects.count() == 0


def test_operations_cannot_issue_and_finance_cannot_request(requested, ops_user, finance_user, delivered):
    with pytest.raises(PermissionRefused):
        services.invoice_issue(invoice_id=requested.pk, number="1", amount="119.80", by=ops_user)
    assert state(requested.pk)[0] == "requested"
    with pytest.raises(PermissionRefused):
        services.invoice_void(invoice_id=requested.pk, reason="x", by=ops_user)
    services.invoice_void(invoice_id=requested.pk, reason="客户撤回", by=finance_user)
    with pytest.raises(PermissionRefused):
        request_for(delivered, finance_user)


def test_a_void_needs_a_reason(issued, finance_user):
    with pytest.raises(Exception) as refused:
        services.invoice_void(invoice_id=issued.pk, reason="  ", by=finance_user)
    assert "reason" in refused.value.field_errors
    assert state(issued.pk)[0] == "issued"


# --- refunds: paid minus refunds, and the red-letter flag ----------------------------------------


@pytest.fixture
def refund_of(ops_user, finance_user):
    """Record an after-sales refund (refund only, one unit) through the aftersales services."""
    from aftersales.services import LineRequest, case_approve, case_register, refund_record
    from tests.factories import ReasonFactory

    def refund(order, amount: str):
        line = order.lines.order_by("line_no").first()
        case = case_register(
            order_id=order.pk,
            case_type="refund_only",
            lines=[LineRequest(order_line_id=line.pk, quantity=1)],
            reason_id=ReasonFactory(code="quality").pk,
            by=ops_user,
        )
        case_approve(case_id=case.pk, by=ops_user)
        return refund_record(case_id=case.pk, amount=amount, by=finance_user)

    return refund


def test_the_amount_is_what_was_paid_minus_refunds(delivered, requested, finance_user, refund_of):
    refund_of(delivered, "59.90")
    due = services.order_invoiceable(order_id=delivered.pk)
    assert (due.paid, due.refunded, due.amount) == (PAID, Decimal("59.90"), Decimal("59.90"))
    with pytest.raises(InvoiceAmountWrong):
        services.invoice_issue(invoice_id=requested.pk, number="1", amount="119.80", by=finance_user)
    invoice = services.invoice_issue(invoice_id=requested.pk, number="1", amount="59.90", by=finance_user)
    assert invoice.amount == Decimal("59.90")


def test_a_refund_after_issuance_flags_the_invoice_for_a_red_letter_invoice(
    delivered, issued, finance_user, refund_of
):
    # given a sent invoice, when a refund is recorded after it
    services.invoice_send(invoice_id=issued.pk, by=finance_user)
    refund_of(delivered, "59.90")
    # then the invoice waits for a red-letter invoice, logged with the refund
    invoice = Invoice.objects.get(pk=issued.pk)
    assert invoice.status == "red_letter_needed"
    assert "59.90" in invoice.red_letter_reason
    assert StateLog.objects.filter(object_id=invoice.pk, transition="flag_red_letter").count() == 1
    # and voiding it needs the red-letter invoice's number
    with pytest.raises(Exception) as refused:
        services.invoice_void(invoice_id=invoice.pk, reason="退款红冲", by=finance_user)
    assert "red_letter_number" in refused.value.field_errors
    assert state(invoice.pk)[0] == "red_letter_needed"
    services.invoice_void(
        invoice_id=invoice.pk, reason="退款红冲", red_letter_number="R-0001", by=finance_user
    )
    invoice.refresh_from_db()
    assert (invoice.status, invoice.red_letter_number) == ("voided", "R-0001")


def test_a_refund_before_issuance_changes_nothing_but_the_amount(delivered, requested, refund_of):
    refund_of(delivered, "10.00")
    assert state(requested.pk)[0] == "requested"


# --- screens -----------------------------------------------------------------------------------


def test_the_order_page_offers_the_request_once_delivered(client_for, ops_user, order_in):
    client = client_for(ops_user)
    shipped = order_in("shipped")
    assert 'data-testid="request-invoice"' not in client.get(f"/orders/{shipped.pk}/").content.decode()
    delivered = order_in("delivered")
    assert 'data-testid="request-invoice"' in client.get(f"/orders/{delivered.pk}/").content.decode()


def test_request_form_keeps_what_was_typed_when_refused(client_for, ops_user, delivered):
    response = client_for(ops_user).post(
        f"/orders/{delivered.pk}/invoice/",
        {"invoice_type": "special", "title": "某某公司", "taxpayer_id": "", "email": "a@example.com"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="某某公司"' in page
    assert 'data-error-for="taxpayer_id"' in page
    assert Invoice.objects.count() == 0


def test_finance_issues_from_the_detail_page_and_a_refusal_is_not_a_500(client_for, finance_user, requested):
    client = client_for(finance_user)
    page = client.get(f"/orders/invoices/{requested.pk}/")
    assert list(page.context["actions"]) == ["issue", "void"]
    refused = client.post(
        f"/orders/invoices/{requested.pk}/issue/",
        {"number": "INV-1", "issued_on": date.today().isoformat(), "amount": "999.00"},
    )
    assert refused.status_code == 400
    assert 'value="INV-1"' in refused.content.decode()
    assert 'data-error-for="amount"' in refused.content.decode()
    ok = client.post(
        f"/orders/invoices/{requested.pk}/issue/",
        {"number": "INV-1", "issued_on": timezone.localdate().isoformat(), "amount": "119.80"},
    )
    assert ok.status_code == 302
    assert state(requested.pk)[:3] == ("issued", "INV-1", PAID)
    again = client.post(f"/orders/invoices/{requested.pk}/issue/", {"number": "INV-2", "amount": "119.80"})
    assert again.status_code == 400
    assert state(requested.pk)[:2] == ("issued", "INV-1")


def test_operations_see_invoices_but_cannot_act_warehouse_cannot_open(
    client_for, ops_user, warehouse_user, requested
):
    client = client_for(ops_user)
    assert client.get(f"/orders/invoices/{requested.pk}/").context["actions"] == {}
    assert client.post(f"/orders/invoices/{requested.pk}/void/", {"reason": "x"}).status_code == 403
    assert client.get("/orders/invoices/?export=xlsx").status_code == 403
    assert client_for(warehouse_user).get("/orders/invoices/").status_code == 403
    assert state(requested.pk)[0] == "requested"


def test_invoice_list_filters(client_for, finance_user, ops_user, order_in, issued):
    other = request_for(order_in("delivered"), ops_user, invoice_type="special")
    client = client_for(finance_user)

    def rows(query):
        return [i.pk for i in client.get(f"/orders/invoices/?{query}").context["page"]["rows"]]

    assert rows("status=issued") == [issued.pk]
    assert rows("invoice_type=special") == [other.pk]
    today = timezone.localdate().isoformat()
    assert rows(f"date_from={today}&date_to={today}") == [issued.pk]
    assert rows(f"q={issued.number}") == [issued.pk]


def test_invoice_list_queries_do_not_grow_with_rows(client_for, finance_user, ops_user, order_in):
    client = client_for(finance_user)
    request_for(order_in("delivered"), ops_user)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/orders/invoices/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(4):
        request_for(delivered_for(order_in, n), ops_user)
    assert count() == few


def test_xlsx_export_for_the_tax_system_masks_the_email(client_for, finance_user, issued):
    import openpyxl

    response = client_for(finance_user).get("/orders/invoices/?export=xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert header[:6] == ["Invoice number", "Invoice date", "Type", "Invoice title", "Taxpayer id", "Amount"]
    assert row[:6] == [
        "24312000000012345678",
        timezone.localdate().isoformat(),
        "Ordinary VAT invoice",
        "上海某某贸易有限公司",
        "91310000MA1FL8XQ30",
        "119.80",
    ]
    assert row[-1] == "b***@example.com"
