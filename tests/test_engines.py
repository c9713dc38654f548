"""Store specs, the strict term serializer, VALUES binding, and the embedded engines."""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery

from kzeu_graph.engines import (
    DEFAULT_GRAPH_IRI,
    Engine,
    StoreSpec,
    open_engine,
    open_store,
    parse_store,
    store_spec_from_env,
)
from kzeu_graph.engines.binding import bind_values, outer_group_start
from kzeu_graph.errors import InputError, ParameterError, QueryError
from kzeu_graph.loading.graph import SUPPORTED_SUFFIXES, load_graph
from kzeu_graph.rdf.namespaces import PREFIXES
from kzeu_graph.rdf.prefixes import PREFIX_IRIS, compact_iri
from kzeu_graph.rdf.terms import Term, TermError, from_rdflib, sparql_term, to_rdflib
from kzeu_graph.sparql.catalog import list_queries
from kzeu_graph.sparql.run import run_saved
from paths import BROKEN_TURTLE, DATA, ONTOLOGY, REUSED_TERMS, TINY
from payloads import PAYLOADS

KZR = "https://w3id.org/kzeu/id/"

# ------------------------------------------------------------------ specs


@pytest.mark.parametrize(
    ("text", "kind", "location"),
    [
        ("memory", "memory", None),
        ("rdflib", "memory", None),
        ("oxigraph", "oxigraph", None),
        ("oxigraph:memory", "oxigraph", None),
        ("oxigraph:/var/kzeu", "oxigraph", Path("/var/kzeu")),
        ("oxigraph:store", "oxigraph", Path("store")),
    ],
)
def test_local_specs(text: str, kind: str, location: Path | None) -> None:
    spec = parse_store(text)
    assert (spec.kind, spec.location, spec.graph) == (kind, location, None)
    assert spec.persistent == (location is not None)


def test_remote_spec_defaults_to_the_project_graph() -> None:
    spec = parse_store("http://127.0.0.1:7878/query")
    assert spec == StoreSpec(
        kind="sparql",
        text="http://127.0.0.1:7878/query",
        query_url="http://127.0.0.1:7878/query",
        graph=DEFAULT_GRAPH_IRI,
    )
    assert spec.persistent


def test_remote_spec_options() -> None:
    spec = parse_store(
        "http://h:1/sparql#update=http://h:1/sparql-auth&store=http://h:1/crud&graph=default"
    )
    assert (spec.query_url, spec.update_url, spec.store_url, spec.graph) == (
        "http://h:1/sparql",
        "http://h:1/sparql-auth",
        "http://h:1/crud",
        None,
    )
    assert parse_store("https://h/q#graph=urn:x:g").graph == "urn:x:g"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("postgres://x", "unknown store"),
        ("", "unknown store"),
        ("oxigraph://x", "write oxigraph:/absolute/path"),
        ("http://h/q#user=bob", "unknown option 'user=bob'"),
        ("http://h/q#update=ftp://x", "update= needs an http(s) URL"),
        ("http://h/q#graph=not an iri", "graph= needs an absolute IRI"),
    ],
)
def test_bad_specs(text: str, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        parse_store(text)


def test_env_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KZEU_STORE", raising=False)
    assert store_spec_from_env("oxigraph:memory") == "oxigraph:memory"
    monkeypatch.setenv("KZEU_STORE", " memory ")
    assert store_spec_from_env("oxigraph:memory") == "memory"


def test_persistent_stores_refuse_data_and_inference(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="used as loaded"):
        open_engine(f"oxigraph:{tmp_path}", data=[DATA])
    with pytest.raises(ParameterError, match="used as loaded"):
        open_engine(f"oxigraph:{tmp_path}", inference="rdfs")


# ------------------------------------------------------------------ prefixes


def test_prefix_table_is_the_namespaces_table() -> None:
    assert {prefix: str(ns) for prefix, ns in PREFIXES.items()} == PREFIX_IRIS


@pytest.mark.parametrize(
    ("iri", "shown"),
    [
        (KZR + "roman-vassilenko", "kzr:roman-vassilenko"),
        ("https://w3id.org/kzeu/ontology#Figure", "kzeu:Figure"),
        ("http://www.w3.org/2001/XMLSchema#gYear", "xsd:gYear"),
        (KZR + "a/b", KZR + "a/b"),  # not a plain local name
        (KZR, KZR),
        (KZR + "2023", KZR + "2023"),  # a local name does not start with a digit
        ("urn:x:y", "urn:x:y"),
    ],
)
def test_compact_iri(iri: str, shown: str) -> None:
    assert compact_iri(iri) == shown


def test_oxigraph_reads_the_same_suffixes_as_rdflib() -> None:
    from kzeu_graph.engines.oxigraph_engine import RDF_FORMATS

    assert set(RDF_FORMATS) == set(SUPPORTED_SUFFIXES)


# ------------------------------------------------------------------ terms


@pytest.mark.parametrize(
    ("term", "text"),
    [
        (Term.iri(KZR + "x"), f"<{KZR}x>"),
        (Term.literal("a"), '"a"'),
        (Term.literal('say "hi"\\'), '"say \\"hi\\"\\\\"'),
        (Term.literal("l1\nl2\r\t\b\f"), '"l1\\nl2\\r\\t\\b\\f"'),
        (Term.literal("\x00\x1f\x7f"), '"\\u0000\\u001F\\u007F"'),
        (Term.literal("é ✓"), '"é ✓"'),
        (Term.literal("x", language="EN-gb"), '"x"@en-gb'),
        (Term.literal("1", XSD + "integer"), f'"1"^^<{XSD}integer>'),
        (Term.literal("s", str(XSD.string)), '"s"'),
    ],
)
def test_sparql_term(term: Term, text: str) -> None:
    assert sparql_term(term) == text


@pytest.mark.parametrize(
    "bad",
    [
        Term("iri", "http://x/a>b"),
        Term("iri", "relative"),
        Term("literal", "x", None, "en} UNION {"),
        Term("literal", "x", "http://x/> . <y"),
        Term("bnode", "b0"),
    ],
)
def test_sparql_term_refuses_hand_made_bad_terms(bad: Term) -> None:
    with pytest.raises(TermError):
        sparql_term(bad)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Term.iri("http://x/a b"),
        lambda: Term.literal("x", language="e n"),
        lambda: Term.literal("x", "not an iri"),
        lambda: Term.bnode("a b"),
    ],
)
def test_term_constructors_check(make: object) -> None:
    with pytest.raises(TermError):
        make()  # type: ignore[operator]


