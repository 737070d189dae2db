# Two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= 1

.PHONY: install run test migrate seed messages bench fuzz load e2e clients browser faults clean mutants

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

install: $(VENV)/.installed messages

messages: $(VENV)/.installed
	$(PY) scripts/compile_messages.py

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	@echo "API on http://$(HOST):$(PORT)/api/v1/  docs: http://$(HOST):$(PORT)/api/docs/  console: http://$(HOST):$(PORT)/console/"
	$(PY) manage.py runserver $(HOST):$(PORT)

# The environment of every run of the test suite (test, browser, mutants).
# Tests share one client address and reuse ids; throttle tests set their own rates.
test browser mutants: export DEBUG = 0
test browser mutants: export SECRET_KEY ?= test-only-secret-key-not-for-production-0123456789
test browser mutants: export THROTTLE_USER ?= 1000000/s
test browser mutants: export THROTTLE_ANON ?= 1000000/s
test browser mutants: export THROTTLE_LOGIN_PHONE ?= 1000000/s
test browser mutants: export THROTTLE_LOGIN_ADDRESS ?= 1000000/s
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Mutation testing (mutmut, configured in setup.cfg) of the scope, permission and transition
# modules, at low priority and one child (the machine is shared); the score per module is
# printed by scripts/mutation_score.py, which fails on a survivor in scope code.
# MUTANTS narrows the run to some mutants, e.g. MUTANTS='api.access*'.
mutants: install
	nice -n 10 $(VENV)/bin/mutmut run --max-children 1 $(MUTANTS)
	$(PY) scripts/mutation_score.py

# The web console walked in chromium (tests/browser): Debian's chromium (CHROMIUM, never a
# downloaded browser), axe-core from npm (tests/browser/package-lock.json), screenshots in
# artifacts/screenshots/. BROWSER_ADDRESS is the live server's host:port (0: any free port).
CHROMIUM ?= /usr/bin/chromium
BROWSER_ADDRESS ?= 127.0.0.1:0
browser: export BROWSER_TESTS = 1
browser: export CHROMIUM := $(CHROMIUM)
browser: install
	@test -x "$(CHROMIUM)" || { echo "$(CHROMIUM) is missing: apt-get install -y chromium" >&2; exit 1; }
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	$(PY) -m pytest tests/browser --liveserver=$(BROWSER_ADDRESS) $(PYTEST_ARGS)

# schemathesis over every operation of /api/schema/ against a served demo (scripts/fuzz.sh).
fuzz: install
	PY=$(PY) ST=$(VENV)/bin/st bash scripts/fuzz.sh

# The served OpenAPI document linted (spectral + OWASP, redocly) and the clients generated from it:
# TypeScript (tsc --strict, a story against a live demo server), Kotlin, Swift, Dart. Needs node 20+
# and Java 17+; see clients/run.sh. CLIENTS_PORT picks the demo server's port.
clients: install
	PY=$(PY) bash clients/run.sh

# Figures of issue 7 against DATABASE_URL (PostgreSQL for the published ones); see bench/run.py.
bench: export DEBUG = 0
bench: export SECRET_KEY ?= bench-only-secret-key-not-for-production-0123456789
# The deep page is reached by following 1,000 cursors, as a phone scrolls: throttles would answer 429.
bench: export THROTTLE_USER ?= 100000000/min
# Seeding a million rows with COPY outlasts any request's statement timeout.
bench: export DB_STATEMENT_TIMEOUT_MS ?= 0
bench: export REQUEST_TIMEOUT_SECONDS ?= 0
bench: install
	$(PY) -m bench.run
	$(PY) scripts/bench_table.py

# wrk against gunicorn on the seeded DATABASE_URL: feed, complete and a no-database ceiling.
load: export DEBUG = 0
load: export SECRET_KEY ?= bench-only-secret-key-not-for-production-0123456789
load: export DB_STATEMENT_TIMEOUT_MS ?= 0
load: install
	$(PY) -m bench.load
	$(PY) scripts/bench_table.py

# The production stack started for real and driven by a generated client; see deploy/e2e.py.
E2E_VENV ?= .venv-e2e
$(E2E_VENV)/.installed: deploy/e2e-requirements.txt
	test -x $(E2E_VENV)/bin/python || $(PYTHON) -m venv $(E2E_VENV)
	$(E2E_VENV)/bin/pip install --quiet --disable-pip-version-check -r deploy/e2e-requirements.txt
	touch $@

e2e: install $(E2E_VENV)/.installed
	E2E_PYTHON=$(E2E_VENV)/bin/python $(PY) deploy/e2e.py

# Issue 17's faults (broker down/frozen, pool process and worker killed, Redis restart,
# PostgreSQL stopped/frozen) injected into a stack of its own while a bounded load runs.
faults: install
	PY=$(PY) bash scripts/faults.sh

clean:
	rm -rf $(VENV) $(E2E_VENV) mutants db.sqlite3 .pytest_cache clients/node_modules clients/build tests/browser/node_modules artifacts

# Background work when CELERY_BROKER_URL is set (without it, tasks run inside the request).
.PHONY: worker beat
worker: migrate
	$(PY) -m celery -A api worker --loglevel=INFO

beat: install
	$(PY) -m celery -A api beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule
