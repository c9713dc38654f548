"""Running SPARQL: SERVICE and updates refused from the algebra, errors typed, describe."""

from __future__ import annotations

import contextlib

import pytest
from rdflib import Graph, URIRef

from kzeu_graph.errors import ParameterError, QueryError
from kzeu_graph.query.guard import prepare
from kzeu_graph.rdf.namespaces import OA
from kzeu_graph.sparql.run import describe, run_query, run_showcase, run_sparql
from paths import FIXTURE_QUERIES

KZR = "https://w3id.org/kzeu/id/"

SERVICE_QUERIES = {
    "plain": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "lower-case": "select * where { service <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "mixed-case": "SELECT * WHERE { SeRvIcE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "silent": "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "comment-between": "SELECT * WHERE { SERVICE#x\n<http://127.0.0.1:9/> { ?s ?p ?o } }",
    "tab-and-newlines": "SELECT * WHERE {\n\tSERVICE\n\n\t<http://127.0.0.1:9/> { ?s ?p ?o } }",
    "prefixed-name": "PREFIX e: <http://127.0.0.1:9/>\nSELECT * WHERE { SERVICE e:sparql { ?s ?p ?o } }",
    "variable": "SELECT * WHERE { VALUES ?e { <http://127.0.0.1:9/> } SERVICE ?e { ?s ?p ?o } }",
    "file": "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
    "in-optional": "SELECT * WHERE { ?s ?p ?o OPTIONAL { SERVICE <http://127.0.0.1:9/> { ?s ?q ?r } } }",
    "in-union": "SELECT * WHERE { { ?s ?p ?o } UNION { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "in-minus": "SELECT * WHERE { ?s ?p ?o MINUS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "in-subquery": "SELECT * WHERE { { SELECT ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } } }",
    "in-exists": "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "in-not-exists-bind": (
        "SELECT * WHERE { ?s ?p ?o BIND (NOT EXISTS { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
        " AS ?x) }"
    ),
    "in-graph": "SELECT * WHERE { GRAPH ?g { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } } }",
    "in-construct": "CONSTRUCT { ?s ?p ?o } WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "in-ask": "ASK { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "in-describe": "DESCRIBE ?s WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }",
    "after-a-string": (
        'SELECT * WHERE { BIND ("SERVICE <http://example.org/>" AS ?x) '
        "SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"
    ),
}


@pytest.mark.parametrize("case", sorted(SERVICE_QUERIES))
def test_service_is_refused(mini_graph: Graph, case: str) -> None:
    with pytest.raises(QueryError, match="SERVICE is refused"):
        run_sparql(mini_graph, SERVICE_QUERIES[case])


NOT_SERVICE = {
    "in-a-string": 'SELECT ?x WHERE { BIND ("SERVICE <http://127.0.0.1:9/> { ?s ?p ?o }" AS ?x) }',
    "in-a-comment": "SELECT ?x WHERE { BIND (1 AS ?x) } # SERVICE <http://127.0.0.1:9/> { }",
    "in-an-iri": "SELECT ?x WHERE { BIND (<http://example.org/SERVICE> AS ?x) }",
    "as-a-variable": "SELECT ?x WHERE { BIND (1 AS ?service) BIND (?service AS ?x) }",
}


@pytest.mark.parametrize("case", sorted(NOT_SERVICE))
def test_the_word_service_alone_is_not_refused(mini_graph: Graph, case: str) -> None:
    result = run_sparql(mini_graph, NOT_SERVICE[case])
    assert len(result.rows) == 1  # and the network guard saw nothing


UPDATES = [
    'INSERT DATA { <urn:x:a> <urn:x:b> "c" }',
    "DELETE WHERE { ?s ?p ?o }",
    "DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
    "LOAD <http://127.0.0.1:9/data.ttl>",
    "LOAD <file:///etc/passwd>",
    "CLEAR ALL",
    "DROP GRAPH <urn:x:g>",
    "CREATE GRAPH <urn:x:g>",
    "PREFIX ex: <urn:x:>\nINSERT DATA { ex:a ex:b ex:c }",
]


@pytest.mark.parametrize("update", UPDATES)
def test_updates_are_refused(mini_graph: Graph, update: str) -> None:
    before = len(mini_graph)
    with pytest.raises(QueryError, match="updates are refused"):
        run_sparql(mini_graph, update)
    assert len(mini_graph) == before


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("SELECT * WHERE { ?s ?p }", "line 1"),
        ("SELECT *\nWHERE {\n  ?s ?p ?o .\n  FILTER (?o = )\n}", "line 4"),
        ("SELEC * WHERE { ?s ?p ?o }", "line 1, column 1"),
        ("", "line 1"),
    ],
)
def test_malformed_sparql_is_a_one_line_query_error(
    mini_graph: Graph, text: str, where: str
) -> None:
    with pytest.raises(QueryError, match=f"malformed SPARQL at {where}") as caught:
        run_sparql(mini_graph, text)
    assert "\n" not in str(caught.value)


def test_deeply_nested_query_is_a_query_error(mini_graph: Graph) -> None:
    text = "SELECT * WHERE " + "{ " * 200 + "?s ?p ?o" + " }" * 200
    with pytest.raises(QueryError, match="nested too deeply"):
        run_sparql(mini_graph, text)


def test_from_does_not_fetch(mini_graph: Graph) -> None:
    text = "SELECT * FROM <http://127.0.0.1:9/remote.ttl> WHERE { ?s ?p ?o } LIMIT 1"
    # refusing is fine; fetching is not (the network guard would fail the test)
    with contextlib.suppress(QueryError):
        run_sparql(mini_graph, text)


def test_prepared_queries_are_cached() -> None:
    text = "SELECT * WHERE { ?s ?p ?o } LIMIT 1"
    assert prepare(text) is prepare(text)


def test_project_prefixes_are_predeclared(mini_graph: Graph) -> None:
    result = run_sparql(mini_graph, "SELECT ?s WHERE { ?s a kzeu:Statement } ORDER BY ?s")
    assert [r["s"] for r in result.to_python()] == [KZR + "statement-1", KZR + "statement-2"]


def test_run_query_with_default_and_given_parameters(mini_graph: Graph) -> None:
    default = run_query(mini_graph, "statements-by-person", directory=FIXTURE_QUERIES)
    assert default.to_python() == [
        {
            "statement": KZR + "statement-1",
            "text": "Alice Example said the partners will cooperate on energy.",
        }
    ]
    bob = run_query(
        mini_graph, "statements-by-person", {"person": KZR + "bob"}, directory=FIXTURE_QUERIES
    )
    assert bob.to_python() == [{"statement": KZR + "statement-2", "text": "Bob Sample agreed."}]


def test_run_query_unknown_name(mini_graph: Graph) -> None:
    with pytest.raises(ParameterError, match="unknown query 'nope'"):
        run_query(mini_graph, "nope", directory=FIXTURE_QUERIES)


def test_showcase_runs_the_tagged_queries_in_name_order(mini_graph: Graph) -> None:
    ran = run_showcase(mini_graph, FIXTURE_QUERIES)
    assert [saved.name for saved, _ in ran] == [
        "has-statements",
        "statements-by-label",
        "statements-by-person",
    ]
    assert ran[0][1].kind == "ask"
    assert ran[0][1].boolean is True


def test_describe_gives_subject_object_and_evidence(mini_graph: Graph) -> None:
    found = describe(mini_graph, "kzr:statement-1")
    statement = URIRef(KZR + "statement-1")
    assert set(found.predicate_objects(statement)) == set(mini_graph.predicate_objects(statement))
    assert (URIRef(KZR + "evidence-1"), OA.hasBody, statement) in found
    assert (URIRef(KZR + "sentence-1"), OA.hasSource, URIRef(KZR + "article")) in found
    exact = found.value(URIRef(KZR + "sentence-1-quote"), OA.exact)
    assert str(exact) == "Alice Example said the partners will cooperate on energy."
    assert found.value(URIRef(KZR + "sentence-1-position"), OA.start) is not None
    assert not list(found.triples((URIRef(KZR + "statement-2"), None, None)))


def test_describe_as_object(mini_graph: Graph) -> None:
    found = describe(mini_graph, f"<{KZR}alice>")
    assert (URIRef(KZR + "statement-1"), None, URIRef(KZR + "alice")) in found


@pytest.mark.parametrize("iri", ["not an iri", "<>", "kzr:a b"])
def test_describe_refuses_bad_iris(mini_graph: Graph, iri: str) -> None:
    with pytest.raises(ParameterError, match="not an absolute IRI"):
        describe(mini_graph, iri)
