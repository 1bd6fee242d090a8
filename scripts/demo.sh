#!/usr/bin/env bash
# Migrates, loads the demo data and serves the OMS at http://127.0.0.1:$PORT (PORT=8000 unless set:
# `PORT=8101 make demo`); links in messages to customers use the same address unless OMS_PUBLIC_URL is set.
# `scripts/demo.sh --print-config` prints the port and address it would use, and stops.
# Without DATABASE_URL an embedded PostgreSQL runs under var/pgdata.
# Without CELERY_BROKER_URL Celery tasks run eagerly inside the web process (demo only);
# with it, a Celery worker with beat runs beside the web server.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-1}
PY=.venv/bin/python
export PORT=${PORT:-8000}
case "$PORT" in
  ''|*[!0-9]*) echo "PORT must be a number, got '$PORT'" >&2; exit 2 ;;
esac
export OMS_PUBLIC_URL=${OMS_PUBLIC_URL:-http://127.0.0.1:$PORT}
if [ "${1:-}" = "--print-config" ]; then
  echo "PORT=$PORT"
  echo "OMS_PUBLIC_URL=$OMS_PUBLIC_URL"
  exit 0
fi

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
echo "Open http://127.0.0.1:$PORT and sign in as ops, warehouse, finance, finance_manager or admin (password: demo)."
$PY manage.py runserver "127.0.0.1:$PORT" --noreload
