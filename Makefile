# Immunotherapy in Neuromuscular Disorders: the two commands are `make book` and `make test`.
# Everything else (virtual environment, Debian packages, vendored browser assets) is installed on demand.

SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
HOST ?= 127.0.0.1
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install system-deps test test-fast bench lint lab clean

help:
	@echo "make book    build the Jupyter Book (every chapter executed) and serve it on http://$(HOST):$(PORT)"
	@echo "make test    run the whole test suite (unit, book build, browser, nbgrader end to end)"
	@echo "make test-fast   the unit tests only (no book build, browser, nbgrader end to end, hub)"
	@echo "make lab     JupyterLab on the course, notebooks importing the package"
	@echo "make clean   remove build outputs (keeps .venv)"
	@echo "make bench   the benchmarks: simulator throughput, book build times, autograding speed"
	@echo "make instructor-help   the nbgrader workflow targets"
	@echo "make workshop-help     a cohort workshop on this server's JupyterHub: roster, one account each, live dashboard"

# Python packages come from the pinned lock file; the project itself is installed editable.
# Debian packages come first: on a fresh Debian, `python3 -m venv` itself needs python3-venv.
$(STAMP): requirements.lock pyproject.toml | system-deps
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (nmd_immuno)" >/dev/null
	touch $(STAMP)

install: $(STAMP)

# Debian packages (python3-venv, graphviz's dot for flowcharts, chromium for the browser tests), installed only where missing.
system-deps:
	@PYTHON=$(PYTHON) bash scripts/install-system-deps.sh

# ruff first: a style regression fails fast, before the slower book and browser tests. Tests run on
# TEST_WORKERS pytest-xdist workers; those that read the built book form one group on one worker
# (tests/conftest.py). The slowest tests are printed at the end.
TEST_WORKERS ?= 2
PYTEST_PARALLEL = -n $(TEST_WORKERS) --dist loadgroup
test: install vendor lint
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) --durations=25

# The unit tests only (no book build, browser, nbgrader end to end or hub): a minute or two.
test-fast: install vendor lint
	$(BIN)/python -m pytest $(PYTEST_PARALLEL) -m "not slow" --durations=10

# The speed goals are measured here, not asserted in tests: each script prints its figures.
bench: install vendor
	$(BIN)/python benchmarks/bench_simulate.py
	$(BIN)/python benchmarks/bench_book_build.py
	$(BIN)/python benchmarks/bench_autograde.py

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks notebooks assignments/source

# Jupyter refuses to start as root unless told; containers and CI machines often are root.
lab: install
	$(BIN)/jupyter lab --ip=$(HOST) --port=$(PORT) --no-browser --notebook-dir=. $(if $(filter 0,$(shell id -u)),--allow-root)

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +

# Book build and serving (make/book.mk); the instructor's nbgrader workflow (make/instructor.mk).
include make/*.mk
