"""Issue #16 in a real browser: a wave's waybills printed from the carrier's API (a fake 中通 on 127.0.0.1 that
checks each request's signature), the label PDF read back by zbarimg, the labels scanned at scanner speed on
the batch-ship page (no keystroke lost), every parcel shipped with its waybill; an intercepted parcel refused."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from playwright.sync_api import expect
from pypdf import PdfReader

from fulfillment.choices import ShipmentStatus as S
from fulfillment.models import CarrierAccount, Shipment, Waybill
from fulfillment.services import pack_scan, shipment_mark_packed, shipments_create_pending, wave_build
from tests.factories import (
    CarrierFactory,
    CarrierServiceFactory,
    RateRowFactory,
    SKUFactory,
    WarehouseFactory,
)
from tests.fulfillment.conftest import allocated_order_through_services
from tests.fulfillment.fake_waybill_apis import fake_waybill_server
from tests.utils import wait_until

pytestmark = pytest.mark.django_db(transaction=True)

SHOTS = "/work/shots/w-waybill"
PARCELS = 6


@pytest.fixture
def fake_zto():
    with fake_waybill_server() as fake:
        yield fake


@pytest.fixture
def wave(transactional_db, warehouse_user, fake_zto):
    warehouse = WarehouseFactory(
        code="WH-AS", name="上海一号仓", province="上海", city="上海市", address="外高桥 1 号"
    )
    carrier = CarrierFactory(code="ZTO", name="中通快递", adapter="waybill")
    service = CarrierServiceFactory(carrier=carrier, code="STD", name="标准快递")
    RateRowFactory(service=service, first_price="8.00")
    CarrierAccount.objects.create(
        code="zto-sh",
        carrier=carrier,
        api="zto",
        endpoint=f"{fake_zto.url}/zto",
        partner_id="ZTO-KEY",
        customer_code="CUST-1",
        secret=fake_zto.secret,
        sender_name="上海一号仓",
        sender_phone="021-55550000",
    )
    for n in range(PARCELS):
        sku = SKUFactory(code=f"TEE-{n}", barcode=f"690000000{n:04d}", weight_g=200, product__name="纯棉T恤")
        allocated_order_through_services(
            lines=[(sku, 1, "59.90")], phone=f"1381234{n:04d}", external_id=f"E2E-WB-{n}", warehouse=warehouse
        )
    assert shipments_create_pending() == {"orders": PARCELS, "skipped": 0}
    return wave_build(warehouse_id=warehouse.pk)


def _pack_all(user) -> list[Shipment]:
    parcels = list(Shipment.objects.order_by("pk").prefetch_related("lines__sku"))
    for parcel in parcels:
        for line in parcel.lines.all():
            pack_scan(shipment_id=parcel.pk, code=line.sku.code, by=user)
        shipment_mark_packed(shipment_id=parcel.pk, by=user)
    return parcels


def _decode(pdf_path, tmp_path) -> list[str]:
    if not (shutil.which("zbarimg") and shutil.which("pdftoppm")):
        pytest.fail("needs zbar-tools and poppler-utils: scripts/bootstrap.sh installs them (WITH_BROWSER=1)")
    subprocess.run(["pdftoppm", "-r", "300", "-png", pdf_path, tmp_path / "label"], check=True)
    out = subprocess.run(
        [
            "zbarimg",
            "--quiet",
            "--raw",
            "-Sdisable",
            "-Scode128.enable",
            *sorted(tmp_path.glob("label*.png")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.split()


def test_wave_print_waybills_scan_at_scanner_speed_batch_ship(
    page, live_server, login, wave, fake_zto, warehouse_user, ops_user, tmp_path
):
    login("warehouse", "pw-warehouse")
    page.goto(f"{live_server.url}/fulfillment/waves/{wave.pk}/")
    page.screenshot(path=f"{SHOTS}/wave-detail-en.png", full_page=True)
    page.get_by_test_id("print-waybills").click()
    expect(page.get_by_test_id("job-progress")).to_have_attribute("data-status", "done", timeout=60_000)
    expect(page.get_by_test_id("job-progress")).to_contain_text(f"{PARCELS} waybills")
    with page.expect_download() as download_info:
        page.get_by_test_id("job-download").click()
    pdf_path = tmp_path / "waybills.pdf"
    download_info.value.save_as(pdf_path)

    waybills = dict(Waybill.objects.values_list("shipment__number", "number"))
    assert len(waybills) == PARCELS
    assert all(c["signature_ok"] for c in fake_zto.calls) and len(fake_zto.calls) == PARCELS
    pages = PdfReader(io.BytesIO(pdf_path.read_bytes())).pages
    assert len(pages) == PARCELS
    assert set(_decode(pdf_path, tmp_path)) == set(waybills.values())  # every label's barcode reads back

    parcels = _pack_all(warehouse_user)
    # The last parcel's order is cancelled after its label was printed: scanning it must not ship it.
    from orders.services import order_cancel

    intercepted = parcels[-1]
    order_cancel(order_id=intercepted.order_id, by=ops_user, reason="customer asked")

    page.goto(f"{live_server.url}/fulfillment/batch-ship/")
    expect(page.locator("#batch-scan-input")).to_be_focused()
    page.get_by_role("heading", name="Batch ship").click()  # focus away: keys still reach the scan field
    for i, parcel in enumerate(parcels):
        # Back to back, no waiting: 0 ms and 10 ms between keys, as a wedge scanner types.
        page.keyboard.type(waybills[parcel.number] + "\n", delay=0 if i % 2 else 10)
    page.keyboard.type("NOPE-404\n", delay=0)

    expect(page.get_by_test_id("batch-count")).to_have_text(str(PARCELS - 1), timeout=60_000)
    expect(page.get_by_test_id("batch-refused")).to_have_text("2")
    expect(page.locator("#batch-scan-input")).to_have_value("")
    expect(page.get_by_test_id("batch-log")).to_contain_text("No parcel or waybill NOPE-404.")
    expect(page.get_by_test_id("batch-log")).to_contain_text("Stop: do not ship this parcel (截停).")
    page.screenshot(path=f"{SHOTS}/batch-ship-en.png", full_page=True)

    shipped = dict(Shipment.objects.filter(status=S.SHIPPED).values_list("number", "tracking_number"))
    assert shipped == {p.number: waybills[p.number] for p in parcels[:-1]}
    assert Shipment.objects.get(pk=intercepted.pk).status == S.PACKED
    # The intercepted parcel's waybill is voided at the carrier (the refusal queued it).
    wait_until(
        lambda: Waybill.objects.get(shipment=intercepted).status == "cancelled",
        timeout=30,
        message="waybill voided",
    )
    assert fake_zto.calls[-1]["action"] == "cancel" and fake_zto.calls[-1]["signature_ok"]

    page.goto(f"{live_server.url}/fulfillment/shipments/{parcels[0].pk}/")
    expect(page.get_by_test_id("waybill-panel")).to_contain_text(waybills[parcels[0].number])
    page.screenshot(path=f"{SHOTS}/parcel-waybill-en.png", full_page=True)


def test_the_screens_in_chinese(page, live_server, login, wave, warehouse_user):
    login("warehouse", "pw-warehouse")
    page.goto(f"{live_server.url}/fulfillment/to-ship/")
    with page.expect_navigation():  # the language switch submits itself; wait for its answer
        page.select_option("#language-select", "zh-hans")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.goto(f"{live_server.url}/fulfillment/waves/{wave.pk}/")
    expect(page.get_by_test_id("print-waybills")).to_have_text("打印面单（按拣货顺序）")
    page.screenshot(path=f"{SHOTS}/wave-detail-zh.png", full_page=True)
    page.goto(f"{live_server.url}/fulfillment/batch-ship/")
    expect(page.get_by_role("heading", name="扫描发货")).to_be_visible()
    page.screenshot(path=f"{SHOTS}/batch-ship-zh.png", full_page=True)
    _pack_all(warehouse_user)
    page.goto(f"{live_server.url}/fulfillment/to-ship/")
    expect(page.get_by_test_id("ship-selected")).to_have_text("发货所选（使用其面单）")
    page.locator("#select-all").check()
    page.screenshot(path=f"{SHOTS}/to-ship-zh-ticked.png", full_page=True)
    page.get_by_test_id("ship-selected").click()
    expect(page.locator(".alert-success")).to_contain_text("已发货")
    page.screenshot(path=f"{SHOTS}/to-ship-zh.png", full_page=True)
    assert Shipment.objects.filter(status=S.SHIPPED).count() == PARCELS
