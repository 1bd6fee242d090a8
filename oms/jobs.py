"""Background jobs: start long work in Celery after commit, report progress, keep the result to download."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from oms.dispatch import task_send_on_commit
from oms.models import BackgroundJob

logger = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


def job_start(*, kind: str, handler: str, params: dict | None = None, by=None) -> BackgroundJob:
    """Queue ``handler`` to run in a worker once the current transaction commits."""
    import_string(handler)  # fail now, in the request, if the handler does not exist
    job = BackgroundJob.objects.create(
        kind=kind[:200],
        handler=handler,
        params=params or {},
        created_by=by if getattr(by, "pk", None) else None,
    )
    task_send_on_commit("oms.tasks.run_job_task", job_id=job.pk)
    return job


def job_progress(job_id: int, done: int, total: int) -> None:
    """Record progress; visible to the progress page at once when called outside a transaction."""
    BackgroundJob.objects.filter(pk=job_id).update(progress_done=done, progress_total=total)


def job_run(*, job_id: int) -> str:
    """Run a queued job once; a second delivery of the same task finds it no longer queued and skips."""
    with transaction.atomic():
        job = (
            BackgroundJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, status=BackgroundJob.Status.QUEUED)
            .first()
        )
        if job is None:
            return "skipped"
        job.status = BackgroundJob.Status.RUNNING
        job.started_at = timezone.now()
        job.save(update_fields=["status", "started_at"])
    starter = job.created_by
    # Messages the job writes (its summary, row errors) are read by whoever started it: in their language.
    language = getattr(starter, "language", "") or settings.LANGUAGE_CODE
    try:
        handler = import_string(job.handler)
        with translation.override(language):
            result = handler(job, lambda done, total: job_progress(job.pk, done, total), **job.params) or {}
    except Exception as exc:
        logger.exception("background job %s (%s) failed", job.pk, job.handler)
        BackgroundJob.objects.filter(pk=job.pk).update(
            status=BackgroundJob.Status.FAILED, message=f"{exc}"[:2000], finished_at=timezone.now()
        )
        return "failed"
    job.refresh_from_db()
    content = result.pop("content", None)
    if content is not None:
        job.file_name = result.get("file_name", f"job-{job.pk}")
        job.file.save(job.file_name, ContentFile(content), save=False)
    job.result = {k: v for k, v in result.items() if isinstance(v, str | int | float | bool | list | dict)}
    job.message = str(result.get("message", ""))[:2000]
    job.status = BackgroundJob.Status.DONE
    job.progress_done = job.progress_total = max(job.progress_total, job.progress_done, 1)
    job.finished_at = timezone.now()
    job.save()
    return "done"
