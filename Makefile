# scarplan task runner. `make run` and `make test` do all set-up themselves on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

SYSTEM_STAMP := $(VENV)/.system-packages

.PHONY: run test lint unit unit-postgresql bench clean venv system

venv: $(STAMP)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
	  { echo "scarplan needs Python 3.11 or newer (found $$($(PYTHON) --version))."; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

# Debian packages for the tests (Chromium, PostgreSQL, Pango); checked once per venv.
system: $(SYSTEM_STAMP)

$(SYSTEM_STAMP): scripts/system-packages.sh | $(STAMP)
	bash scripts/system-packages.sh
	@touch $(SYSTEM_STAMP)

# The clinic web app with a demo clinic in ./data (kept between runs).
run: $(STAMP)
	$(BIN)/scarplan serve --demo --host $(HOST) --port $(PORT)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy
	$(BIN)/lint-imports

# Everything on SQLite, then every test that touches storage again on a real PostgreSQL
# server that the tests start themselves.
unit: $(STAMP) $(SYSTEM_STAMP)
	$(BIN)/python -m pytest

unit-postgresql: $(STAMP) $(SYSTEM_STAMP)
	SCARPLAN_TEST_DATABASE=postgresql $(BIN)/python -m pytest -m db

test: lint unit unit-postgresql

bench: $(STAMP)
	@for b in bench/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache build src/*.egg-info test-artifacts
