"""Customer hooks (registered in AftersalesConfig.ready, run by orders' services): merge and anonymise."""

from __future__ import annotations

from aftersales.models import AftersalesCase, Complaint


def customer_merged(*, keep_id: int, duplicate_id: int, by=None) -> None:
    """The duplicate's cases and complaints now belong to the customer kept (in the merge's transaction)."""
    AftersalesCase.objects.filter(customer_id=duplicate_id).update(customer_id=keep_id)
    Complaint.objects.filter(customer_id=duplicate_id).update(customer_id=keep_id)


def customer_anonymised(*, customer_id: int, by=None) -> None:
    """Erase the contact names and phones the cases and complaints of an anonymised customer hold."""
    AftersalesCase.objects.filter(customer_id=customer_id).update(contact_name="", contact_phone="")
    Complaint.objects.filter(customer_id=customer_id).update(contact_phone="")
