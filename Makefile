# Liaison Ledger. Two commands for a new user: `make run` and `make test`.
# Both need only Python 3.11 and make; with DATABASE_URL and REDIS_URL set they use
# PostgreSQL and Redis instead of the embedded SQLite and file-system broker.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test e2e setup install assets messages migrate demo lint check ci-checks clean help

help:
	@echo "make run    set everything up, load the demo data, serve http://127.0.0.1:8000 with worker and beat"
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

setup: install assets messages var

migrate: setup
	$(BIN)/python manage.py migrate --no-input

demo: migrate
	$(BIN)/python manage.py seed_demo --scale small --entries 600
	$(BIN)/python manage.py rollups rebuild

# The demo runs with DEBUG on (runserver serves static files, mail goes to the console).
migrate demo run: export DJANGO_DEBUG ?= 1

run: demo
	@$(BIN)/python manage.py seed_demo --print-logins
	@echo
	@echo "  Liaison Ledger: http://127.0.0.1:8000   (Ctrl-C stops web, worker and beat)"
	@echo
	$(BIN)/honcho start -f Procfile.dev

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
