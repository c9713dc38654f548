"""No parameter of a saved query can change what the query does.

Every payload goes through every parameter of every shipped query: it is either
refused as a parameter error (IRIs with forbidden characters) or bound as an
inert term that matches nothing; the network guard in conftest fails the test on
any outbound connection (a SERVICE clause that got through would make one).

Every test runs on every engine: rdflib binds with initBindings, the others get the
value written into the query text by the strict term serializer (kzeu_graph.rdf.terms).
Oxigraph's own HTTP client is out of the guard's sight (it is not Python), so for
Oxigraph the proof is the exact rows: a payload that escaped its term would change them.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kzeu_graph.engines import Engine, open_engine
from kzeu_graph.errors import ParameterError
from kzeu_graph.sparql.catalog import list_queries
from kzeu_graph.sparql.run import run_saved
from payloads import PAYLOADS
from test_stores import store_spec

CASES = [
    (query.name, parameter.name, parameter.kind, payload)
    for query in list_queries()
    for parameter in query.parameters
    for payload in PAYLOADS
]


@pytest.fixture(scope="module", params=["memory", "oxigraph:memory", "oxigraph-server", "virtuoso"])
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    opened = open_engine(store_spec(request, request.param))
    yield opened
    opened.close()


def test_every_parameterised_query_is_covered() -> None:
    covered = {(name, parameter) for name, parameter, _, _ in CASES}
    assert covered == {
        ("entity", "entity"),
        ("statements-by-person", "person"),
        ("events-by-status", "status"),
        ("figures-by-measure", "measure"),
    }
    assert len(PAYLOADS) >= 10


BASE = {"iri": "https://w3id.org/kzeu/id/european-union"}


@pytest.mark.parametrize(("name", "parameter"), sorted({(n, p) for n, p, _, _ in CASES}))
def test_control_the_unpoisoned_value_matches(engine: Engine, name: str, parameter: str) -> None:
    """Without a payload the same call does find rows, so "no rows" below means something."""
    values = {
        "entity": "kzr:european-union",
        "person": "kzr:roman-vassilenko",
        "status": "kzv:expected",
        "measure": "kzv:trade",
    }
    assert run_saved(engine, name, {parameter: values[parameter]}).rows


def poisoned(kind: str, payload: str) -> str:
    return BASE[kind] + payload if kind == "iri" else payload


@pytest.mark.parametrize(("name", "parameter", "kind", "payload"), CASES)
def test_payload_is_refused_or_inert(
    engine: Engine, name: str, parameter: str, kind: str, payload: str
) -> None:
    value = poisoned(kind, payload)
    refused = False
    try:
        rows = run_saved(engine, name, {parameter: value}).rows
    except ParameterError as exc:
        refused, message = True, str(exc)
    if refused:
        assert "needs an absolute IRI" in message
    else:
        # a legal but unknown IRI (e.g. with a "?query" part) names nothing in the graph
        assert rows == []
