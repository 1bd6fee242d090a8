"""After-sales screens: permissions, the registration form, actions, query counts that do not grow with rows."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from PIL import Image

from aftersales.models import AftersalesCase, Complaint
from aftersales.services import (
    LineRequest,
    case_approve,
    case_register,
    complaint_register,
    refund_record,
    survey_submit,
    survey_token,
)
from oms.models import OutboxMessage

pytestmark = pytest.mark.django_db


def png(name="photo.png", size=(8, 8)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def form_data(order, reason, **extra):
    line = order.lines.get()
    data = {
        "action": "save",
        "order_number": order.number,
        "case_type": "return_refund",
        "reason": reason.pk,
        "registered_on": "2026-11-21",
        f"qty_{line.pk}": "1",
        "description": "杯子碎了",
    }
    data.update(extra)
    return data


def test_registration_creates_the_case_with_photo_and_compensation(
    client_for, ops_user, shipped_order, broken, supplier, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(ops_user)
    response = client.post(
        "/aftersales/new/",
        form_data(
            shipped_order,
            broken,
            supplier=supplier.pk,
            compensation_applies="on",
            supplier_share="30",
            platform_share="20.00",
            photos=[png()],
            handler=ops_user.pk,
        ),
    )
    assert response.status_code == 302
    case = AftersalesCase.objects.get()
    assert response["Location"] == f"/aftersales/{case.pk}/"
    assert (case.compensation_total, case.supplier_id, case.status) == (
        Decimal("50.00"),
        supplier.pk,
        "requested",
    )
    assert case.photos.count() == 1


def test_refused_registration_keeps_what_was_typed_and_says_why(client_for, ops_user, shipped_order, broken):
    client = client_for(ops_user)
    line = shipped_order.lines.get()
    response = client.post(
        "/aftersales/new/",
        form_data(shipped_order, broken, **{f"qty_{line.pk}": "3", "return_tracking_number": "SF777"}),
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors[f"qty_{line.pk}"] == [
        "Ensure this value is less than or equal to 2.",
    ] or form.errors[f"qty_{line.pk}"] == [
        "Only 2 of SKU-001 can be returned: 2 shipped, 0 already returned."
    ]
    assert 'value="SF777"' in response.content.decode()
    assert "杯子碎了" in response.content.decode()
    assert AftersalesCase.objects.count() == 0


def test_quantity_above_shipped_minus_returned_is_refused_on_its_field(
    client_for, ops_user, shipped_order, broken
):
    case_register(
        order_id=shipped_order.pk,
        case_type="return_refund",
        reason_id=broken.pk,
        by=ops_user,
        lines=[LineRequest(order_line_id=shipped_order.lines.get().pk, quantity=1)],
    )
    client = client_for(ops_user)
    line = shipped_order.lines.get()
    response = client.post("/aftersales/new/", form_data(shipped_order, broken, **{f"qty_{line.pk}": "2"}))
    assert response.status_code == 400
    assert response.context["form"].errors[f"qty_{line.pk}"] == [
        "Only 1 of SKU-001 can be returned: 2 shipped, 1 already returned."
    ]
    assert AftersalesCase.objects.count() == 1


def test_a_file_that_is_not_a_photo_is_refused(client_for, ops_user, shipped_order, broken):
    client = client_for(ops_user)
    fake = SimpleUploadedFile("virus.png", b"MZ not an image", content_type="image/png")
    response = client.post("/aftersales/new/", form_data(shipped_order, broken, photos=[fake]))
    assert response.status_code == 400
    assert response.context["form"].errors["photos"] == [
        "virus.png is not a photo we can read: upload a JPEG, PNG, WebP or GIF image."
    ]
    assert AftersalesCase.objects.count() == 0


def test_compensation_total_must_have_parts(client_for, ops_user, shipped_order, broken):
    response = client_for(ops_user).post(
        "/aftersales/new/", form_data(shipped_order, broken, compensation_applies="on", supplier_share="30")
    )
    assert response.status_code == 400
    assert response.context["form"].errors["supplier"] == [
        "Choose the supplier who bears the supplier's share, or set it to 0."
    ]


def test_loading_an_order_defaults_the_preferred_supplier(client_for, ops_user, shipped_order, supplier):
    response = client_for(ops_user).get(f"/aftersales/new/?order={shipped_order.number}")
    form = response.context["form"]
    assert form.initial["supplier"] == supplier.pk
    assert form.initial["handler"] == ops_user.pk
    assert [row[1].shipped for row in form.bound_line_rows()] == [2]


@pytest.mark.parametrize(
    ("url", "allowed", "refused"),
    [
        ("/aftersales/", "ops_user", "warehouse_user"),
        ("/aftersales/new/", "ops_user", "finance_user"),
        ("/aftersales/receiving/", "warehouse_user", "finance_user"),
        ("/aftersales/refunds/", "finance_user", "warehouse_user"),
        ("/aftersales/complaints/", "ops_user", "finance_user"),
        ("/aftersales/surveys/", "finance_user", "warehouse_user"),
    ],
)
def test_each_screen_checks_its_permission(request, client_for, url, allowed, refused):
    assert client_for(request.getfixturevalue(refused)).get(url).status_code == 403
    assert client_for(request.getfixturevalue(allowed)).get(url).status_code == 200


def test_finance_cannot_approve_a_large_refund_by_posting(
    client_for, ops_user, finance_user, shipped_order, late, supplier, settings
):
    settings.OMS_LARGE_REFUND_AMOUNT = "10.00"
    case = case_register(
        order_id=shipped_order.pk,
        case_type="compensation",
        reason_id=late.pk,
        by=ops_user,
        lines=[],
        compensation_applies=True,
        supplier_share="0",
        platform_share="50.00",
    )
    case_approve(case_id=case.pk, by=ops_user)
    refund = refund_record(case_id=case.pk, amount="50.00", by=finance_user)
    response = client_for(finance_user).post(f"/aftersales/refunds/{refund.pk}/approve/")
    assert response.status_code == 403
    refund.refresh_from_db()
    assert refund.status == "awaiting_approval"


def make_cases(order, user, reason, n):
    for _i in range(n):
        case_register(
            order_id=order.pk,
            case_type="compensation",
            reason_id=reason.pk,
            by=user,
            lines=[],
            compensation_applies=True,
            supplier_share="0",
            platform_share="1.00",
        )


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_case_list_queries_do_not_grow_with_rows(client_for, ops_user, shipped_order, late):
    client = client_for(ops_user)
    make_cases(shipped_order, ops_user, late, 2)
    few = count_queries(client, "/aftersales/?status=all")
    make_cases(shipped_order, ops_user, late, 10)
    assert count_queries(client, "/aftersales/?status=all") == few


def test_refund_list_queries_do_not_grow_with_rows(client_for, ops_user, finance_user, shipped_order, late):
    client = client_for(finance_user)

    def refunds(n):
        for _i in range(n):
            case = case_register(
                order_id=shipped_order.pk,
                case_type="compensation",
                reason_id=late.pk,
                by=ops_user,
                lines=[],
                compensation_applies=True,
                supplier_share="0",
                platform_share="1.00",
            )
            case_approve(case_id=case.pk, by=ops_user)
            refund_record(case_id=case.pk, amount="1.00", by=finance_user)

    refunds(2)
    few = count_queries(client, "/aftersales/refunds/?status=all")
    refunds(8)
    assert count_queries(client, "/aftersales/refunds/?status=all") == few


def test_complaint_list_queries_do_not_grow_with_rows(client_for, ops_user, shipped_order):
    client = client_for(ops_user)

    def complaints(n):
        for i in range(n):
            complaint_register(
                kind="complaint",
                category="delivery",
                customer_id=shipped_order.customer_id,
                order_id=shipped_order.pk,
                subject=f"Late {i}",
                by=ops_user,
            )

    complaints(2)
    few = count_queries(client, "/aftersales/complaints/")
    complaints(8)
    assert count_queries(client, "/aftersales/complaints/") == few


def test_complaint_is_resolved_with_time_to_resolve(client_for, ops_user, shipped_order):
    client = client_for(ops_user)
    response = client.post(
        "/aftersales/complaints/new/",
        {
            "kind": "inquiry",
            "category": "delivery",
            "order_number": shipped_order.number,
            "subject": "Where is it?",
        },
    )
    complaint = Complaint.objects.get()
    assert response["Location"] == f"/aftersales/complaints/{complaint.pk}/"
    assert (complaint.customer_id, complaint.handler_id) == (shipped_order.customer_id, ops_user.pk)
    client.post(f"/aftersales/complaints/{complaint.pk}/", {"resolution": "Told the tracking number"})
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    assert complaint.time_to_resolve is not None


def test_public_survey_needs_no_login_and_answers_once(client, shipped_order):
    token = survey_token(order_id=shipped_order.pk)
    assert client.get(f"/aftersales/survey/{token}/").status_code == 200
    response = client.post(f"/aftersales/survey/{token}/", {"score": "5", "comment": "好"})
    assert response.status_code == 200
    assert response.context["thanks"] is True
    again = client.post(f"/aftersales/survey/{token}/", {"score": "1"})
    assert again.status_code == 400
    assert again.context["refusal"] == "This survey was already answered. Thank you!"
    assert client.get("/aftersales/survey/forged-token/").status_code == 400


def test_survey_report_averages_by_case_type(client_for, finance_user, ops_user, shipped_order, late):
    make_cases(shipped_order, ops_user, late, 1)
    case = AftersalesCase.objects.get()
    survey_submit(token=survey_token(order_id=shipped_order.pk, case_id=case.pk), score=4)
    survey_submit(token=survey_token(order_id=shipped_order.pk), score=2)
    report = client_for(finance_user).get("/aftersales/surveys/").context["report"]
    assert report["overall"] == {"avg": 3.0, "n": 2}
    assert [(r["case__case_type"], r["avg"], r["n"]) for r in report["by_type"]] == [("compensation", 4.0, 1)]


def test_export_csv(client_for, ops_user, shipped_order, late):
    make_cases(shipped_order, ops_user, late, 1)
    response = client_for(ops_user).get("/aftersales/?status=all&export=csv")
    # Like every CSV download, it starts with a byte-order mark so Excel reads the Chinese correctly.
    assert response.content.startswith("\ufeff".encode())
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("case,type,status,order,store,reason")
    assert len(lines) == 2
    assert ",Compensation,Requested," in lines[1]


def test_reject_without_reason_changes_nothing_and_queues_nothing(
    client_for, ops_user, shipped_order, broken, django_capture_on_commit_callbacks
):
    case = case_register(
        order_id=shipped_order.pk,
        case_type="return_refund",
        reason_id=broken.pk,
        by=ops_user,
        lines=[LineRequest(order_line_id=shipped_order.lines.get().pk, quantity=1)],
    )
    before = OutboxMessage.objects.count()
    with django_capture_on_commit_callbacks() as callbacks:
        client_for(ops_user).post(f"/aftersales/{case.pk}/reject/", {"reject_reason": " "})
    case.refresh_from_db()
    assert case.status == "requested"
    assert callbacks == []
    assert OutboxMessage.objects.count() == before


def test_the_order_page_shows_its_after_sales_state_through_the_registered_panel(
    client_for, ops_user, shipped_order, late
):
    page = client_for(ops_user).get(f"/orders/{shipped_order.pk}/").content.decode()
    assert 'data-testid="order-aftersales"' in page
    assert "Register after-sales case" in page
    case_register(
        order_id=shipped_order.pk,
        case_type="compensation",
        reason_id=late.pk,
        lines=[LineRequest(order_line_id=shipped_order.lines.get().pk, quantity=1)],
        compensation_applies=True,
        platform_share=Decimal("10.00"),
        by=ops_user,
    )
    page = client_for(ops_user).get(f"/orders/{shipped_order.pk}/").content.decode()
    assert "1 case" in page
