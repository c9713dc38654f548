"""The server's graph side, in-process: formats, limits, refusals, pages, OpenAPI, service description.

The same QueryService runs inside each worker process of ``kzeu-graph serve``; here it runs
in the test process, so these tests need no server (tests/test_server.py drives a real one).
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, VOID, XSD
from rdflib.query import Result as RdflibResult

from kzeu_graph.errors import QueryError
from kzeu_graph.loading.graph import parse_file
from kzeu_graph.query.guard import prepare
from kzeu_graph.query.results import Result
from kzeu_graph.rdf.namespaces import KZR, KZV
from kzeu_graph.serve.openapi import openapi_document
from kzeu_graph.serve.pages import Span, highlighted, source_text
from kzeu_graph.serve.workers import (
    DATASET_IRI,
    ONTOLOGY_IRI,
    DocumentJob,
    QueryService,
    SavedQueryJob,
    SparqlJob,
    WorkerConfig,
    service_description,
)
from kzeu_graph.sparql.catalog import list_queries
from paths import ARTICLE_TEXT, DATA, ONTOLOGY, QUERIES_DIR

pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
ARTICLE = ARTICLE_TEXT.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def service() -> QueryService:
    return QueryService(WorkerConfig(max_rows=50))


def graph_of(body: bytes, fmt: str) -> Graph:
    return Graph().parse(data=body.decode("utf-8"), format=fmt)


# ------------------------------------------------------------------ results


def test_select_in_every_results_format(service: QueryService) -> None:
    query = "SELECT ?label WHERE { kzr:european-union rdfs:label ?label }"
    replies = {
        media: service.handle(SparqlJob(query, media))
        for media in ("application/sparql-results+json", "text/csv", "text/tab-separated-values")
    }
    assert json.loads(replies["application/sparql-results+json"].body) == {
        "head": {"vars": ["label"]},
        "results": {
            "bindings": [
                {"label": {"type": "literal", "value": "European Union", "xml:lang": "en"}}
            ]
        },
    }
    assert replies["text/csv"].body == b"label\r\nEuropean Union\r\n"
    assert replies["text/csv"].media_type == "text/csv; charset=utf-8"
    assert replies["text/tab-separated-values"].body == b'?label\n"European Union"@en\n'


def test_xml_results_parse_back_to_the_same_terms(service: QueryService) -> None:
    result = Result(
        kind="select",
        variables=["a", "b"],
        rows=[
            {"a": URIRef("https://w3id.org/kzeu/id/x"), "b": None},
            {"a": None, "b": Literal("x < y & z", lang="en")},
            {"a": Literal("7", datatype=XSD.integer), "b": Literal("plain")},
            # values Python finds false, which rdflib's own XML serializer writes empty
            {"a": Literal("0", datatype=XSD.integer), "b": Literal("false", datatype=XSD.boolean)},
            {"a": Literal("0.0", datatype=XSD.decimal), "b": Literal("")},
        ],
    )
    body = service.serialize_result(result, "xml")
    assert body.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    parsed = RdflibResult.parse(io.BytesIO(body), format="xml")
    assert [str(v) for v in parsed.vars or []] == ["a", "b"]
    assert [tuple(row) for row in parsed] == [  # type: ignore[arg-type]
        (URIRef("https://w3id.org/kzeu/id/x"), None),
        (None, Literal("x < y & z", lang="en")),
        (Literal("7", datatype=XSD.integer), Literal("plain")),
        (Literal("0", datatype=XSD.integer), Literal("false", datatype=XSD.boolean)),
        (Literal("0", datatype=XSD.decimal), Literal("")),  # 0.0 in its canonical form
    ]
    control = service.handle(
        SparqlJob('SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }', "application/sparql-results+xml")
    )
    assert (control.status, control.error) == (
        406,
        "the result holds characters XML 1.0 cannot carry; ask for SPARQL JSON",
    )
    ask = service.serialize_result(Result(kind="ask", boolean=False), "xml")
    assert RdflibResult.parse(io.BytesIO(ask), format="xml").askAnswer is False


def test_construct_is_negotiated_among_rdf_formats(service: QueryService) -> None:
    query = "CONSTRUCT WHERE { kzr:european-union skos:exactMatch ?o }"
    nt = service.handle(SparqlJob(query, "application/n-triples"))
    assert nt.media_type == "application/n-triples"
    assert nt.body.decode().strip() == (
        "<https://w3id.org/kzeu/id/european-union> <http://www.w3.org/2004/02/skos/core#exactMatch>"
        " <http://www.wikidata.org/entity/Q458> ."
    )
    expected = {(KZR["european-union"], URIRef("http://www.w3.org/2004/02/skos/core#exactMatch"),
                 URIRef("http://www.wikidata.org/entity/Q458"))}  # fmt: skip
    for media, fmt in (
        ("text/turtle", "turtle"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ):
        reply = service.handle(SparqlJob(query, media))
        assert reply.status == 200
        assert set(graph_of(reply.body, fmt)) == expected
    refused = service.handle(SparqlJob(query, "application/sparql-results+json"))
    assert (refused.status, refused.error) == (
        406,
        "no acceptable format; this query gives: text/turtle, application/n-triples, "
        "application/ld+json, application/rdf+xml",
    )


def test_row_limit_stops_select_and_construct(service: QueryService) -> None:
    message = (
        "the result has more than 50 rows, the server's limit; narrow the query or add a LIMIT"
    )
    too_many = service.handle(SparqlJob("SELECT * WHERE { ?s ?p ?o }", None))
    assert (too_many.status, too_many.error) == (422, message)
    cross = service.handle(SparqlJob("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", None))
    assert (cross.status, cross.error) == (422, message)
    graph = service.handle(SparqlJob("CONSTRUCT WHERE { ?s ?p ?o }", None))
    assert (graph.status, graph.error) == (422, message)
    assert service.handle(SparqlJob("SELECT * WHERE { ?s ?p ?o } LIMIT 50", None)).status == 200


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * FROM <http://example.org/g> WHERE { ?s ?p ?o }",
        "SELECT * FROM NAMED <file:///etc/passwd> WHERE { ?s ?p ?o }",
    ],
)
def test_from_is_refused(service: QueryService, query: str) -> None:
    reply = service.handle(SparqlJob(query, None))
    assert (reply.status, reply.error) == (
        400,
        "FROM and FROM NAMED are refused: queries run on one default graph and never load graphs",
    )


def test_saved_query_job_validates_like_the_cli(service: QueryService) -> None:
    reply = service.handle(
        SavedQueryJob("events-by-status", (("status", "kzv:expected"),), "text/csv")
    )
    # the two events the article calls expected, both "this year" (2023)
    assert reply.body.decode() == (
        "event,eventLabel,status,statusLabel,date\r\n"
        "https://w3id.org/kzeu/id/anniversary-30-diplomatic-relations,"
        "30th anniversary of the establishment of diplomatic relations,"
        "https://w3id.org/kzeu/vocab/expected,expected,2023\r\n"
        "https://w3id.org/kzeu/id/visit-ursula-von-der-leyen,"
        "Expected visit of Ursula von der Leyen,https://w3id.org/kzeu/vocab/expected,expected,2023\r\n"
    )
    twice = service.handle(
        SavedQueryJob("events-by-status", (("status", "a:b"), ("status", "c:d")), None)
    )
    assert (twice.status, twice.error) == (400, "parameter 'status' given twice")
    bad = service.handle(SavedQueryJob("entity", (("entity", "not an iri"),), None))
    assert bad.status == 400
    assert bad.error is not None
    assert bad.error.startswith("parameter 'entity' needs an absolute IRI")
    assert service.handle(SavedQueryJob("no-such-query", (), None)).status == 404


# ------------------------------------------------------------------ SERVICE allow-list


ALLOWED = frozenset({"http://127.0.0.1:9/sparql"})


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { SERVICE <http://127.0.0.1:8/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE ?endpoint { ?s ?p ?o } }",
        "SELECT * WHERE { SERVICE SILENT <http://127.0.0.1:8/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ?o FILTER EXISTS { SERVICE <http://127.0.0.1:8/x> { ?s ?p ?o } } }",
        "SELECT * WHERE { { SELECT * WHERE { SERVICE <http://127.0.0.1:8/x> { ?s ?p ?o } } } }",
        # rdflib would call the first SERVICE text in the query, here inside a string literal
        'SELECT * WHERE { ?s ?p "SERVICE <http://127.0.0.1:8/x> { ?a ?b ?c }" '
        "SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    ],
)
def test_service_outside_the_allow_list_is_refused(query: str) -> None:
    with pytest.raises(QueryError, match=r"^SERVICE"):
        prepare(query, ALLOWED)


def test_service_on_the_allow_list_is_accepted() -> None:
    prepare("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }", ALLOWED)
    with pytest.raises(QueryError, match=r"^SERVICE is refused: queries may not call remote"):
        prepare("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")


# ------------------------------------------------------------------ documents and pages


def test_unknown_iri_is_404(service: QueryService) -> None:
    reply = service.handle(DocumentJob(str(KZR["no-such-thing"]), "turtle"))
    assert (reply.status, reply.error) == (
        404,
        "nothing is known about <https://w3id.org/kzeu/id/no-such-thing>",
    )


def test_ontology_iri_gives_the_ontology_file(service: QueryService) -> None:
    reply = service.handle(DocumentJob(ONTOLOGY_IRI, "nt"))
    assert set(graph_of(reply.body, "nt")) == set(parse_file(ONTOLOGY))


def test_entity_page_highlights_the_supporting_sentence(service: QueryService) -> None:
    sentence = "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, reaching $40 billion."
    start = ARTICLE.index(sentence)
    reply = service.handle(DocumentJob(str(KZR["figure-eu-trade-volume-2022"]), "html"))
    page = reply.body.decode()
    assert reply.media_type == "text/html; charset=utf-8"
    assert "<h1>EU–Kazakhstan trade volume in 2022</h1>" in page
    assert f'<mark class="evidence">{sentence}</mark>' in page
    # and the attribution words its speaker rests on (issue 11)
    assert '<mark class="evidence">reported Vassilenko</mark>' in page
    assert page.count('<mark class="evidence">') == 2
    assert f"characters {start}–{start + len(sentence)} of" in page
    # every property, with links to the linked resources' own pages
    assert (
        '<a href="/id/kazakhstan" title="https://w3id.org/kzeu/id/kazakhstan">Kazakhstan</a>'
        in page
    )
    assert ">40000000000</span>" in page
    # incoming: the statement that reports the figure, and its annotation
    assert 'href="/id/statement-p4-s3"' in page
    assert 'href="/id/evidence-figure-eu-trade-volume-2022"' in page


HOSTILE = """
@prefix kzr: <https://w3id.org/kzeu/id/> .
@prefix kzeu: <https://w3id.org/kzeu/ontology#> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .

kzr:evil rdfs:label "<script>alert(1)</script>"@en ;
    rdfs:comment "\\" onmouseover=\\"alert(2)" ;
    schema:url <javascript:alert(3)> .
kzr:evil-source kzeu:textFile "../../../../etc/passwd" .
kzr:evil-span a oa:SpecificResource ; oa:hasSource kzr:evil-source ;
    oa:hasSelector kzr:evil-selector .
kzr:evil-selector oa:exact "<b>bold</b>" ; oa:start 0 ; oa:end 4 .
kzr:evil-annotation oa:hasBody kzr:evil ; oa:hasTarget kzr:evil-span .

kzr:fine-source kzeu:textFile "tiny.txt" .
kzr:fine-span a oa:SpecificResource ; oa:hasSource kzr:fine-source ;
    oa:hasSelector kzr:fine-selector .
kzr:fine-selector oa:exact "<world>" ; oa:start 6 ; oa:end 13 .
kzr:fine-annotation oa:hasBody kzr:evil ; oa:hasTarget kzr:fine-span .
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> QueryService:
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.ttl").write_text(HOSTILE, encoding="utf-8")
    (folder / "sources").mkdir()
    (folder / "sources" / "tiny.txt").write_text("Hello <world> & friends.", encoding="utf-8")
    return QueryService(WorkerConfig(data=(str(folder / "hostile.ttl"),)))


