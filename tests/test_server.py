"""``kzeu-graph serve`` as a client sees it: SPARQL 1.1 Protocol, linked data, the API, and
an attacking request for every refusal and limit.

One server (a subprocess on a free loopback port, 2 workers, a 5-second time limit) serves
the module; a second, strict one (tight limits, CORS and a SERVICE allow-list) is started
for the options that change behaviour.
"""

from __future__ import annotations

import io
import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.query import Result as RdflibResult

from kzeu_graph.loading.graph import load_graph, parse_file
from kzeu_graph.rdf.namespaces import KZR, KZV
from kzeu_graph.sparql.run import describe
from paths import ARTICLE_TEXT, DATA_DIR, ONTOLOGY, QUERIES_DIR, ROOT
from serving import Reply, Server, recording_listener, running_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

EU = KZR["european-union"]
LABEL_QUERY = "SELECT ?label WHERE { kzr:european-union rdfs:label ?label }"
LABEL_JSON = {
    "head": {"vars": ["label"]},
    "results": {
        "bindings": [{"label": {"type": "literal", "value": "European Union", "xml:lang": "en"}}]
    },
}
CATASTROPHIC_REGEX = (
    'SELECT * WHERE { BIND(1 AS ?x) FILTER regex("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", '
    '"^(a+)+$") }'
)
TIMEOUT = "query stopped: it ran longer than the 5-second time limit\n"
OTHER_CLIENT = "127.0.0.2"  # another loopback address: another client to the server


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server("--workers", "2", "--timeout", "5") as running:
        yield running


def q(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


def one_line_error(reply: Reply) -> str:
    """The body of an error reply, checked to be one line with no traceback."""
    text = reply.text
    assert "Traceback" not in text
    assert 'File "' not in text
    assert text.endswith("\n"), text
    assert text.count("\n") == 1, text
    return text.rstrip("\n")


# ------------------------------------------------------------------ protocol


def test_get_post_form_and_post_query_give_the_same_results(server: Server) -> None:
    got = server.get(q(LABEL_QUERY))
    assert (got.status, got.media_type, got.headers["vary"]) == (
        200,
        "application/sparql-results+json",
        "Accept",
    )
    assert got.json() == LABEL_JSON
    assert server.post_form({"query": LABEL_QUERY}).json() == LABEL_JSON
    direct = server.request(
        "POST", "/sparql", LABEL_QUERY, {"Content-Type": "application/sparql-query"}
    )
    assert direct.json() == LABEL_JSON


@pytest.mark.parametrize(
    ("accept", "media_type", "body"),
    [
        (None, "application/sparql-results+json", None),
        ("text/csv", "text/csv", "label\r\nEuropean Union\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", '?label\n"European Union"@en\n'),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values", None),
        ("text/*;q=0.9, application/sparql-results+xml;q=0.1", "text/csv", None),
        ("*/*;q=0.1, application/sparql-results+json;q=0", "application/sparql-results+xml", None),
        ("application/json", "application/json", None),
        ("application/sparql-results+xml", "application/sparql-results+xml", None),
    ],
)
def test_select_results_by_content_negotiation(
    server: Server, accept: str | None, media_type: str, body: str | None
) -> None:
    reply = server.get(q(LABEL_QUERY), accept)
    assert (reply.status, reply.media_type) == (200, media_type)
    if body is not None:
        assert reply.text == body
    if media_type.endswith("xml"):
        parsed = RdflibResult.parse(io.BytesIO(reply.body), format="xml")
        assert [tuple(row) for row in parsed] == [(Literal("European Union", lang="en"),)]  # type: ignore[arg-type]


def test_ask_in_each_format(server: Server) -> None:
    ask = "ASK { kzr:european-union skos:exactMatch wd:Q458 }"
    assert server.get(q(ask)).json() == {"head": {}, "boolean": True}
    assert server.get(q(ask), "text/csv").text == "boolean\r\ntrue\r\n"
    xml = server.get(q(ask), "application/sparql-results+xml")
    assert RdflibResult.parse(io.BytesIO(xml.body), format="xml").askAnswer is True


def test_construct_and_describe_by_content_negotiation(server: Server) -> None:
    construct = "CONSTRUCT WHERE { kzr:european-union skos:exactMatch ?o }"
    triple = (EU, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q458"))
    for accept, fmt in (
        (None, "turtle"),
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ):
        reply = server.get(q(construct), accept)
        assert reply.status == 200, reply.text
        assert set(Graph().parse(data=reply.text, format=fmt)) == {triple}
    refused = server.get(q(construct), "text/csv")
    assert refused.status == 406
    assert one_line_error(refused).startswith("no acceptable format; this query gives: text/turtle")
    described = Graph().parse(data=server.get(q(f"DESCRIBE <{EU}>")).text, format="turtle")
    assert (EU, RDFS.label, Literal("European Union", lang="en")) in described


def test_no_acceptable_format_is_406(server: Server) -> None:
    reply = server.get(q(LABEL_QUERY), "image/png, text/turtle")
    assert reply.status == 406
    assert one_line_error(reply) == (
        "no acceptable format; this query gives: application/sparql-results+json, "
        "application/sparql-results+xml, text/csv, text/tab-separated-values, application/json, "
        "application/xml"
    )


def test_a_browser_gets_the_query_page(server: Server) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    for path in (q(LABEL_QUERY), "/sparql", "/"):
        page = server.get(path, browser)
        assert (page.status, page.media_type) == (200, "text/html")
        assert '<textarea id="query"' in page.text


def test_service_description_without_a_query(server: Server) -> None:
    reply = server.get("/sparql")
    assert (reply.status, reply.media_type) == (200, "text/turtle")
    graph = Graph().parse(data=reply.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = URIRef(server.base + "/sparql")
    assert (endpoint, URIRef(sd + "endpoint"), endpoint) in graph
    assert (endpoint, URIRef(sd + "supportedLanguage"), URIRef(sd + "SPARQL11Query")) in graph
    assert list(graph.objects(endpoint, URIRef(sd + "feature"))) == []  # no SERVICE allowed
    (triples,) = graph.objects(None, URIRef("http://rdfs.org/ns/void#triples"))
    assert triples == Literal(len(load_graph()))
    jsonld = server.get("/sparql", "application/ld+json")
    assert isomorphic(Graph().parse(data=jsonld.text, format="json-ld"), graph)


def test_a_bad_host_header_is_not_echoed(server: Server) -> None:
    reply = server.get("/sparql", headers={"Host": 'evil"><script>'})
    assert reply.status == 200
    assert "evil" not in reply.text
    assert "<script>" not in reply.text


@pytest.mark.parametrize(
    ("path", "message"),
    [
        (
            q(LABEL_QUERY) + "&default-graph-uri=http%3A%2F%2Fexample.org%2Fg",
            "default-graph-uri is not supported: this endpoint has one default graph and no "
            "named graphs",
        ),
        (
            q(LABEL_QUERY) + "&named-graph-uri=http%3A%2F%2Fexample.org%2Fg",
            "named-graph-uri is not supported: this endpoint has one default graph and no named "
            "graphs",
        ),
        (
            q("SELECT * FROM <http://127.0.0.1:9/g> WHERE { ?s ?p ?o }"),
            "FROM and FROM NAMED are refused: queries run on one default graph and never "
            "load graphs",
        ),
        ("/sparql?format=json", "no query: give query=... (the SPARQL query text)"),
        (
            q(LABEL_QUERY) + "&" + urlencode({"query": LABEL_QUERY}),
            "give exactly one query parameter",
        ),
        ("/sparql?query=%20", "the query is empty"),
    ],
)
def test_requests_the_endpoint_refuses_with_400(server: Server, path: str, message: str) -> None:
    reply = server.get(path)
    assert reply.status == 400
    assert one_line_error(reply) == message


def test_unsupported_content_types_are_415(server: Server) -> None:
    plain = server.request("POST", "/sparql", LABEL_QUERY, {"Content-Type": "text/plain"})
    assert plain.status == 415
    assert one_line_error(plain) == (
        "unsupported Content-Type 'text/plain': use application/x-www-form-urlencoded or "
        "application/sparql-query"
    )
    latin = server.request(
        "POST",
        "/sparql",
        LABEL_QUERY,
        {"Content-Type": "application/sparql-query; charset=latin-1"},
    )
    assert (latin.status, one_line_error(latin)) == (415, "the query must be UTF-8 (charset=utf-8)")
    bad_utf8 = server.request(
        "POST", "/sparql", b"SELECT \xff", {"Content-Type": "application/sparql-query"}
    )
    assert (bad_utf8.status, one_line_error(bad_utf8)) == (400, "the query is not valid UTF-8")


def test_other_methods_are_405(server: Server) -> None:
    reply = server.request("PUT", "/sparql", LABEL_QUERY)
    assert reply.status == 405
    assert set(reply.headers["allow"].split(", ")) == {"GET", "POST", "HEAD"}
    assert one_line_error(reply) == "method not allowed"


# ------------------------------------------------------------------ refusals (attacks)

READ_ONLY = "this endpoint is read-only: SPARQL Update (and LOAD) is refused"
UPDATE_REFUSED = "SPARQL updates are refused: only SELECT, ASK, CONSTRUCT, DESCRIBE"


def test_update_operations_are_refused(server: Server) -> None:
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 1 }"
    attempts = [
        server.request("POST", "/sparql", update, {"Content-Type": "application/sparql-update"}),
        server.request(
            "POST",
            "/sparql",
            urlencode({"update": update}),
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        server.get("/sparql?" + urlencode({"update": update})),
    ]
    for reply in attempts:
        assert (reply.status, one_line_error(reply)) == (403, READ_ONLY)
    for text in (
        update,
        "LOAD <http://127.0.0.1:9/data.ttl>",
        "DELETE WHERE { ?s ?p ?o }",
        "CLEAR ALL",
        "DROP DEFAULT",
    ):
        reply = server.post_form({"query": text})
        assert (reply.status, one_line_error(reply)) == (400, UPDATE_REFUSED)
    # and nothing changed
    count = server.get(q("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"), "text/csv")
    assert count.text == f"n\r\n{len(load_graph())}\r\n"


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE { ?s ?p }",
        "SELECT * WHERE { ?s ?p ?o ",
        "SELEKT * WHERE { ?s ?p ?o }",
        "SELECT * WHERE { ?s undeclared:p ?o }",
    ],
)
def test_malformed_queries_are_400_with_one_line(server: Server, query: str) -> None:
    reply = server.post_form({"query": query})
    assert reply.status == 400
    assert one_line_error(reply).startswith("malformed SPARQL")


def test_a_deeply_nested_query_is_400(server: Server) -> None:
    reply = server.post_form({"query": "SELECT * WHERE " + "{" * 200 + "}" * 200})
    assert (reply.status, one_line_error(reply)) == (400, "query nested too deeply")


def test_service_is_refused_and_no_connection_is_made(server: Server) -> None:
    with recording_listener() as (port, received):
        endpoint = f"http://127.0.0.1:{port}/sparql"
        for query in (
            f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ SERVICE SILENT <{endpoint}> {{ ?s ?p ?o }} }}",
            f"SELECT * WHERE {{ ?s ?p ?o FILTER EXISTS {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }} }}",
            f"SELECT * WHERE {{ BIND(<{endpoint}> AS ?e) SERVICE ?e {{ ?s ?p ?o }} }}",
            "SELECT * WHERE { SERVICE <file:///etc/passwd> { ?s ?p ?o } }",
        ):
            reply = server.post_form({"query": query})
            assert (reply.status, one_line_error(reply)) == (
                400,
                "SERVICE is refused: queries may not call remote endpoints",
            )
        time.sleep(0.5)
        assert received == []


def test_a_catastrophic_regex_is_stopped_and_others_are_served(server: Server) -> None:
    outcome: list[Reply] = []
    attack = threading.Thread(
        target=lambda: outcome.append(server.post_form({"query": CATASTROPHIC_REGEX}))
    )
    started = time.monotonic()
    attack.start()
    time.sleep(0.5)
    # while the attack runs, another client is served by the other worker
    assert server.get(q(LABEL_QUERY), source=OTHER_CLIENT).json() == LABEL_JSON
    # the attacker may not take the other worker too: a quick 503, not a wait
    asked = time.monotonic()
    second = server.post_form({"query": CATASTROPHIC_REGEX})
    assert (second.status, second.headers["retry-after"]) == (503, "1")
    assert one_line_error(second) == (
        "too many queries from this client at once: 1 running or waiting (the limit); "
        "retry when one has finished"
    )
    assert time.monotonic() - asked < 3  # held for the 1 s patience, not the time limit
    assert attack.is_alive()
    attack.join(60)
    (reply,) = outcome
    assert (reply.status, reply.text) == (503, TIMEOUT)
    assert 5 <= time.monotonic() - started < 30
    # the killed worker is replaced; both workers answer again
    for _ in range(4):
        assert server.get(q(LABEL_QUERY)).json() == LABEL_JSON


def test_a_huge_cross_product_hits_the_row_limit(server: Server) -> None:
    started = time.monotonic()
    reply = server.post_form({"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
    assert (reply.status, one_line_error(reply)) == (
        422,
        "the result has more than 10000 rows, the server's limit; narrow the query or add a LIMIT",
    )
    assert time.monotonic() - started < 5  # stopped at row 10001, not after 3e9 rows


def test_a_huge_cross_product_that_returns_one_row_hits_the_time_limit(server: Server) -> None:
    reply = server.post_form(
        {"query": "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"}
    )
    assert (reply.status, reply.text) == (503, TIMEOUT)
    assert server.get(q(LABEL_QUERY)).json() == LABEL_JSON


def test_a_10_mb_body_is_refused_before_it_is_read(server: Server) -> None:
    size = 10 * 1024 * 1024
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        f"Content-Length: {size}\r\n\r\n"
    ).encode()
    # only 64 KiB of the announced 10 MiB are ever sent: the answer comes anyway
    answer = server.raw(head + b"#" * 65536)
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b"request body of 10485760 bytes is over the 1048576-byte limit\n")


def test_a_chunked_body_is_cut_at_the_limit(server: Server) -> None:
    chunk = b"#" * 65536
    frames = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(40))  # 2.5 MiB
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n"
    )
    answer = server.raw(head + frames + b"0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b"request body is over the 1048576-byte limit\n")


TRAVERSALS = [
    "/static/../../etc/passwd",
    "/static/../../../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/..%2f..%2f..%2fetc%2fpasswd",
    "/static/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "/static/%252e%252e%252f%252e%252e%252fetc%252fpasswd",
    "/static/..%5c..%5c..%5cetc%5cpasswd",
    "/static//etc/passwd",
    "/static/%2fetc%2fpasswd",
    "/static/style.css%00../../etc/passwd",
    "/static/../server.py",
    "/static/..%2fserver.py",
    "/static/./style.css/../../workers.py",
    "/id/..%2f..%2f..%2fetc%2fpasswd",
    "/id/../../etc/passwd.ttl",
    "/api/..%2f..%2fetc%2fpasswd",
    "/api/..%2fqueries%2fentity",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_finds_nothing(server: Server, path: str) -> None:
    reply = server.get(path)
    assert reply.status == 404, (path, reply.status)
    assert b"root:" not in reply.body
    assert b"import" not in reply.body


def test_static_assets_are_served_and_local_only(server: Server) -> None:
    for name, media in (
        ("style.css", "text/css"),
        ("query.js", "text/javascript"),
        ("index.html", "text/html"),
    ):
        reply = server.get(f"/static/{name}")
        assert (reply.status, reply.media_type) == (200, media)
        # nothing is loaded from another host: no CDN, no web font, no remote script
        assert not re.search(rb"(src|href)\s*=\s*[\"']?(https?:)?//", reply.body)
        assert b"@import" not in reply.body
        assert b"url(" not in reply.body
        assert not re.search(rb"fetch\(\s*[\"'`]https?:", reply.body)


def test_security_headers_and_no_cors_by_default(server: Server) -> None:
    reply = server.get("/api", headers={"Origin": "https://evil.example"})
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["x-frame-options"] == "DENY"
    assert "script-src 'self'" in reply.headers["content-security-policy"]
    assert "access-control-allow-origin" not in reply.headers
    assert "server" not in reply.headers


# ------------------------------------------------------------------ linked data


@pytest.mark.parametrize(
    ("accept", "location"),
    [
        ("text/html,application/xhtml+xml,*/*;q=0.8", "/id/european-union.html"),
        ("text/turtle", "/id/european-union.ttl"),
        ("application/ld+json", "/id/european-union.jsonld"),
        ("application/n-triples", "/id/european-union.nt"),
        ("application/rdf+xml", "/id/european-union.rdf"),
        (None, "/id/european-union.ttl"),
        ("text/html;q=0.5, text/turtle;q=0.9", "/id/european-union.ttl"),
    ],
)
def test_entity_iris_redirect_303_by_accept(
    server: Server, accept: str | None, location: str
) -> None:
    reply = server.get("/id/european-union", accept)
    assert (reply.status, reply.headers["vary"]) == (303, "Accept")
    assert reply.headers["location"] == location


def test_unknown_entities_and_unacceptable_formats(server: Server) -> None:
    assert server.get("/id/no-such-thing").status == 404
    assert server.get("/id/no-such-thing.ttl").status == 404
    assert server.get("/elsewhere/european-union").status == 404
    refused = server.get("/id/european-union", "image/png")
    assert refused.status == 406
    assert one_line_error(refused) == (
        "no acceptable format; offered: text/turtle, application/ld+json, "
        "application/n-triples, application/rdf+xml, text/html"
    )


def test_entity_documents_hold_what_describe_gives(server: Server) -> None:
    expected = set(describe(load_graph(), EU))
    void = DATA_DIR / "void.ttl"  # the dataset's description names example resources
    if void.is_file():
        expected |= set(describe(parse_file(void), EU))
    for ext, fmt, media in (
        ("ttl", "turtle", "text/turtle"),
        ("nt", "nt", "application/n-triples"),
        ("jsonld", "json-ld", "application/ld+json"),
        ("rdf", "xml", "application/rdf+xml"),
    ):
        reply = server.get(f"/id/european-union.{ext}")
        assert (reply.status, reply.media_type) == (200, media)
        assert set(Graph().parse(data=reply.text, format=fmt)) == expected
    head = server.request("HEAD", "/id/european-union.ttl")
    assert (head.status, head.body) == (200, b"")


def test_entity_page_in_html(server: Server) -> None:
    sentence = "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, reaching $40 billion."
    start = ARTICLE_TEXT.read_text(encoding="utf-8").index(sentence)
    page = server.get("/id/figure-eu-trade-volume-2022.html")
    assert (page.status, page.media_type) == (200, "text/html")
    assert "<h1>EU–Kazakhstan trade volume in 2022</h1>" in page.text
    assert f'<mark class="evidence">{sentence}</mark>' in page.text
    assert f"characters {start}–{start + len(sentence)}" in page.text
    assert (
        '<link rel="alternate" type="text/turtle" href="/id/figure-eu-trade-volume-2022.ttl">'
        in page.text
    )


def test_ontology_vocabulary_and_dataset_iris(server: Server) -> None:
    assert server.get("/ontology", "text/html").headers["location"] == "/ontology.html"
    assert server.get("/ontology/0.1.0").headers["location"] == "/ontology.ttl"
    ontology = Graph().parse(data=server.get("/ontology.ttl").text, format="turtle")
    assert set(ontology) == set(parse_file(ONTOLOGY))
    assert 'id="Figure"' in server.get("/ontology.html").text
    expected = Graph().parse(data=server.get("/vocab/expected.ttl").text, format="turtle")
    assert (KZV.expected, SKOS.prefLabel, Literal("expected", lang="en")) in expected
    assert server.get("/vocab/").headers["location"] == "/vocab/index.ttl"
    dataset = Graph().parse(data=server.get("/id/dataset.ttl").text, format="turtle")
    assert (
        KZR.dataset,
        DCTERMS.license,
        URIRef("https://creativecommons.org/licenses/by/4.0/"),
    ) in dataset


# ------------------------------------------------------------------ the API


def test_api_index_and_openapi(server: Server) -> None:
    index = server.get("/api").json()
    names = [p.stem for p in sorted(QUERIES_DIR.glob("*.rq"))]
    assert [entry["name"] for entry in index["queries"]] == names
    entity = next(entry for entry in index["queries"] if entry["name"] == "entity")
    assert entity["parameters"] == [
        {
            "name": "entity",
            "kind": "iri",
            "required": True,
            "default": "https://w3id.org/kzeu/id/european-union",
        }
    ]
    assert entity["query"] == (QUERIES_DIR / "entity.rq").read_text(encoding="utf-8")
    document = server.get("/api/openapi.json").json()
    assert sorted(document["paths"]) == sorted(f"/api/{name}" for name in names)
    checked = subprocess.run(
        [sys.executable, "-c", "import json, sys\nfrom openapi_spec_validator import validate\n"
         "validate(json.load(sys.stdin))\nprint('valid')"],
        input=json.dumps(document), capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert checked.stdout == "valid\n", checked.stderr[-2000:]


def test_api_runs_a_saved_query_with_parameters(server: Server) -> None:
    reply = server.get("/api/events-by-status?status=kzv:expected", "text/csv")
    assert reply.status == 200
    rows = reply.text.splitlines()
    assert rows[0] == "event,eventLabel,status,statusLabel,date"
    assert [row.split(",")[0] for row in rows[1:]] == [
        "https://w3id.org/kzeu/id/anniversary-30-diplomatic-relations",
        "https://w3id.org/kzeu/id/visit-ursula-von-der-leyen",
    ]
    full = quote("https://w3id.org/kzeu/vocab/expected", safe="")
    assert server.get(f"/api/events-by-status?status={full}", "text/csv").text == reply.text


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        (
            "/api/events-by-status?bogus=1",
            400,
            "query 'events-by-status' has no parameter 'bogus' (parameters: status)",
        ),
        (
            "/api/events-by-status?status=kzv:expected&status=kzv:happened",
            400,
            "parameter 'status' given twice",
        ),
        (
            "/api/entity?entity=javascript%3Aalert(1)%20x",
            400,
            "parameter 'entity' needs an absolute IRI or a CURIE such as kzr:european-union or "
            "kzv:trade, got 'javascript:alert(1) x'; find things by name with: kzeu-graph search "
            "TEXT",
        ),
        ("/api/no-such-query", 404, "no saved query 'no-such-query'; the list is at /api"),
    ],
)
def test_api_errors_are_one_line_json(server: Server, path: str, status: int, error: str) -> None:
    reply = server.get(path)
    assert (reply.status, reply.media_type) == (status, "application/json")
    assert reply.json() == {"error": error}


@pytest.mark.parametrize(
    ("path", "error", "curies"),
    [
        (
            "/api/statements-by-person?person=kzr:vassilenko",
            "kzr:vassilenko names nothing in the graph; did you mean kzr:roman-vassilenko "
            "(Roman Vassilenko)?",
            ["kzr:roman-vassilenko"],
        ),
        (
            "/api/statements-by-person?person=Vassilenko",
            "parameter 'person' needs an absolute IRI or a CURIE such as kzr:european-union or "
            "kzv:trade, got 'Vassilenko'; did you mean kzr:roman-vassilenko (Roman Vassilenko)?",
            ["kzr:roman-vassilenko"],
        ),
        (
            "/api/events-by-status?status=kzv:expectd",
            "kzv:expectd is not a value of parameter 'status'; did you mean kzv:expected "
            "(expected)? (allowed: kzv:expected, kzv:happened)",
            ["kzv:expected"],
        ),
    ],
)
def test_api_suggests_what_an_unknown_iri_may_mean(
    server: Server, path: str, error: str, curies: list[str]
) -> None:
    reply = server.get(path)
    assert (reply.status, reply.media_type) == (400, "application/json")
    body = reply.json()
    assert body["error"] == error
    assert [s["curie"] for s in body["suggestions"]] == curies
    assert all(set(s) == {"iri", "curie", "label"} for s in body["suggestions"])


def test_api_406_is_json_too(server: Server) -> None:
    reply = server.get("/api/figures", "text/turtle")
    assert reply.status == 406
    assert reply.json()["error"].startswith("no acceptable format")


# ------------------------------------------------------------------ options


@pytest.fixture(scope="module")
def strict() -> Iterator[tuple[Server, int, list[bytes]]]:
    with recording_listener() as (port, received), running_server(
        "--workers", "1",
        "--timeout", "30",
        "--memory", "96",
        "--max-rows", "5",
        "--max-body", "2048",
        "--cors-origin", "https://example.org",
        "--allow-service", f"http://127.0.0.1:{port}/sparql",
    ) as running:  # fmt: skip
        yield running, port, received


def test_allow_listed_service_is_called_and_no_other(
    strict: tuple[Server, int, list[bytes]],
) -> None:
    server, port, received = strict
    allowed = f"http://127.0.0.1:{port}/sparql"
    with recording_listener() as (other_port, other_received):
        other = f"http://127.0.0.1:{other_port}/sparql"
        refused = server.post_form(
            {"query": f"SELECT * WHERE {{ SERVICE <{other}> {{ ?x ?y ?z }} }}"}
        )
        assert (refused.status, one_line_error(refused)) == (
            400,
            f"SERVICE <{other}> is refused: it is not on the server's allow-list",
        )
        smuggled = server.post_form(
            {
                "query": f'SELECT * WHERE {{ ?s ?p "SERVICE <{other}> {{ ?a ?b ?c }}" '
                f"SERVICE <{allowed}> {{ ?x ?y ?z }} }}"
            }
        )
        assert smuggled.status == 400
        assert one_line_error(smuggled).startswith("SERVICE is refused: the query text holds")
        reply = server.post_form(
            {"query": f"SELECT ?x WHERE {{ SERVICE <{allowed}> {{ ?x ?y ?z }} }}"}
        )
        assert reply.json()["results"]["bindings"] == [
            {"x": {"type": "literal", "value": "from the remote"}}
        ]
        time.sleep(0.5)
        assert other_received == []
    assert len(received) == 1
    assert received[0].startswith((b"GET /sparql?", b"POST /sparql "))
    description = Graph().parse(data=server.get("/sparql").text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert set(description.objects(None, URIRef(sd + "feature"))) == {
        URIRef(sd + "BasicFederatedQuery")
    }


def test_memory_limit_stops_a_query_that_materialises_a_huge_result(
    strict: tuple[Server, int, list[bytes]],
) -> None:
    server = strict[0]
    reply = server.post_form({"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"})
    assert (reply.status, one_line_error(reply)) == (
        503,
        "query stopped: it needed more than the 96 MiB memory limit",
    )
    assert server.get(q("ASK { ?s ?p ?o }")).json() == {"head": {}, "boolean": True}


def test_configured_row_and_body_limits(strict: tuple[Server, int, list[bytes]]) -> None:
    server = strict[0]
    assert server.get(q("SELECT * WHERE { ?s ?p ?o } LIMIT 5")).status == 200
    over = server.get(q("SELECT * WHERE { ?s ?p ?o } LIMIT 6"))
    assert (over.status, one_line_error(over)) == (
        422,
        "the result has more than 5 rows, the server's limit; narrow the query or add a LIMIT",
    )
    big = server.post_form({"query": "ASK {}" + " " * 3000})
    assert (big.status, one_line_error(big)) == (
        413,
        "request body of 3016 bytes is over the 2048-byte limit",
    )


def test_cors_for_the_configured_origin_only(strict: tuple[Server, int, list[bytes]]) -> None:
    server = strict[0]
    allowed = server.get("/api", headers={"Origin": "https://example.org"})
    assert allowed.headers["access-control-allow-origin"] == "https://example.org"
    other = server.get("/api", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = server.request(
        "OPTIONS",
        "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "Content-Type",
        },
    )
    assert preflight.status == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]


# ------------------------------------------------------------------ command line


def serve_command(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kzeu_graph", "serve", "--port", "0", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--data", "/no/such/file.ttl"), "kzeu-graph: error: /no/such/file.ttl: no such file\n"),
        (
            ("--allow-service", "file:///etc/passwd"),
            "kzeu-graph: error: --allow-service needs an absolute http(s) IRI, got "
            "'file:///etc/passwd'\n",
        ),
        (
            ("--cors-origin", "https://example.org/path"),
            "kzeu-graph: error: --cors-origin needs '*' or scheme://host[:port] (no path), got "
            "'https://example.org/path'\n",
        ),
    ],
)
def test_bad_options_exit_2_with_one_line(args: tuple[str, ...], message: str) -> None:
    done = serve_command(*args)
    assert (done.returncode, done.stderr, done.stdout) == (2, message, "")


def test_a_port_in_use_exits_2(server: Server) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kzeu_graph", "serve", "--port", str(server.port)],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith(f"kzeu-graph: error: cannot listen on 127.0.0.1:{server.port}: ")
    assert done.stderr.count("\n") == 1


def test_the_listening_socket_turns_nagle_off() -> None:
    """Accepted connections inherit TCP_NODELAY: no 40 ms delayed-ACK stall on keep-alive."""
    import socket

    from kzeu_graph.serve.app import _listen

    sock = _listen("127.0.0.1", 0)
    try:
        assert sock.proto == socket.IPPROTO_TCP
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:  # field 4 of /proc/PID/stat: the parent's pid
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has stopped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_workers_die_with_a_killed_server() -> None:
    with running_server("--workers", "2") as running:
        workers = _children(running.process.pid)
        assert len(workers) >= 2
        running.process.send_signal(signal.SIGKILL)
        running.process.wait(10)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(_alive(p) for p in workers):
            time.sleep(0.1)
        assert not [p for p in workers if _alive(p)]
