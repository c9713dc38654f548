"""The Oxigraph pre-check of ``kzeu-graph validate`` (kzeu_graph.precheck).

It may answer "conforms" without pyshacl, so it must never miss anything pyshacl reports.
The evidence, each compared on (source shape, focus node, constraint component):

- every failing shape fixture: the pre-check finds exactly the results its header states
  (the results pyshacl gives, tests/test_shapes.py);
- mutations of the shipped graph (a triple removed, a literal's datatype or form changed):
  the pre-check finds exactly what pyshacl finds;
- small graphs for what the fixtures do not reach: literals Oxigraph stores in another form
  (``"30.0"`` as ``"30"``, an ``xsd:positiveInteger`` as an ``xsd:integer``), comparisons,
  uniqueLang, equals, lessThan, logical constraints;
- and what it must refuse (hand the input to pyshacl): untranslated shape features, a
  language tag with capitals, two literals Oxigraph would store as one, JSON-LD input.
"""

from __future__ import annotations

import functools
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH, XSD

from kzeu_graph import precheck
from kzeu_graph.cli import main
from kzeu_graph.loading import load_graph
from kzeu_graph.locations import validate_files
from kzeu_graph.validation import quick_validate, validate
from paths import DATA, ONTOLOGY, REUSED_TERMS, SHAPES, SOURCES_DIR
from test_shapes import FIXTURE_FILES, expected_results

ONTOLOGY_FILES = [ONTOLOGY, REUSED_TERMS]

Key = tuple[str, str, str]  # (shape, focus node, component local name)


def _key_of_hit(hit: precheck.Hit) -> Key:
    focus = "[]" if hit.focus.__class__.__name__ == "BlankNode" else hit.focus.value
    return ("[]" if hit.shape.startswith("_:") else hit.shape, focus, hit.component)


def precheck_keys(data_files: list[Path], shapes: Path = SHAPES) -> set[Key]:
    hits, *_ = precheck.find(data_files, shapes)
    return {_key_of_hit(h) for h in hits}


def pyshacl_keys(data: Graph, shapes: Graph) -> set[Key]:
    """What pyshacl reports, run as the project runs it (advanced mode, no inference)."""
    _, report, _ = pyshacl_validate(
        data, shacl_graph=shapes, advanced=True, allow_warnings=True, allow_infos=True
    )
    keys = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        shape = report.value(result, SH.sourceShape)
        focus = report.value(result, SH.focusNode)
        component = report.value(result, SH.sourceConstraintComponent)
        shown = "[]" if not isinstance(focus, URIRef | Literal) else str(focus)
        shape_name = str(shape) if isinstance(shape, URIRef) else "[]"
        keys.add((shape_name, shown, str(component).rsplit("#", 1)[-1]))
    return keys


# ------------------------------------------------------------------ the shipped graph


def test_the_shipped_graph_conforms_without_pyshacl() -> None:
    report = quick_validate([DATA], [SOURCES_DIR])
    assert report is not None
    assert report.engine == "oxigraph"
    assert report.conforms
    assert report.results == []
    assert precheck_keys([*ONTOLOGY_FILES, DATA]) == set()


def test_both_engines_give_the_same_report_on_the_shipped_graph() -> None:
    quick = validate_files()
    full = validate_files(engine="pyshacl")
    assert (quick.engine, full.engine) == ("oxigraph", "pyshacl")
    assert {**quick.to_json(), "engine": None} == {**full.to_json(), "engine": None}
    assert quick.text() == full.text()
    assert len(quick.report_graph) == len(full.report_graph) == 2  # the report and sh:conforms


