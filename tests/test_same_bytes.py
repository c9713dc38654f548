"""Same bytes from every engine: every saved query, every result format, every store.

``kzeu-graph query NAME --format F --store S`` must print exactly the bytes that rdflib in
memory prints, for S in Oxigraph in memory, an Oxigraph folder filled by ``load_store``
and a SPARQL endpoint (the Oxigraph server, on loopback: tests/servers.py). The server's
own writer (serve/workers.py) must give those bytes too. Engines store literals in other
forms (Oxigraph: ``10.0`` -> ``10``, ``xsd:positiveInteger`` -> ``xsd:integer``), so
this holds only because every path writes through ``kzeu_graph.query.writers``, in the
canonical forms checked by hand below.

Each engine is loaded once per session; the command line runs in-process (CliRunner),
handed the session's engine instead of loading the graph again.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import CliRunner

import kzeu_graph.engines as engines_module
from kzeu_graph.cli.commands import main
from kzeu_graph.engines import (
    DEFAULT_STORE,
    Engine,
    load_store,
    open_engine,
    open_store,
    parse_store,
)
from kzeu_graph.query.writers import NotXmlError, canonical, table_cell, write
from kzeu_graph.rdf.terms import RDF_LANG_STRING, XSD, XSD_STRING, Term, from_oxigraph, to_oxigraph
from kzeu_graph.sparql.catalog import list_queries

QUERIES = [q.name for q in list_queries()]
FORMATS = ["json", "xml", "csv", "tsv", "table"]
ENGINES = ["oxigraph:memory", "oxigraph-folder", "remote"]
# Parameters without a default get a real value from the data (the rows the issue quotes).
PARAMS = {
    "events-by-status": ["--param", "status=kzv:expected"],
    "figures-by-measure": ["--param", "measure=kzv:growth"],
}


@pytest.fixture(scope="session")
def session_engines(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Engine]]:
    """Each store opened once: rdflib and Oxigraph in memory, a loaded folder, a server."""
    folder = f"oxigraph:{tmp_path_factory.mktemp('same-bytes') / 'store'}"
    load_store(folder)
    opened: dict[str, Engine] = {
        "memory": answer_once(open_engine("memory")),
        "oxigraph:memory": open_engine("oxigraph:memory"),
        folder: open_store(folder),
    }
    yield opened
    for engine in opened.values():
        type(engine).close(engine)


def answer_once(engine: Engine) -> Engine:
    """The reference engine runs each bound query once (rdflib takes ~1 s for some);
    the five formats are written from that one answer, as the command line would."""
    answers: dict[tuple[str, tuple[tuple[str, Term], ...]], Any] = {}
    run = engine.query

    def query(text: str, bindings: Any = None, *, checked: bool = False) -> Any:
        key = (text, tuple(sorted((bindings or {}).items())))
        if key not in answers:
            answers[key] = run(text, bindings, checked=checked)
        return answers[key]

    engine.query = query  # type: ignore[method-assign]
    return engine


def spec_of(request: pytest.FixtureRequest, engine: str, opened: dict[str, Engine]) -> str:
    if engine == "oxigraph-folder":
        return next(spec for spec in opened if spec.startswith("oxigraph:/"))
    if engine == "remote":
        spec: str = request.getfixturevalue("oxigraph_server")  # skips (fails on CI) if absent
        if spec not in opened:
            opened[spec] = open_store(spec)
        return spec
    return engine


@pytest.fixture
def cli(session_engines: dict[str, Engine], monkeypatch: pytest.MonkeyPatch) -> dict[str, Engine]:
    """The command line's open_engine hands out the session's engines (closing nothing)."""

    def reuse(spec: Any, data: Any = None, inference: str = "none") -> Engine:
        text = parse_store(spec).text if isinstance(spec, str) else spec.text
        assert data is None
        assert inference == "none"
        engine = session_engines[text]
        engine.close = lambda: None  # type: ignore[method-assign]
        return engine

    monkeypatch.setattr(engines_module, "open_engine", reuse)
    return session_engines


_reference: dict[tuple[str, str], bytes] = {}


def run_query(name: str, fmt: str, store: str) -> bytes:
    args = ["query", name, "--format", fmt, "--store", store, *PARAMS.get(name, [])]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    return result.stdout_bytes


def reference(name: str, fmt: str) -> bytes:
    """rdflib in memory's output (computed once per query and format)."""
    key = (name, fmt)
    if key not in _reference:
        _reference[key] = run_query(name, fmt, "memory")
    return _reference[key]


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", QUERIES)
def test_same_bytes_as_rdflib(
    name: str, fmt: str, engine: str, cli: dict[str, Engine], request: pytest.FixtureRequest
) -> None:
    expected = reference(name, fmt)
    assert run_query(name, fmt, spec_of(request, engine, cli)) == expected


