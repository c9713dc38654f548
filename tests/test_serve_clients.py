"""Real SPARQL clients against ``kzeu-graph serve``: SPARQLWrapper and rdflib's SPARQLStore get
the same rows as the embedded API for every saved query, and so does the /api.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from rdflib import Graph
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, SPARQLWrapper

from kzeu_graph.loading.graph import load_graph
from kzeu_graph.query.writers import canonical as canonical_form
from kzeu_graph.rdf.terms import from_rdflib, to_rdflib
from kzeu_graph.sparql.catalog import SavedQuery, list_queries
from kzeu_graph.sparql.run import run_query, run_sparql
from serving import Server, running_server

pytestmark = pytest.mark.slow

SAVED = list_queries()
NAMES = [saved.name for saved in SAVED]
CASES: list[tuple[str, dict[str, str] | None]] = [(name, None) for name in NAMES]
# parameters other than the defaults
GIVEN: list[tuple[str, dict[str, str] | None]] = [
    ("events-by-status", {"status": "kzv:expected"}),
    ("entity", {"entity": "kzr:astana"}),
    ("figures-by-measure", {"measure": "kzv:growth"}),
    ("statements-by-person", {"person": "kzr:charles-michel"}),
]
# SPARQLStore sends initBindings as a trailing VALUES clause, which SPARQL joins after the
# WHERE pattern: a parameter used in a triple pattern gets the same rows as initBindings,
# one used only in a FILTER(!BOUND(...) || ...) does not (the FILTER has already run, with
# the variable unbound). For those, the client calls /api/NAME?param=..., tested below.
VALUES_SAFE = [case for case in GIVEN if case[0] in ("entity", "statements-by-person")]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server("--workers", "2") as running:
        yield running


@pytest.fixture(scope="module")
def graph() -> Graph:
    return load_graph()


def saved(name: str) -> SavedQuery:
    return next(s for s in SAVED if s.name == name)


def canonical(bindings: list[dict[str, Any]]) -> list[str]:
    """Rows as sorted JSON strings: the multiset, for unbound runs whose ORDER BY has ties."""
    return sorted(json.dumps(row, sort_keys=True) for row in bindings)


@pytest.mark.parametrize("name", NAMES)
def test_sparqlwrapper_gets_the_embedded_rows(server: Server, graph: Graph, name: str) -> None:
    query = saved(name)
    client = SPARQLWrapper(server.base + "/sparql")
    client.setQuery(query.text)  # parameters unbound: the query text as a client would send it
    client.setReturnFormat(JSON)
    got: Any = client.query().convert()
    expected = run_sparql(graph, query.text).to_json()
    assert got["head"] == expected["head"]
    assert canonical(got["results"]["bindings"]) == canonical(expected["results"]["bindings"])
    assert len(got["results"]["bindings"]) == len(expected["results"]["bindings"]) > 0


def test_sparqlwrapper_by_post_in_xml(server: Server, graph: Graph) -> None:
    client = SPARQLWrapper(server.base + "/sparql")
    client.setMethod(POST)
    client.setQuery(saved("figures").text)
    document: Any = client.query().convert()  # XML by default: a DOM document
    values = sorted(node.firstChild.data for node in document.getElementsByTagName("literal"))
    expected = sorted(
        canonical_form(from_rdflib(value)).value  # as the one writer writes it (10.0: 10)
        for row in run_query(graph, "figures").rows
        for value in row.values()
        if value is not None and not str(value).startswith("https://")
    )
    assert values == expected


def rdflib_rows(result: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in result]


def as_written(value: Any) -> Any:
    """A term as the server writes it: literals in their canonical form (query.writers)."""
    return None if value is None else to_rdflib(canonical_form(from_rdflib(value)))


@pytest.mark.parametrize(("name", "params"), CASES + VALUES_SAFE, ids=lambda v: str(v))
def test_sparqlstore_with_bindings_gets_the_embedded_rows(
    server: Server, graph: Graph, name: str, params: dict[str, str] | None
) -> None:
    query = saved(name)
    bindings = query.bind(params)
    store = Graph(store=SPARQLStore(server.base + "/sparql"))  # SPARQL XML results
    # SPARQLStore sends the bindings as a trailing VALUES clause
    initial: dict[str, Any] = {str(k): v for k, v in bindings.items()}
    got = store.query(query.text, initBindings=initial)
    expected = run_query(graph, query, params)
    assert [str(v) for v in got.vars or []] == expected.variables
    assert rdflib_rows(got) == [
        tuple(as_written(row.get(v)) for v in expected.variables) for row in expected.rows
    ]


@pytest.mark.parametrize(("name", "params"), CASES + GIVEN, ids=lambda v: str(v))
def test_api_gets_the_embedded_rows(
    server: Server, graph: Graph, name: str, params: dict[str, str] | None
) -> None:
    path = f"/api/{name}" + ("?" + urlencode(params) if params else "")
    reply = server.get(path, "application/sparql-results+json")
    assert reply.status == 200, reply.text
    assert reply.json() == run_query(graph, name, params).to_json()
