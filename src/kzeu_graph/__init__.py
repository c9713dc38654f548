"""kzeu-graph: a provenance-first knowledge graph of EU-Kazakhstan cooperation.

The public API is imported lazily, so that ``import kzeu_graph`` (and the CLI's ``--help``)
stays fast; ``rdflib`` and friends load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kzeu_graph.errors import InputError, KzeuError, ParameterError, QueryError


def _version() -> str:
    """The installed distribution's version (importlib.metadata costs ~30 ms: only on use)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kzeu-graph")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0+unknown"


if TYPE_CHECKING:
    __version__: str
    from kzeu_graph.engines import Engine, open_engine, open_store
    from kzeu_graph.loading.graph import load_graph, load_ontology, load_shapes, parse_file
    from kzeu_graph.loading.inference import InferenceTimeout, inference_timeout
    from kzeu_graph.publish.cite import Citation, cite
    from kzeu_graph.publish.export import export, serialize
    from kzeu_graph.query.results import Result
    from kzeu_graph.sparql.catalog import Parameter, SavedQuery, get_query, list_queries
    from kzeu_graph.sparql.run import describe, run_query, run_showcase, run_sparql
    from kzeu_graph.sparql.search import Match, search
    from kzeu_graph.validation.report import Finding, ValidationReport, validate

_LAZY: dict[str, str] = {
    "Citation": "publish.cite",
    "cite": "publish.cite",
    "Match": "sparql.search",
    "search": "sparql.search",
    "export": "publish.export",
    "serialize": "publish.export",
    "Parameter": "sparql.catalog",
    "SavedQuery": "sparql.catalog",
    "get_query": "sparql.catalog",
    "list_queries": "sparql.catalog",
    "Engine": "engines",
    "open_engine": "engines",
    "open_store": "engines",
    "InferenceTimeout": "loading.inference",
    "inference_timeout": "loading.inference",
    "load_graph": "loading.graph",
    "load_ontology": "loading.graph",
    "load_shapes": "loading.graph",
    "parse_file": "loading.graph",
    "describe": "sparql.run",
    "run_query": "sparql.run",
    "run_showcase": "sparql.run",
    "run_sparql": "sparql.run",
    "Result": "query.results",
    "Finding": "validation.report",
    "ValidationReport": "validation.report",
    "validate": "validation.report",
}

__all__ = [
    "Citation",
    "Engine",
    "Finding",
    "InferenceTimeout",
    "InputError",
    "KzeuError",
    "Match",
    "Parameter",
    "ParameterError",
    "QueryError",
    "Result",
    "SavedQuery",
    "ValidationReport",
    "__version__",
    "cite",
    "describe",
    "export",
    "get_query",
    "inference_timeout",
    "list_queries",
    "load_graph",
    "load_ontology",
    "load_shapes",
    "open_engine",
    "open_store",
    "parse_file",
    "run_query",
    "run_showcase",
    "run_sparql",
    "search",
    "serialize",
    "validate",
]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()[name] = value = _version()
        return value
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'kzeu_graph' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value
