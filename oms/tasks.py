"""Celery tasks of the project package: outbox delivery."""

from celery import shared_task

from oms.notifications import outbox_deliver, outbox_due_ids


@shared_task(name="oms.tasks.outbox_deliver_task")
def outbox_deliver_task(*, message_id: int) -> str:
    return outbox_deliver(message_id=message_id)


@shared_task(name="oms.tasks.outbox_deliver_many_task")
def outbox_deliver_many_task(*, message_ids: list[int]) -> dict[str, int]:
    """Deliver the messages queued together (bulk intake); each is sent once even if this runs twice."""
    counts: dict[str, int] = {}
    for message_id in message_ids:
        outcome = outbox_deliver(message_id=int(message_id))
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@shared_task(name="oms.tasks.outbox_deliver_due_task")
def outbox_deliver_due_task() -> dict[str, int]:
    """Beat: deliver everything due (retries after backoff, and anything a lost task left behind)."""
    counts: dict[str, int] = {}
    for message_id in outbox_due_ids():
        outcome = outbox_deliver(message_id=message_id)
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@shared_task(name="oms.tasks.run_job_task")
def run_job_task(*, job_id: int) -> str:
    from oms.jobs import job_run

    return job_run(job_id=job_id)


@shared_task(name="oms.tasks.backup_database_task")
def backup_database_task() -> str:
    """Nightly (beat): a dump with retention."""
    from oms.backup import database_backup

    return str(database_backup().path)
