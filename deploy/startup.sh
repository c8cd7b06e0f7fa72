#!/usr/bin/env bash
# Container / Azure Web App startup: migrate the governance store, create what is missing of the
# telemetry schema (a source tier: tables a new release added), collect static files, then serve
# with gunicorn on $PORT (Azure sets it; default 8000). The same image runs the Celery
# processes with CT_PROCESS=worker or CT_PROCESS=beat.
#
# Environment: PORT, CT_PROCESS (web | worker | beat), GUNICORN_WORKERS (default 2),
# GUNICORN_THREADS (default 4), GUNICORN_TIMEOUT (default 120), SKIP_MIGRATE=1 (neither the
# migrations nor the warehouse schema), PYTHON, PROMETHEUS_MULTIPROC_DIR (emptied here).
set -euo pipefail
cd "$(dirname "$0")/.."

PY="${PYTHON:-python}"
command -v "$PY" >/dev/null 2>&1 || PY=python3

# Several processes (gunicorn workers, Celery's pool) add up their metrics in this folder; each
# start begins from zero (README "Operating it").
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
  rm -rf "$PROMETHEUS_MULTIPROC_DIR" && mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
fi

case "${CT_PROCESS:-web}" in
  web)
    if [ "${SKIP_MIGRATE:-0}" != "1" ]; then
      "$PY" manage.py migrate --noinput
      # A warehouse that cannot be reached now is not a reason to stay down: /ready says so.
      "$PY" manage.py warehouse_init --source-tier-only \
        || echo "startup: warehouse_init failed; the API answers 503 for telemetry until it succeeds" >&2
    fi
    "$PY" manage.py collectstatic --noinput -v 0
    exec "$PY" -m gunicorn controltower.wsgi \
      --bind "0.0.0.0:${PORT:-8000}" \
      --workers "${GUNICORN_WORKERS:-2}" \
      --threads "${GUNICORN_THREADS:-4}" \
      --timeout "${GUNICORN_TIMEOUT:-120}" \
      --access-logfile - \
      --forwarded-allow-ips "*"
    ;;
  worker) exec "$PY" -m celery -A controltower worker -l INFO --concurrency "${CELERY_CONCURRENCY:-2}" ;;
  beat) exec "$PY" -m celery -A controltower beat -l INFO ;;
  *) echo "startup: CT_PROCESS must be web, worker or beat, not '${CT_PROCESS}'" >&2; exit 2 ;;
esac
