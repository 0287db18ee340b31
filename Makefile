# planextract: two commands on a fresh machine with Python 3.11+ and make.
#   make extract   extract every plan in raw/ into output/
#   make test      run the test suite
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip --disable-pip-version-check -q
JOBS   ?=

.PHONY: extract test validate bench bench-instructions dictionary clean setup setup-dev

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# Stamp files: reinstall only when a lock file changes.
$(VENV)/.runtime: requirements.lock pyproject.toml | $(VENV)/bin/python
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps --no-build-isolation -e . 2>/dev/null || $(PIP) install --no-deps -e .
	@# Byte code, as pip writes it for installed packages (PYTHONDONTWRITEBYTECODE may stop Python writing it).
	$(PY) -m compileall -q pipeline >/dev/null
	touch $@

$(VENV)/.dev: requirements-dev.lock $(VENV)/.runtime
	$(PIP) install -r requirements-dev.lock
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

$(VENV)/.bench: requirements-bench.lock $(VENV)/.dev
	$(PIP) install -r requirements-bench.lock
	touch $@

setup: $(VENV)/.runtime
setup-dev: $(VENV)/.dev

extract: $(VENV)/.runtime
	$(VENV)/bin/planextract extract raw --out output $(if $(JOBS),--jobs $(JOBS))

test: $(VENV)/.dev
	$(PY) -m pytest

validate: $(VENV)/.runtime
	$(VENV)/bin/planextract validate output

# QUICK=1 stops the scale test at 100 documents (the full run goes to 500).
bench: $(VENV)/.bench
	$(if $(QUICK),BENCH_QUICK=1) $(PY) -m bench.run

# Instructions per warm pass of the plan (valgrind's callgrind): the figure to compare speed-ups by.
bench-instructions: $(VENV)/.bench
	$(PY) -m bench.instructions

dictionary: $(VENV)/.runtime
	$(VENV)/bin/planextract dictionary --out docs/data-dictionary.md

clean:
	rm -rf $(VENV) output/*.parquet output/csv output/plan.duckdb output/datapackage.json
