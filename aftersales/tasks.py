"""Celery tasks of the aftersales app (each takes ids or nothing, and is safe to run twice)."""

from celery import shared_task


@shared_task
def survey_invites_task() -> int:
    """Invite customers of recently delivered orders to the satisfaction survey (once per order)."""
    from aftersales.services import surveys_invite_delivered

    return surveys_invite_delivered()
