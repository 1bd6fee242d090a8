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
