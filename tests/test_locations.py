"""Every finding names the file and line it comes from (Turtle family), or the file and triple."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD

from kzeu_graph.cli.commands import main
from kzeu_graph.loading.graph import parse_file
from kzeu_graph.validation import locations
from kzeu_graph.validation.locations import SourceIndex, locate_report, validate_files
from kzeu_graph.validation.report import Finding, ValidationReport
from paths import DATA, LOCATION_FIXTURES, ONTOLOGY, REUSED_TERMS, ROOT, SHAPE_FIXTURES, SHAPES

NEW_PEOPLE = LOCATION_FIXTURES / "new-people.ttl"
NEW_CITY = LOCATION_FIXTURES / "new-city.nt"
KZR = "https://w3id.org/kzeu/id/"
SCHEMA = "https://schema.org/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
KZS = "https://w3id.org/kzeu/shapes#"
EX = "http://example.org/"
NAME_MESSAGE = (
    "A person, organisation, place or agreement has exactly one schema:name, an xsd:string."
)


def cli(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout


def summary(report: ValidationReport) -> list[tuple[str | None, str, str | None, str | None]]:
    """(file:line, severity, focus, path) per finding; blank nodes as '_:'."""
    return [
        (
            f.location(),
            f.severity,
            "_:" if isinstance(f.focus_node, BNode) else str(f.focus_node),
            f.shown_path(),
        )
        for f in report.results
    ]


# ------------------------------------------------------------------ a contributor's Turtle file


@pytest.fixture(scope="module")
def people() -> ValidationReport:
    return validate_files([DATA, NEW_PEOPLE])


@pytest.fixture(scope="module")
def city() -> ValidationReport:
    return validate_files([DATA, NEW_CITY])


def test_turtle_file_findings_at_their_lines(people: ValidationReport) -> None:
    """Worked out from tests/fixtures/locations/new-people.ttl and ontology/shapes.ttl."""
    report = people
    where = str(NEW_PEOPLE)
    assert summary(report) == [
        # two names (kzs:name sh:maxCount 1): where the first is written
        (f"{where}:15", "Violation", f"{KZR}new-person", f"{SCHEMA}name"),
        # "1970-13-01"^^xsd:date, on the line after its predicate
        (f"{where}:18", "Violation", f"{KZR}new-person", f"{SCHEMA}birthDate"),
        # "Q42" is not an IRI (kzs:exactMatch) nor a Wikidata IRI (a warning)
        (f"{where}:19", "Violation", f"{KZR}new-person", f"{SKOS}exactMatch"),
        (f"{where}:19", "Warning", f"{KZR}new-person", f"{SKOS}exactMatch"),
        # no schema:name at all: the line where the subject is written
        (f"{where}:21", "Violation", f"{KZR}new-organisation", f"{SCHEMA}name"),
        # the nameless city is the blank node opened on line 24
        (f"{where}:24", "Violation", "_:", f"{SCHEMA}name"),
    ]
    assert [f.source for f in report.results] == [
        f"{KZS}name",
        "kzeu-check:ill-typed-literal",
        f"{KZS}exactMatch",
        f"{KZS}exactMatch-wikidata",
        f"{KZS}name",
        f"{KZS}name",
    ]


def test_turtle_file_text_report() -> None:
    """Through the CLI, the same file:line in the text report; positional FILES are --data."""
    code, out = cli("validate", str(DATA), str(NEW_PEOPLE))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (
        f"{NEW_PEOPLE}:15: Violation: <{KZR}new-person> <{SCHEMA}name>: {NAME_MESSAGE}"
    )
    assert lines[1] == "    shape: kzs:name"
    assert lines[2] == (
        f"{NEW_PEOPLE}:18: Violation: <{KZR}new-person> <{SCHEMA}birthDate>: "
        "ill-typed literal: '1970-13-01' is not a valid xsd:date"
    )
    assert lines[3] == (
        '    value: "1970-13-01"^^<http://www.w3.org/2001/XMLSchema#date> · '
        "shape: kzeu-check:ill-typed-literal"
    )
    # the nameless city: a blank node, shown as [] on the line where it opens
    assert lines[10] == f"{NEW_PEOPLE}:24: Violation: [] <{SCHEMA}name>: {NAME_MESSAGE}"
    # an ill-typed literal among the findings: pyshacl decides (validation._run_shacl)
    assert lines[-1] == (
        "does not conform: 5 violation(s), 1 warning(s), 0 info(s) (engine: pyshacl)"
    )
    assert len(lines) == 2 * 6 + 1


def test_positional_and_option_files_mix() -> None:
    """`validate --data A B` (as pre-commit calls an entry ending in --data) reads A and B."""
    code, out = cli("validate", "--data", str(DATA), str(NEW_PEOPLE), "--format", "json")
    assert code == 1
    results = json.loads(out)["results"]
    assert [(r["file"], r["line"]) for r in results] == [
        (str(NEW_PEOPLE), line) for line in (15, 18, 19, 19, 21, 24)
    ]


# ------------------------------------------------------------------ N-Triples: exact lines


def test_ntriples_file_findings_at_their_lines(city: ValidationReport) -> None:
    """Worked out from tests/fixtures/locations/new-city.nt: one triple per line."""
    report = city
    where = str(NEW_CITY)
    assert [(f.location(), f.severity, f.focus_node, f.source) for f in report.results] == [
        # two names: the first written is on line 5 ...
        (f"{where}:5", "Violation", URIRef(f"{KZR}new-city"), f"{KZS}name"),
        # ... and the second, "Nouvelle Ville"@fr, is not an xsd:string
        (f"{where}:6", "Violation", URIRef(f"{KZR}new-city"), f"{KZS}name"),
        (f"{where}:7", "Warning", URIRef(f"{KZR}new-city"), f"{KZS}exactMatch-wikidata"),
        (f"{where}:8", "Violation", URIRef(f"{KZR}new-city"), "kzeu-check:ill-typed-literal"),
        # the council has a type only (line 9): no name, no label
        (f"{where}:9", "Violation", URIRef(f"{KZR}new-city-council"), f"{KZS}name"),
        (f"{where}:9", "Warning", URIRef(f"{KZR}new-city-council"), f"{KZS}label"),
    ]
    assert report.results[1].value == Literal("Nouvelle Ville", lang="fr")


def test_json_report_has_file_and_line(city: ValidationReport) -> None:
    results = json.loads(json.dumps(city.to_json()))["results"]
    assert [(r["file"], r["line"]) for r in results] == [
        (str(NEW_CITY), line) for line in (5, 6, 7, 8, 9, 9)
    ]
    assert results[3]["value"] == '"many"^^<http://www.w3.org/2001/XMLSchema#integer>'


# ------------------------------------------------------------------ the scanner, feature by feature


def index_of(tmp_path: Path, name: str, text: str) -> tuple[SourceIndex, Graph, str]:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    graph = parse_file(path)  # the file must be valid RDF to begin with
    return SourceIndex.from_files([path]), graph, str(path)


def where(
    index: SourceIndex,
    graph: Graph,
    focus: URIRef | BNode,
    path: URIRef | BNode | None = None,
    value: URIRef | Literal | BNode | None = None,
    report_graph: Graph | None = None,
) -> int | None:
    finding = Finding(focus, path, value, "m", "Violation", "s", "c")
    place = index.locate(finding, graph, report_graph)
    assert place is not None
    return place[1]


TURTLE = """\
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
# a comment with "quotes", <angle brackets>, ; and . in it
ex:a ex:p ex:b ;
    ex:long \"\"\"spans