def strings() -> list[str]:
    return [*PAYLOADS, "\\u0022", "\\\\u0022", "'''", '"""', "\\", "\x00", "a\u2028b", "\ud7ff"]


@pytest.mark.parametrize("value", strings())
@pytest.mark.parametrize("language", [None, "en"])
def test_any_string_is_exactly_one_term_for_both_parsers(value: str, language: str | None) -> None:
    """The serialized literal, put where a term goes, parses back to the very same term."""
    term = Term.literal(value, language=language)
    query = bind_values("SELECT ?x WHERE { }", {"x": term})
    ours = list(ox.Store().query(query))  # type: ignore[arg-type]
    assert len(ours) == 1
    assert ours[0]["x"] == (ox.Literal(value, language=language) if language else ox.Literal(value))
    rows = [tuple(row) for row in Graph().query(prepareQuery(query))]  # type: ignore[arg-type]
    assert rows == [(to_rdflib(term),)]


def test_rdflib_round_trip() -> None:
    for node in (URIRef(KZR + "a"), Literal("x", lang="en"), Literal(3), BNode("b1")):
        assert to_rdflib(from_rdflib(node)) == node
    assert to_rdflib(Term.literal("x")) == Literal("x")


# ------------------------------------------------------------------ binding


def test_values_row_opens_the_outer_where() -> None:
    text = (
        '# WHERE { in a comment\nSELECT ?s ("WHERE {" AS ?t) WHERE {\n'
        "  { SELECT ?s WHERE { ?s ?p ?o } }\n}"
    )
    at = outer_group_start(text)
    assert text[:at].endswith(") WHERE {")
    bound = bind_values(text, {"_x_iri": Term.iri("urn:x:1"), "__n": Term.literal('a"b')})
    assert bound == text[:at] + ' VALUES (?_x_iri ?__n) { (<urn:x:1> "a\\"b") } ' + text[at:]


def test_a_backslash_before_u_is_cut_out_of_the_string() -> None:
    bound = bind_values("SELECT * WHERE { }", {"a": Term.literal("x\\u0022y", language="en")})
    assert bound == ('SELECT * WHERE { BIND(STRLANG(CONCAT("x", "\\\\", "u0022y"), "en") AS ?a)  }')


