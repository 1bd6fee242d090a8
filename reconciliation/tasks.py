"""Celery tasks of the reconciliation app: collect reconcilable items from their sources."""

from celery import shared_task


@shared_task(name="reconciliation.tasks.items_collect_task")
def items_collect_task(*, supplier_id: int | None = None) -> dict[str, int]:
    """Beat, every few minutes: add new drop-ship lines, receipts and after-sales charges (idempotent)."""
    from reconciliation.services import items_collect

    return items_collect(supplier_id=supplier_id)