three lines, with a ; a . a # and a " in it
\"\"\" ;
    ex:q
        "one" ,
        "two"@EN-gb ,
        3 , 4.5 , 1.5e3 , true ;
    ex:r ex:c ;
    .
ex:a ex:late "x" .
ex:c ex:p 'single' .
"""


@pytest.mark.parametrize(
    ("path", "value", "line"),
    [
        (f"{EX}p", URIRef(f"{EX}b"), 4),
        (f"{EX}long", None, 5),
        (f"{EX}q", None, 8),  # the predicate's line when no value is named
        (f"{EX}q", Literal("one"), 9),
        (f"{EX}q", Literal("two", lang="en-gb"), 10),  # language tags compare case-blind
        (f"{EX}q", Literal("3", datatype=XSD.integer), 11),
        (f"{EX}q", Literal("1.5e3", datatype=XSD.double), 11),
        (f"{EX}q", Literal(True), 11),
        (f"{EX}q", Literal("seven"), 8),  # not written: the predicate's line
        (f"{EX}r", None, 12),
        (f"{EX}late", None, 14),  # the second block of the same subject
        (f"{EX}missing", None, 4),  # a missing property: where the subject is first written
    ],
)
def test_turtle_lines(tmp_path: Path, path: str, value: Literal | None, line: int) -> None:
    index, graph, _ = index_of(tmp_path, "a.ttl", TURTLE)
    assert where(index, graph, URIRef(f"{EX}a"), URIRef(path), value) == line


def test_a_node_only_written_as_an_object(tmp_path: Path) -> None:
    index, graph, _ = index_of(tmp_path, "a.ttl", TURTLE)
    assert where(index, graph, URIRef(f"{EX}b"), URIRef(f"{EX}p")) == 4
    assert where(index, graph, URIRef(f"{EX}c"), URIRef(f"{EX}p"), Literal("single")) == 15


def test_sparql_style_directives_relative_iris_and_escapes(tmp_path: Path) -> None:
    text = (
        "PREFIX ex: <http://example.org/>\n"
        "BASE <http://example.org/base/>\n"
        "<rel> ex:p <other> .\n"
        "ex:a\\-b ex:p ex:x .\n"
        "<http://example.org/caf\\u00E9> ex:p ex:y .\n"
        "@base <http://example.org/second/> .\n"
        "<rel> ex:p ex:z .\n"
    )
    index, graph, _ = index_of(tmp_path, "a.ttl", text)
    assert where(index, graph, URIRef(f"{EX}base/rel"), URIRef(f"{EX}p")) == 3
    assert where(index, graph, URIRef(f"{EX}a-b"), URIRef(f"{EX}p")) == 4
    assert where(index, graph, URIRef(f"{EX}café"), URIRef(f"{EX}p")) == 5
    assert where(index, graph, URIRef(f"{EX}second/rel"), URIRef(f"{EX}p")) == 7


def test_blank_nodes(tmp_path: Path) -> None:
    text = (
        "@prefix ex: <http://example.org/> .\n"
        "ex:a ex:p [\n"
        '        ex:name "first" ;\n'
        "        ex:n 1\n"
        "    ] , [\n"
        '        ex:name "second"\n'
        "    ] ;\n"
        "    ex:list ( ex:m1 [ ex:k ex:v ] ) ;\n"
        "    ex:q _:label .\n"
        '_:label ex:name "labelled" .\n'
    )
    index, graph, _ = index_of(tmp_path, "a.ttl", text)
    first = graph.value(predicate=URIRef(f"{EX}name"), object=Literal("first"), any=False)
    second = graph.value(predicate=URIRef(f"{EX}name"), object=Literal("second"), any=False)
    labelled = graph.value(predicate=URIRef(f"{EX}name"), object=Literal("labelled"), any=False)
    assert isinstance(first, BNode)
    assert isinstance(second, BNode)
    assert isinstance(labelled, BNode)
    # two blank nodes under ex:a ex:p: told apart by their own triples
    assert where(index, graph, first, URIRef(f"{EX}n")) == 4
    assert where(index, graph, first, URIRef(f"{EX}missing")) == 2
    assert where(index, graph, second, URIRef(f"{EX}name")) == 6
    assert where(index, graph, second, URIRef(f"{EX}missing")) == 5
    # a labelled blank node, used once as an object
    assert where(index, graph, labelled, URIRef(f"{EX}name")) == 10
    # the collection did not throw the lines after it off
    assert where(index, graph, URIRef(f"{EX}a"), URIRef(f"{EX}q")) == 9


def test_inverse_path_and_bad_predicate(tmp_path: Path) -> None:
    text = (
        "@prefix ex: <http://example.org/> .\n"
        "@prefix oa: <http://www.w3.org/ns/oa#> .\n"
        "ex:fact ex:p ex:o .\n"
        "ex:annotation a oa:Annotation ;\n"
        "    oa:hasBody ex:fact .\n"
    )
    index, graph, _ = index_of(tmp_path, "a.ttl", text)
    report_graph = Graph()
    path = BNode()
    report_graph.add((path, SH.inversePath, URIRef("http://www.w3.org/ns/oa#hasBody")))
    annotation = URIRef(f"{EX}annotation")
    fact = URIRef(f"{EX}fact")
    assert where(index, graph, fact, path, annotation, report_graph) == 5
    assert where(index, graph, fact, path, None, report_graph) == 3  # none there: the subject
    assert where(index, graph, annotation, None, RDF.type) == 4  # a predicate (the IRI check)


def test_trig_and_nquads(tmp_path: Path) -> None:
    trig = (
        "PREFIX ex: <http://example.org/>\n"
        "GRAPH ex:g1 {\n"
        "  ex:a ex:p ex:b ;\n"
        "       ex:q 1 .\n"
        "}\n"
        "ex:g2 { ex:c ex:p ex:d }\n"
        "{ ex:e ex:p ex:f . }\n"
    )
    index, graph, _ = index_of(tmp_path, "a.trig", trig)
    assert where(index, graph, URIRef(f"{EX}a"), URIRef(f"{EX}q")) == 4
    assert where(index, graph, URIRef(f"{EX}c"), URIRef(f"{EX}p")) == 6
    assert where(index, graph, URIRef(f"{EX}e"), URIRef(f"{EX}p")) == 7
    nquads = (
        f"<{EX}a> <{EX}p> <{EX}b> <{EX}g> .\n"
        "\n"
        f'<{EX}a> <{EX}q> "x"^^<http://www.w3.org/2001/XMLSchema#integer> <{EX}g> .\n'
        f"<{EX}a> <{EX}r> _:b1 .\n"
    )
    index, graph, _ = index_of(tmp_path, "a.nq", nquads)
    assert where(index, graph, URIRef(f"{EX}a"), URIRef(f"{EX}q")) == 3
    assert where(index, graph, URIRef(f"{EX}a"), URIRef(f"{EX}r")) == 4


def test_json_ld_names_the_file_and_the_triple(tmp_path: Path) -> None:
    path = tmp_path / "new.jsonld"
    path.write_text(
        json.dumps(
            {
                "@id": f"{KZR}new-town",
                "@type": f"{SCHEMA}City",
                f"{RDFS}label": {"@value": "New Town", "@language": "en"},
                f"{SCHEMA}name": {"@value": "7", "@type": str(XSD.integer)},
            }
        ),
        encoding="utf-8",
    )
    code, out = cli("validate", "--data", str(DATA), "--data", str(path))
    assert code == 1
    assert out.splitlines()[:3] == [
        f"{path}: Violation: <{KZR}new-town> <{SCHEMA}name>: {NAME_MESSAGE}",
        f'    value: "7"^^<{XSD}integer> · shape: kzs:name',
        f'    triple: <{KZR}new-town> <{SCHEMA}name> "7"^^<{XSD}integer> .',
    ]


def test_a_file_the_scanner_cannot_read_still_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(self: object) -> None:
        raise locations.ScanError("line 1: unexpected '~'")

    monkeypatch.setattr(locations._Scanner, "document", refuse)
    report = validate_files([DATA, NEW_CITY])
    assert {(f.file, f.line) for f in report.results} == {(str(NEW_CITY), None)}


def test_nothing_is_read_when_the_report_is_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(*args: object) -> None:
        raise AssertionError("the files were indexed")

    monkeypatch.setattr(SourceIndex, "add_file", explode)
    report = ValidationReport(conforms=True)
    assert locate_report(report, [DATA]) is report


def test_findings_that_cannot_be_traced_keep_their_order() -> None:
    ghost = Finding(URIRef(f"{EX}ghost"), None, None, "m", "Violation", "s", "c")
    report = locate_report(ValidationReport(conforms=False, results=[ghost]), [DATA])
    assert report.results == [ghost]
    assert report.text().splitlines()[0] == f"Violation: <{EX}ghost>: m"


# ------------------------------------------------------------------ the scanner agrees with rdflib

SHIPPED = [DATA, ONTOLOGY, REUSED_TERMS, SHAPES, NEW_PEOPLE, NEW_CITY]


@pytest.mark.parametrize(
    "path", SHIPPED + sorted(SHAPE_FIXTURES.glob("*.ttl")), ids=lambda p: p.name
)
def test_every_triple_is_found_on_a_line_that_shows_it(path: Path) -> None:
    """Each triple rdflib reads whose subject has a name is placed on a line that holds its
    object's text (an IRI's last segment, a literal's first word) or, for a blank-node
    object, an opening bracket or its label."""
    graph = parse_file(path)
    lines = path.read_text(encoding="utf-8").splitlines()
    index = SourceIndex.from_files([path])
    assert index.unscanned == {}
    checked = 0
    for s, p, o in graph:
        if not isinstance(s, URIRef):
            continue
        assert isinstance(p, URIRef)
        assert isinstance(o, URIRef | Literal | BNode)
        line = where(index, graph, s, p, o)
        assert line is not None
        text = lines[line - 1]
        if isinstance(o, URIRef):
            expected = re.split(r"[/#:]", str(o).rstrip("/"))[-1]
        elif isinstance(o, Literal):
            words = str(o).split() if str(o)[:1].strip() else []  # a long string may open
            expected = (words or [""])[0][:12] if o.datatype != XSD.double else ""  # a line
        else:
            expected = ""  # a blank node: its opening bracket or label is on the line
            assert "[" in text or "_:" in text or "(" in text, (s, p, line, text)
        assert expected.replace("\\", "") in text.replace("\\", ""), (s, p, o, line, text)
        checked += 1
    assert checked > 0


def test_docs_show_the_real_text_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """The full example of docs/validation.md (its last one) is this very run, line for line."""
    section = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    command = "$ kzeu-graph validate data/kzeu.ttl tests/fixtures/locations/new-people.ttl\n"
    shown = section[section.rindex(command) + len(command) :].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    code, out = cli("validate", "data/kzeu.ttl", "tests/fixtures/locations/new-people.ttl")
    assert code == 1
    if "(engine: " not in shown:  # the README's example predates the engine on the summary line
        out = re.sub(r" \(engine: [a-z-]+\)\n$", "\n", out)
    assert shown == out
