"""``kzeu-graph serve --store SPEC``: the same requests give the same answers on every store.

One server per store (rdflib in memory, Oxigraph in memory, an Oxigraph folder filled by
``kzeu-graph load``, and the Oxigraph server binary as a remote endpoint) answers the same
requests: SPARQL SELECT/ASK/CONSTRUCT in every format, every saved query through the API,
entity documents in every format, the ontology, the service description, and the refusals
and limits. Answers are compared with the rdflib store's: SELECT rows and graphs by value,
because Oxigraph stores numbers canonically (``10.0`` is read back as ``10``, an
``xsd:nonNegativeInteger`` as ``xsd:integer``); everything else byte for byte.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.query import Result as RdflibResult

from kzeu_graph.engines import load_store, open_engine
from kzeu_graph.sparql.run import describe
from paths import BLANK_NODES, DATA, QUERIES_DIR, ROOT, SOURCES_DIR
from serving import Reply, Server, running_server

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]

STORES = ["memory", "oxigraph-memory", "oxigraph-folder", "oxigraph-server"]
KZR = "https://w3id.org/kzeu/id/"
SAVED = sorted(p.stem for p in QUERIES_DIR.glob("*.rq"))
ENTITIES = [
    "european-union",  # a place linked from many facts: "Mentioned in"
    "roman-vassilenko",  # a person
    "figure-eu-trade-volume-2022",  # a fact with its sentence and the speaker's words
    "derived-eu-trade-volume-2021",  # a derived value, cited by its inputs
    "statement-p4-s3",
    "sentence-p4-s3-position",  # a selector (offsets: xsd:nonNegativeInteger)
    "central-communications-service",  # the word "service" in an IRI
    "figure-eu-share-of-foreign-trade",  # a decimal 30.0 (Oxigraph: 30)
]
DOCUMENTS = {
    "html": None,
    "ttl": "turtle",
    "jsonld": "json-ld",
    "nt": "nt",
    "rdf": "xml",
}
RESULT_FORMATS = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}
SELECTS = {
    "labels": "SELECT ?label WHERE { kzr:european-union rdfs:label ?label }",
    "people": "SELECT ?p ?name WHERE { ?p a schema:Person ; schema:name ?name } ORDER BY ?name",
    "figures": "SELECT ?f ?v WHERE { ?f a kzeu:Figure ; schema:value ?v } ORDER BY ?f",
    "offsets": "SELECT ?s ?start WHERE { ?s oa:start ?start } ORDER BY ?s LIMIT 5",
}
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
OXIGRAPH_DIFFERS = re.compile(r"xsd:(?:nonNegativeInteger|positiveInteger)")


# ------------------------------------------------------------------ the servers


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    location = tmp_path_factory.mktemp("serve-store") / "store"
    load_store(f"oxigraph:{location}")
    return location


@pytest.fixture(scope="module")
def servers(
    request: pytest.FixtureRequest, folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Server]]:
    """One running server per store (started once for the module), and "no-void": rdflib
    on the shipped data without the VoID file beside it, as a store filled by ``load``."""
    import contextlib

    bare = tmp_path_factory.mktemp("no-void") / "kzeu.ttl"
    shutil.copy(DATA, bare)
    specs = {
        "memory": ["--store", "memory"],
        "oxigraph-memory": ["--store", "oxigraph:memory"],
        "oxigraph-folder": ["--store", f"oxigraph:{folder}"],
        "oxigraph-server": ["--store", request.getfixturevalue("oxigraph_server")],
        "no-void": ["--data", str(bare), "--sources", str(SOURCES_DIR)],
    }
    limits = ["--workers", "2", "--timeout", "5", "--max-rows", "1000"]
    with contextlib.ExitStack() as stack:
        yield {
            name: stack.enter_context(running_server(*args, *limits))
            for name, args in specs.items()
        }


@pytest.fixture(params=STORES)
def store(request: pytest.FixtureRequest, servers: dict[str, Server]) -> Server:
    return servers[request.param]


@pytest.fixture
def reference(request: pytest.FixtureRequest, servers: dict[str, Server]) -> Server:
    """The rdflib store's server; for a folder or a server, the one without VoID (a store
    filled by ``load`` holds the ontology and the data, and the server reads no VoID file
    beside it: /id/dataset and the void:exampleResource links are what the store holds)."""
    name = request.node.callspec.params.get("store", "memory")
    return servers["no-void" if name in ("oxigraph-folder", "oxigraph-server") else "memory"]


def is_remote(request: pytest.FixtureRequest) -> bool:
    return bool(request.node.callspec.params.get("store") == "oxigraph-server")


def q(query: str) -> str:
    return "/sparql?" + urlencode({"query": query})


# ------------------------------------------------------------------ comparing answers


def value(term: Any) -> Any:
    """A term as what it means: numbers by value (Oxigraph writes them canonically)."""
    if isinstance(term, Literal) and term.datatype is not None:
        python = term.toPython()
        if isinstance(python, int | float | Decimal) and not isinstance(python, bool):
            return ("number", Decimal(str(python)))
    if isinstance(term, BNode):
        return "_:b"
    return term


def canonical(page: str) -> str:
    """A page with the two lexical forms Oxigraph changes (in this data) written its way."""
    return (
        OXIGRAPH_DIFFERS.sub("xsd:integer", page)
        .replace(">30.0<", ">30<")
        .replace(">10.0<", ">10<")
    )


def rows(reply: Reply, fmt: str) -> list[tuple[Any, ...]]:
    assert reply.status == 200, reply.text
    parsed = RdflibResult.parse(io.BytesIO(reply.body), format=fmt)
    if parsed.type == "ASK":
        return [(parsed.askAnswer,)]
    return [tuple(value(t) for t in row) for row in parsed]  # type: ignore[union-attr]


def by_value(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and isinstance(value(o), tuple):
            o = Literal(format(value(o)[1].normalize(), "f"), datatype=XSD.decimal)
        out.add((s, p, o))
    return out


def same_graph(a: bytes, b: bytes, fmt: str) -> bool:
    return isomorphic(
        by_value(Graph().parse(data=a.decode(), format=fmt)),
        by_value(Graph().parse(data=b.decode(), format=fmt)),
    )


# ------------------------------------------------------------------ SPARQL


@pytest.mark.parametrize("media", list(RESULT_FORMATS))
@pytest.mark.parametrize("name", list(SELECTS))
def test_select_in_every_format(store: Server, reference: Server, name: str, media: str) -> None:
    got, want = store.get(q(SELECTS[name]), media), reference.get(q(SELECTS[name]), media)
    assert (got.status, got.media_type) == (200, media)
    if media in ("text/csv", "text/tab-separated-values"):
        # the same bytes where no number is involved (the project's own writers)
        if name in ("labels", "people"):
            assert got.body == want.body
        return
    assert rows(got, RESULT_FORMATS[media]) == rows(want, RESULT_FORMATS[media])


def test_select_results_are_what_the_article_says(store: Server) -> None:
    reply = store.get(q(SELECTS["people"]), "text/csv")
    names = [line.split(",")[-1] for line in reply.text.splitlines()[1:]]
    assert names == ["Charles Michel", "Josep Borrell", "Roman Vassilenko", "Ursula von der Leyen"]
    assert store.get(q(SELECTS["labels"])).json() == {
        "head": {"vars": ["label"]},
        "results": {
            "bindings": [
                {"label": {"type": "literal", "value": "European Union", "xml:lang": "en"}}
            ]
        },
    }


@pytest.mark.parametrize(
    ("ask", "answer"),
    [
        ("ASK { kzr:european-union skos:exactMatch wd:Q458 }", True),
        ("ASK { kzr:european-union skos:exactMatch wd:Q1 }", False),
    ],
)
@pytest.mark.parametrize("media", list(RESULT_FORMATS))
def test_ask_in_every_format(store: Server, media: str, ask: str, answer: bool) -> None:
    reply = store.get(q(ask), media)
    expected = {
        "text/csv": f"boolean\r\n{str(answer).lower()}\r\n",
        "text/tab-separated-values": f"?boolean\n{str(answer).lower()}\n",
    }
    if media in ("text/csv", "text/tab-separated-values"):
        assert reply.text == expected[media]
    else:
        assert rows(reply, RESULT_FORMATS[media]) == [(answer,)]


@pytest.mark.parametrize("media", list(GRAPH_FORMATS))
@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT WHERE { kzr:european-union ?p ?o }",
        "CONSTRUCT { ?f schema:value ?v } WHERE { ?f a kzeu:Figure ; schema:value ?v }",
        "DESCRIBE kzr:european-union",
    ],
    ids=["construct", "numbers", "describe"],
)
def test_construct_in_every_format(
    store: Server, reference: Server, query: str, media: str
) -> None:
    got, want = store.get(q(query), media), reference.get(q(query), media)
    assert (got.status, got.media_type) == (200, media), got.text
    if query.startswith("DESCRIBE"):
        # DESCRIBE is engine-defined: rdflib and Oxigraph both give the node's own triples
        subject = URIRef(KZR + "european-union")
        mine = Graph().parse(data=got.text, format=GRAPH_FORMATS[media])
        theirs = Graph().parse(data=want.text, format=GRAPH_FORMATS[media])
        assert set(mine.triples((subject, None, None))) == set(
            theirs.triples((subject, None, None))
        )
        return
    assert same_graph(got.body, want.body, GRAPH_FORMATS[media])


@pytest.mark.parametrize("name", SAVED)
def test_every_saved_query_through_the_api(store: Server, reference: Server, name: str) -> None:
    got, want = store.get(f"/api/{name}"), reference.get(f"/api/{name}")
    assert got.status == want.status == 200, (got.text, want.text)
    assert rows(got, "json") == rows(want, "json")


def test_saved_query_parameters_are_bound_on_every_store(store: Server) -> None:
    reply = store.get("/api/events-by-status?status=kzv:expected", "text/csv")
    assert reply.text.splitlines()[1:] == [
        "https://w3id.org/kzeu/id/anniversary-30-diplomatic-relations,"
        "30th anniversary of the establishment of diplomatic relations,"
        "https://w3id.org/kzeu/vocab/expected,expected,2023",
        "https://w3id.org/kzeu/id/visit-ursula-von-der-leyen,"
        "Expected visit of Ursula von der Leyen,https://w3id.org/kzeu/vocab/expected,expected,2023",
    ]
    bad = store.get("/api/entity?entity=kzr:nobody-at-all")
    assert bad.status == 400
    assert bad.json()["error"].startswith("kzr:nobody-at-all names nothing in the graph")


# ------------------------------------------------------------------ linked data


@pytest.mark.parametrize("ext", list(DOCUMENTS))
@pytest.mark.parametrize("entity", ENTITIES)
def test_entity_documents(store: Server, reference: Server, entity: str, ext: str) -> None:
    path = f"/id/{quote(entity)}.{ext}"
    got, want = store.get(path), reference.get(path)
    assert got.status == want.status == 200, got.text
    assert got.media_type == want.media_type
    fmt = DOCUMENTS[ext]
    if fmt is None:  # the page: the same HTML, up to the numbers' lexical forms
        assert canonical(got.text) == canonical(want.text)
    else:
        assert same_graph(got.body, want.body, fmt)


def test_the_page_shows_the_evidence_from_every_store(store: Server) -> None:
    page = store.get("/id/figure-eu-trade-volume-2022.html").text
    sentence = (
        "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, "
        "reaching $40 billion."
    )
    assert f'<mark class="evidence">{sentence}</mark>' in page
    assert '<section id="cite"><h2>Cite</h2>' in page
    assert 'href="/id/statement-p4-s3"' in page  # an incoming link


@pytest.mark.parametrize(
    ("path", "accept", "status", "location"),
    [
        ("/id/european-union", "text/turtle", 303, "/id/european-union.ttl"),
        ("/id/european-union", "text/html", 303, "/id/european-union.html"),
        ("/id/european-union", "application/ld+json", 303, "/id/european-union.jsonld"),
        ("/ontology", "text/html", 303, "/ontology.html"),
        ("/id/no-such-thing", "text/turtle", 404, None),
        ("/id/no-such-thing.ttl", None, 404, None),
    ],
)
def test_content_negotiation(
    store: Server, path: str, accept: str, status: int, location: str | None
) -> None:
    reply = store.get(path, accept)
    assert reply.status == status
    if location is not None:
        assert reply.headers["location"] == location
    else:
        assert reply.text == "not found: no resource has this IRI\n"


@pytest.mark.parametrize("path", ["/ontology.html", "/ontology.ttl", "/ontology.nt"])
def test_the_ontology_is_the_same_everywhere(store: Server, reference: Server, path: str) -> None:
    got, want = store.get(path), reference.get(path)
    assert (got.status, got.body) == (200, want.body)


def test_service_description_counts_the_store(store: Server) -> None:
    graph = Graph().parse(data=store.get("/sparql").text, format="turtle")
    (triples,) = graph.objects(None, URIRef("http://rdfs.org/ns/void#triples"))
    assert triples == Literal(len(open_engine("memory").graph))  # type: ignore[attr-defined]


# ------------------------------------------------------------------ guards


@pytest.mark.parametrize(
    ("query", "status", "message"),
    [
        (
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
            400,
            "SERVICE is refused: queries may not call remote endpoints",
        ),
        (
            "INSERT DATA { kzr:x rdfs:label 'x' }",
            400,
            "SPARQL updates are refused: only SELECT, ASK, CONSTRUCT, DESCRIBE",
        ),
        (
            "SELECT * WHERE { ?s ?p ?o }",
            422,
            "the result has more than 1000 rows, the server's limit; narrow the query or add "
            "a LIMIT",
        ),
        (
            "CONSTRUCT WHERE { ?s ?p ?o }",
            422,
            "the result has more than 1000 rows, the server's limit; narrow the query or add "
            "a LIMIT",
        ),
        (
            "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }",
            422,
            "the result has more than 1000 rows, the server's limit; narrow the query or add "
            "a LIMIT",
        ),
    ],
    ids=["service", "update", "rows", "triples", "cross-product"],
)
def test_refusals(
    request: pytest.FixtureRequest, store: Server, query: str, status: int, message: str
) -> None:
    if "?d ?e ?f" in query and is_remote(request):
        # an endpoint's answer is read whole: 4 million rows do not arrive in 5 s
        status, message = 503, "query stopped: it ran longer than the 5-second time limit"
    reply = store.post_form({"query": query})
    assert reply.status == status
    assert reply.text.startswith(message), reply.text


def test_update_operation_is_refused(store: Server) -> None:
    reply = store.post_form({"update": "CLEAR ALL"})
    assert (reply.status, reply.text) == (
        403,
        "this endpoint is read-only: SPARQL Update (and LOAD) is refused\n",
    )


def test_a_runaway_query_is_stopped_and_the_server_goes_on(store: Server) -> None:
    reply = store.post_form({"query": RUNAWAY})
    assert (reply.status, reply.text) == (
        503,
        "query stopped: it ran longer than the 5-second time limit\n",
    )
    assert store.get(q(SELECTS["labels"])).status == 200


# ------------------------------------------------------------------ the command line


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--store", "postgres://x"], "unknown store 'postgres://x'"),
        (["--store", "oxigraph:"], "give a folder after 'oxigraph:'"),
        (["--store", "oxigraph:/nonexistent/kzeu"], "no Oxigraph store in '/nonexistent/kzeu'"),
        (["--store", "http://h:0/q"], "has port 0"),
        (["--store", "http://127.0.0.1:9/query"], "cannot reach http://127.0.0.1:9/query"),
        (["--store", "oxigraph:FOLDER", "--data", "data/kzeu.ttl"], "is used as loaded"),
        (["--store", "oxigraph:FOLDER", "--inference", "rdfs"], "is used as loaded"),
        (
            ["--store", "oxigraph:memory", "--allow-service", "http://127.0.0.1:9/sparql"],
            "--allow-service needs --store memory",
        ),
    ],
)
def test_a_bad_store_is_one_line_and_exit_2(folder: Path, args: list[str], message: str) -> None:
    args = [a.replace("FOLDER", str(folder)) for a in args]
    done = subprocess.run(
        [sys.executable, "-m", "kzeu_graph", "serve", "--port", "0", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert done.stderr.startswith("kzeu-graph: error: ")
    assert message in done.stderr


def test_the_store_comes_from_the_environment(folder: Path) -> None:
    import os

    env = {**os.environ, "KZEU_STORE": f"oxigraph:{folder}"}
    env = {k: v for k, v in env.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(
        [sys.executable, "-m", "kzeu_graph", "serve", "--port", "0", "--data", "data/kzeu.ttl"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
        env=env,
    )
    assert done.returncode == 2
    assert f"store 'oxigraph:{folder}' is used as loaded" in done.stderr


# ------------------------------------------------------------------ describe on every engine


ANNOTATED = """
@prefix kzr: <https://w3id.org/kzeu/id/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
kzr:fact rdfs:label "a fact"@en .
[] oa:hasBody kzr:fact ; oa:hasTarget [ oa:hasSource kzr:article ;
    oa:hasSelector [ oa:exact "words" ; oa:start 3 ; oa:end 8 ] ] .