def run_sparql_cli(text_or_file: str, fmt: str, store: str, stdin: str | None = None) -> bytes:
    result = CliRunner().invoke(
        main, ["sparql", text_or_file, "--format", fmt, "--store", store], input=stdin
    )
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", QUERIES)
def test_sparql_on_the_default_store_gives_rdflibs_bytes(
    name: str, fmt: str, cli: dict[str, Engine]
) -> None:
    """``kzeu-graph sparql queries/NAME.rq`` (the text as an ad-hoc query, unbound) on the
    default store, which was rdflib before; the other stores share the query path above."""
    path = str(next(q.path for q in list_queries() if q.name == name))
    expected = run_sparql_cli(path, fmt, "memory")
    assert run_sparql_cli(path, fmt, DEFAULT_STORE) == expected


@pytest.mark.parametrize("engine", ENGINES)
def test_project_prefixes_are_predeclared_on_every_store(
    engine: str, cli: dict[str, Engine], request: pytest.FixtureRequest
) -> None:
    text = "SELECT ?v ?n WHERE { ?v a kzeu:Visit ; rdfs:label ?n } ORDER BY ?v"  # no PREFIX
    expected = run_sparql_cli("-", "tsv", "memory", text)
    assert expected.count(b"\n") > 2
    assert run_sparql_cli("-", "tsv", spec_of(request, engine, cli), text) == expected


def test_query_and_sparql_share_one_default_store() -> None:
    defaults = {
        name: next(p.default for p in main.commands[name].params if p.name == "store")
        for name in ("query", "sparql")
    }
    assert defaults == {"query": DEFAULT_STORE, "sparql": DEFAULT_STORE}
    assert DEFAULT_STORE == "oxigraph:memory"  # measured: docs/stores.md, One default store


def test_every_query_has_rows_and_the_quoted_rows_are_canonical(cli: dict[str, Engine]) -> None:
    """The comparison is not between empty outputs, and the issue's rows have one form."""
    assert all(reference(name, "csv").count(b"\r\n") > 1 for name in QUERIES)
    growth = reference("figures-by-measure", "csv").decode()
    assert ",10," in growth  # schema:value 10.0 in the data
    assert ",10.0," not in growth
    rank = reference("partner-rankings", "json").decode()
    assert '"datatype": "http://www.w3.org/2001/XMLSchema#integer"' in rank
    assert "positiveInteger" not in rank  # "1"^^xsd:positiveInteger in the data


SERVER_TYPES = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}


@pytest.fixture(scope="module")
def service() -> Any:
    from kzeu_graph.serve.workers import QueryService, WorkerConfig

    service = QueryService(WorkerConfig())
    answers: dict[tuple[int, tuple[tuple[Any, Any], ...]], Any] = {}
    run = service.execute

    def execute(checked: Any, bindings: Any = None) -> Any:  # once per query, as above
        key = (id(checked), tuple(sorted((bindings or {}).items())))
        if key not in answers:
            answers[key] = run(checked, bindings)
        return answers[key]

    service.execute = execute  # type: ignore[method-assign]
    return service


