"""Celery tasks of the project package: outbox delivery, background jobs, backups."""

from celery import shared_task

from oms.notifications import (
    BATCH_SIZE,
    outbox_deliver,
    outbox_deliver_batch,
    outbox_deliver_due,
    outbox_flush,
)


@shared_task(name="oms.tasks.outbox_flush_task")
def outbox_flush_task() -> dict[str, int]:
    """Deliver everything due in batches (sent after commit by ``outbox_request_delivery``)."""
    return outbox_flush()


@shared_task(name="oms.tasks.outbox_deliver_task")
def outbox_deliver_task(*, message_id: int) -> str:
    """One message (tasks queued before batch delivery; still a valid way to send one)."""
    return outbox_deliver(message_id=message_id)


@shared_task(name="oms.tasks.outbox_deliver_many_task")
def outbox_deliver_many_task(*, message_ids: list[int]) -> dict[str, int]:
    """Deliver these messages in batches (tasks queued before batch delivery); each is sent once even if this
    runs twice: the ones already sent or locked by another batch are counted as "skipped"."""
    counts: dict[str, int] = {}
    ids = [int(pk) for pk in message_ids]
    for start in range(0, len(ids), BATCH_SIZE):
        chunk = ids[start : start + BATCH_SIZE]
        found = outbox_deliver_batch(message_ids=chunk, limit=len(chunk))
        found["skipped"] = len(chunk) - sum(found.values())
        for outcome, n in found.items():
            if n:
                counts[outcome] = counts.get(outcome, 0) + n
    return counts


@shared_task(name="oms.tasks.outbox_deliver_due_task")
def outbox_deliver_due_task() -> dict[str, int]:
    """Beat: deliver everything due (retries after backoff, and anything a lost task left behind)."""
    return outbox_deliver_due()


@shared_task(name="oms.tasks.run_job_task")
def run_job_task(*, job_id: int) -> str:
    from oms.jobs import job_run

    return job_run(job_id=job_id)


@shared_task(name="oms.tasks.backup_database_task")
def backup_database_task() -> str:
    """Nightly (beat): a dump with retention."""
    from oms.backup import database_backup

    return str(database_backup().path)
