# Two commands matter: `make demo` and `make test`. Each sets up what it needs on a fresh machine.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
UV_VERSION := 0.13.8
BIN := $(VENV)/bin
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
export LIFECYCLE_WAREHOUSE ?= $(CURDIR)/warehouse
export DBT_PROFILES_DIR := $(CURDIR)/dbt_project
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)

.PHONY: setup browser old-duckdb bi-packages demo test test-fast dev bench lint clean bi bi-preview

# The virtual environment, synced from uv.lock (uv itself is pinned in the lock's dev group).
$(VENV)/.synced: pyproject.toml uv.lock
	@test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/pip install -q "uv==$(UV_VERSION)"; }
	$(BIN)/uv sync --frozen --extra spark --compile-bytecode  # .pyc up front: start-up stays fast even where PYTHONDONTWRITEBYTECODE is set
	@touch $@

setup: $(VENV)/.synced
	$(BIN)/python -m pipelines.dbt.project  # dbt's manifest, parsed when stale (the one place it is prepared)

# Debian's Chromium, for the test that opens the HTML report in a browser (root or sudo, as on CI machines).
browser:
	@command -v chromium >/dev/null || { $(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }

demo: setup
	$(BIN)/lifecycle demo

# two workers (pytest-xdist), a module on one worker: its module fixtures are built once; the longest
# modules start first (tests/conftest.py), in that order
test: setup browser old-duckdb bi-packages
	$(BIN)/pytest -q -n 2 --dist loadfile --no-loadscope-reorder

# DuckDB 1.1, apart from the environment, for the test that opens the serving file as BI tools do.
OLD_DUCKDB := $(VENV)/clients/duckdb-1.1
old-duckdb: $(OLD_DUCKDB)/.installed
$(OLD_DUCKDB)/.installed: tests/support/clients/duckdb-1.1.txt $(VENV)/.synced
	rm -rf $(OLD_DUCKDB) && $(BIN)/uv pip install -q --require-hashes --target $(OLD_DUCKDB) \
		--python $(BIN)/python -r $<
	@touch $@

# The Evidence site over the last run's serving file (bi/): npm packages from bi/package-lock.json only
# (`npm ci`), the marts read from $(LIFECYCLE_WAREHOUSE)/serving.duckdb, the static site written to bi/build.
BI_ENV := SEND_ANONYMOUS_USAGE_STATS=no EVIDENCE_SOURCE__lifecycle__filename=$$(realpath -m -s \
	--relative-to=$(CURDIR)/bi/sources/lifecycle $(LIFECYCLE_WAREHOUSE)/serving.duckdb)
bi/node_modules/.installed: bi/package.json bi/package-lock.json
	cd bi && npm ci --no-audit --no-fund --loglevel=error
	@touch $@
bi-packages: bi/node_modules/.installed  # installed before the tests, as the venv is: the BI site test builds the site
bi: bi/node_modules/.installed
	@test -e "$(LIFECYCLE_WAREHOUSE)/serving.duckdb" || { \
		echo "no $(LIFECYCLE_WAREHOUSE)/serving.duckdb: run \`make demo\` or \`lifecycle run\` first" >&2; exit 1; }
	cd bi && $(BI_ENV) npm run sources && $(BI_ENV) npm run build
	@echo "The site is in bi/build: \`make bi-preview\` serves it on http://127.0.0.1:4173"
bi-preview:  # any static file server does; Evidence's own preview would fetch one (npx serve)
	$(PYTHON) -m http.server 4173 --bind 127.0.0.1 --directory bi/build

# Unit tests only (no warehouse, no dbt): seconds, for the edit-test loop.
test-fast: setup
	$(BIN)/pytest -q -m "not integration"

# The UI on the instance that `lifecycle run` records into: <warehouse>/dagster, or $$DAGSTER_HOME if set.
dev: setup
	DAGSTER_HOME="$$($(BIN)/python -m pipelines.runs.instance)" DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS=true \
		$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1

# SIZE=1m, 10m or 100m simulated events; RUNS repetitions (medians reported); FORMATS=parquet skips JSON Lines
SIZE ?= 1m
RUNS ?= 3
FORMATS ?= parquet,jsonl
# SPARK=1 also times the full build on a local Spark session
bench: setup
	$(BIN)/python -m bench --events $(SIZE) --runs $(RUNS) --formats $(FORMATS) $(if $(SPARK),--spark)

# What a reviewer checks: Python style and types, dbt's project, SQL style. Each fails the target.
# The SQL is rendered against throwaway warehouses, never the working one (tests/support/lint_warehouse.py):
# an empty one (first builds) and one holding every model (the incremental branches).
LINT_DIR := $(CURDIR)/dbt_project/target/lint
lint: setup
	$(BIN)/ruff check pipelines tests bench
	$(BIN)/ruff format --check pipelines tests bench
	$(BIN)/mypy
	rm -rf $(LINT_DIR) && mkdir -p $(LINT_DIR)/empty
	cd dbt_project && LIFECYCLE_WAREHOUSE=$(LINT_DIR)/empty ../$(BIN)/dbt parse --warn-error --quiet --target-path $(LINT_DIR)/parse
	cd dbt_project && LIFECYCLE_WAREHOUSE=$(LINT_DIR)/empty ../$(BIN)/sqlfluff lint models tests --disable-progress-bar
	$(BIN)/python -m tests.support.lint_warehouse $(LINT_DIR)/built --built
	cd dbt_project && LIFECYCLE_WAREHOUSE=$(LINT_DIR)/built ../$(BIN)/sqlfluff lint models tests --disable-progress-bar

clean:
	rm -rf $(VENV) dbt_project/target dbt_project/logs
