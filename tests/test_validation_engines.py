"""The default SHACL engine (pyshacl-turbo) against the reference engine (pyshacl).

``kzeu-graph validate`` runs pyshacl-turbo when it imports and pyshacl otherwise (or with
``--engine pyshacl``). The two must give the same report, finding for finding (focus node,
path, value, source shape, constraint component, severity, message, file and line). Compared
here on inputs the shape fixtures (tests/test_validation_speed.py) and the W3C suite
(tests/test_w3c_shacl.py) do not reach: seeded mutations of the shipped graph, small
generated corpora with and without violations, literals that engines could store in another
form; and the fallbacks: what runs when pyshacl-turbo is missing, and what each report says.
"""

from __future__ import annotations

import functools
import json
import random
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.term import Node

from kzeu_graph.cli.commands import main
from kzeu_graph.errors import InputError
from kzeu_graph.loading.graph import load_graph, parse_file
from kzeu_graph.synth.generator import generate_corpus
from kzeu_graph.validation.locations import validate_files
from kzeu_graph.validation.report import (
    NATIVE_ENGINE,
    ValidationReport,
    engine_versions,
    native_engine,
    validate,
)
from paths import DATA, SHAPE_FIXTURES, SOURCES_DIR
from test_shapes import actual_results, expected_results

Triple = tuple[Node, Node, Node]
FIXTURE_FILES = sorted(SHAPE_FIXTURES.glob("*.ttl"))
MUTATIONS = 8  # two of each kind; each costs a pyshacl run (~2 s)

if native_engine() is None:
    import os

    if os.environ.get("CI") == "true":
        pytest.fail(f"{NATIVE_ENGINE} does not import on CI (it is a runtime dependency)")
    pytest.skip(f"{NATIVE_ENGINE} is not installed here", allow_module_level=True)


def _shown(node: object) -> str | None:
    """A node as text; every blank node as ``[]`` (each engine labels them its own way)."""
    if node is None:
        return None
    return "[]" if isinstance(node, BNode) else str(node)


def report_key(
    report: ValidationReport, messages: bool = True
) -> tuple[bool, list[tuple[str, ...]]]:
    """Conformance and every finding, in full, as text (without the message when
    ``messages`` is false: for shapes with no sh:message each engine words its own)."""
    findings = [
        (
            str(_shown(f.focus_node)),
            str(f.shown_path() if not isinstance(f.path, BNode) or f.path_text else "[]"),
            str(_shown(f.value)),
            f.source if not f.source.startswith("_:") else "[]",
            f.component,
            f.severity,
            f.message if messages else "",
            str(f.file),
            str(f.line),
        )
        for f in report.results
    ]
    return report.conforms, sorted(findings)


def assert_same(fast: ValidationReport, reference: ValidationReport, messages: bool = True) -> None:
    assert (fast.engine, reference.engine) == (NATIVE_ENGINE, "pyshacl")
    assert report_key(fast, messages) == report_key(reference, messages)


# ------------------------------------------------------------------ mutations of the shipped graph


@functools.cache
def _mutations(seed: int, count: int) -> list[tuple[str, list[Triple]]]:
    """``count`` copies of the shipped data, each with one change, chosen at random."""
    triples = sorted(parse_file(DATA))
    rng = random.Random(seed)
    out = []
    for i in range(count):
        mutated = list(triples)
        s, p, o = mutated.pop(rng.randrange(len(mutated)))
        kind = i % 4
        if kind == 0:
            what = f"removed {p}"
        elif kind == 1:
            mutated += [(s, p, o), (s, p, Literal(str(o), datatype=XSD.string))]
            what = f"added a string beside {p}"
        elif kind == 2:
            mutated += [(s, p, o), (s, p, Literal("1", datatype=XSD.positiveInteger))]
            what = f"added a positiveInteger to {p}"
        else:
            mutated += [(s, p, o), (s, p, URIRef("https://w3id.org/kzeu/id/nowhere"))]
            what = f"added an unknown resource to {p}"
        out.append((what, mutated))
    return out


