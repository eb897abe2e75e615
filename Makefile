# Set-up and the two main jobs. `make run` and `make test` work on a fresh
# machine with Python >= 3.10: they create .venv and install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip --disable-pip-version-check

.PHONY: run test bench install install-test clean-venv

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install --quiet -e ".[test]"
	touch $@

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

## main job: everything on the bundled corpora, written to outputs/
run: $(VENV)/.installed
	$(BIN)/planecho run --out outputs

## the test suite (what CI runs)
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -q

## speed and memory figures
bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/run.py

clean-venv:
	rm -rf $(VENV)
