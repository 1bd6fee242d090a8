"""Celery tasks of the reports app: keep the summary tables fresh."""

from celery import shared_task

from reports.summaries import refresh_order_summaries, refresh_recent


@shared_task(name="reports.tasks.refresh_recent_summaries_task")
def refresh_recent_summaries_task() -> int:
    """Every few minutes: today and the two days before (late payments and cancellations move numbers)."""
    return refresh_recent(days=2)


@shared_task(name="reports.tasks.refresh_all_summaries_task")
def refresh_all_summaries_task() -> int:
    """Nightly: rebuild every day, so nothing can drift."""
    return refresh_order_summaries()
