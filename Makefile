# Liaison Ledger. Two commands for a new user: `make run` and `make test`.
# Both need only Python 3.11 and make; with DATABASE_URL and REDIS_URL set they use
# PostgreSQL and Redis instead of the embedded SQLite and file-system broker.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run dev test e2e setup install assets messages static migrate demo lint check ci-checks clean help

PORT ?= 8000
export PORT

help:
	@echo "make run    set everything up, load the demo data, serve http://127.0.0.1:$(PORT) as production does (DEBUG off), with worker and beat"
	@echo "make dev    the same with DEBUG on and the server reloading on changes (for developers)"
	@echo "make test   set everything up and run the test suite"
	@echo "make e2e    the browser tests (needs Debian's chromium and fonts-wqy-zenhei)"
	@echo "make lint   ruff, the import contracts (lint-imports) and mypy"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

build/vendor/.installed: assets.json scripts/vendor_assets.py scripts/echarts_dashboard.js | $(BIN)/python
	$(BIN)/python scripts/vendor_assets.py
	touch $@

assets: build/vendor/.installed

# Compiled with Babel (pure Python), so GNU gettext is needed only to extract new strings.
messages: install
	$(BIN)/pybabel compile --statistics -d locale -D django

var:
	mkdir -p var/celery-broker/queue var/celery-broker/processed var/celery-broker/control var/media

# The demo's own signing key, made once and kept (var/ is not in git).
var/secret_key: | install var
	umask 077 && $(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

setup: install assets messages var

migrate: setup
	$(BIN)/python manage.py migrate --no-input

# The files WhiteNoise serves when DEBUG is off (hashed names, gzip and Brotli made here).
static: setup
	$(BIN)/python manage.py collectstatic --no-input -v 0

# The demo company, a year of its ledger, and the jobs beat would have run by now: the roll-ups,
# the overdue sweep and its notifications, the due-soon warnings, last month's review sheets.
demo: migrate
	$(BIN)/python manage.py seed_demo --yes --scale small --entries 600
	$(BIN)/python manage.py ledger_jobs sweep warnings monthly_review
	$(BIN)/python manage.py rollups rebuild

# Standalone (`make demo`), as a developer's: DEBUG on unless the caller says otherwise.
migrate demo static: export DJANGO_DEBUG ?= 1

# `make run` serves the demo as production does: DEBUG off, static files through WhiteNoise,
# the app's own error pages, gunicorn; over plain HTTP on this machine only (DJANGO_HTTPS=0),
# with a signing key of its own in var/ and mail printed by the worker (the console backend).
RUN_ENV = DJANGO_DEBUG=0 DJANGO_HTTPS=0 DJANGO_SECRET_KEY_FILE=var/secret_key \
	DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost \
	DJANGO_EMAIL_BACKEND=django.core.mail.backends.console.EmailBackend
run: export DJANGO_DEBUG = 0
run: var/secret_key
	$(RUN_ENV) $(MAKE) --no-print-directory demo static
	@$(RUN_ENV) $(BIN)/python manage.py seed_demo --print-logins
	@echo
	@echo "  Liaison Ledger: http://127.0.0.1:$(PORT)   (Ctrl-C stops web, worker and beat)"
	@echo
	@# Ctrl-C stops the three and ends with status 0 (scripts/serve.py says how).
	@$(RUN_ENV) $(BIN)/python scripts/serve.py Procfile

# For developers: DEBUG on (Django's debug pages, runserver reloading on every change).
dev: export DJANGO_DEBUG = 1
dev: demo
	@$(BIN)/python manage.py seed_demo --print-logins
	@$(BIN)/python scripts/serve.py Procfile.dev

test: setup
	$(BIN)/pytest -n auto

e2e: setup
	$(BIN)/pytest -m e2e -p no:cacheprovider tests/e2e

# Style, the import contracts of .importlinter (the layers), and the typed signatures.
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build staticfiles var
