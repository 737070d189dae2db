#!/usr/bin/env bash
# make faults: the fault suite of issue 17 (tests/faults/). It starts its own Redis (cache on
# FAULTS_REDIS_PORT=6390, broker on 6391), its own PostgreSQL cluster (initdb, FAULTS_PG_PORT=5440),
# gunicorn (FAULTS_WEB_PORT=8120), a Celery worker and beat; injects each fault while a bounded
# load runs; stops everything it started. Figures: $FAULTS_RESULTS (default faults-results.json).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
export FAULTS=1
export FAULTS_RESULTS="${FAULTS_RESULTS:-$PWD/faults-results.json}"
# the suite's own pytest process talks HTTP and SQL only; Django still wants settings
export DEBUG=0 SECRET_KEY="${SECRET_KEY:-faults-only-secret-key-not-for-production-0123456789}"
# The suites check that pushes arrive now: quiet hours (21:00-07:00 local by default) would hold them.
export QUIET_HOURS=off
command -v redis-server >/dev/null || { echo "faults: redis-server is needed" >&2; exit 1; }
started=$(date +%s)
"$PY" -m pytest tests/faults -p no:cacheprovider -q -s -o addopts="" "$@"
echo "faults: done in $(( $(date +%s) - started )) s; figures in $FAULTS_RESULTS"
