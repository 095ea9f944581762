# London Co-commissioning Fund: `make run` serves the service with demo data, `make serve` in
# production, `make test` runs every test.
SHELL := /bin/bash
.DEFAULT_GOAL := run
.PHONY: setup run serve serve-settings test lint bench bench-scale stress clean

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

# serve: production, as a deployment runs it (README, "Deployment"): migrations and the
# reference data (only what is missing), then the Procfile, web server and scheduler, with
# EOI_ENV=production on the PostgreSQL at EOI_DATABASE_URL. Never demo data. The settings are
# checked before anything is set up.
serve: serve-settings setup
	EOI_ENV=production $(FLASK) db upgrade
	EOI_ENV=production $(FLASK) reference load
	EOI_ENV=production PATH="$(CURDIR)/$(BIN):$$PATH" exec $(BIN)/honcho start --procfile Procfile

serve-settings:
	@case "$${EOI_DATABASE_URL:-}" in \
	    postgresql://*|postgresql+psycopg://*) ;; \
	    *) echo "make serve runs in production on PostgreSQL: set EOI_DATABASE_URL to its" \
	            "address, e.g. EOI_DATABASE_URL=postgresql://eoi@db.internal/eoi (now it is" \
	            "$$([ -n "$${EOI_DATABASE_URL:-}" ] && echo not PostgreSQL || echo unset)). To run on" \
	            "SQLite on purpose, run the Procfile yourself with EOI_ENV=production" \
	            "EOI_ALLOW_SQLITE=1." >&2; \
	       exit 2;; \
	esac
	@test -n "$${EOI_SECRET_KEY:-}" || { echo "make serve needs EOI_SECRET_KEY set: a long" \
	    "random secret that signs sessions, the same on every web server, e.g. from" \
	    "python3 -c 'import secrets; print(secrets.token_hex(32))'." >&2; exit 2; }

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
