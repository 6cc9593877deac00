# The project's commands. `make serve` and `make test` are all a newcomer needs: each
# creates the virtual environment and installs what it needs on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: serve test lint format build docs bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## serve: start the SPARQL endpoint and Linked Data server on http://127.0.0.1:8000/
serve: $(STAMP)
	$(BIN)/aigraph serve

## test: lint, then the whole test suite
test: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest

## build: validate and write build/ (dumps + MANIFEST.sha256)
build: $(STAMP)
	$(BIN)/aigraph build

## docs: regenerate the generated parts of docs/
docs: $(STAMP)
	$(BIN)/aigraph docs

## bench: the benchmark against the Oxigraph server and rdflib-endpoint (needs Debian's wrk)
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	command -v wrk >/dev/null || apt-get install -y wrk
	$(BIN)/python bench/run.py

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf build $(VENV) .pytest_cache .ruff_cache
