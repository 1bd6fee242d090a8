"""Personal data is masked for roles that do not need it; every full view is logged."""

import pytest
from django.urls import reverse

from oms.models import PersonalDataAccess
from oms.privacy import can_view_personal_data, mask, mask_email, mask_name, mask_phone
from tests.factories import CustomerFactory


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812348000", "138****8000"),
        ("+86 138-1234-8000", "*********8000"),
        ("123", "***"),
        ("", ""),
        (None, ""),
    ],
)
def test_phone_masking(raw, masked):
    assert mask_phone(raw) == masked


def test_other_masks():
    assert mask_email("zhang.san@example.com") == "z***@example.com"
    assert mask_name("张三丰") == "张**"
    assert mask_name("John Smith") == "J*** S***"
    assert mask("浦东新区世纪大道100号", "text") == "浦东****"


@pytest.mark.django_db
def test_roles_that_need_personal_data_have_it(ops_user, warehouse_user, finance_user, finance_manager_user):
    assert can_view_personal_data(ops_user)
    assert can_view_personal_data(warehouse_user)
    assert not can_view_personal_data(finance_user)
    assert not can_view_personal_data(finance_manager_user)


@pytest.mark.django_db
def test_reveal_shows_full_values_and_logs_the_view(client_for, ops_user):
    subject = CustomerFactory(name="王小明", phone="13812348000", email="buyer@example.com")
    response = client_for(ops_user).post(
        reverse("personal-data-reveal", args=["orders.customer", subject.pk]), {"purpose": "customer called"}
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "13812348000" in page
    assert "buyer@example.com" in page
    log = PersonalDataAccess.objects.get()
    assert (log.user, log.object_id, log.fields, log.purpose) == (
        ops_user,
        subject.pk,
        ["name", "phone", "email"],
        "customer called",
    )


@pytest.mark.django_db
def test_staff_users_contact_data_is_for_admins_only(client_for, ops_user, admin_user_role, make_user):
    subject = make_user("colleague", phone="13812348000", email="colleague@example.com")
    url = reverse("personal-data-reveal", args=["oms.user", subject.pk])
    refused = client_for(ops_user).post(url)
    assert refused.status_code == 403
    assert "13812348000" not in refused.content.decode()
    assert PersonalDataAccess.objects.count() == 0
    shown = client_for(admin_user_role).post(url)
    assert shown.status_code == 200
    assert "13812348000" in shown.content.decode()
    assert PersonalDataAccess.objects.get().user == admin_user_role


@pytest.mark.django_db
def test_warehouse_cannot_read_customers_by_changing_ids(client_for, warehouse_user):
    """The warehouse holds the global permission (it prints shipping slips) but opens no customer,
    invoice or case page: every reveal by id is refused, for records that exist and ids that do not."""
    customer = CustomerFactory(name="王小明", phone="13812348000")
    address = customer.addresses.create(
        name="王小明",
        phone="13812348000",
        province="广东省",
        city="深圳市",
        district="南山区",
        line1="科技园1号",
    )
    client = client_for(warehouse_user)
    for label, pk in [
        ("orders.customer", customer.pk),
        ("orders.address", address.pk),
        ("orders.customer", customer.pk + 1000),
        ("orders.invoice", 1),
        ("aftersales.aftersalescase", 1),
        ("aftersales.complaint", 1),
        ("oms.user", warehouse_user.pk),
    ]:
        response = client.post(reverse("personal-data-reveal", args=[label, pk]))
        assert response.status_code == 403, label
        assert "13812348000" not in response.content.decode()
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.django_db
def test_finance_is_refused_and_nothing_is_logged(client_for, finance_user, make_user):
    subject = make_user("buyer", phone="13812348000")
    response = client_for(finance_user).post(reverse("personal-data-reveal", args=["oms.user", subject.pk]))
    assert response.status_code == 403
    assert "13812348000" not in response.content.decode()
    assert PersonalDataAccess.objects.count() == 0


@pytest.mark.django_db
def test_reveal_of_a_model_without_personal_data_is_404(client_for, ops_user):
    response = client_for(ops_user).post(reverse("personal-data-reveal", args=["oms.outboxmessage", 1]))
    assert response.status_code == 404
    assert PersonalDataAccess.objects.count() == 0
