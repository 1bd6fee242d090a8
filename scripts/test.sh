#!/usr/bin/env bash
# Runs the whole test suite (unit, integration, concurrency, browser) on PostgreSQL.
# DATABASE_URL unset: the embedded PostgreSQL under var/ is used.
# CELERY_BROKER_URL set (Redis): the tests about tasks start a real Celery worker; unset: they skip and say why.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_ALLOW_ASYNC_UNSAFE=true
exec .venv/bin/pytest "$@"
