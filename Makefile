# Two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
export DEBUG ?= 1

.PHONY: install run test migrate seed messages bench clean

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
	@echo "API on http://$(HOST):$(PORT)/api/v1/  docs: http://$(HOST):$(PORT)/api/docs/"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: export DEBUG = 0
test: export SECRET_KEY ?= test-only-secret-key-not-for-production-0123456789
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

# Figures of issue 7 against DATABASE_URL (PostgreSQL for the published ones); see bench/run.py.
bench: export DEBUG = 0
bench: export SECRET_KEY ?= bench-only-secret-key-not-for-production-0123456789
bench: install
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache
