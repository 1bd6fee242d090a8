"""JOURNEYS.md "Warehouse, a wave" step 3 in a real browser: scan a parcel and its items with the keyboard,
a wrong item is refused (red), the right ones turn it green, pack, ship, download the shipping slip."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from fulfillment.choices import ShipmentStatus as S
from fulfillment.models import PackScan, Shipment
from fulfillment.services import shipments_create_pending
from tests.factories import (
    CarrierFactory,
    CarrierServiceFactory,
    RateRowFactory,
    SKUFactory,
    WarehouseFactory,
)
from tests.fulfillment.conftest import allocated_order_through_services
from tests.utils import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def parcel(transactional_db, warehouse_user):
    warehouse = WarehouseFactory(code="WH-AS", name="上海一号仓", province="上海", city="上海市")
    service = CarrierServiceFactory(carrier=CarrierFactory(code="ZTO", name="中通"), code="STD", name="标准")
    RateRowFactory(service=service, first_price="8.00")
    tee = SKUFactory(code="TEE-RED-L", barcode="6900000000011", weight_g=200, product__name="纯棉T恤")
    mug = SKUFactory(code="MUG-500", barcode="6900000000028", weight_g=350, product__name="保温杯")
    SKUFactory(code="SOCK-3", barcode="6900000000035", weight_g=50, product__name="袜子")
    allocated_order_through_services(
        lines=[(tee, 2, "59.90"), (mug, 1, "39.90")],
        phone="13812345678",
        external_id="E2E-PACK-1",
        warehouse=warehouse,
    )
    assert shipments_create_pending() == {"orders": 1, "skipped": 0}
    return Shipment.objects.get()


def scan(page, code: str) -> None:
    page.keyboard.type(code)
    page.keyboard.press("Enter")


def test_pack_and_ship_a_parcel_from_the_keyboard(page, live_server, login, parcel, tmp_path):
    login("warehouse", "pw-warehouse")
    page.goto(f"{live_server.url}/fulfillment/pack/")
    expect(page.locator("#scan-input")).to_be_focused()

    scan(page, parcel.number)
    progress = page.get_by_test_id("progress")
    expect(progress).to_have_text("0 / 3")
    expect(page.locator("#scan-input")).to_be_focused()

    scan(page, "SOCK-3")  # not in this parcel
    expect(page.get_by_test_id("scan-message")).to_have_text(
        f"Wrong item: SOCK-3 is not in parcel {parcel.number}. Put it aside."
    )
    expect(page.locator("#pack-box")).to_have_class(re.compile(r"\bpack-error\b"))
    expect(page.locator("#pack-state")).to_have_attribute("data-result", "wrong_item")
    expect(progress).to_have_text("0 / 3")

    scan(page, "TEE-RED-L")
    expect(progress).to_have_text("1 / 3")
    expect(page.locator("#pack-box")).to_have_class(re.compile(r"\bpack-ready\b"))
    # A scanner does not wait for the screen: two scans back to back are both counted, in order.
    scan(page, "6900000000011")  # the tee's barcode
    scan(page, "MUG-500")
    expect(page.locator("[data-sku=TEE-RED-L] td").last).to_have_text("2 / 2")
    expect(progress).to_have_text("3 / 3")
    expect(page.locator("#pack-box")).to_have_class(re.compile(r"\bpack-complete\b"))
    weight = page.locator("#weight-input")
    expect(weight).to_be_focused()

    page.keyboard.type("960")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_have_text(f"{parcel.number} packed.")
    parcel.refresh_from_db()
    assert (parcel.status, parcel.weight_g) == (S.PACKED, 960)
    assert list(PackScan.objects.filter(shipment=parcel).order_by("pk").values_list("code", "result")) == [
        ("SOCK-3", "wrong_item"),
        ("TEE-RED-L", "ok"),
        ("6900000000011", "ok"),
        ("MUG-500", "ok"),
    ]

    page.goto(f"{live_server.url}/fulfillment/to-ship/")
    page.locator(f"#tn-{parcel.pk}").focus()
    page.keyboard.type("ZT7700001")
    page.keyboard.press("Enter")
    expect(page.locator(".alert-success")).to_have_text(
        f"{parcel.number} shipped with tracking number ZT7700001."
    )
    parcel.refresh_from_db()
    assert (parcel.status, parcel.tracking_number) == (S.SHIPPED, "ZT7700001")

    page.goto(f"{live_server.url}/fulfillment/shipments/{parcel.pk}/")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Shipping slip (PDF)").click()
    download = download_info.value
    assert download.suggested_filename == f"slip-{parcel.number}.pdf"
    pdf_path = tmp_path / "slip.pdf"
    download.save_as(pdf_path)
    pdf = pdf_path.read_bytes()
    assert pdf.startswith(b"%PDF-")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert f"Shipping slip · {parcel.number}" in text and "ZT7700001" in text

    if not (shutil.which("zbarimg") and shutil.which("pdftoppm")):
        pytest.skip("needs zbar-tools and poppler-utils to read the barcode back")
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-singlefile", pdf_path, tmp_path / "page"], check=True)
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", tmp_path / "page.png"], capture_output=True, text=True, check=True
    )
    assert sorted(scanned.stdout.split()) == sorted([parcel.number, "ZT7700001"])


# --- a keyboard-wedge scanner at full speed (issue #16) ------------------------------------------------------


@pytest.fixture
def parcels(transactional_db, warehouse_user):
    """Four open parcels of 40 units each (two SKUs × 20), every SKU with its own code and barcode."""
    warehouse = WarehouseFactory(code="WH-AS", name="上海一号仓", province="上海", city="上海市")
    service = CarrierServiceFactory(carrier=CarrierFactory(code="ZTO", name="中通"), code="STD", name="标准")
    RateRowFactory(service=service, first_price="8.00")
    for n in range(4):
        buds = SKUFactory(code=f"P-BUDS-{n}", barcode=f"69100000000{n}1", weight_g=20, product__name="耳机")
        case = SKUFactory(code=f"P-CASE-{n}", barcode=f"69100000000{n}2", weight_g=30, product__name="耳机盒")
        allocated_order_through_services(
            lines=[(buds, 20, "99.00"), (case, 20, "19.00")],
            phone=f"1381234500{n}",
            external_id=f"E2E-SCAN-{n}",
            warehouse=warehouse,
        )
    assert shipments_create_pending() == {"orders": 4, "skipped": 0}
    return list(Shipment.objects.order_by("pk"))


def wait_for_scans(count: int) -> list[tuple[int, str, str]]:
    """The PackScan rows (parcel, code, result) once there are ``count`` of them (polled, with a deadline)."""
    wait_until(lambda: PackScan.objects.count() >= count, timeout=60, message=f"{count} scans recorded")
    return list(PackScan.objects.order_by("pk").values_list("shipment_id", "code", "result"))


def test_a_parcel_scan_right_before_an_item_scan_loses_nothing(page, live_server, login, parcels):
    first, second = parcels[0], parcels[1]
    login("warehouse", "pw-warehouse")
    page.goto(f"{live_server.url}/fulfillment/pack/")
    page.keyboard.type(first.number + "\n", delay=0)
    page.keyboard.type("P-BUDS-0\n", delay=0)
    expect(page.get_by_test_id("progress")).to_have_text("1 / 40")

    # The reported case: the next parcel's barcode and an item of it, as fast as a scanner sends them.
    page.keyboard.type(second.number + "\n" + "P-BUDS-1\n", delay=10)

    assert wait_for_scans(2) == [(first.pk, "P-BUDS-0", "ok"), (second.pk, "P-BUDS-1", "ok")]
    expect(page.locator("h2")).to_contain_text(second.number)
    expect(page.get_by_test_id("progress")).to_have_text("1 / 40")
    expect(page.locator("#scan-input")).to_be_focused()
    expect(page.locator("#scan-input")).to_have_value("")


def _scan_plan(parcels) -> tuple[list[str], list[tuple[int, str, str]]]:
    """200 scans: 40 parcel scans, each followed by 4 item scans of that parcel (codes and barcodes mixed)."""
    typed, expected = [], []
    for _round in range(10):
        for n, parcel in enumerate(parcels):
            typed.append(parcel.number)
            for code in (f"P-BUDS-{n}", f"69100000000{n}2", f"69100000000{n}1", f"P-CASE-{n}"):
                typed.append(code)
                expected.append((parcel.pk, code, "ok"))
    return typed, expected


def test_two_hundred_scans_back_to_back_at_scanner_speed(page, live_server, login, parcels):
    typed, expected = _scan_plan(parcels)
    assert len(typed) == 200 and len(expected) == 160
    login("warehouse", "pw-warehouse")
    page.goto(f"{live_server.url}/fulfillment/pack/")
    expect(page.locator("#scan-input")).to_be_focused()

    for i, code in enumerate(typed):
        # No waiting between scans: the next one starts the moment Enter is sent (0 ms or 10 ms per key).
        page.keyboard.type(code + "\n", delay=0 if i % 2 else 10)

    assert wait_for_scans(len(expected)) == expected
    last = parcels[-1]
    expect(page.locator("h2")).to_contain_text(last.number)
    expect(page.get_by_test_id("progress")).to_have_text("40 / 40")
    expect(page.locator("#pack-box")).to_have_class(re.compile(r"\bpack-complete\b"))
    expect(page.get_by_test_id("scan-message")).to_have_text("P-CASE-3 20 / 20")
    expect(page.locator("[data-sku=P-BUDS-3] td").last).to_have_text("20 / 20")
    expect(page.locator("#scan-input")).to_have_value("")
    page.screenshot(path="/tmp/pack-after-200-scans.png", full_page=True)
    for parcel in parcels:
        assert [line.verified_qty for line in parcel.lines.order_by("pk")] == [20, 20]


def test_a_scan_typed_anywhere_reaches_the_scan_queue_and_a_lost_request_says_so(
    page, live_server, login, parcel
):
    login("warehouse", "pw-warehouse")
    page.goto(f"{live_server.url}/fulfillment/pack/")
    page.keyboard.type(parcel.number + "\n", delay=0)
    for code in ("TEE-RED-L", "TEE-RED-L", "MUG-500"):
        page.keyboard.type(code + "\n", delay=0)
    expect(page.get_by_test_id("progress")).to_have_text("3 / 3")
    expect(page.locator("#weight-input")).to_be_focused()

    # The parcel is complete and the weight field has focus: a barcode typed now is a scan, not grams.
    page.keyboard.type("6900000000011\n", delay=10)
    expect(page.locator("#pack-state")).to_have_attribute("data-result", "extra_unit")
    expect(page.locator("#scan-input")).to_be_focused()
    # Focus on the page itself (a click on the heading): the keys still go to the scan field.
    page.get_by_role("heading", name="Pack station").click()
    page.keyboard.type("SOCK-3\n", delay=0)
    expect(page.get_by_test_id("scan-message")).to_have_text(
        f"Wrong item: SOCK-3 is not in parcel {parcel.number}. Put it aside."
    )
    assert wait_for_scans(5)[3:] == [
        (parcel.pk, "6900000000011", "extra_unit"),
        (parcel.pk, "SOCK-3", "wrong_item"),
    ]

    # A scan whose request is lost is not silently dropped: the station says to scan it again.
    page.route(f"**/fulfillment/pack/{parcel.pk}/", lambda route: route.abort(), times=1)
    page.keyboard.type("MUG-500\n", delay=0)
    expect(page.get_by_test_id("scan-message")).to_have_text(
        "Scan MUG-500 was not recorded: the server did not answer. Scan it again."
    )
    expect(page.locator("#pack-box")).to_have_class(re.compile(r"\bpack-error\b"))
    page.screenshot(path="/tmp/pack-not-sent.png", full_page=True)

    page.locator("#weight-input").click()
    page.keyboard.type("960\n", delay=0)
    expect(page.locator(".alert-success")).to_have_text(f"{parcel.number} packed.")
    parcel.refresh_from_db()
    assert (parcel.status, parcel.weight_g) == (S.PACKED, 960)
    assert PackScan.objects.count() == 5
