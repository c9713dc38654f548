"""Run saved and ad-hoc SPARQL safely (prepared once, algebra-checked, typed bindings only)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from pyparsing import ParseBaseException
from rdflib import BNode, Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.processor import prepareUpdate
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from kzeu_graph.errors import KzeuError, ParameterError, QueryError
from kzeu_graph.rdf.namespaces import OA, PREFIXES
from kzeu_graph.safety import (
    canonical_query,
    check_query_algebra,
    check_query_text,
    forbid_sparql_loading,
)
from kzeu_graph.sparql.catalog import (
    SavedQuery,
    expand_curie,
    get_query,
    is_valid_iri,
    list_queries,
)
from kzeu_graph.sparql.results import Description, Result

if TYPE_CHECKING:
    from kzeu_graph.engines import Engine
    from kzeu_graph.rdf.terms import Term

forbid_sparql_loading()  # FROM <...> and LOAD must never fetch or read anything

__all__ = [
    "DESCRIBE_DEPTH",
    "CheckedQuery",
    "closure_query",
    "construct_triples",
    "describe",
    "execute_prepared",
    "expand_iri",
    "guard",
    "prepare",
    "run_query",
    "run_showcase",
    "run_sparql",
]

SHOWCASE_TAG = "showcase"


_QUERY_FORMS = "SelectQuery | ConstructQuery"


def _expected(exc: ParseBaseException) -> str:
    """What the parser wanted at the error, in plain words."""
    element = str(getattr(exc, "parser_element", "") or "")
    if exc.msg == "Expected end of text":
        return (
            "unexpected text after the end of the query (an extra '}', or a clause such as "
            "LIMIT or ORDER BY with a bad value?)"
        )
    if _QUERY_FORMS in exc.msg:
        return (
            "expected the query to start with SELECT, ASK, CONSTRUCT or DESCRIBE "
            "(after any 'PREFIX name: <iri>' lines)"
        )
    if element == "'}'":
        return (
            "could not read the pattern that starts here: expected a whole triple "
            "(subject predicate object), a FILTER, OPTIONAL, BIND..., or '}' to close the block"
        )
    if element.startswith("'") and len(element) <= 20:
        return f"expected {element}"
    return exc.msg[:1].lower() + exc.msg[1:]


def _parse_error(exc: ParseBaseException) -> str:
    return f"line {exc.lineno}, column {exc.column}: {_expected(exc)}"


def _caret(exc: ParseBaseException) -> str:
    """The query line of the error, and a caret under its column."""
    number = str(exc.lineno)
    line = exc.line.rstrip("\n")
    under = "".join("\t" if c == "\t" else " " for c in line[: max(exc.column - 1, 0)])
    return f"  {number} | {line}\n  {' ' * len(number)} | {under}^"


def _unknown_prefix(exc: Exception) -> str | None:
    found = re.search(r"Unknown namespace prefix\s*:\s*(\S+)", str(exc))
    if found is None:
        return None
    known = ", ".join(PREFIXES)
    return (
        f"malformed SPARQL: unknown prefix '{found.group(1)}:'; declare it "
        f"(PREFIX {found.group(1)}: <...>) or use a predeclared one ({known})"
    )


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed :func:`guard`: the text every engine runs, and rdflib's parse of it."""

    text: str
    prepared: Query

    @property
    def form(self) -> str:
        """SELECT, ASK, CONSTRUCT or DESCRIBE."""
        return str(self.prepared.algebra.name).removesuffix("Query").upper()


@lru_cache(maxsize=128)
def guard(text: str, allowed_services: frozenset[str] = frozenset()) -> CheckedQuery:
    """Check a query once (cached by text); its ``text`` is what every engine must run.

    The text is made canonical first (escapes decoded, CR and CRLF made LF: see
    :func:`kzeu_graph.safety.canonical_query`), so that rdflib, which checks it, and
    Oxigraph or a remote server, which run it, read the same characters. Refused: updates,
    FROM / FROM NAMED, and SERVICE (``allowed_services`` lists the only endpoint IRIs one
    SERVICE may call, and then the word may occur nowhere else; default: none). Engines that
    run text rather than this parse also refuse the word SERVICE anywhere in it
    (:func:`kzeu_graph.safety.check_query_text`).
    """
    canonical = canonical_query(text)
    try:
        prepared = prepareQuery(canonical, initNs=dict(PREFIXES))
    except RecursionError:
        raise QueryError("query nested too deeply") from None
    except ParseBaseException as exc:
        if _is_update(canonical):
            raise QueryError(
                "SPARQL updates are refused: only SELECT, ASK, CONSTRUCT, DESCRIBE"
            ) from None
        raise QueryError(f"malformed SPARQL at {_parse_error(exc)}", _caret(exc)) from None
    except Exception as exc:
        message = _unknown_prefix(exc) or f"malformed SPARQL: {type(exc).__name__}: {exc}"
        raise QueryError(message) from None
    try:
        services = check_query_algebra(prepared, allowed_services)
    except RecursionError:
        raise QueryError("query nested too deeply") from None
    if services:  # rdflib re-reads the first SERVICE text: it must be the checked one
        check_query_text(canonical, services)
    return CheckedQuery(canonical, prepared)


def prepare(text: str, allowed_services: frozenset[str] = frozenset()) -> Query:
    """rdflib's parse of a query that passed :func:`guard` (cached by text)."""
    return guard(text, allowed_services).prepared


def _is_update(text: str) -> bool:
    """Whether ``text`` parses as a SPARQL update (parsing executes nothing)."""
    try:
        prepareUpdate(text, initNs=dict(PREFIXES))
    except Exception:
        return False
    return True


def execute_prepared(
    graph: Graph, prepared: Query, bindings: Mapping[str, Node] | None = None
) -> Result:
    """Run a query from :func:`prepare` on ``graph`` with ``initBindings`` ({name: term})."""
    try:
        raw = graph.query(prepared, initBindings=dict(bindings or {}))  # type: ignore[arg-type]
        return Result.from_rdflib(raw)
    except KzeuError:
        raise
    except RecursionError:
        raise QueryError("query evaluation nested too deeply") from None
    except Exception as exc:
        raise QueryError(f"query failed: {type(exc).__name__}: {exc}") from None


def run_sparql(graph: Graph, text: str) -> Result:
    """Run an ad-hoc read-only query (project prefixes predeclared)."""
    return execute_prepared(graph, prepare(text))


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
        from kzeu_graph.engines import run_saved

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

    ``graph`` is an rdflib Graph or an engine. On Oxigraph or an endpoint it is one
    few CONSTRUCT queries, which follow blank nodes ``DESCRIBE_DEPTH`` deep (rdflib: any
    depth).
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
