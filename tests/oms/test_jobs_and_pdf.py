"""Background jobs with progress, and PDF rendering with Chinese text and Code128 barcodes."""

import copy
import io
import shutil
import subprocess

import pytest
from django.urls import reverse
from pypdf import PdfReader

from oms.jobs import job_run, job_start
from oms.models import BackgroundJob
from oms.pdf import barcode_svg, render_pdf


def sample_handler(job, progress, *, rows: int):
    for i in range(rows):
        progress(i + 1, rows)
    content = render_pdf("tests_pdf_sample.html", {"title": "拣货单 Pick list", "code": f"W-{job.pk:05d}"})
    return {"file_name": f"sample-{job.pk}.pdf", "content": content, "message": f"{rows} rows"}


def failing_handler(job, progress):
    raise ValueError("SKU-404 is not in the catalogue")


@pytest.fixture
def sample_template(settings, tmp_path):
    (tmp_path / "tests_pdf_sample.html").write_text(
        '{% extends "pdf/base.html" %}{% load i18n %}{% block body %}<h1>{{ title }}</h1>'
        '<div class="barcode">{{ barcode }}</div><p>{{ code }}</p>{% endblock %}'
    )
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], tmp_path]
    settings.TEMPLATES = templates  # assigning (not mutating) resets Django's cached template engines


@pytest.fixture
def _pdf_barcode_context(monkeypatch):
    import oms.pdf

    original = oms.pdf.render_pdf

    def with_barcode(template, context, **kw):
        return original(template, {**context, "barcode": barcode_svg(context["code"])}, **kw)

    monkeypatch.setattr("tests.oms.test_jobs_and_pdf.render_pdf", with_barcode)


@pytest.mark.django_db
def test_job_runs_after_commit_reports_progress_and_offers_the_file(
    sample_template,
    _pdf_barcode_context,
    ops_user,
    client_for,
    django_capture_on_commit_callbacks,
    settings,
    tmp_path,
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind="Sample",
            handler="tests.oms.test_jobs_and_pdf.sample_handler",
            params={"rows": 7},
            by=ops_user,
        )
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total, job.message) == ("done", 7, 7, "7 rows")
    client = client_for(ops_user)
    page = client.get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "100%" in page
    assert f"sample-{job.pk}.pdf" in page
    response = client.get(reverse("job-download", args=[job.pk]))
    pdf = b"".join(response.streaming_content)
    assert pdf.startswith(b"%PDF")
    text = PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "拣货单" in text
    assert f"W-{job.pk:05d}" in text


@pytest.mark.django_db
def test_a_second_delivery_of_the_same_job_does_nothing(
    sample_template, _pdf_barcode_context, ops_user, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path / "media"
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(
            kind="Sample", handler="tests.oms.test_jobs_and_pdf.sample_handler", params={"rows": 1}
        )
    assert job_run(job_id=job.pk) == "skipped"


@pytest.mark.django_db
def test_failed_job_says_why(ops_user, client_for, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = job_start(kind="Bad", handler="tests.oms.test_jobs_and_pdf.failing_handler", by=ops_user)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    page = client_for(ops_user).get(reverse("job-detail", args=[job.pk])).content.decode()
    assert "SKU-404 is not in the catalogue" in page
    assert client_for(ops_user).get(reverse("job-download", args=[job.pk])).status_code == 404


@pytest.mark.django_db
def test_someone_elses_job_is_not_shown(
    ops_user, warehouse_user, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        job = job_start(kind="Mine", handler="tests.oms.test_jobs_and_pdf.failing_handler", by=ops_user)
    assert client_for(warehouse_user).get(reverse("job-detail", args=[job.pk])).status_code == 403


@pytest.mark.skipif(
    not (shutil.which("zbarimg") and shutil.which("pdftoppm")),
    reason="needs zbar-tools and poppler-utils (make setup-test installs them)",
)
def test_barcode_in_the_pdf_scans_back_to_its_value(tmp_path, sample_template):
    pdf = render_pdf(
        "tests_pdf_sample.html",
        {"title": "发货单", "code": "SHP-000123", "barcode": barcode_svg("SHP-000123")},
    )
    (tmp_path / "doc.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-r", "200", "-png", "-singlefile", tmp_path / "doc.pdf", tmp_path / "page"], check=True
    )
    scanned = subprocess.run(
        ["zbarimg", "--quiet", "--raw", tmp_path / "page.png"], capture_output=True, text=True, check=True
    )
    assert scanned.stdout.strip() == "SHP-000123"


def test_chinese_text_is_rendered_with_a_cjk_font(sample_template):
    pdf = render_pdf("tests_pdf_sample.html", {"title": "上海仓 拣货单", "code": "X", "barcode": ""})
    reader = PdfReader(io.BytesIO(pdf))
    fonts = {
        str(f)
        for page in reader.pages
        for f in page["/Resources"]["/Font"].values()
        for f in [f.get_object()["/BaseFont"]]
    }
    assert any("WenQuanYi" in f or "Noto" in f or "Droid" in f for f in fonts), fonts
    assert "上海仓" in reader.pages[0].extract_text()


def language_handler(job, progress):
    from django.utils.translation import gettext

    return {"message": gettext("Done")}


@pytest.mark.django_db
def test_a_job_writes_its_messages_in_the_language_of_whoever_started_it(ops_user, settings):
    settings.LANGUAGE_CODE = "en"
    ops_user.language = "zh-hans"
    ops_user.save()
    job = job_start(kind="Lang", handler="tests.oms.test_jobs_and_pdf.language_handler", by=ops_user)
    job_run(job_id=job.pk)
    job.refresh_from_db()
    assert job.message == "已完成"