@pytest.mark.parametrize("fmt", list(SERVER_TYPES))
@pytest.mark.parametrize("name", QUERIES)
def test_the_server_writes_the_same_bytes(
    name: str, fmt: str, service: Any, cli: dict[str, Engine]
) -> None:
    from kzeu_graph.serve.workers import SavedQueryJob

    raw = PARAMS.get(name, [])
    params = tuple(tuple(p.split("=", 1)) for p in raw[1::2])
    reply = service.handle(SavedQueryJob(name, params, SERVER_TYPES[fmt]))  # type: ignore[arg-type]
    assert reply.status == 200, reply.error
    assert reply.body == reference(name, fmt)


# ------------------------------------------------------------------ the canonical forms

INTEGER = XSD + "integer"
DECIMAL = XSD + "decimal"
DOUBLE = XSD + "double"
FLOAT = XSD + "float"
BOOLEAN = XSD + "boolean"


def lit(value: str, datatype: str) -> Term:
    return Term("literal", value, datatype)


CANONICAL = [
    # xsd:decimal (XSD 1.1 decimalCanonicalMap): no point when integral, no trailing zero
    pytest.param(lit("10.0", DECIMAL), lit("10", DECIMAL), id="decimal-10.0"),
    pytest.param(lit("010.50", DECIMAL), lit("10.5", DECIMAL), id="decimal-010.50"),
    pytest.param(lit("+.5", DECIMAL), lit("0.5", DECIMAL), id="decimal-+.5"),
    pytest.param(lit("-0.0", DECIMAL), lit("0", DECIMAL), id="decimal-minus-zero"),
    pytest.param(lit("-1.", DECIMAL), lit("-1", DECIMAL), id="decimal--1."),
    pytest.param(lit("27.60", DECIMAL), lit("27.6", DECIMAL), id="decimal-27.60"),
    pytest.param(lit("40000000000", DECIMAL), lit("40000000000", DECIMAL), id="decimal-big"),
    pytest.param(lit("1e3", DECIMAL), lit("1e3", DECIMAL), id="decimal-ill-typed"),
    # xsd:double / xsd:float (doubleCanonicalMap): d.dddEn, fewest digits
    pytest.param(lit("1e1", DOUBLE), lit("1.0E1", DOUBLE), id="double-1e1"),
    pytest.param(lit("10", DOUBLE), lit("1.0E1", DOUBLE), id="double-10"),
    pytest.param(lit("100.0", DOUBLE), lit("1.0E2", DOUBLE), id="double-100.0"),
    pytest.param(lit("0.00001", DOUBLE), lit("1.0E-5", DOUBLE), id="double-0.00001"),
    pytest.param(lit("-1.25E+02", DOUBLE), lit("-1.25E2", DOUBLE), id="double--1.25E+02"),
    pytest.param(lit("0.1", DOUBLE), lit("1.0E-1", DOUBLE), id="double-0.1"),
    pytest.param(lit("0", DOUBLE), lit("0.0E0", DOUBLE), id="double-zero"),
    pytest.param(lit("-0", DOUBLE), lit("-0.0E0", DOUBLE), id="double-minus-zero"),
    pytest.param(lit("+INF", DOUBLE), lit("INF", DOUBLE), id="double-+INF"),
    pytest.param(lit("-INF", DOUBLE), lit("-INF", DOUBLE), id="double--INF"),
    pytest.param(lit("NaN", DOUBLE), lit("NaN", DOUBLE), id="double-NaN"),
    pytest.param(lit("1E400", DOUBLE), lit("INF", DOUBLE), id="double-overflow"),
    pytest.param(lit("inf", DOUBLE), lit("INF", DOUBLE), id="double-inf"),  # as Oxigraph reads it
    pytest.param(lit("-nan", DOUBLE), lit("NaN", DOUBLE), id="double--nan"),
    pytest.param(lit("1_0", DOUBLE), lit("1_0", DOUBLE), id="double-ill-typed"),
    pytest.param(lit("12.0", FLOAT), lit("1.2E1", FLOAT), id="float-12.0"),
    pytest.param(lit("0.1", FLOAT), lit("1.0E-1", FLOAT), id="float-0.1"),
    # 3.14159265358979 as a 32-bit float is 3.14159274...; 8 digits read back as it
    pytest.param(lit("3.14159265358979", FLOAT), lit("3.1415927E0", FLOAT), id="float-pi"),
    # 16777217 is not a 32-bit float: it rounds to 16777216 (2^24)
    pytest.param(lit("16777217", FLOAT), lit("1.6777216E7", FLOAT), id="float-2^24+1"),
    pytest.param(lit("1e39", FLOAT), lit("INF", FLOAT), id="float-overflow"),
    # xsd:integer and its derived types: xsd:integer, no sign +, no leading zeros
    pytest.param(lit("007", INTEGER), lit("7", INTEGER), id="integer-007"),
    pytest.param(lit("+5", INTEGER), lit("5", INTEGER), id="integer-+5"),
    pytest.param(lit("-0", INTEGER), lit("0", INTEGER), id="integer-minus-zero"),
    pytest.param(lit("1", XSD + "positiveInteger"), lit("1", INTEGER), id="positiveInteger"),
    pytest.param(
        lit("064", XSD + "nonNegativeInteger"), lit("64", INTEGER), id="nonNegativeInteger"
    ),
    pytest.param(lit("-3", XSD + "negativeInteger"), lit("-3", INTEGER), id="negativeInteger"),
    pytest.param(lit("5", XSD + "int"), lit("5", INTEGER), id="int"),
    pytest.param(lit("5", XSD + "unsignedByte"), lit("5", INTEGER), id="unsignedByte"),
    pytest.param(lit(" 5", INTEGER), lit(" 5", INTEGER), id="integer-ill-typed"),
    # xsd:boolean
    pytest.param(lit("1", BOOLEAN), lit("true", BOOLEAN), id="boolean-1"),
    pytest.param(lit("0", BOOLEAN), lit("false", BOOLEAN), id="boolean-0"),
    pytest.param(lit("true", BOOLEAN), lit("true", BOOLEAN), id="boolean-true"),
    pytest.param(lit("TRUE", BOOLEAN), lit("TRUE", BOOLEAN), id="boolean-ill-typed"),
    # language tags lower case; plain literals are xsd:string; other types as they are
    pytest.param(
        Term("literal", "Astana", RDF_LANG_STRING, "EN-GB"),
        Term("literal", "Astana", RDF_LANG_STRING, "en-gb"),
        id="language-tag",
    ),
    pytest.param(Term("literal", "x", None), lit("x", XSD_STRING), id="plain-literal"),
    pytest.param(lit("x", XSD_STRING), lit("x", XSD_STRING), id="xsd-string"),
    # dates and times: zone 0 as Z, no trailing zero in the fraction, 24:00:00 the next day
    pytest.param(lit("2022-09", XSD + "gYearMonth"), lit("2022-09", XSD + "gYearMonth"), id="gYM"),
    pytest.param(lit("2023-03-10", XSD + "date"), lit("2023-03-10", XSD + "date"), id="date"),
    pytest.param(
        lit("2023-03-10-00:00", XSD + "date"), lit("2023-03-10Z", XSD + "date"), id="date-z"
    ),
    pytest.param(lit("2020+00:00", XSD + "gYear"), lit("2020Z", XSD + "gYear"), id="gYear-z"),
    pytest.param(
        lit("2020-01-01T10:00:00.1200+05:30", XSD + "dateTime"),
        lit("2020-01-01T10:00:00.12+05:30", XSD + "dateTime"),
        id="dateTime-fraction",
    ),
    pytest.param(
        lit("2020-12-31T24:00:00+00:00", XSD + "dateTime"),
        lit("2021-01-01T00:00:00Z", XSD + "dateTime"),
        id="dateTime-24h",
    ),
    pytest.param(
        lit("2020-01-01T00:00:00.0", XSD + "dateTime"),
        lit("2020-01-01T00:00:00", XSD + "dateTime"),
        id="dateTime-no-zone",
    ),
    pytest.param(lit("24:00:00", XSD + "time"), lit("00:00:00", XSD + "time"), id="time-24h"),
    pytest.param(lit("2020-13-01", XSD + "date"), lit("2020-13-01", XSD + "date"), id="date-bad"),
    # durations: months as years + months, seconds as days, hours, minutes, seconds
    pytest.param(lit("PT36H", XSD + "duration"), lit("P1DT12H", XSD + "duration"), id="PT36H"),
    pytest.param(lit("P1Y13M", XSD + "duration"), lit("P2Y1M", XSD + "duration"), id="P1Y13M"),
    pytest.param(
        lit("PT3600.50S", XSD + "duration"), lit("PT1H0.5S", XSD + "duration"), id="PT3600.50S"
    ),
    pytest.param(lit("-P0D", XSD + "duration"), lit("PT0S", XSD + "duration"), id="minus-zero"),
    pytest.param(
        lit("P0Y", XSD + "yearMonthDuration"), lit("P0M", XSD + "yearMonthDuration"), id="P0Y"
    ),
    pytest.param(
        lit("P1DT24H", XSD + "dayTimeDuration"), lit("P2D", XSD + "dayTimeDuration"), id="P1DT24H"
    ),
    pytest.param(lit("P1Y", XSD + "dayTimeDuration"), None, id="dayTimeDuration-ill-typed"),
    pytest.param(lit("PT", XSD + "duration"), None, id="duration-ill-typed"),
    pytest.param(Term("iri", "https://w3id.org/kzeu/id/x"), None, id="iri-unchanged"),
]


