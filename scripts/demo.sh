#!/usr/bin/env bash
# Migrates, loads the demo data and serves the OMS at http://127.0.0.1:8000.
# Without DATABASE_URL an embedded PostgreSQL runs under var/pgdata.
# Without CELERY_BROKER_URL Celery tasks run eagerly inside the web process (demo only);
# with it, a Celery worker with beat runs beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-1}
PY=.venv/bin/python

$PY manage.py migrate --noinput -v 0
$PY manage.py seed_demo

pids=()
cleanup() { for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT INT TERM
if [ -n "${CELERY_BROKER_URL:-}" ]; then
  echo "Celery: worker with beat on ${CELERY_BROKER_URL}"
  .venv/bin/celery -A oms worker -B --pool=solo --loglevel=WARNING -s var/celerybeat-schedule &
  pids+=($!)
else
  echo "Celery: no CELERY_BROKER_URL, so tasks run eagerly in the web process (demo only; periodic tasks do not run)."
fi
echo
echo "Open http://127.0.0.1:8000 and sign in as ops, warehouse, finance, finance_manager or admin (password: demo)."
$PY manage.py runserver 127.0.0.1:8000 --noreload
