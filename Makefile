# Red Line Tracker: `make run` serves the demo on 127.0.0.1:8000 (ADDRESS=host:port to move it), `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
ADDRESS ?= 127.0.0.1:8000

.PHONY: install run serve test lint bench-api bench-ingest bench-analysis browser-deps clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# Without DATABASE_URL, `run` and `test` start the embedded PostgreSQL in .pgdata/ and stop it when
# they end (tracker/devdb.py); with it, they use that database.
DEVDB := $(PY) -m tracker.devdb

run: install
	@$(DEVDB) $(MAKE) --no-print-directory serve

# `run` inside the database's lifetime.
serve:
	$(PY) manage.py prepare_local
	@# Without a broker, a scheduler process polls due feeds every minute; it ends with this recipe.
	@# It starts at low priority, so it does not slow the server's start; the server skips the
	@# system checks that prepare_local's migrate has just run.
	nice $(PY) manage.py run_scheduler & pid=$$!; trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver --skip-checks $(ADDRESS)

browser-deps:
	@bash scripts/ensure-chromium.sh

test: install browser-deps
	@$(DEVDB) $(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) .pgdata staticfiles .pytest_cache
