# Red Line Tracker: `make run` serves the demo on 127.0.0.1:8000, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=

.PHONY: install run test lint bench-api bench-ingest bench-analysis browser-deps clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_reference
	$(PY) manage.py ensure_admin
	@# Without a broker, a scheduler process polls due feeds every minute; it ends with this recipe.
	$(PY) manage.py run_scheduler & pid=$$!; trap 'kill $$pid 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:8000

browser-deps:
	@bash scripts/ensure-chromium.sh

test: install browser-deps
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache
