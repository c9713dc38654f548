"""Result serialisations, exactly as the SPARQL 1.1 JSON, CSV and TSV formats say."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef

from kzeu_graph.errors import KzeuError
from kzeu_graph.query.results import Result, term_to_python, turtle_term
from kzeu_graph.sparql.run import run_sparql

SELECT = """PREFIX ex: <http://example.org/>
SELECT ?s ?name ?count ?note WHERE {
  ?s ex:name ?name
  OPTIONAL { ?s ex:count ?count }
  OPTIONAL { ?s ex:note ?note }
} ORDER BY ?s"""

NOTE = 'comma, "quote"\tand tab\nnewline'
XSD_INTEGER = "http://www.w3.org/2001/XMLSchema#integer"

EXPECTED_JSON = {
    "head": {"vars": ["s", "name", "count", "note"]},
    "results": {
        "bindings": [
            {
                "s": {"type": "uri", "value": "http://example.org/a"},
                "name": {"type": "literal", "value": "Alpha", "xml:lang": "en"},
                "count": {"type": "literal", "value": "3", "datatype": XSD_INTEGER},
                "note": {"type": "literal", "value": NOTE},
            },
            {
                "s": {"type": "uri", "value": "http://example.org/b"},
                "name": {"type": "literal", "value": "Beta"},
            },
        ]
    },
}

EXPECTED_CSV = (
    "s,name,count,note\r\n"
    'http://example.org/a,Alpha,3,"comma, ""quote""\tand tab\nnewline"\r\n'
    "http://example.org/b,Beta,,\r\n"
)

EXPECTED_TSV = (
    "?s\t?name\t?count\t?note\n"
    '<http://example.org/a>\t"Alpha"@en\t"3"^^<http://www.w3.org/2001/XMLSchema#integer>\t'
    '"comma, \\"quote\\"\\tand tab\\nnewline"\n'
    '<http://example.org/b>\t"Beta"\t\t\n'
)


@pytest.fixture(scope="module")
def result(tiny_graph: Graph) -> Result:
    return run_sparql(tiny_graph, SELECT)


def test_json(result: Result) -> None:
    text = result.serialize("json")
    assert json.loads(text) == EXPECTED_JSON
    assert text.endswith("\n")


def test_json_matches_rdflibs_serializer(tiny_graph: Graph, result: Result) -> None:
    theirs = tiny_graph.query(SELECT).serialize(format="json")
    assert theirs is not None
    assert json.loads(result.serialize("json")) == json.loads(theirs)


def test_csv(result: Result) -> None:
    assert result.serialize("csv") == EXPECTED_CSV


def test_tsv(result: Result) -> None:
    assert result.serialize("tsv") == EXPECTED_TSV


def test_to_python(result: Result) -> None:
    assert result.to_python() == [
        {"s": "http://example.org/a", "name": "Alpha", "count": 3, "note": NOTE},
        {"s": "http://example.org/b", "name": "Beta", "count": None, "note": None},
    ]


def test_to_dataframe(result: Result) -> None:
    pytest.importorskip("pandas")
    frame = result.to_dataframe()
    assert list(frame.columns) == ["s", "name", "count", "note"]
    assert frame["name"].tolist() == ["Alpha", "Beta"]


def test_ask(tiny_graph: Graph) -> None:
    yes = run_sparql(tiny_graph, "ASK { ?s ?p ?o }")
    no = run_sparql(tiny_graph, "ASK { ?s <urn:x:none> ?o }")
    assert (yes.kind, yes.boolean, no.boolean) == ("ask", True, False)
    assert json.loads(yes.serialize("json")) == {"head": {}, "boolean": True}
    assert no.serialize("csv") == "boolean\r\nfalse\r\n"
    assert yes.serialize("tsv") == "?boolean\ntrue\n"
    assert yes.to_python() == [{"boolean": True}]


def test_construct_gives_a_graph_result(tiny_graph: Graph) -> None:
    result = run_sparql(
        tiny_graph,
        "PREFIX ex: <http://example.org/>\nCONSTRUCT { ?s ex:label ?n } WHERE { ?s ex:name ?n }",
    )
    assert result.kind == "graph"
    assert result.graph is not None
    assert len(result.graph) == 2
    assert result.variables == ["subject", "predicate", "object"]
    assert result.to_python()[0] == {
        "subject": "http://example.org/a",
        "predicate": "http://example.org/label",
        "object": "Alpha",
    }


def test_unknown_format(result: Result) -> None:
    with pytest.raises(KzeuError, match="unknown result format 'yaml'"):
        result.serialize("yaml")


@pytest.mark.parametrize(
    ("term", "expected"),
    [
        (URIRef("http://example.org/a"), "http://example.org/a"),
        (Literal("2023-03-10", datatype=URIRef("http://www.w3.org/2001/XMLSchema#date")), None),
        (
            Literal("27.6", datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal")),
            Decimal("27.6"),
        ),
        (Literal("x", datatype=URIRef(XSD_INTEGER)), "x"),  # ill-typed: its lexical form
        (None, None),
    ],
)
def test_term_to_python(term: URIRef | Literal | None, expected: object) -> None:
    value = term_to_python(term)
    if expected is None and term is not None:
        assert str(value) == "2023-03-10"
    else:
        assert value == expected


def test_turtle_term_escapes() -> None:
    assert turtle_term(Literal('a\\b"\r')) == '"a\\\\b\\"\\r"'
    assert turtle_term(None) == ""
