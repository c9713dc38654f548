"""The guard: a SPARQL text is made canonical, parsed by rdflib and its algebra checked
(no update, no FROM, no SERVICE) before any engine runs it; then run with ``initBindings``."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pyparsing import ParseBaseException
from rdflib import Graph
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.processor import prepareUpdate
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from kzeu_graph.errors import KzeuError, QueryError
from kzeu_graph.query.results import Result
from kzeu_graph.query.text import canonical_query, check_query_text
from kzeu_graph.rdf.namespaces import PREFIXES, forbid_sparql_loading

__all__ = ["CheckedQuery", "execute_prepared", "guard", "prepare"]


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
    :func:`kzeu_graph.query.text.canonical_query`), so that rdflib, which checks it, and
    Oxigraph or a remote server, which run it, read the same characters. Refused: updates,
    FROM / FROM NAMED, and SERVICE (``allowed_services`` lists the only endpoint IRIs one
    SERVICE may call, and then the word may occur nowhere else; default: none). Engines that
    run text rather than this parse also refuse the word SERVICE anywhere in it
    (:func:`kzeu_graph.query.text.check_query_text`).
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
    forbid_sparql_loading()  # FROM <...> and LOAD must never fetch or read anything
    try:
        raw = graph.query(prepared, initBindings=dict(bindings or {}))  # type: ignore[arg-type]
        return Result.from_rdflib(raw)
    except KzeuError:
        raise
    except RecursionError:
        raise QueryError("query evaluation nested too deeply") from None
    except Exception as exc:
        raise QueryError(f"query failed: {type(exc).__name__}: {exc}") from None


# ------------------------------------------------------------------ the algebra

ALLOWED_QUERY_TYPES = frozenset({"SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"})


def _children(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):  # CompValue and Expr are OrderedDicts
        yield from dict.values(node)
    elif isinstance(node, list | tuple | set | frozenset) or (
        hasattr(node, "as_list") and not isinstance(node, str)
    ):
        yield from node


# The regular expression rdflib's evaluator applies to a SERVICE pattern's source text to
# find the URL it will call (rdflib.plugins.sparql.evaluate.evalServiceQuery).
_RDFLIB_SERVICE_CALL = re.compile(r"^service <(.*)>[ \n]*{(.*)}[ \n]*$", re.DOTALL | re.IGNORECASE)
_SERVICE_FORM = "write SERVICE <endpoint> { ... } (one space, a full IRI, no SILENT)"


def _check_service(node: Any, allowed: Collection[str]) -> None:
    """Refuse a SERVICE pattern unless rdflib will call exactly its IRI, which is allowed.

    rdflib does not call the parsed IRI: it re-reads the first ``SERVICE <...> {...}`` text
    of the query, and makes no call at all (returning no rows) when that text is not
    exactly ``SERVICE <IRI> {`` (``SERVICE SILENT``, a prefixed name, another space). So
    the text it will read must be this pattern's, with this IRI.
    """
    from rdflib import URIRef

    term = node.get("term")
    if not allowed:
        raise QueryError("SERVICE is refused: queries may not call remote endpoints")
    if not isinstance(term, URIRef) or str(term) not in allowed:
        shown = term.n3() if hasattr(term, "n3") else repr(term)
        raise QueryError(f"SERVICE {shown} is refused: it is not on the server's allow-list")
    match = _RDFLIB_SERVICE_CALL.match(str(node.get("service_string") or ""))
    if match is None or ":" not in match.group(1):  # SILENT, a prefixed name, a relative IRI
        raise QueryError(f"SERVICE <{term}> is refused in this form: {_SERVICE_FORM}")
    if match.group(1) != str(term):
        raise QueryError(
            "SERVICE is refused: the query text holds another SERVICE call "
            "(in a comment or string?) that rdflib would make instead"
        )


def check_query_algebra(prepared: Query, allowed_services: Collection[str] = ()) -> int:
    """Refuse updates, anything but SELECT/ASK/CONSTRUCT/DESCRIBE, FROM / FROM NAMED, and
    SERVICE (except one call to an endpoint of ``allowed_services``, default: none).

    Walks the whole translated algebra (subqueries and EXISTS included) without recursion.
    Returns how many SERVICE patterns the query has (0, or 1 when some are allowed).
    """
    from rdflib.plugins.sparql.parserutils import CompValue

    algebra = getattr(prepared, "algebra", None)
    if not isinstance(algebra, CompValue) or algebra.name not in ALLOWED_QUERY_TYPES:
        kind = getattr(algebra, "name", type(prepared).__name__)
        raise QueryError(
            f"only SELECT, ASK, CONSTRUCT and DESCRIBE queries are allowed, not {kind}"
        )
    if algebra.get("datasetClause"):
        raise QueryError(
            "FROM and FROM NAMED are refused: queries run on one default graph "
            "and never load graphs"
        )
    services = 0
    seen: set[int] = set()
    stack: list[Any] = [algebra]
    while stack:
        node = stack.pop()
        if id(node) in seen or isinstance(node, str | int | float | bool) or node is None:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            _check_service(node, allowed_services)
            services += 1
            if services > 1:
                raise QueryError("SERVICE is refused more than once per query: call one endpoint")
        stack.extend(_children(node))
    return services