def test_values_without_where() -> None:
    assert bind_values("ASK { ?s ?p ?o }", {"s": Term.iri("urn:x")}) == (
        "ASK { VALUES (?s) { (<urn:x>) }  ?s ?p ?o }"
    )
    assert bind_values("ASK { }", {}) == "ASK { }"
    with pytest.raises(QueryError, match="no WHERE group"):
        bind_values("DESCRIBE <urn:x>", {"s": Term.iri("urn:x")})
    with pytest.raises(QueryError, match="not a variable name"):
        bind_values("ASK { }", {"s) {} #": Term.iri("urn:x")})


# ------------------------------------------------------------------ embedded engines


@pytest.fixture(scope="module", params=["memory", "oxigraph:memory"])
def engine(request: pytest.FixtureRequest) -> Engine:
    return open_engine(request.param)


def test_engine_holds_the_shipped_graph(engine: Engine) -> None:
    assert engine.triple_count() == len(load_graph())
    assert isinstance(engine, Engine)


@pytest.mark.parametrize("query", list_queries(), ids=lambda q: q.name)
def test_every_saved_query_gives_the_same_python_values(engine: Engine, query: object) -> None:
    reference = run_saved(open_engine_cached("memory"), query)  # type: ignore[arg-type]
    result = run_saved(engine, query)  # type: ignore[arg-type]
    assert result.variables == reference.variables
    assert result.to_python() == reference.to_python()


_ENGINES: dict[str, Engine] = {}


def open_engine_cached(spec: str) -> Engine:
    if spec not in _ENGINES:
        _ENGINES[spec] = open_engine(spec)
    return _ENGINES[spec]


def test_ask_and_construct(engine: Engine) -> None:
    assert engine.query("ASK { ?s a <https://w3id.org/kzeu/ontology#Figure> }").boolean is True
    result = engine.query(
        f"CONSTRUCT {{ ?s <urn:x:p> ?l }} WHERE {{ <{KZR}astana> <http://www.w3.org/2000/01/rdf-schema#label> ?l . BIND(<urn:x:s> AS ?s) }}"
    )
    assert result.kind == "graph"
    assert result.to_python() == [
        {"subject": "urn:x:s", "predicate": "urn:x:p", "object": "Astana"}
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE is refused"),
        ("INSERT DATA { <urn:a> <urn:b> <urn:c> }", "updates are refused"),
        ("SELECT * WHERE {", "malformed SPARQL"),
    ],
)
def test_refused_queries(engine: Engine, text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        engine.query(text)


def test_oxigraph_folder_is_loaded_once_and_reopened(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    engine = open_store(f"oxigraph:{folder}")
    assert engine.triple_count() == 0
    loaded = engine.load([ONTOLOGY, REUSED_TERMS, DATA])
    assert loaded == engine.triple_count() == len(load_graph())
    engine.close()
    reopened = open_engine(f"oxigraph:{folder}")
    assert reopened.triple_count() == loaded
    figures = run_saved(reopened, "figures").to_python()
    assert figures == run_saved(open_engine_cached("memory"), "figures").to_python()
    reopened.close()


def test_oxigraph_load_errors_name_the_file_and_line(tmp_path: Path) -> None:
    engine = open_store("oxigraph:memory")
    with pytest.raises(InputError, match="^" + re.escape(f"{BROKEN_TURTLE}:4: bad syntax")):
        engine.load([BROKEN_TURTLE])
    with pytest.raises(InputError, match=r"unknown RDF file extension '\.txt'"):
        engine.load([tmp_path / "x.txt"])
    with pytest.raises(InputError, match="no such file"):
        engine.load([tmp_path / "x.ttl"])
    hostile = tmp_path / "x.rdf"
    hostile.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [ <!ENTITY a "a"> ]>\n<x/>')
    with pytest.raises(InputError, match="DOCTYPE is refused"):
        engine.load([hostile])
    assert engine.load([TINY]) == len(load_graph([TINY])) - len(load_graph([]))


def test_ntriples_load_and_clear() -> None:
    for spec in ("memory", "oxigraph:memory"):
        engine = open_store(spec)
        data = b'<urn:x:a> <urn:x:b> "c" .\n_:n <urn:x:b> <urn:x:a> .\n'
        assert engine.load_ntriples(data) == 2
        assert engine.triple_count() == 2
        engine.clear()
        assert engine.triple_count() == 0
