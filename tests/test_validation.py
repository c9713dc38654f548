"""Validation: SHACL with our shapes only, plus the text-span, hash, literal and IRI checks."""

from __future__ import annotations

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import PROV, RDFS, SH, XSD

from conftest import copy_graph
from kzeu_graph.errors import InputError
from kzeu_graph.loading.graph import parse_file
from kzeu_graph.rdf.namespaces import KZEU, KZEU_CHECK, OA, SCHEMA
from kzeu_graph.validation.report import ValidationReport, python_checks, validate
from paths import FIXTURE_SOURCES

KZR = Namespace("https://w3id.org/kzeu/id/")
EX = Namespace("http://example.org/")
SOURCES = [FIXTURE_SOURCES]


def run(graph: Graph, shapes: Graph) -> ValidationReport:
    return validate(graph, shapes=shapes, sources_dirs=SOURCES)


def test_fixture_graph_conforms(mini_graph: Graph, mini_shapes: Graph) -> None:
    report = run(mini_graph, mini_shapes)
    assert report.conforms, report.text()
    assert report.results == []
    assert report.summary() == "conforms: 0 violation(s), 0 warning(s), 0 info(s)"


def test_shape_violation(mini_graph: Graph, mini_shapes: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.remove((KZR["statement-2"], PROV.wasAttributedTo, None))
    report = run(graph, mini_shapes)
    assert not report.conforms
    [finding] = report.results
    assert (finding.focus_node, finding.path, finding.severity) == (
        KZR["statement-2"],
        PROV.wasAttributedTo,
        "Violation",
    )
    assert finding.message == "A statement needs a speaker."
    assert finding.component == str(SH.MinCountConstraintComponent)


def test_warnings_do_not_break_conformance(mini_graph: Graph, mini_shapes: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.remove((KZR["statement-1"], RDFS.label, None))
    report = run(graph, mini_shapes)
    assert report.conforms
    assert [(f.severity, f.focus_node) for f in report.results] == [("Warning", KZR["statement-1"])]
    assert report.filter("Violation") == []
    assert len(report.filter("Warning")) == 1


def test_shapes_in_the_data_graph_are_not_run(mini_graph: Graph, mini_shapes: Graph) -> None:
    graph = copy_graph(mini_graph)
    shape, constraint = EX.EvilShape, EX.evil
    graph.add((shape, RDF.type, SH.NodeShape))
    graph.add((shape, SH.targetClass, KZEU.Statement))
    graph.add((shape, SH.sparql, constraint))
    graph.add((constraint, SH.select, Literal("SELECT $this WHERE { }")))
    assert run(graph, mini_shapes).conforms


def test_empty_shapes_graph_is_refused(mini_graph: Graph) -> None:
    with pytest.raises(InputError, match="shapes graph is empty"):
        validate(mini_graph, shapes=Graph(), sources_dirs=SOURCES)


@pytest.mark.usefixtures("fixture_content")
def test_default_shapes_are_the_projects(mini_graph: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.remove((KZR["statement-2"], PROV.wasAttributedTo, None))
    report = validate(graph)
    assert [f.focus_node for f in report.results] == [KZR["statement-2"]]


# ------------------------------------------------------------------ text spans


def test_wrong_span(mini_graph: Graph, mini_shapes: Graph) -> None:
    graph = copy_graph(mini_graph)
    position = KZR["sentence-2-position"]
    graph.set((position, OA.start, Literal(69, datatype=XSD.nonNegativeInteger)))
    report = run(graph, mini_shapes)
    assert not report.conforms
    [finding] = report.results
    assert finding.focus_node == KZR["sentence-2"]
    assert finding.message == (
        "text[69:86] is 'ob Sample agreed.', not the oa:exact 'Bob Sample agreed.'"
    )
    assert (finding.severity, finding.source) == ("Violation", "kzeu-check:text-span")


def test_wrong_exact(mini_graph: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.set((KZR["sentence-1-quote"], OA.exact, Literal("Alice said so.")))
    [finding] = python_checks(graph, SOURCES)
    assert finding.focus_node == KZR["sentence-1"]
    assert finding.message.startswith("text[10:67] is 'Alice Example said")
    assert finding.message.endswith("not the oa:exact 'Alice said so.'")


def test_span_out_of_range(mini_graph: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.set((KZR["sentence-2-position"], OA.end, Literal(1000, datatype=XSD.nonNegativeInteger)))
    [finding] = python_checks(graph, SOURCES)
    assert finding.focus_node == KZR["sentence-2"]
    assert finding.message == "text position 68..1000 is not a valid span of a 87-character text"


def test_hash_mismatch(mini_graph: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.set((KZR.article, SCHEMA.sha256, Literal("0" * 64)))
    [finding] = python_checks(graph, SOURCES)
    assert (finding.focus_node, finding.path, finding.source) == (
        KZR.article,
        SCHEMA.sha256,
        "kzeu-check:sha256",
    )
    assert finding.message == (
        "schema:sha256 does not match mini.txt (its SHA-256 is "
        "ed167d2fbf114cf76e9817345b822fd1262fccc2f7262fceb2b70821b50db49c)"
    )


@pytest.mark.parametrize("name", ["missing.txt", "../sources/mini.txt", "/etc/hostname", ".."])
def test_missing_or_unsafe_source_file(mini_graph: Graph, name: str) -> None:
    graph = copy_graph(mini_graph)
    graph.set((KZR.article, KZEU.textFile, Literal(name)))
    [finding] = python_checks(graph, SOURCES)
    assert finding.focus_node == KZR.article
    assert finding.message == f"source text file {name!r} not found in {FIXTURE_SOURCES}"


def test_source_without_text_file(mini_graph: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.remove((KZR.article, KZEU.textFile, None))
    [finding] = python_checks(graph, SOURCES)
    assert finding.message == "a text source needs exactly one kzeu:textFile, found 0"


# ------------------------------------------------------------------ literals and IRIs


@pytest.mark.parametrize(
    ("lexical", "datatype", "name"),
    [
        ("x", XSD.integer, "xsd:integer"),
        ("-1", XSD.nonNegativeInteger, "xsd:nonNegativeInteger"),
        ("2023-02-30", XSD.date, "xsd:date"),
        ("20x3", XSD.gYear, "xsd:gYear"),
        ("2023-13", XSD.gYearMonth, "xsd:gYearMonth"),
        ("1,5", XSD.decimal, "xsd:decimal"),
        ("maybe", XSD.boolean, "xsd:boolean"),
    ],
)
@pytest.mark.filterwarnings("ignore:Parsing weird boolean")
def test_ill_typed_literal(
    mini_graph: Graph, mini_shapes: Graph, lexical: str, datatype: URIRef, name: str
) -> None:
    graph = copy_graph(mini_graph)
    graph.add((KZR.alice, EX.value, Literal(lexical, datatype=datatype)))
    report = run(graph, mini_shapes)
    assert not report.conforms
    [finding] = report.results
    assert (finding.focus_node, finding.path, finding.source) == (
        KZR.alice,
        EX.value,
        "kzeu-check:ill-typed-literal",
    )
    shown = str(Literal(lexical, datatype=datatype))  # rdflib normalises 'maybe' to 'false'
    assert finding.message == f"ill-typed literal: {shown!r} is not a valid {name}"


@pytest.mark.parametrize(
    ("lexical", "datatype"),
    [("2023", XSD.gYear), ("2023-03", XSD.gYearMonth), ("0", XSD.nonNegativeInteger)],
)
def test_well_typed_literals_pass(mini_graph: Graph, lexical: str, datatype: URIRef) -> None:
    graph = copy_graph(mini_graph)
    graph.add((KZR.alice, EX.value, Literal(lexical, datatype=datatype)))
    assert python_checks(graph, SOURCES) == []


def test_ill_typed_literal_from_a_file(mini_graph: Graph, tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    path = tmp_path / "bad.ttl"
    path.write_text(
        '<https://w3id.org/kzeu/id/alice> <http://example.org/n> "ten"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    graph = copy_graph(mini_graph)
    parse_file(path, into=graph)
    [finding] = python_checks(graph, SOURCES)
    assert finding.message == "ill-typed literal: 'ten' is not a valid xsd:integer"


@pytest.mark.parametrize(
    ("iri", "position"),
    [
        ("http://example.org/a b", "object"),
        ("no-scheme", "object"),
        ('http://example.org/"quoted"', "object"),
        ("http://example.org/{x}", "predicate"),
        ("http://example.org/a|b", "subject"),
    ],
)
def test_invalid_iri(mini_graph: Graph, mini_shapes: Graph, iri: str, position: str) -> None:
    graph = copy_graph(mini_graph)
    bad = URIRef(iri)
    triple = {
        "subject": (bad, EX.p, KZR.alice),
        "predicate": (KZR.alice, bad, KZR.bob),
        "object": (KZR.alice, EX.p, bad),
    }[position]
    graph.add(triple)
    report = run(graph, mini_shapes)
    assert not report.conforms
    [finding] = [f for f in report.results if f.source == "kzeu-check:iri"]
    assert finding.focus_node == triple[0]
    assert finding.value == bad
    assert finding.message == (
        f'invalid IRI as {position}: {iri!r} (needs a scheme; no spaces or <>"{{}}|\\^` characters)'
    )


def test_invalid_iri_from_a_turtle_file_is_refused_at_load(tmp_path: object) -> None:
    """rdflib loads it with a warning; the loader's strict reading refuses it (a W3C negative
    syntax test), so the finding above is only reachable for graphs built in Python."""
    from pathlib import Path

    from kzeu_graph.errors import InputError

    assert isinstance(tmp_path, Path)
    path = tmp_path / "bad.ttl"
    path.write_text("<http://example.org/a> <http://example.org/p> <http://example.org/a b> .\n")
    with pytest.raises(InputError, match=rf"^{path}:1: bad syntax .*Invalid IRI code point ' '"):
        parse_file(path)  # refused at load (rdflib alone would accept it with a warning)
    graph = Graph()  # built in Python, the check still finds it
    graph.add(
        (
            URIRef("http://example.org/a"),
            URIRef("http://example.org/p"),
            URIRef("http://example.org/a b"),
        )
    )
    [finding] = python_checks(graph, SOURCES)
    assert finding.value == URIRef("http://example.org/a b")


# ------------------------------------------------------------------ the report


def test_report_graph_holds_python_findings(mini_graph: Graph, mini_shapes: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.set((KZR["sentence-2-position"], OA.start, Literal(69, datatype=XSD.nonNegativeInteger)))
    report = run(graph, mini_shapes)
    rg = report.report_graph
    [root] = rg.subjects(RDF.type, SH.ValidationReport)
    assert rg.value(root, SH.conforms) == Literal(False)
    [result] = rg.objects(root, SH.result)
    assert rg.value(result, SH.focusNode) == KZR["sentence-2"]
    assert rg.value(result, SH.sourceShape) == KZEU_CHECK["text-span"]
    assert rg.value(result, SH.resultSeverity) == SH.Violation


def test_json_is_stable(mini_graph: Graph, mini_shapes: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.remove((KZR["statement-1"], RDFS.label, None))
    graph.remove((KZR["statement-2"], PROV.wasAttributedTo, None))
    graph.add((KZR.alice, EX.p, URIRef("no-scheme")))
    first, second = run(graph, mini_shapes).to_json(), run(graph, mini_shapes).to_json()
    assert first == second
    assert first["conforms"] is False
    assert first["counts"] == {"Violation": 2, "Warning": 1, "Info": 0}
    assert [r["severity"] for r in first["results"]] == ["Violation", "Violation", "Warning"]
    assert set(first["results"][0]) == {
        "focus_node",
        "path",
        "value",
        "message",
        "severity",
        "source",
        "component",
        "file",
        "line",
    }
    assert (first["results"][0]["file"], first["results"][0]["line"]) == (None, None)


def test_text_report(mini_graph: Graph, mini_shapes: Graph) -> None:
    graph = copy_graph(mini_graph)
    graph.add((KZR.alice, EX.p, URIRef("no-scheme")))
    report = run(graph, mini_shapes)
    text = report.text()
    assert text.splitlines()[:3] == [
        "Violation: <https://w3id.org/kzeu/id/alice> <http://example.org/p>: invalid IRI as "
        "object: 'no-scheme' (needs a scheme; no spaces or <>\"{}|\\^` characters)",
        "    value: <no-scheme> · shape: kzeu-check:iri",
        "    triple: <https://w3id.org/kzeu/id/alice> <http://example.org/p> <no-scheme> .",
    ]
    # pyshacl-turbo refuses a graph with a relative IRI: the default engine hands it to pyshacl
    assert report.engine == "pyshacl"
    assert text.endswith(
        "does not conform: 1 violation(s), 0 warning(s), 0 info(s) (engine: pyshacl)\n"
    )


def test_unknown_severity_filter(mini_graph: Graph, mini_shapes: Graph) -> None:
    with pytest.raises(ValueError, match="unknown severity"):
        run(mini_graph, mini_shapes).filter("Fatal")


def test_complex_paths_are_shown_in_shacl_path_syntax() -> None:
    """A required inverse path (^oa:hasBody) reads as such, not as a blank node label."""
    shapes = Graph().parse(
        data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix oa: <http://www.w3.org/ns/oa#> .
        @prefix ex: <http://example.org/> .
        ex:S a sh:NodeShape ; sh:targetClass ex:Fact ;
            sh:property [ sh:path [ sh:inversePath oa:hasBody ] ; sh:minCount 1 ;
                          sh:severity sh:Violation ; sh:message "needs evidence" ] ;
            sh:property [ sh:path ( ex:a ex:b ) ; sh:minCount 1 ;
                          sh:severity sh:Violation ; sh:message "needs a/b" ] .
        """,
        format="turtle",
    )
    graph = Graph()
    graph.add((EX.f, RDF.type, EX.Fact))
    report = validate(graph, shapes=shapes, ontology=Graph(), sources_dirs=SOURCES)
    shown = sorted((f.shown_path(), f.message) for f in report.results)
    assert shown == [
        ("<http://example.org/a>/<http://example.org/b>", "needs a/b"),
        ("^<http://www.w3.org/ns/oa#hasBody>", "needs evidence"),
    ]
    assert (
        "Violation: <http://example.org/f> ^<http://www.w3.org/ns/oa#hasBody>: needs evidence"
        in report.text().splitlines()
    )
    assert [r["path"] for r in report.to_json()["results"]] == [s for s, _ in shown]
