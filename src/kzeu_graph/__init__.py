"""kzeu-graph: a provenance-first knowledge graph of EU-Kazakhstan cooperation.

The public API is imported lazily, so that ``import kzeu_graph`` (and the CLI's ``--help``)
stays fast; ``rdflib`` and friends load on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import InputError, KzeuError, ParameterError, QueryError
from .export import export, serialize  # eager: the function must shadow the submodule


def _version() -> str:
    """The installed distribution's version (importlib.metadata costs ~30 ms: only on use)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kzeu-graph")
    except PackageNotFoundError:  # running from a checkout that is not installed
        return "0+unknown"


if TYPE_CHECKING:
    __version__: str
    from .catalog import Parameter, SavedQuery, get_query, list_queries
    from .engines import Engine, open_engine, open_store
    from .inference import InferenceTimeout, inference_timeout
    from .loading import load_graph, load_ontology, load_shapes, parse_file
    from .queries import describe, run_query, run_showcase, run_sparql
    from .results import Result
    from .validation import Finding, ValidationReport, validate

_LAZY: dict[str, str] = {
    "Parameter": "catalog",
    "SavedQuery": "catalog",
    "get_query": "catalog",
    "list_queries": "catalog",
    "Engine": "engines",
    "open_engine": "engines",
    "open_store": "engines",
    "InferenceTimeout": "inference",
    "inference_timeout": "inference",
    "load_graph": "loading",
    "load_ontology": "loading",
    "load_shapes": "loading",
    "parse_file": "loading",
    "describe": "queries",
    "run_query": "queries",
    "run_showcase": "queries",
    "run_sparql": "queries",
    "Result": "results",
    "Finding": "validation",
    "ValidationReport": "validation",
    "validate": "validation",
}

__all__ = [
    "Engine",
    "Finding",
    "InferenceTimeout",
    "InputError",
    "KzeuError",
    "Parameter",
    "ParameterError",
    "QueryError",
    "Result",
    "SavedQuery",
    "ValidationReport",
    "__version__",
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
