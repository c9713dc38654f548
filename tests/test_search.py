"""Find things by name, and "did you mean" wherever an IRI names nothing in the graph."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kzeu_graph.cli.commands import main
from kzeu_graph.engines import open_engine, open_store
from kzeu_graph.sparql.catalog import get_query
from kzeu_graph.sparql.search import (
    UnknownIRIError,
    check_parameters,
    names_something,
    normalise,
    search,
)

FIXTURE = """
@prefix ex: <http://example.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix schema: <https://schema.org/> .
ex:a rdfs:label "Trade" ; a ex:Thing .
ex:b skos:prefLabel "Trade volume" .
ex:c schema:name "Foreign trade" .
ex:d rdfs:label "Tradeoffs" .
ex:e rdfs:label "Intrade" .
ex:f rdfs:label "Commerce" ; skos:altLabel "trade" .
ex:g rdfs:label "Café Müller" ; schema:alternateName "The Müller place" .
ex:h rdfs:label "Unrelated" .
"""
EX = "http://example.org/"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ürümqi", "urumqi"),
        ("EU–Kazakhstan", "eu kazakhstan"),
        ("  ROMAN   Vassilenko ", "roman vassilenko"),
        ("ﬁgure", "figure"),  # NFKD unfolds the ligature
        ("kzr:roman-vassilenko", "kzr roman vassilenko"),
        ("Ελλάδα", "ελλαδα"),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


@pytest.fixture(params=["rdflib", "oxigraph"])
def source(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[object]:
    path = tmp_path / "fixture.ttl"
    path.write_text(FIXTURE, encoding="utf-8")
    if request.param == "rdflib":
        yield Graph().parse(path)
        return
    engine = open_store("oxigraph:memory")  # the fixture alone, without the ontology
    engine.load([path])
    yield engine
    engine.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # exact (a; f by its alternate name, same length, then IRI), prefix (shorter first),
        # word, substring
        (
            "trade",
            [
                ("a", "exact"),
                ("f", "exact"),
                ("d", "prefix"),
                ("b", "prefix"),
                ("c", "word"),
                ("e", "substring"),
            ],
        ),
        ("TRADE VOLUME", [("b", "exact")]),
        ("cafe muller", [("g", "exact")]),
        ("MÜLLER", [("g", "word")]),
        ("the muller", [("g", "prefix")]),
        ("nothing like it", []),
        ("", []),
    ],
)
def test_search_ranks(source: object, text: str, expected: list[tuple[str, str]]) -> None:
    found = search(source, text)  # type: ignore[arg-type]
    assert [(m.iri.removeprefix(EX), m.rank) for m in found] == expected


def test_search_shows_the_preferred_label_and_classes(source: object) -> None:
    (commerce,) = [m for m in search(source, "trade") if m.iri == EX + "f"]  # type: ignore[arg-type]
    assert (commerce.label, commerce.matched, commerce.classes) == ("Commerce", "trade", ())
    (trade,) = search(source, "trade", limit=1)  # type: ignore[arg-type]
    assert (trade.label, trade.classes, trade.curie) == ("Trade", (EX + "Thing",), EX + "a")


def test_names_something(source: object) -> None:
    assert names_something(source, EX + "a")  # type: ignore[arg-type]
    assert names_something(source, EX + "Thing")  # type: ignore[arg-type]
    assert not names_something(source, EX + "zz")  # type: ignore[arg-type]


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


VASSILENKO = "kzr:roman-vassilenko (Roman Vassilenko)"
ALLOWED_MEASURES = (
    "kzv:cooperation-area-count, kzv:growth, kzv:investment, kzv:investment-inflow, "
    "kzv:investment-inflow-growth, kzv:investment-stock, kzv:share-of-foreign-trade, "
    "kzv:trade, kzv:trade-volume, kzv:trade-volume-growth"
)
CLI_CASES = [
    (
        ["statements-by-person", "--param", "person=kzr:vassilenko"],
        f"kzr:vassilenko names nothing in the graph; did you mean {VASSILENKO}?",
    ),
    (
        ["statements-by-person", "--param", "person=https://w3id.org/kzeu/id/Vassilenko"],
        f"kzr:Vassilenko names nothing in the graph; did you mean {VASSILENKO}?",
    ),
    (
        ["statements-by-person", "--param", "person=vassilenko"],
        "parameter 'person' needs an absolute IRI or a CURIE such as kzr:european-union or "
        f"kzv:trade, got 'vassilenko'; did you mean {VASSILENKO}?",
    ),
    (
        ["entity", "--param", "entity=kzr:borrell"],
        "kzr:borrell names nothing in the graph; did you mean kzr:josep-borrell "
        "(Josep Borrell), kzr:visit-josep-borrell (Visit of Josep Borrell), kzr:statement-p5 "
        "(The visits of Michel and Borrell were milestones as the 30th anniversary of "
        "diplomatic relations approached)?",
    ),
    (
        ["entity", "--param", "entity=kzr:no-such-thing-qq"],
        "kzr:no-such-thing-qq names nothing in the graph; "
        "find things by name with: kzeu-graph search TEXT",
    ),
    (
        ["figures-by-measure", "--param", "measure=trade"],
        "parameter 'measure' needs an absolute IRI or a CURIE such as kzr:european-union or "
        "kzv:trade, got 'trade'; did you mean kzv:trade (trade), kzv:trade-volume "
        "(trade volume), kzv:trade-volume-growth (trade volume growth)? "
        f"(allowed: {ALLOWED_MEASURES})",
    ),
    (
        ["figures-by-measure", "--param", "measure=kzv:investments"],
        "kzv:investments is not a value of parameter 'measure'; did you mean "
        # difflib ratios: investment 20/21, investment stock 22/27 (the s of stock)
        "kzv:investment (investment), kzv:investment-stock (investment stock)? "
        f"(allowed: {ALLOWED_MEASURES})",
    ),
    (
        ["events-by-status", "--param", "status=kzv:done"],
        "kzv:done is not a value of parameter 'status' (allowed: kzv:expected, kzv:happened)",
    ),
    (
        ["events-by-status", "--param", "status=kzr:european-union"],
        "kzr:european-union is not a value of parameter 'status' "
        "(allowed: kzv:expected, kzv:happened)",
    ),
]


@pytest.mark.parametrize(("args", "message"), CLI_CASES, ids=[c[0][2] for c in CLI_CASES])
def test_query_parameter_that_names_nothing(args: list[str], message: str) -> None:
    result = run("query", *args)
    assert result.exit_code == 2, result.output  # type: ignore[attr-defined]
    assert result.stdout == ""  # type: ignore[attr-defined]
    assert result.stderr == f"kzeu-graph: error: {message}\n"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "args",
    [
        ["statements-by-person", "--param", "person=kzr:roman-vassilenko"],
        ["events-by-status", "--param", "status=kzv:happened"],
        ["figures-by-measure", "--param", "measure=kzv:trade"],
        ["entity", "--param", "entity=kzv:trade"],
    ],
)
def test_known_values_still_run(args: list[str]) -> None:
    result = run("query", *args, "--format", "csv")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.stdout.count("\n") > 1  # type: ignore[attr-defined]


def test_library_raises_a_typed_error_with_suggestions() -> None:
    engine = open_engine("oxigraph:memory")
    try:
        with pytest.raises(UnknownIRIError) as caught:
            check_parameters(
                engine, get_query("statements-by-person"), {"person": "kzr:vassilenko"}
            )
    finally:
        engine.close()
    assert caught.value.value == "kzr:vassilenko"
    assert [m.curie for m in caught.value.suggestions] == ["kzr:roman-vassilenko"]


def test_search_command_table_and_json() -> None:
    result = run("search", "VASSILENKO", "--format", "json")
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert json.loads(result.stdout) == [  # type: ignore[attr-defined]
        {
            "iri": "https://w3id.org/kzeu/id/roman-vassilenko",
            "curie": "kzr:roman-vassilenko",
            "label": "Roman Vassilenko",
            "classes": ["prov:Person", "schema:Person"],
            "matched": "Roman Vassilenko",
            "rank": "word",
        }
    ]
    table = run("search", "roman")
    assert table.stdout.splitlines() == [  # type: ignore[attr-defined]
        "curie                 label             class                       match",
        "--------------------  ----------------  --------------------------  ------",
        "kzr:roman-vassilenko  Roman Vassilenko  prov:Person, schema:Person  prefix",
        "1 row(s)",
    ]
    assert run("search", "zzzqqq").exit_code == 1  # type: ignore[attr-defined]


def test_list_shows_allowed_values() -> None:
    lines = run("query", "--list").stdout.splitlines()  # type: ignore[attr-defined]
    status = lines.index("    --param status=<iri> (optional)")
    assert lines[status + 1] == "        values: kzv:expected, kzv:happened"
    measure = lines.index("    --param measure=<iri> (optional)")
    assert lines[measure + 1] == f"        values: {ALLOWED_MEASURES}"


def test_describe_suggests() -> None:
    result = run("describe", "kzr:vassilenko")
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        "kzeu-graph: nothing known about <https://w3id.org/kzeu/id/vassilenko>; "
        f"did you mean {VASSILENKO}?\n"
    )


def test_server_api_answers_400_with_suggestions() -> None:
    from kzeu_graph.serve.workers import QueryService, SavedQueryJob, WorkerConfig

    service = QueryService(WorkerConfig(max_rows=50))
    reply = service.handle(
        SavedQueryJob("statements-by-person", (("person", "kzr:vassilenko"),), None)
    )
    assert (reply.status, reply.error) == (
        400,
        f"kzr:vassilenko names nothing in the graph; did you mean {VASSILENKO}?",
    )


@pytest.mark.parametrize(
    ("query", "note"),
    [
        (
            "SELECT ?e WHERE { ?e a schema:Event }",
            "kzeu-graph: note: no rows; schema:Event has subclasses or subproperties: with "
            "--inference rdfs the query also matches their members\n",
        ),
        ("SELECT ?e WHERE { ?e a kzeu:NoSuchClass }", ""),  # nothing narrower: no hint
        ("SELECT ?e WHERE { ?e a kzeu:Visit }", ""),  # rows: no hint
        ("ASK { ?e a schema:Event }", ""),  # not a SELECT
    ],
)
def test_empty_own_query_hints_at_inference(query: str, note: str) -> None:
    result = CliRunner().invoke(main, ["sparql", "-", "--format", "csv"], input=query)
    assert result.exit_code == 0
    assert result.stderr == note


def test_list_one_query_in_full() -> None:
    lines = run("query", "events-by-status", "--list").stdout.splitlines()  # type: ignore[attr-defined]
    assert lines[:3] == [
        "events-by-status: Which events had happened at the time of the article, and which "
        "were only expected?",
        "    --param status=<iri> (optional)",
        "        values: kzv:expected, kzv:happened",
    ]
    assert lines[3] == ""
    assert lines[4].startswith("One row per event with a kzeu:eventStatus")
    assert run("query", "nope", "--list").exit_code == 2  # type: ignore[attr-defined]
