# Two commands matter: `make demo` and `make test`. Both install what they need into .venv.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
DBT_FLAGS := --project-dir dbt_project --profiles-dir dbt_project
SANDBOX_DIR ?= sandbox_data/default
DEMO_LEADS ?= 3000
# Sandbox company of `make demo` (sandbox/world/profile.py): default, custom-jp, hubspot-smb
PROFILE ?= default

# Telemetry off everywhere: nothing may wait on a network call.
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := False
export DEMO_LEADS
# dagster-dbt looks dbt up on PATH (e.g. when `dagster dev` re-parses the project).
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

.PHONY: install manifest demo test lint format dev sandbox bench reliability clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	@echo "Installing into $(VENV) (about a minute on a fresh machine) ..."
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]' 2>&1 \
		| { grep -v 'is ignored: it is neither a file nor a directory' || true; }
	touch $@

install: $(VENV)/.installed

# Dagster reads the dbt manifest when it loads the definitions: build it before anything else.
manifest: install
	@if [ -f dbt_project/packages.yml ]; then $(BIN)/dbt deps $(DBT_FLAGS) --quiet; fi
	$(BIN)/dbt parse $(DBT_FLAGS) --quiet

demo: manifest
	$(BIN)/python -m sandbox demo --leads $(DEMO_LEADS) --profile $(PROFILE)

# Test files are spread over TEST_WORKERS processes (pytest-xdist; 0 runs them in this one).
TEST_WORKERS ?= 2
test: manifest
	$(BIN)/ruff check .
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

$(SANDBOX_DIR)/manifest.json: | install
	$(BIN)/python -m sandbox generate --leads $(DEMO_LEADS) --seed 42 --out $(SANDBOX_DIR)

sandbox: $(SANDBOX_DIR)/manifest.json
	$(BIN)/python -m sandbox serve --data $(SANDBOX_DIR)

# The sandbox in the background (default ports, which are the pipeline's defaults) and the
# Dagster UI on http://127.0.0.1:3000. Ctrl-C stops both.
dev: manifest $(SANDBOX_DIR)/manifest.json
	$(BIN)/python -m sandbox serve --data $(SANDBOX_DIR) & sandbox_pid=$$!; \
	trap 'kill $$sandbox_pid 2>/dev/null || true' EXIT INT TERM; \
	$(BIN)/dagster dev -w workspace.yaml -h 127.0.0.1 -p 3000

bench: manifest
	$(BIN)/pip install --quiet -e '.[dev,bench]' 2>&1 | { grep -v 'is ignored' || true; }
	$(BIN)/python -m bench

RELIABILITY_LEADS ?= 1000
reliability: manifest
	RELIABILITY_LEADS=$(RELIABILITY_LEADS) $(BIN)/pytest -q -m slow tests/reliability

clean:
	rm -rf warehouse sandbox_data dbt_project/target dbt_project/logs .pytest_cache .cache
