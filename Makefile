# London Co-commissioning Fund: `make run` serves the service, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: setup run test lint bench bench-scale stress clean

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

# run: migrate, load reference and (into an empty database) demo data, then serve as
# production does, from the Procfile: honcho runs gunicorn and the reminder scheduler, each a
# process of its own, and Ctrl-C or SIGTERM stops both.
run: setup
	$(FLASK) db upgrade
	$(FLASK) reference load
	$(FLASK) demo load --if-empty
	PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start --procfile Procfile

# lint: ruff over the whole tree, then mypy over eoi/ (settings in pyproject.toml).
lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

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

# bench-scale: the pages on a national fund (eoi.demo.scale) against gunicorn on a throwaway
# PostgreSQL, beside a bare Flask floor (benchmarks/scale.py): statements, times, throughput,
# memory and the EOI PDF, against their targets. A measurement: it exits 0 either way. The
# loaded database is kept in instance/bench-scale-*.dump for the next run.
bench-scale: setup
	$(BIN)/python -m benchmarks.scale

# stress: many people pressing the same button at once, against gunicorn on a throwaway
# PostgreSQL (scripts/stress.py): each case's 500s, lost updates and duplicates, which must
# all be 0 (it exits 1 otherwise). A measurement, not part of `make test`.
stress: setup
	$(BIN)/python scripts/stress.py

# clean: everything setup made.
clean:
	rm -rf $(VENV) node_modules eoi/static/govuk build *.egg-info
