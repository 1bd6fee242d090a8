"""OMS project package: settings, URLs, Celery app and the cross-cutting pieces (roles, audit, outbox)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
