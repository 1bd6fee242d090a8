"""The pack station answers an item scan with only what changed, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from fulfillment.services import shipments_create_for_order
from tests.factories import SKUFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _parcel(allocated_order, n_lines: int, phone: str):
    skus = [SKUFactory(code=f"P{n_lines}-{i:02d}", weight_g=100) for i in range(n_lines)]
    [shipment] = shipments_create_for_order(order_id=allocated_order([(s, 1) for s in skus], phone=phone).pk)
    return shipment, skus


def _scan(client, shipment, code):
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("fulfillment:pack-shipment", args=[shipment.pk]), {"code": code}, headers=HTMX
        )
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


def test_item_scan_swaps_only_the_scanned_line_and_the_counters(allocated_order, client_for, warehouse_user):
    shipment, skus = _parcel(allocated_order, 12, "13900000061")
    client = client_for(warehouse_user)
    lines = list(shipment.lines.order_by("pk"))

    body, _ = _scan(client, shipment, skus[3].code)

    assert 'id="pack-state"' in body and 'data-result="ok"' in body
    assert f"{skus[3].code} 1 / 1" in body
    assert f'<tr id="pack-line-{lines[3].pk}"' in body
    assert [line.pk for line in lines if f'id="pack-line-{line.pk}"' in body] == [lines[3].pk]
    assert 'id="pack-progress"' in body and ">1 / 12<" in body
    assert 'id="pack-done"' not in body  # not complete yet: the pack form stays as it is

    wrong, _ = _scan(client, shipment, "NOT-HERE")
    assert 'data-result="wrong_item"' in wrong and "pack-line-" not in wrong and ">1 / 12<" in wrong


def test_last_scan_brings_the_pack_form(allocated_order, client_for, warehouse_user):
    shipment, skus = _parcel(allocated_order, 2, "13900000062")
    client = client_for(warehouse_user)
    _scan(client, shipment, skus[0].code)
    body, _ = _scan(client, shipment, skus[1].code)
    assert 'data-complete="1"' in body and 'data-testid="pack-done-form"' in body and ">2 / 2<" in body


def test_queries_per_scan_do_not_grow_with_the_lines(allocated_order, client_for, warehouse_user):
    small, small_skus = _parcel(allocated_order, 2, "13900000063")
    large, large_skus = _parcel(allocated_order, 30, "13900000064")
    client = client_for(warehouse_user)
    _scan(client, small, small_skus[0].code)  # warm the session and permission caches alike

    _, small_ok = _scan(client, small, small_skus[1].code)
    _, large_ok = _scan(client, large, large_skus[7].code)
    _, small_wrong = _scan(client, small, "NOPE")
    _, large_wrong = _scan(client, large, "NOPE")

    assert small_ok == large_ok
    assert small_wrong == large_wrong


def _post(client, url, data):
    return client.post(url, data, headers=HTMX)


def test_no_answer_ever_replaces_the_scan_field(allocated_order, client_for, warehouse_user):
    """The next scan's keys arrive while an answer is swapped in: the field they go to must stay (#16)."""
    first, first_skus = _parcel(allocated_order, 3, "13900000065")
    second, _ = _parcel(allocated_order, 4, "13900000066")
    client = client_for(warehouse_user)
    first_url = reverse("fulfillment:pack-shipment", args=[first.pk])
    second_url = reverse("fulfillment:pack-shipment", args=[second.pk])

    page = client.get(first_url).content.decode()
    assert page.count('id="scan-input"') == 1
    panel = page[page.index('id="pack-panel"') :]
    assert 'id="scan-input"' not in panel  # outside every swapped region
    assert f'data-scan-url="{first_url}"' in page

    opened = _post(client, reverse("fulfillment:pack"), {"code": first.number})
    item = _post(client, first_url, {"code": first_skus[0].code})
    switched = _post(client, first_url, {"code": second.number})
    unknown = _post(client, second_url, {"code": "SHP-NOPE"})
    for response in (opened, item, switched, unknown):
        assert response.status_code == 200
        assert 'id="scan-input"' not in response.content.decode()

    # A parcel answer is the whole panel, whatever the page targeted, with the verdict and the next URL.
    for response, url in ((opened, first_url), (switched, second_url)):
        assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#pack-panel", "innerHTML")
        body = response.content.decode()
        assert 'id="pack-state"' in body and 'hx-swap-oob="true"' in body and f'data-scan-url="{url}"' in body
    assert "HX-Retarget" not in item
    assert f'data-scan-url="{first_url}"' in item.content.decode()
    # An item code unknown to the open parcel is a wrong item of that parcel, not a parcel scan.
    assert 'data-result="wrong_item"' in unknown.content.decode()


def test_a_barcode_typed_as_the_weight_is_refused_not_stored(allocated_order, client_for, warehouse_user):
    shipment, skus = _parcel(allocated_order, 1, "13900000067")
    client = client_for(warehouse_user)
    _scan(client, shipment, skus[0].code)

    response = client.post(
        reverse("fulfillment:pack-done", args=[shipment.pk]), {"weight_g": "6910000000011"}
    )

    assert response.status_code == 200
    assert (
        'data-testid="weight-error">Ensure this value is less than or equal to 1000000.<'
        in response.content.decode()
    )
    shipment.refresh_from_db()
    assert (shipment.status, shipment.weight_g) == ("pending", None)
