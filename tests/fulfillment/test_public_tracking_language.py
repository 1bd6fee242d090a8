"""The public tracking page opened by the signed link speaks the customer's language, not the browser's."""

import pytest
from django.urls import reverse
from django.utils import translation

from fulfillment.choices import ShipmentStatus
from fulfillment.selectors import tracking_token
from fulfillment.services import shipments_create_for_order
from orders.models import Customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def link(allocated_order, skus):
    [shipment] = shipments_create_for_order(order_id=allocated_order([(skus[0], 1)]).pk)
    return shipment, reverse("tracking-signed", args=[tracking_token(shipment)])


def test_signed_link_answers_in_the_customers_language(link, client):
    shipment, url = link
    assert shipment.customer.language == "zh-hans"

    response = client.get(url, headers={"Accept-Language": "en"})

    page = response.content.decode()
    assert response.status_code == 200 and response["Content-Language"] == "zh-hans"
    with translation.override("zh-hans"):
        pending = str(ShipmentStatus.PENDING.label)
    assert pending != "Pending"
    assert '<html lang="zh-hans"' in page and "查询您的包裹" in page and f"包裹 1: {pending}" in page
    assert "Track your parcel" not in page


def test_an_english_customer_gets_english_from_a_chinese_browser(link, client):
    shipment, url = link
    Customer.objects.filter(pk=shipment.customer_id).update(language="en")

    response = client.get(url, headers={"Accept-Language": "zh-hans"})

    page = response.content.decode()
    assert response["Content-Language"] == "en"
    assert "Track your parcel" in page and "Pending" in page and "查询您的包裹" not in page


def test_the_lookup_form_still_follows_the_browser(client):
    page = client.get("/track/", headers={"Accept-Language": "zh-hans"}).content.decode()
    assert "查询您的包裹" in page


def test_a_forged_link_is_not_found(client):
    response = client.get(reverse("tracking-signed", args=["not-a-token"]), headers={"Accept-Language": "en"})
    assert response.status_code == 404
