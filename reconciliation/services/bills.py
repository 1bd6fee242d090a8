"""Supplier bills: the column mapping, keeping an upload, and the background job that matches it."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from oms.jobs import job_start
from reconciliation.bills import parse_bill, read_headers
from reconciliation.choices import BillStatus
from reconciliation.exceptions import BillStillMatching, MappingIncomplete
from reconciliation.models import BillColumnMapping, SupplierBill
from reconciliation.services._common import _by, _lock_draft
from reconciliation.services.matching import bill_match, match_summary

MAPPING_FIELDS = ("reference", "sku", "quantity", "amount", "date")
REQUIRED_MAPPING = ("reference", "amount")
# The job runner imports its handler by this path (stored on each job row: keep it stable).
MATCH_JOB_HANDLER = "reconciliation.services.bill_match_job"


def mapping_save(*, supplier_id: int, columns: dict[str, str], by=None) -> BillColumnMapping:
    columns = {k: (columns.get(k) or "").strip() for k in MAPPING_FIELDS}
    missing = [k for k in REQUIRED_MAPPING if not columns[k]]
    if missing:
        raise MappingIncomplete(missing)
    mapping, _created = BillColumnMapping.objects.update_or_create(
        supplier_id=supplier_id,
        defaults={
            "reference_column": columns["reference"],
            "sku_column": columns["sku"],
            "quantity_column": columns["quantity"],
            "amount_column": columns["amount"],
            "date_column": columns["date"],
        },
    )
    return mapping


@transaction.atomic
def bill_upload(*, statement_id: int, upload, by=None) -> SupplierBill:
    """Keep the supplier's file for a draft statement; matching starts once the columns are known."""
    statement = _lock_draft(statement_id)
    headers = read_headers(upload)  # refuses a file that is not CSV / XLSX before anything is kept
    upload.seek(0)
    bill = SupplierBill(
        statement=statement,
        original_name=(upload.name or "bill")[:200],
        uploaded_by=_by(by),
    )
    bill.file.save(upload.name or "bill.csv", upload, save=False)
    bill.counts = {"headers": headers}
    bill.save()
    return bill


@transaction.atomic
def bill_match_start(*, bill_id: int, skip_bad_rows: bool = False, by=None) -> SupplierBill:
    """Queue the matching job (it runs in a worker after commit; progress on the job page)."""
    bill = SupplierBill.objects.select_for_update().get(pk=bill_id)
    _lock_draft(bill.statement_id)
    if bill.status == BillStatus.MATCHING:
        raise BillStillMatching()
    job = job_start(
        kind=_("Match supplier bill %(name)s") % {"name": bill.original_name},
        handler=MATCH_JOB_HANDLER,
        params={"bill_id": bill.pk},
        by=by,
    )
    bill.status = BillStatus.MATCHING
    bill.skip_bad_rows = skip_bad_rows
    bill.job_id = job.pk
    bill.message = ""
    bill.save(update_fields=["status", "skip_bad_rows", "job_id", "message"])
    return bill


def bill_match_job(job, progress, *, bill_id: int) -> dict:
    """Background job: read the bill, load it with COPY, match it in SQL. Safe to run twice.

    Row errors and messages are kept in the language of the clerk who uploaded the bill.
    """
    bill = SupplierBill.objects.select_related("uploaded_by").get(pk=bill_id)
    language = getattr(bill.uploaded_by, "language", "") or settings.LANGUAGE_CODE
    with translation.override(language):
        return _bill_match_job(progress, bill_id=bill_id)


def _mark_failed(bill_id: int, exc: Exception) -> None:
    SupplierBill.objects.filter(pk=bill_id).update(status=BillStatus.FAILED, message=str(exc)[:500])


def _read_bill(bill: SupplierBill, progress) -> tuple[list[tuple], list[dict]]:
    """The bill's good and bad rows by the supplier's column mapping; a bill that cannot be read fails."""
    mapping = BillColumnMapping.objects.filter(supplier_id=bill.statement.supplier_id).first()
    try:
        if mapping is None:
            raise MappingIncomplete(list(REQUIRED_MAPPING))
        with bill.file.open("rb") as handle:
            return parse_bill(handle, name=bill.original_name, mapping=mapping.columns(), progress=progress)
    except Exception as exc:
        _mark_failed(bill.pk, exc)
        raise


def _bill_match_job(progress, *, bill_id: int) -> dict:
    bill = SupplierBill.objects.select_related("statement").get(pk=bill_id)
    rows, bad = _read_bill(bill, progress)
    url = reverse("reconciliation:bill-detail", args=[bill_id])
    if bad and not bill.skip_bad_rows:
        SupplierBill.objects.filter(pk=bill_id).update(
            status=BillStatus.INVALID, bad_rows=bad[:1000], row_count=len(rows) + len(bad)
        )
        return {
            "url": url,
            "message": _("%(bad)d of %(all)d rows are bad; nothing was matched.")
            % {"bad": len(bad), "all": len(rows) + len(bad)},
        }
    try:
        counts = bill_match(bill_id=bill_id, rows=rows, bad_rows=bad)
    except Exception as exc:
        _mark_failed(bill_id, exc)
        raise
    progress(len(rows), len(rows))
    return {
        "message": _("%(matched)d matched, %(differences)d differences.") % match_summary(counts),
        "counts": counts,
        "url": url,
    }