kzr:other kzr:says kzr:fact .
"""


@pytest.mark.parametrize("node", ["alice", "fact"])
def test_describe_follows_blank_nodes_on_every_engine(tmp_path: Path, node: str) -> None:
    data = tmp_path / "annotated.ttl"
    data.write_text(ANNOTATED, encoding="utf-8")
    files = [BLANK_NODES, data]
    memory = open_engine("memory", files)
    expected = describe(memory, KZR + node)
    # alice: 2 knows, the address (city, street and its name), b1 (2), b2 (3); fact: its
    # label, 2 incoming, the annotation's target (source, selector), the selector (3 values)
    assert len(expected) == {"alice": 11, "fact": 9}[node]
    for spec in ("oxigraph:memory", f"oxigraph:{tmp_path / 'store'}"):
        if spec.startswith("oxigraph:/"):
            load_store(spec, files)
            engine = open_engine(spec)
        else:
            engine = open_engine(spec, files)
        try:
            assert isomorphic(describe(engine, KZR + node), expected), spec
        finally:
            engine.close()


@pytest.mark.parametrize("kind", ["oxigraph-memory", "oxigraph-folder"])
def test_the_memory_limit_holds_on_oxigraph(folder: Path, kind: str) -> None:
    """Oxigraph (Rust) aborts the worker when an allocation fails: still a 503, and the
    worker is replaced."""
    spec = "oxigraph:memory" if kind == "oxigraph-memory" else f"oxigraph:{folder}"
    args = ["--store", spec, "--memory", "96", "--workers", "1", "--max-rows", "100000000"]
    with running_server(*args) as server:
        reply = server.post_form({"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f"})
        assert (reply.status, reply.text) == (
            503,
            "query stopped: it needed more than the 96 MiB memory limit\n",
        )
        assert server.get(q(SELECTS["labels"])).status == 200


def test_per_client_share_and_busy_on_a_folder(servers: dict[str, Server]) -> None:
    """The lanes do not depend on the store: with 2 query workers a client may have one
    ad-hoc query at a time; a second waits 1 s for room, then 503."""
    import threading

    server = servers["oxigraph-folder"]
    first: list[Reply] = []
    runaway = threading.Thread(target=lambda: first.append(server.post_form({"query": RUNAWAY})))
    runaway.start()
    time.sleep(0.5)
    second = server.post_form({"query": SELECTS["labels"]})
    assert (second.status, second.headers["retry-after"]) == (503, "1")
    assert second.text == (
        "too many queries from this client at once: 1 running or waiting (the limit); "
        "retry when one has finished\n"
    )
    other = server.post_form({"query": SELECTS["labels"]}, source="127.0.0.2")
    assert other.status == 200  # another client is served meanwhile
    runaway.join(30)
    assert first[0].status == 503


# ------------------------------------------------------------------ every page, in-process


def _shipped_iris() -> list[str]:
    from kzeu_graph.loading.graph import parse_file

    graph = parse_file(DATA)
    return sorted(
        {
            str(node)
            for triple in graph
            for node in (triple[0], triple[2])
            if isinstance(node, URIRef) and str(node).startswith(KZR)
        }
    )


@pytest.fixture(scope="module")
def services() -> tuple[Any, Any]:
    from kzeu_graph.serve.workers import QueryService, WorkerConfig

    return QueryService(WorkerConfig()), QueryService(WorkerConfig(store="oxigraph:memory"))


@pytest.mark.parametrize("iri", _shipped_iris())
def test_every_page_from_the_per_page_graph_is_the_whole_graph_page(
    services: tuple[Any, Any], iri: str
) -> None:
    """On Oxigraph the page is rendered from a graph of a few CONSTRUCTs; on rdflib from the
    whole graph. The same page, for every IRI of the shipped data."""
    from kzeu_graph.serve.workers import DocumentJob

    memory, oxigraph = services
    want = memory.handle(DocumentJob(iri, "html"))
    got = oxigraph.handle(DocumentJob(iri, "html"))
    assert got.status == want.status == 200, got.error
    assert canonical(got.body.decode()) == canonical(want.body.decode())
