# Two entry points (see README): `make demo` and `make test`.
# Each creates its own virtual environment in .venv from the project's own files.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck unit docs bench bench-serve clean

# The demo needs only the package itself; the tests need the dev tools too.
$(BIN)/python:
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)

$(BIN)/.demo-installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(BIN)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(BIN)/.demo-installed

demo: $(BIN)/.demo-installed
	$(BIN)/kzeu-graph demo

lint: $(BIN)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(BIN)/.installed
	$(BIN)/mypy

unit: $(BIN)/.installed
	$(BIN)/pytest

test: lint typecheck unit

# Regenerate every generated document (the tests fail when a committed one is stale), then
# build the documentation site offline into site/ (strict: a broken link fails).
# docs/model.svg needs Graphviz's `dot` (Debian: apt-get install graphviz).
docs: $(BIN)/.installed
	$(BIN)/kzeu-graph describe-dataset -o data/void.ttl
	$(BIN)/kzeu-graph ontology-docs -o docs/ontology.html
	$(BIN)/kzeu-graph model-diagram -o docs/model.dot
	$(BIN)/kzeu-graph timeline -o docs/timeline.svg
	@command -v dot >/dev/null || { echo "make docs: Graphviz 'dot' is needed for docs/model.svg (apt-get install graphviz)" >&2; exit 1; }
	dot -Tsvg docs/model.dot -o docs/.model.svg.tmp && mv docs/.model.svg.tmp docs/model.svg
	$(BIN)/mkdocs build --strict --site-dir site

# Every performance figure (issues 4, 13) beside its baseline (benchmarks/results.md, scale.png);
# about 10 minutes on 2 cores. Needs the [bench] extra (matplotlib) for the plot.
$(BIN)/.bench-installed: $(BIN)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	touch $@

bench: $(BIN)/.bench-installed
	$(BIN)/python benchmarks/bench.py --readme docs/benchmarks.md
	$(BIN)/python benchmarks/serve_store.py --json benchmarks/serve_store.json

# `kzeu-graph serve --store oxigraph:DIR` on a 1e6-triple folder beside the `oxigraph`
# server binary (about 3 minutes; docs/benchmarks.md, "Serving a store").
bench-serve: $(BIN)/.installed
	$(BIN)/python benchmarks/serve_store.py --json benchmarks/serve_store.json

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache
