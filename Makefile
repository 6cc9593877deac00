# The project's commands. `make serve` and `make test` are all a newcomer needs: each
# creates the virtual environment and installs what it needs on first use.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UI     := src/aigraph/server/ui
UI_STAMP := $(UI)/dist/.built

.PHONY: serve test ui lint format build docs bench bench-1e7 clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The interface's scripts: npm packages pinned by package-lock.json, bundled by esbuild into
# $(UI)/dist, which the server serves itself (no CDN). Without npm the pages still work,
# without the editor, type-ahead and graph view.
$(UI_STAMP): $(UI)/package.json $(UI)/package-lock.json $(wildcard $(UI)/src/*.js)
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --prefix $(UI) --no-audit --no-fund --loglevel=error && \
		npm run build --prefix $(UI) --silent && touch $(UI_STAMP); \
	else \
		echo "npm not found: the interface's scripts are not built (the pages work without them)"; \
	fi

## ui: build the interface's scripts (npm ci + esbuild)
ui: $(UI_STAMP)

## serve: start the SPARQL endpoint and Linked Data server on http://127.0.0.1:8000/
serve: $(STAMP) $(UI_STAMP)
	$(BIN)/aigraph serve

## test: lint and type-check, then the whole test suite
# The suite runs in one process per core (pytest-xdist; at most 4: each process starts servers
# of its own, with their query workers). A test file stays in one process (--dist loadfile), so
# a file's servers and fixtures are made once. On 2 cores: about 5.5 minutes instead of 10.
test: lint $(UI_STAMP)
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

## lint: ruff (style, format) and mypy (types; pinned in pyproject.toml)
lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

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

## bench-1e7: 10^7 triples, every system on disk, catalogue latencies (about an hour)
bench-1e7: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[bench]'
	$(BIN)/python bench/run.py --sizes 1e7 --backend disk --no-throughput --no-large \
		--runs 3 --budget 5 --timeout 60 --systems aigraph-http,oxigraph \
		--out bench/results/disk-1e7

format: $(STAMP)
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

clean:
	rm -rf build $(VENV) .pytest_cache .ruff_cache $(UI)/node_modules $(UI)/dist
