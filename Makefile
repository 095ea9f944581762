# London Co-commissioning Fund: `make run` serves the service, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: setup run test lint bench clean

VENV := .venv
BIN := $(VENV)/bin
PYTHON ?= python3
FLASK := $(BIN)/flask --app eoi
PYTEST_ARGS ?=
# pytest-xdist workers for `make test`: one per core (at most 4), each with a database of its
# own; PYTEST_WORKERS=0 runs the tests in one process.
PYTEST_WORKERS ?= $(shell n=$$(nproc 2>/dev/null || echo 2); echo $$(( n < 4 ? n : 4 )))
export EOI_ENV ?= development

# setup: system packages, Python virtualenv, npm assets, instance folder.
setup: $(VENV)/.installed node_modules/.installed
	@scripts/system_deps.sh
	@$(BIN)/python scripts/build_assets.py
	@mkdir -p instance

$(VENV)/.installed: pyproject.toml
	@scripts/system_deps.sh
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# run: migrate, load reference and (into an empty database) demo data, then serve, with the
# reminder scheduler as a process of its own beside the web server, stopped with it.
run: setup
	$(FLASK) db upgrade
	$(FLASK) reference load
	$(FLASK) demo load --if-empty
	$(FLASK) scheduler & SCHEDULER=$$!; trap 'kill $$SCHEDULER 2>/dev/null; wait $$SCHEDULER' EXIT; \
	$(FLASK) run --host 127.0.0.1 --port 5000

# lint: ruff over the whole tree.
lint: setup
	$(BIN)/ruff check .

# test: lint, then the whole suite on SQLite and again on a throwaway PostgreSQL, each in
# parallel (pytest-xdist).
test: lint
	@echo "==== Test suite on SQLite ===="
	EOI_ENV=test $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) $(PYTEST_ARGS)
	@echo "==== Test suite on PostgreSQL ===="
	EOI_ENV=test scripts/with_postgres.sh $(BIN)/pytest -p no:cacheprovider -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

# bench: speed and memory figures (benchmarks/).
bench: setup
	@if [ -d benchmarks ]; then $(BIN)/python -m benchmarks; else echo "No benchmarks yet."; fi

# clean: everything setup made.
clean:
	rm -rf $(VENV) node_modules eoi/static/govuk build *.egg-info
