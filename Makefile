# Plateforme PTCE — everyday commands. `make run` and `make test` are all a newcomer needs.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
# pip: errors only (--quiet --quiet hides warnings, including build-backend notices), no
# upgrade nag, no warning about running as root (containers, CI).
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PIP_ROOT_USER_ACTION := ignore

.PHONY: run setup install test test-browser test-postgres lint format worker serve-prod check-deploy backup restore bench bench-rush bench-soak clean check-wheels

$(BIN)/activate:
	@$(PYTHON) -c "import sys; sys.exit(sys.version_info < (3, 11))" 2>/dev/null || { echo "Il faut Python 3.11, 3.12 ou 3.13 (make PYTHON=python3.12 …) ; trouvé : $$($(PYTHON) --version 2>&1)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --quiet --disable-pip-version-check --upgrade pip

$(VENV)/.installed: $(BIN)/activate pyproject.toml requirements.lock
	$(BIN)/pip install --quiet --quiet --disable-pip-version-check -c requirements.lock -e ".[dev]"
	@$(BIN)/python -c "import weasyprint" 2>/dev/null || { echo "Les PDF (WeasyPrint) demandent Pango : sous Debian ou Ubuntu, apt-get install libpango-1.0-0 libpangoft2-1.0-0 (et libharfbuzz-subset0, conseillé)."; exit 1; }
	touch $@

install: $(VENV)/.installed

## Set up the database: migrate, official geography, demo data (safe to re-run).
setup: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py createcachetable
	$(PY) manage.py import_cog
	HOST=$(HOST) PORT=$(PORT) $(PY) manage.py load_demo

## Set everything up and serve on http://127.0.0.1:8000 with a background worker
## (its log and the e-mails in var/log/; a box with the demo accounts ends the output).
run: setup
	@$(PY) scripts/dev_server.py $(HOST):$(PORT)

## The whole test suite (SQLite by default; DATABASE_URL=postgres://… for PostgreSQL).
test: install
	PTCE_TESTING=1 $(BIN)/pytest -m "not browser"

## Real-browser journeys (headless Chromium + axe-core; see docs/browser-tests.md).
## Installs what they need: Debian's chromium if missing, axe-core with npm ci, Python deps.
CHROMIUM := /usr/bin/chromium
AXE := node_modules/axe-core/axe.min.js

$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(CHROMIUM):
	DEBIAN_FRONTEND=noninteractive apt-get install -y chromium \
	  || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium)

test-browser: install $(CHROMIUM) $(AXE)
	PTCE_TESTING=1 PTCE_BROWSER_REQUIRED=1 $(BIN)/pytest -m browser --durations=0 $(PYTEST_ARGS)

## Every pin of requirements.lock has wheels for Python 3.11, 3.12 and 3.13 (asks the package index).
check-wheels: install
	$(PY) scripts/check_wheels.py

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

## Background worker (e-mails, PDF, imports) and scheduler of periodic jobs.
worker: install
	$(PY) scripts/worker.py

## Production-style server (set DJANGO_ENV=production and its variables first).
serve-prod: install
	$(PY) manage.py collectstatic --noinput
	$(BIN)/gunicorn ptce.wsgi:application --bind $(HOST):$(PORT) --workers $${WEB_CONCURRENCY:-2} --access-logfile -

## Before and after a deployment: `check --deploy` in production mode (the environment's
## variables, placeholders for a missing secret key or host name), then the readiness probe
## (same JSON as /sante/pret/) on the configured database; fails when either does.
check-deploy: install
	DJANGO_ENV=production \
	DJANGO_SECRET_KEY="$${DJANGO_SECRET_KEY:-check-deploy-placeholder-not-a-secret-0123456789abcdef}" \
	DJANGO_ALLOWED_HOSTS="$${DJANGO_ALLOWED_HOSTS:-ptce.exemple.gouv.fr}" \
	PTCE_TESTING= $(PY) manage.py check --deploy --fail-level WARNING
	PTCE_TESTING= $(PY) manage.py check_readiness

## Performance benchmarks (each bench/bench_*.py prints its figures).
bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; PTCE_TESTING= $(PY) $$script || exit 1; done

## Deadline rush: gunicorn (2 workers) on PostgreSQL database ptce_rush (dropped and recreated),
## 300 candidates submitting in the minute before the cut-off; checks nothing is lost.
bench-rush: install
	$(PY) bench/rush.py --candidates 300 --window 60

## Soak: 10 minutes of mixed traffic; worker memory must not grow more than 20 %.
bench-soak: install
	$(PY) bench/rush.py --candidates 100 --soak 600

clean:
	rm -rf $(VENV) var

## Backups: `make backup` (to var/backups/), `make restore BACKUP=var/backups/ptce-…`.
backup: install
	$(PY) manage.py backup

restore: install
	$(PY) manage.py restore $(BACKUP) --yes
