# IP Commons. `make run`: embedded platform on http://127.0.0.1:8000 (no server needed).
#             `make test`: real Elasticsearch, PostgreSQL and Redis, then the whole suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)
DEMO_DOCS ?= 2000

.PHONY: setup assets screenshots run demo services services-stop test lint typecheck pytest bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $(STAMP)

# Front-end libraries from npm (served by the app) and the compiled message catalogs.
assets: $(STAMP)
	scripts/assets
	$(BIN)/pybabel -q compile -d api/locale -D messages

setup: $(STAMP) assets

# The embedded default: SQLite + embedded search + a local worker, state under ./var.
run: setup
	env -u IPC_DATABASE_URL -u IPC_ELASTICSEARCH_URL -u IPC_BROKER_URL -u IPC_REDIS_URL \
	  bash -c '$(BIN)/ipcommons db upgrade && $(BIN)/ipcommons demo --docs $(DEMO_DOCS) && $(BIN)/ipcommons serve'

services: setup
	scripts/services start

services-stop:
	scripts/services stop

lint: setup
	$(BIN)/ruff check .

typecheck: setup
	$(BIN)/mypy

# Two pytest-xdist workers share the real servers; then the tests marked `serial` (they kill or restart a
# server, or start the three-node cluster once for a whole module) run alone.
pytest: setup
	set -a && eval "$$(scripts/services env)" && set +a && $(BIN)/pytest -n 2 -m 'not serial' && $(BIN)/pytest -m serial

test: services lint typecheck pytest

# PNGs of the portal for the README, taken by the browser tests.
screenshots: services
	set -a && eval "$$(scripts/services env)" && set +a && IPC_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest -q tests/api/pages

bench: services
	set -a && eval "$$(scripts/services env)" && set +a && for b in bench/*.py; do $(BIN)/python $$b; done

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