def test_page_escapes_everything_from_the_data(hostile: QueryService) -> None:
    page = hostile.handle(DocumentJob(str(KZR["evil"]), "html")).body.decode()
    assert "<script>alert(1)</script>" not in page
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page
    assert '" onmouseover="' not in page
    assert "&quot; onmouseover=&quot;alert(2)" in page
    assert "javascript:" not in page.lower().replace(
        '<span class="iri" title="javascript:alert(3)">javascript:alert(3)</span>', ""
    )
    assert '<span class="iri" title="javascript:alert(3)">javascript:alert(3)</span>' in page
    assert "<b>bold</b>" not in page
    # a source file name with a path is never opened
    assert "root:" not in page
    assert "(source text not found)" in page
    assert 'Hello <mark class="evidence">&lt;world&gt;</mark> &amp; friends.' in page


def test_source_names_with_paths_are_refused(tmp_path: Path) -> None:
    (tmp_path / "inner").mkdir()
    (tmp_path / "secret.txt").write_text("secret")
    for name in ("../secret.txt", "/etc/passwd", "..", "a/b.txt", ".hidden"):
        assert source_text(name, [tmp_path / "inner"]) is None


def test_highlight_merges_overlaps_and_escapes() -> None:
    spans = [
        Span(1, 3, "", "f", KZR.t, KZR.f, True),
        Span(2, 5, "", "f", KZR.t, KZR.g, False),
    ]
    assert highlighted("a<cdef", spans) == (
        'a<mark class="evidence">&lt;c</mark><mark class="context">de</mark>f'
    )


