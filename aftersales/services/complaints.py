"""Complaints and inquiries: recording them and resolving them."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.choices import ComplaintStatus
from aftersales.exceptions import AftersalesError
from aftersales.models import Complaint
from oms.audit import log_changes, snapshot
from oms.db import retry_on_conflict
from oms.exceptions import IllegalTransition
from oms.notes import choice_param
from oms.notes import note as make_note


@retry_on_conflict
def complaint_register(
    *,
    kind: str,
    category: str,
    customer_id: int,
    subject: str,
    by,
    order_id: int | None = None,
    description: str = "",
    handler_id: int | None = None,
    contact_phone: str = "",
) -> Complaint:
    if not subject.strip():
        raise AftersalesError(
            _("Give the subject."), field_errors={"subject": [_("This field is required.")]}
        )
    if order_id is not None:
        from orders.models import Order

        if not Order.objects.filter(pk=order_id, customer_id=customer_id).exists():
            message = _("That order is not this customer's: choose one of their orders or none.")
            raise AftersalesError(message, field_errors={"order": [message]})
    complaint = Complaint.objects.create(
        kind=kind,
        category=category,
        customer_id=customer_id,
        order_id=order_id,
        contact_phone=contact_phone.strip()[:32],
        subject=subject.strip()[:200],
        description=description.strip(),
        handler_id=handler_id or getattr(by, "pk", None),
        created_by=by if getattr(by, "pk", None) else None,
    )
    record = make_note(
        "aftersales.complaint_recorded",
        kind=choice_param("aftersales.Complaint.kind", kind),
        category=choice_param("aftersales.Complaint.category", category),
    )
    log_changes(instance=complaint, before={}, by=by, action="create", note=record)
    return complaint


@retry_on_conflict
def complaint_resolve(*, complaint_id: int, resolution: str, by) -> Complaint:
    if not (resolution or "").strip():
        message = _("Say how it was resolved.")
        raise AftersalesError(message, field_errors={"resolution": [message]})
    complaint = Complaint.objects.select_for_update().get(pk=complaint_id)
    if complaint.status == ComplaintStatus.RESOLVED:
        raise IllegalTransition(_("This was already resolved on %(when)s.") % {"when": complaint.resolved_at})
    before = snapshot(complaint, ["status", "resolution"])
    complaint.status = ComplaintStatus.RESOLVED
    complaint.resolution = resolution.strip()
    complaint.resolved_at = timezone.now()
    if complaint.handler_id is None and getattr(by, "pk", None):
        complaint.handler_id = by.pk
    complaint.save()
    log_changes(instance=complaint, before=before, by=by, note=make_note("aftersales.resolved"))
    return complaint
