# Set-up and checks. Needs only Python 3.11 and make: every target creates .venv as needed.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export DO_NOT_TRACK := 1
export PREFECT_SERVER_ANALYTICS_ENABLED := false
export PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS := 90
export PREFECT_HOME ?= $(CURDIR)/.prefect

.PHONY: install models demo test lint unit quick bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/python -m pip install -q -e '.[dev]' 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/python -c "import yuqing.cli, pipeline, classifiers, flows, crawlers"
	touch $(STAMP)

install: $(STAMP)

# Train (or verify) the bundled default models from data/corpus.
models: install
	$(BIN)/yuqing models

demo: models
	$(BIN)/yuqing demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

unit: models
	$(BIN)/pytest -q

test: lint unit

# The developer's fast lane: lint and every test not marked slow (no Prefect servers, no
# training, no browser). `make test` stays the whole suite.
quick: models
	$(BIN)/ruff check .
	$(BIN)/pytest -q -m "not slow"

bench: models
	$(BIN)/python -m benchmarks.bench_triage
	$(BIN)/python -m benchmarks.bench_clustering
	$(BIN)/python -m benchmarks.bench_heldout
	$(BIN)/python -m benchmarks.bench_command
	$(BIN)/python benchmarks/bench_teddycup.py
	$(BIN)/python benchmarks/bench_crawl.py
	$(BIN)/python benchmarks/bench_alert_latency.py
	$(BIN)/python benchmarks/bench_alert_volume.py
	$(BIN)/python -m benchmarks.bench_rising
	$(BIN)/python benchmarks/bench_reports.py

clean:
	rm -rf $(VENV) var .prefect .pytest_cache .mypy_cache .ruff_cache .import_linter_cache