@pytest.mark.parametrize("index", range(MUTATIONS))
def test_mutations_of_the_shipped_graph(index: int, tmp_path: Path) -> None:
    what, triples = _mutations(seed=2023, count=MUTATIONS)[index]
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    file = tmp_path / "mutated.nt"
    graph.serialize(file, format="nt", encoding="utf-8")
    fast = validate_files([file])
    reference = validate_files([file], engine="pyshacl")
    assert (fast.engine, reference.engine) == (NATIVE_ENGINE, "pyshacl")
    assert report_key(fast) == report_key(reference), what


def test_some_mutation_breaks_each_kind_of_constraint() -> None:
    """The mutations reach several kinds of SHACL constraint, not only the Python checks."""
    components = set()
    for _, triples in _mutations(seed=2023, count=MUTATIONS):
        graph = Graph()
        for triple in triples:
            graph.add(triple)
        report = validate(graph, sources_dirs=[SOURCES_DIR])
        components |= {f.component.rsplit("#", 1)[-1] for f in report.results}
    shacl = {c for c in components if c.endswith("ConstraintComponent")}
    assert len(shacl) >= 3, components


# ------------------------------------------------------------------ generated corpora


@functools.cache
def _corpus(folder: Path, articles: int, seed: int) -> Path:
    return generate_corpus(articles, folder, seed=seed).data_file


@pytest.mark.parametrize(("articles", "seed"), [(1, 0), (2, 7)])
def test_a_generated_corpus_conforms_on_both(articles: int, seed: int, tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, articles, seed)
    fast = validate_files([corpus])
    reference = validate_files([corpus], engine="pyshacl")
    assert fast.conforms
    assert fast.results == []
    assert_same(fast, reference)


def test_a_corpus_with_seeded_violations(tmp_path: Path) -> None:
    """Every 40th triple of a generated corpus dropped, every 97th object replaced by a
    string: many findings of many shapes, the same on both engines, at the same lines."""
    corpus = _corpus(tmp_path, 2, 3)
    lines = corpus.read_text(encoding="utf-8").splitlines()
    broken = []
    for i, line in enumerate(lines):
        if i % 40 == 39:
            continue
        if i % 97 == 96 and not line.rstrip(" .").endswith(">"):
            subject_predicate = line.split(" ", 2)[:2]
            line = " ".join(subject_predicate) + ' "seeded" .'
        broken.append(line)
    corpus.write_text("\n".join(broken) + "\n", encoding="utf-8")
    fast = validate_files([corpus])
    reference = validate_files([corpus], engine="pyshacl")
    assert len(reference.results) >= 20
    assert len({f.source for f in reference.results}) >= 5
    assert_same(fast, reference)
    # locating reads only the lines that name a focus node: the same places as all lines
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr("kzeu_graph.validation.locations._lines_naming", lambda text, _: text)
        everything = validate_files([corpus])
    assert report_key(everything) == report_key(fast)
    assert all(f.line is not None for f in fast.results)


def test_inference_gives_the_same_report(tmp_path: Path) -> None:
    """With --inference rdfs each engine infers its own way (pyshacl with owlrl)."""
    text = DATA.read_text(encoding="utf-8")
    file = tmp_path / "kzeu.ttl"
    file.write_text(text.replace("oa:hasSource", "oa:hasSourceX", 1), encoding="utf-8")
    fast = validate_files([file], inference="rdfs")
    reference = validate_files([file], inference="rdfs", engine="pyshacl")
    assert reference.results
    assert_same(fast, reference)


# ------------------------------------------------------------------ files read by Oxigraph

