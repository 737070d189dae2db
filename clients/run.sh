#!/usr/bin/env bash
# `make clients`: serve the demo, lint the served OpenAPI document (spectral with the OWASP
# ruleset, redocly), generate the TypeScript client and drive the member's and coordinator's
# story through it (tsc --strict), generate Kotlin, Swift and Dart clients with openapi-generator
# (no warning about our document allowed) and read their sources for what broke before.
# Uses its own throwaway database, media folder and port (CLIENTS_PORT).
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd .. && pwd)
PY=${PY:-.venv/bin/python}
case $PY in /*) ;; *) PY=$ROOT/$PY ;; esac  # relative to the project, like the Makefile's
PORT=${CLIENTS_PORT:-8766}
BUILD=$PWD/build
started=$(date +%s)
elapsed() { echo "[$(( $(date +%s) - started ))s] $*"; }

rm -rf "$BUILD" && mkdir -p "$BUILD"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
"$PY" -m pip install --quiet --disable-pip-version-check -r requirements.txt
OPENAPI_GENERATOR="$(dirname "$PY")/openapi-generator-cli"
elapsed "tools ready"

workdir=$(mktemp -d)
export DEBUG=0 SECRET_KEY=clients-only-secret-key-0123456789abcdefghijklmnop ALLOWED_HOSTS=127.0.0.1
export DATABASE_URL="sqlite:///$workdir/clients.sqlite3" MEDIA_ROOT="$workdir/media"
export THROTTLE_USER=1000000/s THROTTLE_ANON=1000000/s THROTTLE_LOGIN_PHONE=1000000/s THROTTLE_LOGIN_ADDRESS=1000000/s
unset TEST_DATABASE_NAME CACHE_URL REDIS_URL CELERY_BROKER_URL
(cd "$ROOT" && "$PY" manage.py migrate --noinput -v0 && "$PY" manage.py seed_demo >/dev/null)
(cd "$ROOT" && exec "$PY" manage.py runserver "127.0.0.1:$PORT" --noreload --insecure) >"$workdir/server.log" 2>&1 &
server=$!
cleanup() {
    local rc=$?
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
    if [ $rc -ne 0 ]; then echo "--- server log (tail) ---"; tail -30 "$workdir/server.log"; fi
    rm -rf "$workdir"
    exit "$rc"
}
trap cleanup EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "http://127.0.0.1:$PORT/api/schema/?format=json" -o "$BUILD/openapi.json"
elapsed "served document fetched ($(wc -c <"$BUILD/openapi.json") bytes)"

echo "=== spectral (spectral:oas + OWASP) ==="
npx --no-install spectral lint --ruleset .spectral.yaml --fail-severity error --display-only-failures "$BUILD/openapi.json"
echo "=== redocly lint ==="
npx --no-install redocly lint --config redocly.yaml "$BUILD/openapi.json"
elapsed "linters passed"

echo "=== TypeScript: openapi-typescript + openapi-fetch, tsc --strict, the story against the server ==="
node ts/generate.mjs "file://$BUILD/openapi.json" ts/api.d.ts
npx --no-install tsc -p ts/tsconfig.json
node "$BUILD/ts/story.js" "http://127.0.0.1:$PORT"
elapsed "TypeScript client passed"

generate() {  # generator, folder, extra options...
    local generator=$1 out=$BUILD/$2
    shift 2
    "$OPENAPI_GENERATOR" generate -i "$BUILD/openapi.json" -g "$generator" -o "$out" "$@" >"$out.log" 2>&1 \
        || { cat "$out.log"; return 1; }
    # Any warning is about our document (the generators themselves are pinned).
    if grep -E "\bWARN\b" "$out.log"; then echo "$generator warned about the document" >&2; return 1; fi
}
echo "=== openapi-generator: Kotlin, Swift, Dart ==="
generate kotlin kotlin --additional-properties=serializationLibrary=kotlinx_serialization,library=jvm-ktor
generate swift6 swift
# The contract's `date` query parameter (GET /teams/{id}/report/) makes the Dart generator probe
# `date` as a model name and warn that Dart's Date type is taken; no model is named so, and the
# mapping (which names nothing in the output) only silences that probe.
generate dart dart --model-name-mappings date=ReportDay
"$PY" check_generated.py "$BUILD"
elapsed "generated clients passed"
