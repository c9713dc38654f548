"""Run saved and ad-hoc SPARQL safely (prepared once, algebra-checked, typed bindings only)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kzeu_graph.errors import ParameterError
from kzeu_graph.query.guard import CheckedQuery, execute_prepared, guard, prepare
from kzeu_graph.query.results import Description, Result
from kzeu_graph.rdf.namespaces import OA
from kzeu_graph.sparql.catalog import (
    SavedQuery,
    expand_curie,
    get_query,
    is_valid_iri,
    list_queries,
)

if TYPE_CHECKING:
    from kzeu_graph.engines import Engine


__all__ = [
    "CheckedQuery",
    "describe",
    "execute_prepared",
    "expand_iri",
    "guard",
    "prepare",
    "run_query",
    "run_saved",
    "run_showcase",
    "run_sparql",
]

SHOWCASE_TAG = "showcase"


def run_sparql(graph: Graph, text: str) -> Result:
    """Run an ad-hoc read-only query (project prefixes predeclared)."""
    return execute_prepared(graph, prepare(text))


def run_saved(
    engine: Engine,
    name: str | SavedQuery,
    params: Mapping[str, Any] | None = None,
    directory: Path | None = None,
) -> Result:
    """Run a saved query on ``engine`` with typed parameters (strings are converted by kind)."""
    saved = name if not isinstance(name, str) else get_query(name, directory)
    return engine.query(saved.text, saved.bind_terms(params))


def run_query(
    graph: Graph | Engine,
    name: str | SavedQuery,
    params: Mapping[str, str | Node] | None = None,
    directory: Path | None = None,
) -> Result:
    """Run the saved query ``name`` with typed parameters (strings are converted by kind).

    ``graph`` is an rdflib Graph or any engine from :func:`kzeu_graph.engines.open_engine`.
    """
    if not isinstance(graph, Graph):
        return run_saved(graph, name, params, directory)
    saved = name if isinstance(name, SavedQuery) else get_query(name, directory)
    bindings = saved.bind(params)
    prepared = prepare(saved.text)
    return execute_prepared(graph, prepared, {str(k): v for k, v in bindings.items()})


def run_showcase(graph: Graph, directory: Path | None = None) -> list[tuple[SavedQuery, Result]]:
    """Every saved query tagged ``showcase``, run with its defaults, in name order."""
    return [
        (saved, run_query(graph, saved))
        for saved in list_queries(directory)
        if SHOWCASE_TAG in saved.tags
    ]


def expand_iri(value: str) -> URIRef:
    """An IRI from ``<iri>``, ``iri`` or a project CURIE (``kzr:roman-vassilenko``)."""
    text = expand_curie(value.strip())
    if not is_valid_iri(text):
        raise ParameterError(f"not an absolute IRI: {value!r}")
    return URIRef(text)


def _with_blank_closure(source: Graph, target: Graph, start: Node) -> None:
    """Copy ``start``'s outgoing triples, following blank-node objects."""
    stack = [start]
    seen: set[Node] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for triple in source.triples((node, None, None)):
            target.add(triple)
            if isinstance(triple[2], BNode):
                stack.append(triple[2])


def describe(graph: Graph | Engine, iri: str | URIRef) -> Description:
    """Everything about ``iri``: as subject (with blank nodes), as object, and its evidence.

    Evidence is every ``oa:Annotation`` whose body is ``iri``, with its target and selectors.
    The answer is an rdflib Graph that also displays readably (a text ``repr``, an HTML
    table in a notebook); it is empty if the graph says nothing about ``iri`` (see
    :func:`kzeu_graph.sparql.search.suggest_for_iri` for what may have been meant).
    ``graph`` may be any store: its graph is handed over by :func:`kzeu_graph.engines.to_graph`.
    """
    from kzeu_graph.engines import to_graph

    graph = to_graph(graph)
    node = iri if isinstance(iri, URIRef) else expand_iri(iri)
    out = Description(node)
    _with_blank_closure(graph, out, node)
    for triple in graph.triples((None, None, node)):
        out.add(triple)
    for annotation in graph.subjects(OA.hasBody, node):
        _with_blank_closure(graph, out, annotation)
        for target in graph.objects(annotation, OA.hasTarget):
            _with_blank_closure(graph, out, target)
            for selector in graph.objects(target, OA.hasSelector):
                _with_blank_closure(graph, out, selector)
    return out
