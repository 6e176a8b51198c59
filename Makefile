# The two commands a new user runs: `make demo` and `make test`.
# Everything is installed here, into .venv, from the one pinned file requirements/dev.txt.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test bench lint clean install

install: $(STAMP)

$(STAMP): requirements/dev.txt requirements/nodeps.txt setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -r requirements/nodeps.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/rope-ref demo

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 -q

bench: $(STAMP)
	$(BIN)/python -m bench

lint: $(STAMP)
	$(BIN)/ruff check rope_ref tests bench
	$(BIN)/ruff format --check rope_ref tests bench

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .hypothesis out
