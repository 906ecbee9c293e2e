# kaohe — 依法行政考核督导平台. The two commands of the README:
#   make run    set up everything, load the demo plan, print the demo accounts, serve on http://127.0.0.1:8000
#   make test   lint, type-check and run the whole test suite (browser tests included where Chromium exists)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export KAOHE_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test install lint typecheck pytest pytest-pg browser guide-shots migrate demo clean bench

# requirements*.txt say what we depend on; requirements.lock (tools/lock_requirements.py) is the whole tree with
# the hash of every file, and is what gets installed.
$(BIN)/.installed: requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(BIN)/.installed

# The audit chain's HMAC key (KAOHE_AUDIT_KEY_FILE) is made the same way as the secret key; keep both.
var/secret_key var/audit_key:
	mkdir -p var
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	chmod 600 $@

SECRETS := DJANGO_SECRET_KEY_FILE=var/secret_key KAOHE_AUDIT_KEY_FILE=var/audit_key

migrate: install var/secret_key var/audit_key
	$(SECRETS) $(BIN)/python manage.py migrate --noinput
	$(SECRETS) $(BIN)/python manage.py createcachetable

demo: migrate
	$(SECRETS) $(BIN)/python manage.py load_demo

# The background worker (manage.py db_worker: e-mails, and the long work of kaohe.core.jobs) runs beside gunicorn;
# Ctrl+C (or either of them ending) stops both.
run: demo
	$(SECRETS) $(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo "依法行政考核督导平台: http://$(HOST):$(PORT)/  (后台任务进程同时启动；Ctrl+C 停止)"
	@$(SECRETS) bash -c 'trap "kill \$$worker \$$web 2>/dev/null; wait" INT TERM EXIT; \
		$(BIN)/python manage.py db_worker --no-reload & worker=$$!; \
		$(BIN)/gunicorn config.wsgi:application \
			--bind $(HOST):$(PORT) --workers 2 --threads 4 --timeout 120 --access-logfile - & web=$$!; \
		wait -n $$worker $$web'

# lint-imports: the layer contracts of pyproject.toml ([tool.importlinter]; docs/architecture.md, "Layers").
lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	KAOHE_TESTING=1 DJANGO_DEBUG=true $(BIN)/mypy .

pytest: install
	$(BIN)/python -m pytest -q

# The same suite against PostgreSQL (CI sets DATABASE_URL to the server on 127.0.0.1:5432).
pytest-pg: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/python -m pytest -q

browser: install
	$(BIN)/python -m pytest -q -m browser tests/browser

# The office guide's screenshots (docs/guide-office.md), taken anew by the empty-installation browser test.
guide-shots: install
	$(BIN)/python -m pytest -q -m browser tests/browser/test_office_year_from_empty.py
	mkdir -p docs/images/guide-office && cp var/screenshots/year-[0-9]*.png var/screenshots/year-*-must-change-password.png docs/images/guide-office/

test: lint typecheck pytest

bench: install
	$(BIN)/python bench/run.py

clean:
	rm -rf var/staticfiles