def test_dataset_iri_adds_the_void_description(tmp_path: Path) -> None:
    shutil.copy(DATA, tmp_path / "kzeu.ttl")
    shutil.copytree(ARTICLE_TEXT.parent, tmp_path / "sources")
    (tmp_path / "void.ttl").write_text(
        "<https://w3id.org/kzeu/id/dataset> <http://rdfs.org/ns/void#triples> 123 .\n"
    )
    service = QueryService(WorkerConfig(data=(str(tmp_path / "kzeu.ttl"),)))
    assert DATASET_IRI in service.info()["known"]
    graph = graph_of(service.handle(DocumentJob(DATASET_IRI, "turtle")).body, "turtle")
    dataset = URIRef(DATASET_IRI)
    assert (dataset, VOID.triples, Literal(123)) in graph
    assert (dataset, RDF.type, URIRef("http://www.w3.org/ns/dcat#Dataset")) in graph


def test_known_iris_are_the_project_iris_without_fragments(service: QueryService) -> None:
    known = set(service.info()["known"])
    assert {str(KZR["european-union"]), str(KZV.expected), ONTOLOGY_IRI} <= known
    assert not [iri for iri in known if "#" in iri or not iri.startswith("https://w3id.org/kzeu/")]


# ------------------------------------------------------------------ description and API


def test_service_description_claims_only_what_the_server_does() -> None:
    plain = service_description("http://127.0.0.1:8000/sparql", 10, WorkerConfig())
    endpoint = URIRef("http://127.0.0.1:8000/sparql")
    assert (endpoint, SD.endpoint, endpoint) in plain
    assert set(plain.objects(endpoint, SD.supportedLanguage)) == {SD.SPARQL11Query}
    assert set(plain.objects(endpoint, SD.feature)) == set()
    assert set(plain.objects(endpoint, SD.defaultEntailmentRegime)) == {
        URIRef("http://www.w3.org/ns/entailment/Simple")
    }
    assert len(set(plain.objects(endpoint, SD.resultFormat))) == 8
    assert Literal(10, datatype=XSD.integer) in set(plain.objects(None, VOID.triples))
    federated = service_description(
        "http://x/sparql",
        1,
        WorkerConfig(inference="rdfs", allowed_services=frozenset({"http://127.0.0.1:9/sparql"})),
    )
    service = URIRef("http://x/sparql")
    assert set(federated.objects(service, SD.feature)) == {SD.BasicFederatedQuery}
    assert set(federated.objects(service, SD.defaultEntailmentRegime)) == set()
    (comment,) = federated.objects(service, RDFS.comment)
    assert "SERVICE is allowed only to: http://127.0.0.1:9/sparql" in str(comment)
    assert (None, DCTERMS.source, KZR.dataset) in federated


def validate_openapi(document: dict[str, object]) -> None:
    """openapi-spec-validator, in a child process: it reads its own schemas by file: URLs,
    which this suite's network guard refuses."""
    checked = subprocess.run(
        [sys.executable, "-c", "import json, sys\nfrom openapi_spec_validator import validate\n"
         "validate(json.load(sys.stdin))\nprint('valid')"],
        input=json.dumps(document), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert (checked.returncode, checked.stdout) == (0, "valid\n"), checked.stderr[-2000:]


def test_openapi_document_is_valid_and_lists_every_saved_query() -> None:
    document = openapi_document(list_queries(), "1.2.3")
    validate_openapi(document)
    assert sorted(document["paths"]) == sorted(f"/api/{p.stem}" for p in QUERIES_DIR.glob("*.rq"))
    (entity,) = document["paths"]["/api/entity"]["get"]["parameters"]
    assert entity["name"] == "entity"
    assert entity["required"] is False  # it has a default
    assert entity["schema"] == {
        "type": "string",
        "format": "iri",
        "default": "https://w3id.org/kzeu/id/european-union",
    }
    (status,) = document["paths"]["/api/events-by-status"]["get"]["parameters"]
    assert (status["required"], "default" in status["schema"]) == (False, False)


def test_the_openapi_check_rejects_an_invalid_document() -> None:
    with pytest.raises(AssertionError):
        validate_openapi({"openapi": "3.0.3", "info": {"title": "no version"}, "paths": {}})


def test_inference_option_serves_the_closure() -> None:
    ask = "ASK { kzr:figure-eu-trade-volume-2022 a schema:Observation }"  # kzeu:Figure ⊑ it
    plain = QueryService(WorkerConfig()).handle(SparqlJob(ask, None))
    closed = QueryService(WorkerConfig(inference="rdfs")).handle(SparqlJob(ask, None))
    assert json.loads(plain.body)["boolean"] is False
    assert json.loads(closed.body)["boolean"] is True