# ``validate_files`` reads N-Triples and Turtle files with Oxigraph and hands pyshacl-turbo
# N-Triples; rdflib's parser (the slow part at corpus scale) runs only when that path
# cannot decide (a file does not parse, another format, one Oxigraph reads otherwise).


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[f.stem for f in FIXTURE_FILES])
def test_each_shape_fixture_read_natively(fixture: Path) -> None:
    """The ``# expect:`` lines that tests/test_shapes.py checks plain pyshacl against."""
    report = validate_files([fixture])
    assert report.engine == NATIVE_ENGINE
    shacl = frozenset(
        r for r in actual_results(report.report_graph) if "kzeu/check" not in str(r.shape)
    )
    assert shacl == expected_results(fixture)


@pytest.fixture
def no_rdflib_parser(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("kzeu_graph.loading.graph.load_graph", _refuse)


@pytest.mark.usefixtures("no_rdflib_parser")
def test_a_corpus_is_read_without_rdflib(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, 2, 11)
    assert validate_files([corpus]).conforms
    text = corpus.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if "<https://schema.org/name>" not in line]
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = validate_files([corpus])
    assert report.engine == NATIVE_ENGINE
    assert {f.source.rsplit("#", 1)[-1] for f in report.results} >= {"name"}
    assert all(f.line is not None for f in report.results)


@pytest.mark.parametrize(
    ("old", "new", "check", "engine"),
    [
        ('oa:start "64"^^', 'oa:start "65"^^', "kzeu-check:text-span", NATIVE_ENGINE),
        (
            'kzeu:ordinal "30"^^xsd:positiveInteger',
            'kzeu:ordinal "thirty"^^xsd:positiveInteger',
            "kzeu-check:ill-typed-literal",
            "pyshacl",
        ),
        ('"2023"^^xsd:gYear', '"23"^^xsd:gYear', "kzeu-check:ill-typed-literal", "pyshacl"),
    ],
    ids=["text-span", "ill-typed-integer", "ill-typed-gyear"],
)
def test_python_check_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, check: str, engine: str
) -> None:
    """A text span is checked on Oxigraph's triples (rdflib's parser is not used) and
    reported as the rdflib path reports it, at the same line. An ill-typed literal sends
    the file to rdflib's path and pyshacl: SPARQL constraints on the ill-typed value
    (the anniversary's ordinal) answer otherwise on Oxigraph."""
    text = DATA.read_text(encoding="utf-8")
    assert old in text
    file = tmp_path / "kzeu.ttl"
    file.write_text(text.replace(old, new, 1), encoding="utf-8")
    with monkeypatch.context() as patched:
        if engine == NATIVE_ENGINE:
            patched.setattr("kzeu_graph.loading.graph.load_graph", _refuse)
        fast = validate_files([file])
    reference = validate_files([file], engine="pyshacl")
    assert check in {f.source for f in fast.results}
    assert fast.engine == engine
    assert report_key(fast) == report_key(reference)


def _refuse(*_: object, **__: object) -> Graph:
    raise AssertionError("rdflib's parser was used")


def test_blank_node_findings_are_located_alike(tmp_path: Path) -> None:
    file = tmp_path / "agreement.ttl"
    file.write_text(
        "@prefix kzeu: <https://w3id.org/kzeu/ontology#> .\n"
        "@prefix schema: <https://schema.org/> .\n"
        "[] a kzeu:Agreement ;\n    schema:name 5 .\n",
        encoding="utf-8",
    )
    fast, reference = validate_files([file]), validate_files([file], engine="pyshacl")
    assert any(isinstance(f.focus_node, BNode) for f in fast.results)
    assert_same(fast, reference)


