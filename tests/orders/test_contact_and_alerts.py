"""Who is told what: the customer's preferred channel and do-not-contact, the delay notice with the restock
date, and operations' e-mail about orders waiting past their SLA (once per order)."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from oms.exceptions import DomainError
from oms.models import OutboxMessage
from oms.notifications import notify_customer
from orders import services
from orders.models import Customer, Order
from orders.tasks import orders_sla_review_task
from tests.factories import CustomerFactory, SupplierSKUFactory

pytestmark = pytest.mark.django_db


def _notice(customer):
    return notify_customer(
        customer=customer, template="orders/notifications/paid.txt", context={"order": None}, event="test"
    )


@pytest.mark.parametrize(
    ("preferred", "email", "webhook", "expected"),
    [
        ("sms", "a@example.com", "", ("sms", "13900000001")),
        ("email", "a@example.com", "", ("email", "a@example.com")),
        ("email", "", "", ("sms", "13900000001")),  # no address: the phone still reaches them
        (
            "webhook",
            "a@example.com",
            "https://shop.example.com/hook",
            ("webhook", "https://shop.example.com/hook"),
        ),
        ("webhook", "a@example.com", "", ("email", "a@example.com")),
        ("phone", "", "", ("sms", "13900000001")),  # a call is not automated: SMS instead
    ],
)
def test_the_preferred_channel_is_used_when_it_reaches_the_customer(preferred, email, webhook, expected):
    customer = CustomerFactory(
        phone="13900000001", email=email, preferred_contact=preferred, webhook_url=webhook
    )
    message = _notice(customer)
    assert (message.channel, message.recipient) == expected


def test_a_customer_who_asked_not_to_be_contacted_gets_nothing(make_order):
    order = make_order(paid=False)
    Customer.objects.filter(pk=order.customer_id).update(do_not_contact=True)
    before = OutboxMessage.objects.count()
    services.order_mark_paid(order_id=order.pk)
    assert _notice(Customer.objects.get(pk=order.customer_id)) is None
    assert OutboxMessage.objects.count() == before
    assert Order.objects.get(pk=order.pk).status in ("approved", "on_review")


def test_webhook_as_preferred_channel_needs_its_url(make_order, ops_user):
    customer = make_order().customer
    with pytest.raises(DomainError) as exc:
        services.customer_update(customer_id=customer.pk, data={"preferred_contact": "webhook"}, by=ops_user)
    assert exc.value.field_errors == {"webhook_url": ["Required when the preferred channel is the webhook."]}
    customer.refresh_from_db()
    assert customer.preferred_contact == "sms"
    services.customer_update(
        customer_id=customer.pk,
        data={"preferred_contact": "webhook", "webhook_url": "https://erp.example.com/oms"},
        by=ops_user,
    )
    customer.refresh_from_db()
    assert (customer.preferred_contact, customer.webhook_url) == ("webhook", "https://erp.example.com/oms")


def test_the_preferences_form_on_the_customer_page_saves_the_webhook(make_order, client_for, ops_user):
    customer = make_order().customer
    client = client_for(ops_user)
    url = f"/orders/customers/{customer.pk}/edit/"
    data = {"language": "en", "preferred_contact": "webhook", "tier": "normal", "webhook_url": ""}
    refused = client.post(url, data)
    assert refused.status_code == 400
    assert "Required when the preferred channel is the webhook." in refused.content.decode()
    assert client.post(url, {**data, "webhook_url": "https://erp.example.com/oms"}).status_code == 302
    customer.refresh_from_db()
    assert customer.webhook_url == "https://erp.example.com/oms"


def test_a_backordered_order_tells_the_customer_when_stock_is_expected(make_order, sku, sku2):
    # given SKU-0001 has a restock date from purchasing, SKU-0002 only a supplier with 10 days' lead time
    sku.expected_restock_date = date.today() + timedelta(days=5)
    sku.save(update_fields=["expected_restock_date"])
    SupplierSKUFactory(sku=sku2, lead_time_days=10, is_preferred=True)
    order = make_order(
        lines=[
            {"sku": "SKU-0001", "quantity": 500, "unit_price": "1.00"},
            {"sku": "SKU-0002", "quantity": 50, "unit_price": "1.00"},
        ]
    )

    order = services.order_allocate(order_id=order.pk)

    assert order.status == "backordered"
    restock = {s["code"]: s["expected_restock_date"] for s in order.backorder_info["short"]}
    local_today = timezone.localdate()
    assert restock == {
        "SKU-0001": (date.today() + timedelta(days=5)).isoformat(),
        "SKU-0002": (local_today + timedelta(days=10)).isoformat(),
    }
    message = OutboxMessage.objects.get(event="order.backordered")
    assert message.dedupe_key == f"order:{order.pk}:backordered"
    assert order.number in message.subject
    assert "龙井茶 250g × 400" in message.body and restock["SKU-0001"] in message.body
    assert "茶杯 白瓷 × 45" in message.body and restock["SKU-0002"] in message.body


def test_a_backorder_without_any_restock_information_says_so(make_order, sku):
    order = services.order_allocate(
        order_id=make_order(lines=[{"sku": "SKU-0001", "quantity": 500, "unit_price": "1.00"}]).pk
    )
    assert order.backorder_info["short"][0]["expected_restock_date"] is None
    assert "恢复日期暂未确定" in OutboxMessage.objects.get(event="order.backordered").body


def test_orders_waiting_past_their_sla_move_up_and_operations_are_emailed_once(order_in, make_user, channel):
    ops_a = make_user("ops_a", "operations", email="a@ops.example.com")
    make_user("ops_b", "operations", email="b@ops.example.com")
    make_user("ops_c", "operations")  # no address: cannot be e-mailed
    make_user("wh", "warehouse", email="wh@example.com")
    late = order_in("backordered")
    fresh = order_in("approved")
    Order.objects.filter(pk=late.pk).update(paid_at=timezone.now() - timedelta(hours=channel.sla_hours + 1))
    priority_before = Order.objects.get(pk=late.pk).priority

    assert orders_sla_review_task() == {"late": 1, "raised": 1}

    late.refresh_from_db()
    assert late.priority == priority_before + 30
    assert "Late against the channel's SLA" in late.priority_reasons
    assert "late" in set(late.tags.values_list("name", flat=True))
    assert late.sla_alerted_at is not None
    assert Order.objects.get(pk=fresh.pk).sla_alerted_at is None
    mails = OutboxMessage.objects.filter(event="staff.sla_late")
    assert sorted(mails.values_list("recipient", flat=True)) == ["a@ops.example.com", "b@ops.example.com"]
    assert late.number in mails.first().body and fresh.number not in mails.first().body
    assert "/orders/exceptions/?kind=late" in mails.first().body
    # then a second review finds nothing new: no second e-mail, no second bump
    assert orders_sla_review_task() == {"late": 0, "raised": 0}
    assert OutboxMessage.objects.filter(event="staff.sla_late").count() == 2
    assert Order.objects.get(pk=late.pk).priority == priority_before + 30
    assert ops_a.email == "a@ops.example.com"


def test_a_notice_is_plain_text_and_shows_the_buyers_name_as_written(make_order):
    # given a buyer whose name has an apostrophe, an ampersand and angle brackets
    order = make_order(paid=False)
    Customer.objects.filter(pk=order.customer_id).update(name="O'Brien & <Sons>", language="en")

    services.order_mark_paid(order_id=order.pk)

    # the SMS or text e-mail reads the name, not HTML entities
    body = OutboxMessage.objects.get(event="order.paid").body
    assert body.startswith("Hello O'Brien & <Sons>, we received your payment of ")
    assert "&#x27;" not in body and "&amp;" not in body and "&lt;" not in body
