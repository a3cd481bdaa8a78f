# The two commands of a new machine are `make serve` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# make serve's port (also from the environment)
PORT ?= 8080

.PHONY: install serve build test lint browser stores bench clean

# What serving and building need, no more: `make serve` on a new machine waits only for these.
# pip shows what it fetches and installs (a first `make serve` waits a minute or two for it).
$(BIN)/twinkg: pyproject.toml
	@echo "installing twinkg and what it needs into $(VENV)/ (the command will be $(BIN)/twinkg)"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --progress-bar on -e .
	touch $@

# The tests' and the benches' extras (pyproject.toml), each on top of the above; the stamp in the
# venv is newer than $(BIN)/twinkg once installed, so a changed pyproject.toml installs them again.
$(VENV)/.extra-test $(VENV)/.extra-bench: $(VENV)/.extra-%: $(BIN)/twinkg
	$(BIN)/pip install --quiet -e '.[$*]'
	touch $@

install: $(BIN)/twinkg

build: install
	$(BIN)/twinkg build

serve: install
	$(BIN)/twinkg serve --port $(PORT)

# Headless Chromium from Debian for the browser tests.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# ruff, mypy and the layer contracts (import-linter), configured in pyproject.toml; CI runs this before the tests.
lint: $(VENV)/.extra-test
	$(BIN)/ruff check
	$(BIN)/mypy
	$(BIN)/lint-imports

# OpenLink Virtuoso from Debian: the second real SPARQL store the remote-store tests run against
# (the first, oxigraph, comes with the Python packages). Only the binary package: it starts no service.
stores:
	@command -v virtuoso-t >/dev/null 2>&1 || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq virtuoso-opensource-7-bin >/dev/null; }

# The suite runs the benches too (tests/test_bench_smoke.py: rdflib-endpoint and maplib as peers).
# Three pytest-xdist workers on the two cores: with two, the cores stood idle 13% of the run while tests waited on
# servers, stores and Chromium (bench/RESULTS.md, round 6: 271.0 s with two, 254.8 s with three, idle machine).
test: $(VENV)/.extra-test $(VENV)/.extra-bench browser stores
	$(BIN)/python -m pytest -n 3 --dist loadgroup

bench: $(VENV)/.extra-bench
	$(BIN)/python bench/run.py

clean:
	rm -rf dist .pytest_cache