@pytest.mark.parametrize(
    ("extra", "findings"),
    [
        # Oxigraph writes language tags in lower case (uniqueLang fails either way)
        ('kzr:area-agriculture skos:prefLabel "Agri"@EN .', True),
        # "x" and "x"^^xsd:string are one term in RDF 1.1, and the loader (Oxigraph) reads
        # them so on every path: no second schema:name, no maxCount finding
        ('kzr:european-union schema:name "European Union"^^xsd:string .', False),
        (
            'kzr:european-union schema:name "European Union"^^<http://www.w3.org/2001/XMLSchema#string> .',
            False,
        ),
        # literals rdflib rewrites ("031" as "31", "1" as "true", a date as a dateTime)
        ('kzr:anniversary-30-diplomatic-relations kzeu:ordinal "031"^^xsd:positiveInteger .', True),
        ('kzr:european-union kzeu:flag "1"^^xsd:boolean .', False),
        ('kzr:european-union kzeu:since "2011-01-01"^^xsd:dateTime .', False),
    ],
    ids=["language-capitals", "xsd-string", "xsd-string-iri", "leading-zero", "boolean-1", "date"],
)
def test_what_oxigraph_reads_otherwise_goes_through_rdflib(
    tmp_path: Path, extra: str, findings: bool
) -> None:
    file = tmp_path / "kzeu.ttl"
    file.write_text(DATA.read_text(encoding="utf-8") + "\n" + extra + "\n", encoding="utf-8")
    fast, reference = validate_files([file]), validate_files([file], engine="pyshacl")
    assert bool(fast.results) is findings
    assert_same(fast, reference)


@pytest.mark.parametrize(
    ("name", "text", "error"),
    [
        (
            "bad.ttl",
            "@prefix ex: <http://example.org/> .\nex:a ex:p .\n",
            r"bad\.ttl:2: bad syntax",
        ),
        ("bad.nt", "<http://example.org/a> <http://example.org/p> .\n", r"bad\.nt"),
        ("data.xyz", "", r"data\.xyz"),
        ("missing.ttl", None, r"missing\.ttl: no such file"),
    ],
)
def test_input_errors_are_the_loaders(
    tmp_path: Path, name: str, text: str | None, error: str
) -> None:
    """A file the native path cannot read is the rdflib loader's to report, as always."""
    file = tmp_path / name
    if text is not None:
        file.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=error) as fast:
        validate_files([file])
    with pytest.raises(InputError) as reference:
        validate_files([file], engine="pyshacl")
    assert str(fast.value) == str(reference.value)


def test_other_formats_go_through_rdflib(tmp_path: Path) -> None:
    file = tmp_path / "data.jsonld"
    file.write_text('{"@id": "http://example.org/a", "http://example.org/p": 1}', encoding="utf-8")
    fast, reference = validate_files([file]), validate_files([file], engine="pyshacl")
    assert_same(fast, reference)