def test_the_fast_path_imports_neither_pyshacl_nor_rdflib_sparql() -> None:
    code = (
        "import sys\n"
        "from kzeu_graph.locations import validate_files\n"
        "report = validate_files()\n"
        "print(report.engine, report.conforms, 'pyshacl' in sys.modules, "
        "'rdflib.plugins.sparql' in sys.modules, 'owlrl' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["oxigraph", "True", "False", "False", "False"]


def test_cli_engine_option(tmp_path: Path) -> None:
    from click.testing import CliRunner

    runner = CliRunner()
    quick = runner.invoke(main, ["validate", "--format", "json"])
    full = runner.invoke(main, ["validate", "--format", "json", "--engine", "pyshacl"])
    assert (quick.exit_code, full.exit_code) == (0, 0)
    assert json.loads(quick.output)["engine"] == "oxigraph"
    assert json.loads(full.output)["engine"] == "pyshacl"
    bad = runner.invoke(main, ["validate", "--engine", "fast"])
    assert bad.exit_code == 2


def test_a_graph_with_findings_is_reported_by_pyshacl() -> None:
    broken = FIXTURE_FILES[0]
    assert quick_validate([broken], [broken.parent / "sources", SOURCES_DIR]) is None
    report = validate_files([broken])
    assert report.engine == "pyshacl"
    assert [f.severity for f in report.results] == ["Warning"]  # activity-no-label: a warning


def test_inference_always_runs_pyshacl() -> None:
    assert validate_files(inference="rdfs").engine == "pyshacl"


# ------------------------------------------------------------------ every shape fixture


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=lambda p: p.stem)
def test_finds_exactly_the_results_of_each_fixture(fixture: Path) -> None:
    expected = {
        (str(r.shape), str(r.focus), str(r.component).rsplit("#", 1)[-1])
        for r in expected_results(fixture)
    }
    assert precheck_keys([*ONTOLOGY_FILES, fixture]) == expected


# ------------------------------------------------------------------ mutations


@functools.lru_cache(maxsize=1)
def _mutations(seed: int, count: int) -> list[tuple[str, Graph]]:
    """``count`` copies of the shipped data, each with one change, chosen at random."""
    data = Graph().parse(DATA)
    triples = sorted(data)
    rng = random.Random(seed)
    out = []
    for i in range(count):
        mutated = Graph()
        for t in triples:
            mutated.add(t)
        s, p, o = triples[rng.randrange(len(triples))]
        kind = i % 3
        if kind == 0:
            mutated.remove((s, p, o))
            what = f"removed {p}"
        elif kind == 1 and isinstance(o, Literal):
            mutated.add((s, p, Literal(str(o), datatype=XSD.string)))
            what = f"added a string beside {p}"
        else:
            mutated.add((s, p, Literal("1", datatype=XSD.positiveInteger)))
            what = f"added a positiveInteger to {p}"
        out.append((what, mutated))
    return out


@pytest.mark.parametrize("index", range(45))
def test_mutations_find_what_pyshacl_finds(index: int, tmp_path: Path) -> None:
    what, mutated = _mutations(seed=2023, count=45)[index]
    file = tmp_path / "mutated.nt"
    mutated.serialize(file, format="nt", encoding="utf-8")
    try:
        found = precheck_keys([*ONTOLOGY_FILES, file])
    except precheck.Unsupported:  # refused: pyshacl decides, which is always right
        assert quick_validate([file], [SOURCES_DIR]) is None
        return
    report = validate(load_graph([file]), sources_dirs=[SOURCES_DIR])  # pyshacl, as the CLI runs it
    expected = {
        (f.source, str(f.focus_node), f.component.rsplit("#", 1)[-1])
        for f in report.results
        if not f.source.startswith("kzeu-check:")
    }
    assert found == expected, what


# ------------------------------------------------------------------ small graphs

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""


def _compare(tmp_path: Path, shapes: str, data: str) -> tuple[set[Key], set[Key]]:
    shapes_file = tmp_path / "shapes.ttl"
    data_file = tmp_path / "data.ttl"
    shapes_file.write_text(PREFIXES + shapes, encoding="utf-8")
    data_file.write_text(PREFIXES + data, encoding="utf-8")
    found = precheck_keys([data_file], shapes_file)
    return found, pyshacl_keys(Graph().parse(data_file), Graph().parse(shapes_file))


S = "http://example.org/S"
A = "http://example.org/a"