@pytest.mark.parametrize(("term", "expected"), CANONICAL)
def test_canonical_form(term: Term, expected: Term | None) -> None:
    assert canonical(term) == (term if expected is None else expected)


@pytest.mark.parametrize(("term", "expected"), CANONICAL)
def test_oxigraphs_stored_form_writes_the_same(term: Term, expected: Term | None) -> None:
    """What Oxigraph's store gives back for a literal is written as the literal itself."""
    import pyoxigraph as ox

    store = ox.Store()
    subject = ox.NamedNode("https://example.org/s")
    store.add(ox.Quad(subject, subject, to_oxigraph(term)))
    stored = from_oxigraph(next(iter(store)).object)
    assert canonical(stored) == canonical(term)


def test_canonical_is_idempotent() -> None:
    for case in CANONICAL:
        once = canonical(case.values[0])  # type: ignore[arg-type]
        assert canonical(once) == once


# ------------------------------------------------------------------ the writers, by hand

ROWS: list[list[Term | None]] = [
    [
        Term("iri", "https://w3id.org/kzeu/id/astana"),
        lit("10.0", DECIMAL),
        Term("literal", 'a "b"\tc', XSD_STRING),
    ],
    [Term("bnode", "b0"), lit("1", XSD + "positiveInteger"), None],
    [None, Term("literal", "Astana", RDF_LANG_STRING, "EN"), lit("1", BOOLEAN)],
]
VARIABLES = ["s", "v", "note"]


def test_json_by_hand() -> None:
    assert write("json", VARIABLES, ROWS) == (
        '{\n  "head": {\n    "vars": [\n      "s",\n      "v",\n      "note"\n    ]\n  },\n'
        '  "results": {\n    "bindings": [\n      {\n'
        '        "s": {\n          "type": "uri",\n'
        '          "value": "https://w3id.org/kzeu/id/astana"\n        },\n'
        '        "v": {\n          "type": "literal",\n          "value": "10",\n'
        '          "datatype": "http://www.w3.org/2001/XMLSchema#decimal"\n        },\n'
        '        "note": {\n          "type": "literal",\n          "value": "a \\"b\\"\\tc"\n'
        "        }\n      },\n      {\n"
        '        "s": {\n          "type": "bnode",\n          "value": "b0"\n        },\n'
        '        "v": {\n          "type": "literal",\n          "value": "1",\n'
        '          "datatype": "http://www.w3.org/2001/XMLSchema#integer"\n        }\n'
        "      },\n      {\n"
        '        "v": {\n          "type": "literal",\n          "value": "Astana",\n'
        '          "xml:lang": "en"\n        },\n'
        '        "note": {\n          "type": "literal",\n          "value": "true",\n'
        '          "datatype": "http://www.w3.org/2001/XMLSchema#boolean"\n        }\n'
        "      }\n    ]\n  }\n}\n"
    )


