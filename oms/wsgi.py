"""WSGI entry point (gunicorn oms.wsgi): each process warms itself before its first request (oms.warmup)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "oms.settings")
application = get_wsgi_application()

from oms.warmup import warm_up  # noqa: E402 - needs the settings and apps loaded above

warm_up()