# ------------------------------------------------------------------ literals and comparisons

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <http://example.org/> .
"""


@pytest.mark.parametrize(
    ("constraint", "data"),
    [
        # literals a store could keep in another form
        ("sh:datatype xsd:integer", '"5"^^xsd:positiveInteger'),
        ("sh:datatype xsd:positiveInteger", '"5"^^xsd:positiveInteger'),
        ("sh:datatype xsd:positiveInteger", "5"),
        ("sh:datatype xsd:decimal", "30.0"),
        ("sh:in ( 30.0 )", "30.0"),
        ('sh:in ( "30"^^xsd:decimal )', "30.0"),
        ("sh:hasValue 30.0", "30.0"),
        ('sh:hasValue "30"^^xsd:decimal', "30.0"),
        ('sh:pattern "\\\\.0$"', "30.0"),
        ("sh:minLength 4", "30.0"),
        ("sh:maxLength 2", "30.0"),
        ("sh:or ( [ sh:datatype xsd:integer ] [ sh:datatype xsd:decimal ] )", '"5"^^xsd:byte'),
        ("sh:datatype xsd:string", '"x"@EN'),
        ("sh:languageIn ( 'en' )", '"x"@EN-gb, "y"@kk'),
        ("sh:maxCount 1", '"x", "x"^^xsd:string'),
        # comparisons: by value; an incomparable value fails
        ("sh:minInclusive 0", '"5"^^xsd:positiveInteger'),
        ("sh:maxInclusive 100", "100.0"),
        ("sh:maxExclusive 100", "100.0"),
        ("sh:minInclusive 0", '"five"'),
        ('sh:minInclusive "2020-01-01"^^xsd:date', '"2019-12-31"^^xsd:date, "2020"^^xsd:gYear'),
        # counts and strings
        ("sh:maxCount 1", "1, 1.0"),
        ("sh:maxCount 1", '1, "1"^^xsd:positiveInteger, "01"^^xsd:integer'),
        ("sh:minCount 3", "1, 1.0"),
        ("sh:uniqueLang true", '"a"@en, "b"@en'),
        ("sh:uniqueLang true", '"a"@en, "b"@EN'),
        ("sh:uniqueLang true", '"a"@en, "b"@kk'),
        ("sh:nodeKind sh:IRI", "ex:b"),
        ("sh:nodeKind sh:IRI", "[]"),
        ("sh:not [ sh:datatype xsd:string ]", '"x"'),
        ("sh:xone ( [ sh:datatype xsd:string ] [ sh:nodeKind sh:Literal ] )", '"x"'),
        ("sh:node [ sh:property [ sh:path ex:q ; sh:minCount 1 ] ]", "ex:b, [ ex:q 1 ]"),
        ("sh:class ex:C", "ex:b"),
        ("sh:qualifiedValueShape [ sh:datatype xsd:string ] ; sh:qualifiedMinCount 2", '"x", 1'),
        ("sh:equals ex:q", '"5"^^xsd:positiveInteger'),
        ("sh:disjoint ex:q", "30.0"),
        ("sh:lessThan ex:q", "3"),
        ("sh:lessThanOrEquals ex:q", '"z"'),
    ],
)
def test_literal_and_value_constraints(tmp_path: Path, constraint: str, data: str) -> None:
    shapes_file = tmp_path / "shapes.ttl"
    shapes_file.write_text(
        PREFIXES + f"ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; {constraint} ] .",
        encoding="utf-8",
    )
    data_file = tmp_path / "data.ttl"
    data_file.write_text(
        PREFIXES + f"ex:a ex:p {data} ; ex:q 30.00, 2.5, 5 .\nex:b a ex:D .", encoding="utf-8"
    )
    shapes, graph = parse_file(shapes_file), parse_file(data_file)
    fast = validate(graph, shapes=shapes, project_checks=False)
    reference = validate(graph, shapes=shapes, engine="pyshacl", project_checks=False)
    assert_same(fast, reference, messages=False)  # these shapes have no sh:message


# ------------------------------------------------------------------ which engine runs, and says so


def test_the_default_path_imports_neither_pyshacl_nor_owlrl() -> None:
    code = (
        "import sys\n"
        "from kzeu_graph.validation.locations import validate_files\n"
        "report = validate_files()\n"
        "print(report.engine, report.conforms, 'pyshacl' in sys.modules, 'owlrl' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [NATIVE_ENGINE, "True", "False", "False"]


def test_the_report_names_the_engine() -> None:
    runner = CliRunner()
    fast = runner.invoke(main, ["validate", "--format", "json"])
    reference = runner.invoke(main, ["validate", "--format", "json", "--engine", "pyshacl"])
    assert (fast.exit_code, reference.exit_code) == (0, 0)
    assert json.loads(fast.stdout)["engine"] == NATIVE_ENGINE
    assert json.loads(reference.stdout)["engine"] == "pyshacl"
    assert {**json.loads(fast.stdout), "engine": None} == {
        **json.loads(reference.stdout),
        "engine": None,
    }
    text = runner.invoke(main, ["validate", "--engine", "pyshacl-turbo"])
    assert text.stdout.endswith("0 info(s) (engine: pyshacl-turbo)\n")
    assert runner.invoke(main, ["validate", "--engine", "fast"]).exit_code == 2


def test_version_names_the_engines() -> None:
    result = CliRunner().invoke(main, ["--version"])
    versions = engine_versions()
    assert result.stdout.splitlines()[1] == (
        f"validation engines: pyshacl-turbo {versions['pyshacl-turbo']} (default), "
        f"pyshacl {versions['pyshacl']} (reference)"
    )


@pytest.fixture
def without_native(monkeypatch: pytest.MonkeyPatch) -> None:
    """pyshacl-turbo as if it were not installed (its import fails)."""
    for name in list(sys.modules):
        if name == "pyshacl_turbo" or name.startswith("pyshacl_turbo."):
            monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "pyshacl_turbo", None)


@pytest.mark.usefixtures("without_native")
def test_without_the_native_engine_pyshacl_runs() -> None:
    assert native_engine() is None
    report = validate_files()
    assert report.engine == "pyshacl"
    assert report.conforms
    assert report.text().endswith("(engine: pyshacl)\n")
    assert (
        json.loads(CliRunner().invoke(main, ["validate", "--format", "json"]).stdout)["engine"]
        == "pyshacl"
    )
    version = CliRunner().invoke(main, ["--version"]).stdout.splitlines()[1]
    assert version == f"validation engines: pyshacl {engine_versions()['pyshacl']} (reference)"


@pytest.mark.usefixtures("without_native")
def test_asking_for_a_missing_native_engine_is_an_input_error() -> None:
    with pytest.raises(InputError, match="pyshacl-turbo engine is not installed"):
        validate_files(engine="pyshacl-turbo")
    result = CliRunner().invoke(main, ["validate", "--engine", "pyshacl-turbo"])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_graph_the_native_engine_refuses_goes_to_pyshacl(tmp_path: Path) -> None:
    """pyshacl-turbo refuses a relative IRI (rdflib keeps it): ``auto`` hands the graph to
    pyshacl, ``--engine pyshacl-turbo`` reports the failure."""
    graph = load_graph()
    graph.add((URIRef("https://w3id.org/kzeu/id/a"), URIRef("http://example.org/p"), URIRef("x")))
    report = validate(graph, sources_dirs=[SOURCES_DIR])
    assert report.engine == "pyshacl"
    assert [f.source for f in report.results] == ["kzeu-check:iri"]
    with pytest.raises(InputError, match="SHACL validation failed"):
        validate(graph, sources_dirs=[SOURCES_DIR], engine="pyshacl-turbo")


@pytest.mark.parametrize(
    "literal", ['"yes"^^xsd:boolean', '"maybe"^^xsd:integer', '"23"^^xsd:gYear']
)
def test_an_ill_typed_literal_goes_to_pyshacl(tmp_path: Path, literal: str) -> None:
    """SPARQL over an ill-typed value differs between rdflib and Oxigraph, and rdflib keeps
    ``"yes"^^xsd:boolean`` as ``"false"`` marked ill-typed (only pyshacl reads the mark):
    ``auto`` hands such data to pyshacl. A well-typed literal stays with pyshacl-turbo."""
    shapes = parse_file(
        _write(
            tmp_path / "s.ttl",
            "ex:S sh:targetNode ex:a ; sh:property [ sh:path ex:p ; sh:datatype xsd:boolean ] .",
        )
    )
    graph = parse_file(_write(tmp_path / "d.ttl", f"ex:a ex:p {literal} ."))
    report = validate(graph, shapes=shapes, project_checks=False)
    assert report.engine == "pyshacl"
    assert [f.component.rsplit("#", 1)[-1] for f in report.results] == [
        "DatatypeConstraintComponent"
    ]
    with_checks = validate(graph, shapes=shapes)
    assert with_checks.engine == "pyshacl"
    assert "kzeu-check:ill-typed-literal" in {f.source for f in with_checks.results}
    graph = parse_file(_write(tmp_path / "d.ttl", "ex:a ex:p true ."))
    assert validate(graph, shapes=shapes, project_checks=False).engine == NATIVE_ENGINE


def _write(path: Path, text: str) -> Path:
    path.write_text(PREFIXES + text, encoding="utf-8")
    return path
