"""Run saved and ad-hoc SPARQL safely (prepared once, algebra-checked, typed bindings only)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Graph, URIRef
from rdflib.term import Node

from kzeu_graph.errors import ParameterError
from kzeu_graph.query.guard import execute_prepared, prepare
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
    from kzeu_graph.rdf.terms import Term


__all__ = [
    "DESCRIBE_DEPTH",
    "closure_query",
    "construct_triples",
    "describe",
    "expand_iri",
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


DESCRIBE_DEPTH = 6
"""Blank nodes followed from one subject by :func:`describe` on a store other than rdflib."""


def closure_query(root: str, depth: int, start: str = "?r") -> str:
    """A CONSTRUCT of the outgoing triples of ``start`` (bound by the pattern ``root``) and
    of the blank nodes reached from it, up to ``depth`` deep.

    One group, OPTIONALs nested inside it: the engines evaluate it from the bound
    parameters outward (a UNION of groups would be evaluated unbound first).
    """
    template = [f"{start} ?_p0 ?_o0 ."]
    nested = ""
    for level in range(depth, 0, -1):
        template.insert(1, f"?_o{level - 1} ?_p{level} ?_o{level} .")
        nested = (
            f" OPTIONAL {{ ?_o{level - 1} ?_p{level} ?_o{level} . "
            f"FILTER(isBlank(?_o{level - 1})){nested} }}"
        )
    return f"CONSTRUCT {{ {' '.join(template)} }} WHERE {{ {root} {start} ?_p0 ?_o0 .{nested} }}"


def construct_triples(
    engine: Engine, text: str, bindings: Mapping[str, Term] | None = None
) -> Iterator[tuple[Node, Node, Node]]:
    """The rdflib triples of a CONSTRUCT run on ``engine`` (a checked, shipped text).

    Oxigraph's triples are converted one by one, without building a Result graph first.
    """
    from kzeu_graph.engines.oxigraph_engine import OxigraphEngine

    if isinstance(engine, OxigraphEngine):
        convert = engine.rdflib_term  # cached: the same IRIs come back in every answer
        for triple in engine.solutions(text, bindings):
            yield convert(triple.subject), convert(triple.predicate), convert(triple.object)
        return
    found = engine.query(text, bindings, checked=True)
    yield from found.graph if found.graph is not None else ()


def _describe_queries() -> list[str]:
    """``describe`` as CONSTRUCT queries of the bound ``?node`` (see :func:`describe`)."""
    queries = ["CONSTRUCT { ?s ?p ?node } WHERE { ?s ?p ?node }"]
    queries.append(closure_query("", DESCRIBE_DEPTH, start="?node"))
    for root in (
        "?r oa:hasBody ?node .",
        "?_a oa:hasBody ?node . ?_a oa:hasTarget ?r .",
        "?_a oa:hasBody ?node . ?_a oa:hasTarget ?_t . ?_t oa:hasSelector ?r .",
    ):
        queries.append(closure_query(root, DESCRIBE_DEPTH))
    return queries


def describe(graph: Graph | Engine, iri: str | URIRef) -> Description:
    """Everything about ``iri``: as subject (with blank nodes), as object, and its evidence.

    Evidence is every ``oa:Annotation`` whose body is ``iri``, with its target and selectors.
    The answer is an rdflib Graph that also displays readably (a text ``repr``, an HTML
    table in a notebook); it is empty if the graph says nothing about ``iri`` (see
    :func:`kzeu_graph.sparql.search.suggest_for_iri` for what may have been meant).

    ``graph`` is an rdflib Graph or any engine. On Oxigraph or an endpoint it is a few
    CONSTRUCT queries run on the store (nothing is copied out of it), which follow blank
    nodes ``DESCRIBE_DEPTH`` deep (rdflib: any depth).
    """
    node = iri if isinstance(iri, URIRef) else expand_iri(iri)
    if not isinstance(graph, Graph):
        from kzeu_graph.engines.rdflib_engine import RdflibEngine

        if isinstance(graph, RdflibEngine):
            graph = graph.graph
        else:
            from kzeu_graph.rdf.terms import Term

            described = Description(node)
            bound = {"node": Term.iri(str(node))}
            for text in _describe_queries():
                for triple in construct_triples(graph, text, bound):
                    described.add(triple)
            return described
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
