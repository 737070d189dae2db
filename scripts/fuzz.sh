#!/usr/bin/env bash
# Fuzz the served OpenAPI document with schemathesis, as a superuser and as a
# commune coordinator: no 5xx, and every response matches its documented
# status codes and schema. Uses its own throwaway database and port (FUZZ_PORT).
# Left out: logout (it would end the run's own session) and anonymise (the
# superuser run would anonymise the coordinator whose token the next run uses);
# tests/privacy covers anonymise's answers.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
ST=${ST:-.venv/bin/st}
PORT=${FUZZ_PORT:-8765}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-15}
workdir=$(mktemp -d)
export DEBUG=0 SECRET_KEY=fuzz-only-secret-key-0123456789abcdefghijklmnop ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL=${FUZZ_DATABASE_URL:-sqlite:///$workdir/fuzz.sqlite3}
export JWT_ACCESS_MINUTES=240 MEDIA_ROOT=$workdir/media
# The fuzzer sends thousands of requests a minute: throttles would only answer 429.
export THROTTLE_USER=1000000/s THROTTLE_ANON=1000000/s THROTTLE_LOGIN_PHONE=1000000/s THROTTLE_LOGIN_ADDRESS=1000000/s
unset TEST_DATABASE_NAME
# Dates and times at the calendar's edges in every date/date-time value (scripts/fuzz_hooks.py).
export SCHEMATHESIS_HOOKS=scripts.fuzz_hooks PYTHONPATH="$PWD${PYTHONPATH:+:$PYTHONPATH}"

$PY manage.py migrate --noinput -v0
$PY manage.py seed_demo >/dev/null
$PY manage.py runserver 127.0.0.1:$PORT --noreload --insecure >"$workdir/server.log" 2>&1 &
server=$!
cleanup() {
    local rc=$?
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    rm -rf "$workdir"
    exit "$rc"  # the server's SIGTERM status must not become the script's
}
trap cleanup EXIT
for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done

token() {
    curl -sf -X POST "http://127.0.0.1:$PORT/api/v1/auth/token/" -H 'Content-Type: application/json' \
        -d "{\"phone\": \"$1\", \"password\": \"demo-2026-pass\"}" | $PY -c 'import json,sys; print(json.load(sys.stdin)["access"])'
}

status=0
for who in 0912000000 0912000004; do
    echo "=== schemathesis as $who ==="
    $ST run "http://127.0.0.1:$PORT/api/schema/?format=json" \
        --header "Authorization: Bearer $(token $who)" \
        --phases examples,coverage,fuzzing \
        --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance \
        --max-examples "$MAX_EXAMPLES" --workers 1 \
        --exclude-path-regex '/auth/logout/|/anonymise/' \
        --suppress-health-check all --seed 1 || status=1
done
if [ $status -ne 0 ]; then echo "--- server log (tail) ---"; tail -50 "$workdir/server.log"; fi
exit $status
