"""Waybill labels: the PDF's barcode read back by zbarimg equals the waybill number; the receiver is masked
as the channel asks (隐私面单); one label per package; ZPL with a ^BC barcode for Zebra printers."""

from __future__ import annotations

import io
import shutil
import subprocess

import pytest
from pypdf import PdfReader

from fulfillment.labels import (
    labels_data,
    mask_label_address,
    mask_label_name,
    render_labels_pdf,
    render_labels_zpl,
    waybills_for_labels,
)
from fulfillment.models import CarrierAccount, ChannelLabelPrivacy, Waybill
from fulfillment.services import shipments_create_for_order

pytestmark = pytest.mark.django_db


def decode_barcodes(pdf: bytes, tmp_path, name: str = "label") -> list[str]:
    """Every Code128 zbarimg reads on the PDF's first page, rendered at 300 dpi like a scan."""
    if not shutil.which("zbarimg") or not shutil.which("pdftoppm"):
        pytest.fail("zbarimg and pdftoppm are needed: run scripts/bootstrap.sh with WITH_BROWSER=1")
    (tmp_path / f"{name}.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "300", "-png", "-singlefile", tmp_path / f"{name}.pdf", tmp_path / name],
        check=True,
    )
    out = subprocess.run(
        ["zbarimg", "--quiet", "--raw", "-Sdisable", "-Scode128.enable", tmp_path / f"{name}.png"],
        capture_output=True,
        text=True,
        check=False,
    )
    return out.stdout.split()


def test_masking_rules():
    assert [mask_label_name(n) for n in ("张三丰", "张三", "欧阳娜娜", "Li", "")] == [
        "张*丰",
        "张*",
        "欧**娜",
        "L*",
        "",
    ]
    assert mask_label_address("文三路 100 号 5 幢 302") == "文三路 100 ****"


@pytest.fixture
def waybill(allocated_order, skus, manual_service):
    tee, mug, _ = skus
    order = allocated_order([(tee, 2), (mug, 1)], phone="13812341234")
    [shipment] = shipments_create_for_order(order_id=order.pk)
    account = CarrierAccount.objects.create(
        code="zto-sh",
        carrier=manual_service.carrier,
        api="pool",
        sender_name="上海一号仓",
        sender_phone="021-5555",
    )
    return Waybill.objects.create(
        shipment=shipment, account=account, number="75312345678901", sort_code="300-W01 012", packages=2
    )


def test_label_pdf_barcode_decodes_to_the_waybill_number_and_the_receiver_is_masked(waybill, tmp_path):
    address = waybill.shipment.address
    labels = labels_data(waybills_for_labels([waybill.pk]))
    pdf = render_labels_pdf(labels, size="100x180", language="zh-hans")
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) == 2  # 1/2 and 2/2
    box = reader.pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (100, 180)
    assert set(decode_barcodes(pdf, tmp_path)) == {"75312345678901"}
    text = reader.pages[0].extract_text()
    assert "138****1234" in text and "13812341234" not in text
    assert mask_label_name(address.name) in text and address.name not in text
    assert "300-W01 012" in text and "1/2" in text
    assert "1/2" in text and "2/2" in reader.pages[1].extract_text()
    assert waybill.shipment.order.number in text


def test_a_channel_may_print_the_full_receiver(waybill, tmp_path):
    ChannelLabelPrivacy.objects.create(
        channel=waybill.shipment.order.channel, mask_name=False, mask_phone=False, mask_address=True
    )
    [label, _] = labels_data(waybills_for_labels([waybill.pk]))
    address = waybill.shipment.address
    assert (label["receiver"]["name"], label["receiver"]["phone"]) == (address.name, "13812341234")
    assert label["receiver"]["detail"] == mask_label_address(address.line1)


def test_small_label_and_zpl(waybill, tmp_path):
    labels = labels_data(waybills_for_labels([waybill.pk]))
    pdf = render_labels_pdf(labels, size="76x130")
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert (round(float(box.width) / 72 * 25.4), round(float(box.height) / 72 * 25.4)) == (76, 130)
    assert set(decode_barcodes(pdf, tmp_path, "small")) == {"75312345678901"}
    zpl = render_labels_zpl(labels)
    assert zpl.count("^XA") == 2 and zpl.count("^XZ") == 2
    assert "^BCN,144,N,N,N^FD75312345678901^FS" in zpl
    assert "^FD138****1234" not in zpl and "138****1234" in zpl and "13812341234" not in zpl