@pytest.mark.parametrize(
    ("constraint", "data", "component"),
    [
        # literals Oxigraph stores in another form
        ("sh:datatype xsd:integer", '"5"^^xsd:positiveInteger', "DatatypeConstraintComponent"),
        ("sh:datatype xsd:positiveInteger", '"5"^^xsd:positiveInteger', None),
        ("sh:datatype xsd:positiveInteger", "5", "DatatypeConstraintComponent"),
        ("sh:datatype xsd:decimal", "30.0", None),
        ("sh:in ( 30.0 )", "30.0", None),
        ('sh:in ( "30"^^xsd:decimal )', "30.0", "InConstraintComponent"),
        ("sh:hasValue 30.0", "30.0", None),
        ('sh:hasValue "30"^^xsd:decimal', "30.0", "HasValueConstraintComponent"),
        ('sh:pattern "\\\\.0$"', "30.0", None),
        ("sh:minLength 4", "30.0", None),
        ("sh:maxLength 2", "30.0", "MaxLengthConstraintComponent"),
        (
            "sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] )",
            '"5"^^xsd:positiveInteger',
            "OrConstraintComponent",
        ),
        # comparisons: by value, an incomparable value fails
        ("sh:minInclusive 0", '"5"^^xsd:positiveInteger', None),
        ("sh:maxInclusive 100", "100.0", None),
        ("sh:maxExclusive 100", "100.0", "MaxExclusiveConstraintComponent"),
        ("sh:minInclusive 0", '"five"', "MinInclusiveConstraintComponent"),
        # counts and strings
        ("sh:maxCount 1", "1, 1.0", "MaxCountConstraintComponent"),
        # 1 and "1"^^xsd:positiveInteger: the second is stored as the xsd:decimal 1
        ("sh:maxCount 1", '1, "1"^^xsd:positiveInteger', "MaxCountConstraintComponent"),
        (
            "sh:datatype xsd:positiveInteger",
            '1, "1"^^xsd:positiveInteger',
            "DatatypeConstraintComponent",
        ),
        ("sh:in ( 1 )", '1, "1"^^xsd:positiveInteger', "InConstraintComponent"),
        ("sh:maxInclusive 1", '1, "1"^^xsd:positiveInteger', None),
        ("sh:minCount 3", "1, 1.0", "MinCountConstraintComponent"),
        ("sh:uniqueLang true", '"a"@en, "b"@en', "UniqueLangConstraintComponent"),
        ("sh:uniqueLang true", '"a"@en, "b"@kk', None),
        ("sh:nodeKind sh:IRI", "ex:b", None),
        ("sh:nodeKind sh:IRI", "[]", "NodeKindConstraintComponent"),
        ("sh:not [ sh:datatype xsd:string ]", '"x"', "NotConstraintComponent"),
        (
            "sh:xone ( [ sh:datatype xsd:string ] [ sh:nodeKind sh:Literal ] )",
            '"x"',
            "XoneConstraintComponent",
        ),
    ],
)
def test_value_constraints_agree_with_pyshacl(
    tmp_path: Path, constraint: str, data: str, component: str | None
) -> None:
    shapes = f"ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; {constraint} ] ."
    found, expected = _compare(tmp_path, shapes, f"ex:a ex:p {data} .")
    assert found == expected
    if component is None:
        assert found == set()
    else:
        assert {c for _, _, c in found} == {component}


@pytest.mark.parametrize(
    ("constraint", "data", "violates"),
    [
        ("sh:equals ex:q", 'ex:p "5"^^xsd:positiveInteger ; ex:q "5"^^xsd:positiveInteger', False),
        ("sh:equals ex:q", "ex:p 30.0 ; ex:q 30.0", False),
        ("sh:equals ex:q", "ex:p 30.0 ; ex:q 30.00", True),
        ("sh:disjoint ex:q", "ex:p 30.0 ; ex:q 30.0", True),
        ("sh:lessThan ex:q", "ex:p 1 ; ex:q 2.5", False),
        ("sh:lessThan ex:q", "ex:p 3 ; ex:q 2.5", True),
        ("sh:lessThan ex:q", 'ex:p 3 ; ex:q "z"', True),
    ],
)
def test_pair_constraints_agree_with_pyshacl(
    tmp_path: Path, constraint: str, data: str, violates: bool
) -> None:
    shapes = f"ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; {constraint} ] ."
    try:
        found, expected = _compare(tmp_path, shapes, f"ex:a {data} .")
    except precheck.Unsupported:
        assert "30.00" in data  # "30.0" and "30.00" are one literal in Oxigraph: refused
        return
    assert found == expected
    assert bool(found) is violates


