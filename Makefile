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
# Tests share one client address and reuse ids; throttle tests set their own rates.
test: export THROTTLE_USER ?= 1000000/s
test: export THROTTLE_ANON ?= 1000000/s
test: export THROTTLE_LOGIN_PHONE ?= 1000000/s
test: export THROTTLE_LOGIN_ADDRESS ?= 1000000/s
test: install
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 .pytest_cache

# Background work when CELERY_BROKER_URL is set (without it, tasks run inside the request).
.PHONY: worker beat
worker: migrate
	$(PY) -m celery -A api worker --loglevel=INFO

beat: install
	$(PY) -m celery -A api beat --loglevel=INFO --schedule=$(VENV)/celerybeat-schedule
