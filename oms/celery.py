"""Celery application: configured from Django settings (CELERY_* names)."""

import os

from celery import Celery
from celery.signals import task_postrun, task_prerun, worker_shutdown

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")

app = Celery("oms")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _connections_before_task(sender=None, **kwargs) -> None:
    """Keep the worker's database connection between tasks as Django keeps it between requests: closed only
    when older than CONN_MAX_AGE or unusable, checked (CONN_HEALTH_CHECKS) before its first query. Celery's
    fixup no longer closes it after each task (CELERY_DB_REUSE_MAX in settings). Eager tasks run inside the
    caller's request or transaction and are left alone."""
    if not getattr(getattr(sender, "request", None), "is_eager", False):
        from django.db import close_old_connections

        close_old_connections()


@task_postrun.connect
def _connections_after_task(sender=None, state=None, **kwargs) -> None:
    """After a task that did not succeed the connection may be mid-query or mid-transaction in ways Django
    cannot see (Celery's reason to close after every task, celery/celery#9824): close it then. Otherwise as
    before a task."""
    if getattr(getattr(sender, "request", None), "is_eager", False):
        return
    from django.db import close_old_connections, connections

    if state != "SUCCESS":
        connections.close_all()
    else:
        close_old_connections()


@worker_shutdown.connect
def _connections_at_shutdown(**kwargs) -> None:
    """At a warm shutdown, close the kept connection instead of dropping it when the process exits."""
    from django.db import connections

    connections.close_all()