def test_xml_by_hand() -> None:
    assert write("xml", VARIABLES, ROWS) == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        '<head><variable name="s"/><variable name="v"/><variable name="note"/></head>\n'
        "<results>\n"
        '<result><binding name="s"><uri>https://w3id.org/kzeu/id/astana</uri></binding>'
        '<binding name="v"><literal datatype="http://www.w3.org/2001/XMLSchema#decimal">10'
        '</literal></binding><binding name="note"><literal>a "b"\tc</literal></binding>'
        "</result>\n"
        '<result><binding name="s"><bnode>b0</bnode></binding>'
        '<binding name="v"><literal datatype="http://www.w3.org/2001/XMLSchema#integer">1'
        "</literal></binding></result>\n"
        '<result><binding name="v"><literal xml:lang="en">Astana</literal></binding>'
        '<binding name="note"><literal datatype="http://www.w3.org/2001/XMLSchema#boolean">'
        "true</literal></binding></result>\n"
        "</results>\n</sparql>\n"
    )


def test_csv_and_tsv_by_hand() -> None:
    assert write("csv", VARIABLES, ROWS) == (
        's,v,note\r\nhttps://w3id.org/kzeu/id/astana,10,"a ""b""\tc"\r\n_:b0,1,\r\n,Astana,true\r\n'
    )
    assert write("tsv", VARIABLES, ROWS) == (
        "?s\t?v\t?note\n"
        '<https://w3id.org/kzeu/id/astana>\t"10"^^<http://www.w3.org/2001/XMLSchema#decimal>'
        '\t"a \\"b\\"\\tc"\n'
        '_:b0\t"1"^^<http://www.w3.org/2001/XMLSchema#integer>\t\n'
        '\t"Astana"@en\t"true"^^<http://www.w3.org/2001/XMLSchema#boolean>\n'
    )


def test_table_cells_by_hand() -> None:
    cells = [table_cell(None if t is None else canonical(t)) for t in ROWS[0] + ROWS[1]]
    assert cells == ["kzr:astana", "10", 'a "b"\tc', "_:b0", "1", ""]


def test_ask_in_every_format() -> None:
    assert write("json", [], [], True) == '{\n  "head": {},\n  "boolean": true\n}\n'
    assert write("csv", [], [], False) == "boolean\r\nfalse\r\n"
    assert write("tsv", [], [], True) == "?boolean\ntrue\n"
    assert write("xml", [], [], False) == (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
        "<head></head>\n<boolean>false</boolean>\n</sparql>\n"
    )


def test_xml_refuses_what_xml_cannot_carry() -> None:
    with pytest.raises(NotXmlError, match="ask for SPARQL JSON"):
        write("xml", ["x"], [[lit("bell\x07", XSD_STRING)]])


@pytest.mark.parametrize("store", ["memory", "oxigraph:memory"])
def test_xml_the_cli_cannot_write_is_a_one_line_error(store: str) -> None:
    text = 'SELECT ?x WHERE { BIND("a\\u0001b" AS ?x) }'
    result = CliRunner().invoke(
        main, ["sparql", "-", "--format", "xml", "--store", store], input=text
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr == (
        "kzeu-graph: error: the result holds characters XML 1.0 cannot carry; ask for SPARQL JSON\n"
    )
