"""Customers: one per person across channels, the profile, merge (every order kept), anonymise, and what each
role sees of the personal data (masked or full, each full view logged)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from oms.exceptions import IllegalTransition, PermissionRefused
from oms.models import ChangeLog, OutboxMessage, PersonalDataAccess
from orders import services
from orders.exceptions import ConfirmationRequired, CustomerMergeRefused
from orders.models import Address, Customer, Order
from tests.factories import ChannelFactory

pytestmark = pytest.mark.django_db

PHONE, MASKED_PHONE = "13812345678", "138****5678"


def body_for(
    phone: str, *, email: str = "", name: str = "张三", line1: str = "世纪大道100号 2栋 301室"
) -> dict:
    return {
        "customer": {"name": name, "phone": phone, "email": email},
        "shipping_address": {
            "name": name,
            "phone": phone,
            "province": "上海",
            "city": "上海市",
            "district": "浦东新区",
            "line1": line1,
            "postcode": "200120",
            "country": "CN",
        },
    }


@pytest.fixture
def webshop(db):
    return ChannelFactory(code="webshop", name="官网商城", kind="own_shop")


@pytest.fixture
def two_channel_customer(make_order, webshop):
    """张三 ordered once on tmall and once on the web shop, with the same phone."""
    a = make_order(**body_for(PHONE))
    b = make_order(channel=webshop, **body_for(PHONE, line1="漕溪北路8号 5室"))
    return a.customer, [a, b]


@pytest.fixture
def duplicate(make_order, webshop):
    """The same person under another phone, with the same e-mail as a later order shows: one web shop order."""
    order = make_order(channel=webshop, **body_for("13900001111", name="张三", line1="漕溪北路8号 5室"))
    return order.customer, order


# --- matching across channels ------------------------------------------------------------------


def test_the_same_phone_on_two_channels_is_one_customer(two_channel_customer):
    customer, orders = two_channel_customer
    assert {o.customer_id for o in orders} == {customer.pk}
    assert {o.channel.code for o in orders} == {"tmall", "webshop"}
    assert Customer.objects.count() == 1


def test_a_new_phone_with_a_known_email_is_the_same_customer(make_order, webshop):
    first = make_order(**body_for(PHONE, email="zhang@example.com"))
    second = make_order(channel=webshop, **body_for("13900002222", email="ZHANG@example.com"))
    assert second.customer_id == first.customer_id
    assert Customer.objects.count() == 1


# --- merge ------------------------------------------------------------------------------------


def test_merge_keeps_every_order_and_later_orders_follow(
    two_channel_customer, duplicate, ops_user, make_order
):
    keep, orders = two_channel_customer
    dup, dup_order = duplicate
    total_before = sorted(Order.objects.values_list("number", "total"))
    # when operations merge the duplicate into the customer kept
    result = services.customer_merge(keep_id=keep.pk, duplicate_id=dup.pk, by=ops_user)
    # then every order is the kept customer's, none lost, none changed
    assert result.orders_moved == 1
    assert sorted(Order.objects.filter(customer=keep).values_list("pk", flat=True)) == sorted(
        [o.pk for o in orders] + [dup_order.pk]
    )
    assert sorted(Order.objects.values_list("number", "total")) == total_before
    assert Address.objects.filter(customer=dup).count() == 0
    dup.refresh_from_db()
    assert dup.merged_into_id == keep.pk
    # and a later order with the duplicate's phone lands on the customer kept
    later = make_order(**body_for("13900001111", line1="漕溪北路8号 5室"))
    assert later.customer_id == keep.pk
    # the change log records the merge on both records
    assert list(
        ChangeLog.objects.filter(action="merge").values_list("object_id", flat=True).order_by("pk")
    ) == [
        keep.pk,
        dup.pk,
    ]


def test_merge_moves_cases_and_complaints_of_the_duplicate(duplicate, two_channel_customer, ops_user):
    from aftersales.models import Complaint
    from aftersales.services import complaint_register

    keep, _orders = two_channel_customer
    dup, dup_order = duplicate
    complaint = complaint_register(
        kind="complaint",
        category="delivery",
        customer_id=dup.pk,
        subject="送货慢",
        by=ops_user,
        order_id=dup_order.pk,
    )
    services.customer_merge(keep_id=keep.pk, duplicate_id=dup.pk, by=ops_user)
    assert Complaint.objects.get(pk=complaint.pk).customer_id == keep.pk


def test_merging_into_itself_or_twice_is_refused_and_nothing_changes(
    two_channel_customer, duplicate, ops_user
):
    keep, _orders = two_channel_customer
    dup, _dup_order = duplicate
    with pytest.raises(CustomerMergeRefused):
        services.customer_merge(keep_id=keep.pk, duplicate_id=keep.pk, by=ops_user)
    services.customer_merge(keep_id=keep.pk, duplicate_id=dup.pk, by=ops_user)
    before = sorted(Order.objects.values_list("pk", "customer_id"))
    with pytest.raises(CustomerMergeRefused) as refused:
        services.customer_merge(keep_id=keep.pk, duplicate_id=dup.pk, by=ops_user)
    assert f"#{keep.pk}" in refused.value.message
    assert sorted(Order.objects.values_list("pk", "customer_id")) == before


def test_finance_may_not_merge(two_channel_customer, duplicate, finance_user, client_for):
    keep, _orders = two_channel_customer
    dup, dup_order = duplicate
    with pytest.raises(PermissionRefused):
        services.customer_merge(keep_id=keep.pk, duplicate_id=dup.pk, by=finance_user)
    response = client_for(finance_user).post(
        f"/orders/customers/{keep.pk}/merge/", {"duplicate": dup.pk, "confirm": "on"}
    )
    assert response.status_code == 403
    assert Order.objects.get(pk=dup_order.pk).customer_id == dup.pk


def test_merge_screen_compares_then_merges_on_confirmation(
    client_for, ops_user, two_channel_customer, duplicate
):
    keep, _orders = two_channel_customer
    dup, dup_order = duplicate
    client = client_for(ops_user)
    # the profile suggests the duplicate (the same person: its address phone shows on the web shop order)
    Address.objects.filter(customer=dup).update(phone=PHONE)
    assert [d.pk for d in client.get(f"/orders/customers/{keep.pk}/").context["duplicates"]] == [dup.pk]
    # choosing it shows both records to compare; nothing is merged yet
    compare = client.post(f"/orders/customers/{keep.pk}/merge/", {"duplicate": dup.pk})
    assert compare.status_code == 200
    assert 'data-testid="merge-confirm"' in compare.content.decode()
    assert Order.objects.get(pk=dup_order.pk).customer_id == dup.pk
    # confirming merges
    done = client.post(f"/orders/customers/{keep.pk}/merge/", {"duplicate": dup.pk, "confirm": "on"})
    assert done.status_code == 302
    assert Order.objects.get(pk=dup_order.pk).customer_id == keep.pk
    # the duplicate's page now leads to the customer kept
    assert client.get(f"/orders/customers/{dup.pk}/")["Location"] == f"/orders/customers/{keep.pk}/"


def test_merge_screen_with_an_unknown_number_keeps_the_input(client_for, ops_user, two_channel_customer):
    keep, _orders = two_channel_customer
    response = client_for(ops_user).post(f"/orders/customers/{keep.pk}/merge/", {"duplicate": "99999"})
    assert response.status_code == 400
    assert 'data-error-for="duplicate"' in response.content.decode()
    assert 'value="99999"' in response.content.decode()


# --- the profile ------------------------------------------------------------------------------


def test_profile_shows_orders_on_every_channel_value_and_history(client_for, ops_user, two_channel_customer):
    customer, orders = two_channel_customer
    services.order_cancel(order_id=orders[1].pk, by=ops_user, reason="客户取消")
    response = client_for(ops_user).get(f"/orders/customers/{customer.pk}/")
    assert response.status_code == 200
    summary = response.context["summary"]
    # paid 2 × 119.80, the cancelled one refunded in full: lifetime value 119.80, one order kept
    assert (summary["orders"], summary["cancelled"], summary["paid"], summary["refunded"]) == (
        2,
        1,
        Decimal("239.60"),
        Decimal("119.80"),
    )
    assert summary["lifetime_value"] == Decimal("119.80")
    assert summary["average_order_value"] == Decimal("119.80")
    assert {c["channel__name"] for c in summary["channels"]} == {"官网商城", "天猫旗舰店"}
    assert [o.pk for o in response.context["orders"]] == sorted([o.pk for o in orders], reverse=True)
    page = response.content.decode()
    assert 'data-testid="customer-aftersales"' in page  # the after-sales panel (registered by aftersales)
    assert "Preferred contact channel" in page


def test_customer_list_queries_do_not_grow_with_rows(client_for, ops_user, make_order):
    client = client_for(ops_user)
    make_order(**body_for("13700000001", line1="a路1号"))

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/orders/customers/").status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(2, 8):
        make_order(**body_for(f"137000000{n:02d}", line1=f"b路{n}号 {n}室"))
    assert count() == few


def test_customer_search_by_phone_email_and_name(client_for, ops_user, make_order):
    a = make_order(**body_for(PHONE, email="zhang@example.com")).customer
    b = make_order(**body_for("13900003333", name="李四", line1="c路3号 1室")).customer
    client = client_for(ops_user)

    def found(q):
        return [c.pk for c in client.get("/orders/customers/", {"q": q}).context["page"]["rows"]]

    assert found("138 1234 5678") == [a.pk]
    assert found("Zhang@Example.com") == [a.pk]
    assert found("李") == [b.pk]


def test_blacklisting_needs_a_reason_and_the_form_keeps_the_input(client_for, ops_user, two_channel_customer):
    customer, _orders = two_channel_customer
    client = client_for(ops_user)
    data = {"language": "en", "preferred_contact": "email", "tier": "vip", "is_blacklisted": "on"}
    refused = client.post(f"/orders/customers/{customer.pk}/edit/", data)
    assert refused.status_code == 400
    assert 'data-error-for="blacklist_reason"' in refused.content.decode()
    customer.refresh_from_db()
    assert (customer.language, customer.is_blacklisted) == ("zh-hans", False)
    ok = client.post(
        f"/orders/customers/{customer.pk}/edit/",
        {**data, "blacklist_reason": "恶意拒收", "do_not_contact": "on"},
    )
    assert ok.status_code == 302
    customer.refresh_from_db()
    assert (customer.language, customer.preferred_contact, customer.tier, customer.do_not_contact) == (
        "en",
        "email",
        "vip",
        True,
    )
    assert ChangeLog.objects.filter(object_id=customer.pk, action="update").count() == 1


# --- personal data: what each role sees -----------------------------------------------------------


def test_operations_see_masked_data_and_a_logged_full_view(client_for, ops_user, two_channel_customer):
    customer, _orders = two_channel_customer
    client = client_for(ops_user)
    page = client.get(f"/orders/customers/{customer.pk}/").content.decode()
    assert MASKED_PHONE in page
    assert PHONE not in page
    assert "世纪大道100号" not in page
    assert "Show in full (logged)" in page
    assert PersonalDataAccess.objects.count() == 0
    # the full view is shown on request and logged
    full = client.post(
        reverse("personal-data-reveal", args=["orders.customer", customer.pk]), {"purpose": "customer page"}
    )
    assert PHONE in full.content.decode()
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.object_id, log.fields, log.purpose) == (
        ops_user,
        customer.pk,
        ["name", "phone", "email"],
        "customer page",
    )
    assert PHONE not in log.object_repr  # the log itself holds no personal data


def test_finance_sees_customers_masked_only(client_for, finance_user, two_channel_customer):
    customer, _orders = two_channel_customer
    client = client_for(finance_user)
    page = client.get(f"/orders/customers/{customer.pk}/").content.decode()
    assert MASKED_PHONE in page
    assert PHONE not in page
    assert "Show in full (logged)" not in page
    listing = client.get("/orders/customers/").content.decode()
    assert MASKED_PHONE in listing and PHONE not in listing
    refused = client.post(reverse("personal-data-reveal", args=["orders.customer", customer.pk]))
    assert refused.status_code == 403
    assert PersonalDataAccess.objects.count() == 0


def test_warehouse_cannot_open_customers(client_for, warehouse_user, two_channel_customer):
    customer, _orders = two_channel_customer
    client = client_for(warehouse_user)
    assert client.get("/orders/customers/").status_code == 403
    assert client.get(f"/orders/customers/{customer.pk}/").status_code == 403


def test_admin_full_view_is_logged_too(client_for, admin_user_role, two_channel_customer):
    customer, _orders = two_channel_customer
    address = Address.objects.filter(customer=customer).order_by("pk").first()
    response = client_for(admin_user_role).post(
        reverse("personal-data-reveal", args=["orders.address", address.pk])
    )
    assert "世纪大道100号" in response.content.decode()
    assert PersonalDataAccess.objects.get().user == admin_user_role


def test_invoice_email_is_masked_for_finance(client_for, finance_user, ops_user, order_in):
    order = order_in("delivered")
    invoice = services.invoice_request(
        order_id=order.pk, invoice_type="ordinary", title="个人", email="zhang.san@example.com", by=ops_user
    )
    page = client_for(finance_user).get(f"/orders/invoices/{invoice.pk}/").content.decode()
    assert "z***@example.com" in page
    assert "zhang.san@example.com" not in page


# --- anonymise --------------------------------------------------------------------------------------


@pytest.fixture
def finished_customer(order_in, ops_user):
    """A customer whose orders are all done: one delivered (with an invoice request), one cancelled."""
    delivered = order_in("delivered")
    cancelled = order_in("approved")
    services.order_cancel(order_id=cancelled.pk, by=ops_user, reason="客户取消")
    services.invoice_request(
        order_id=delivered.pk, invoice_type="ordinary", title="张三", email="zhang@example.com", by=ops_user
    )
    return delivered.customer


def money_and_orders():
    return sorted(Order.objects.values_list("number", "status", "total", "customer_id"))


def test_anonymise_erases_personal_fields_and_keeps_orders_and_money(finished_customer, ops_user, client_for):
    customer = finished_customer
    client_for(ops_user).post(reverse("personal-data-reveal", args=["orders.customer", customer.pk]))
    before = money_and_orders()
    services.customer_anonymise(
        customer_id=customer.pk, reason="客户邮件要求删除 #123", confirm=True, by=ops_user
    )
    customer.refresh_from_db()
    assert (customer.name, customer.phone, customer.email) == ("", f"anonymised-{customer.pk}", "")
    assert customer.anonymised_at is not None
    assert money_and_orders() == before
    assert set(Order.objects.values_list("contact_phone", flat=True)) == {""}
    assert set(Address.objects.values_list("phone", "line1", "province")) == {("", "", "上海")}
    invoice = customer.orders.get(status="delivered").invoices.get()
    assert (invoice.status, invoice.email) == ("voided", "")
    assert not OutboxMessage.objects.filter(recipient=PHONE).exists()
    assert PHONE not in PersonalDataAccess.objects.get().object_repr
    assert (
        ChangeLog.objects.filter(object_id=customer.pk, action="anonymise").get().note
        == "客户邮件要求删除 #123"
    )


def test_anonymise_needs_the_confirmation_and_refuses_while_orders_are_under_way(
    finished_customer, order_in, ops_user
):
    customer = finished_customer
    with pytest.raises(ConfirmationRequired):
        services.customer_anonymise(customer_id=customer.pk, reason="请求", confirm=False, by=ops_user)
    open_order = order_in("on_review")
    with pytest.raises(IllegalTransition) as refused:
        services.customer_anonymise(customer_id=customer.pk, reason="请求", confirm=True, by=ops_user)
    assert open_order.number in refused.value.message
    customer.refresh_from_db()
    assert (customer.phone, customer.anonymised_at) == (PHONE, None)
    assert Order.objects.get(pk=open_order.pk).contact_phone == PHONE


def test_anonymise_screen_has_a_confirmation_step(client_for, ops_user, finance_user, finished_customer):
    customer = finished_customer
    client = client_for(ops_user)
    form = client.get(f"/orders/customers/{customer.pk}/anonymise/")
    assert 'data-testid="anonymise-form"' in form.content.decode()
    unconfirmed = client.post(f"/orders/customers/{customer.pk}/anonymise/", {"reason": "客户来电要求"})
    assert unconfirmed.status_code == 400
    assert 'data-error-for="confirm"' in unconfirmed.content.decode()
    assert 'value="客户来电要求"' in unconfirmed.content.decode()
    assert Customer.objects.get(pk=customer.pk).anonymised_at is None
    done = client.post(
        f"/orders/customers/{customer.pk}/anonymise/", {"reason": "客户来电要求", "confirm": "on"}
    )
    assert done.status_code == 302
    assert Customer.objects.get(pk=customer.pk).anonymised_at is not None
    assert client_for(finance_user).get(f"/orders/customers/{customer.pk}/anonymise/").status_code == 403