def test_a_sparql_constraint_that_reads_a_rewritten_literal_is_refused(tmp_path: Path) -> None:
    shapes = """
        ex:S sh:targetNode ex:a ; sh:sparql [
            sh:select "SELECT $this WHERE { $this <http://example.org/p> ?v FILTER (STRENDS(STR(?v), '.0')) }" ] .
    """
    with pytest.raises(precheck.Unsupported, match="reads lexical forms"):
        _compare(tmp_path, shapes, "ex:a ex:p 30.0 .")
    # the same constraint on data Oxigraph keeps as written is run, and agrees
    found, expected = _compare(tmp_path, shapes, 'ex:a ex:p "30.0" .')
    assert found == expected == {(S, A, "SPARQLConstraintComponent")}


@pytest.mark.parametrize(
    ("shapes", "data", "why"),
    [
        ("ex:S sh:targetNode ex:a ; sh:node [ sh:minCount 1 ] .", "ex:a ex:p 1 .", "node"),
        ("ex:S sh:targetNode ex:a ; sh:closed true .", "ex:a ex:p 1 .", "closed"),
        (
            "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:languageIn ( 'en' ) ] .",
            'ex:a ex:p "x"@en .',
            "languageIn",
        ),
        (
            "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:datatype xsd:string ] .",
            'ex:a ex:p "x"@EN .',
            "capitals",
        ),
        (
            "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] .",
            'ex:a ex:p 1, 1.0, "1"^^xsd:positiveInteger .',
            "literal as one",
        ),
        (
            "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:maxCount 1 ] .",
            'ex:a ex:p "x", "x"^^xsd:string .',
            "typed xsd:string",
        ),
        (
            "ex:S sh:targetNode ex:a ; sh:sparql [ sh:select "
            '"SELECT $this WHERE { $this <http://example.org/p> ?v '
            'MINUS { $this <http://example.org/q> ?v } }" ] .',
            "ex:a ex:p 1 .",
            "SPARQL constraint",
        ),
        (
            "ex:S a <http://www.w3.org/2000/01/rdf-schema#Class> ; sh:targetNode ex:a ; "
            "sh:property [ sh:path ex:p ; sh:minCount 1 ] .",
            "ex:a ex:p 1 .",
            "also a class",
        ),
    ],
    ids=[
        "sh:node",
        "sh:closed",
        "sh:languageIn",
        "language-capitals",
        "one-literal",
        "xsd-string",
        "sparql-minus",
        "implicit-class-target",
    ],
)
def test_refuses_what_it_cannot_decide(tmp_path: Path, shapes: str, data: str, why: str) -> None:
    with pytest.raises(precheck.Unsupported, match=why):
        _compare(tmp_path, shapes, data)


def test_json_ld_data_goes_to_pyshacl(tmp_path: Path) -> None:
    data = tmp_path / "data.jsonld"
    data.write_text('{"@id": "http://example.org/a", "http://example.org/p": 1}', encoding="utf-8")
    with pytest.raises(precheck.Unsupported, match="not read by the pre-check"):
        precheck.find([data], SHAPES)
    assert validate_files([data]).engine == "pyshacl"


def test_a_malformed_file_is_reported_by_the_full_path(tmp_path: Path) -> None:
    from kzeu_graph.errors import InputError

    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix ex: <http://example.org/> .\nex:a ex:p .\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"bad\.ttl:2: bad syntax"):
        validate_files([bad])


def test_python_checks_still_run_on_the_fast_path(tmp_path: Path) -> None:
    """A text span that does not match its source is a kzeu-check finding, which pyshacl's
    shapes cannot see: the pre-check finds nothing, quick_validate must still refuse."""
    text = DATA.read_text(encoding="utf-8")
    broken = text.replace('oa:start "64"^^', 'oa:start "65"^^', 1)
    assert broken != text
    file = tmp_path / "kzeu.ttl"
    file.write_text(broken, encoding="utf-8")
    assert quick_validate([file], [SOURCES_DIR]) is None
    report = validate_files([file])
    assert report.engine == "pyshacl"
    assert "kzeu-check:text-span" in {f.source for f in report.results}
