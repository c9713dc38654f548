"""The validator's fast path gives pyshacl's own results, exactly.

``kzeu_graph.validation.report`` hands pyshacl a data graph that parses each SPARQL text once and
answers a per-focus-node SHACL-SPARQL query from one evaluation grouped by ``?this``
(see ``_ValidationGraph``). These tests run every shape fixture both ways, plain pyshacl
on a plain graph and the project's path, and require the same results; they also pin down
which queries may be grouped, and that validation never changes the caller's graph.

Each test runs on both engines: pyshacl (the reference, with these speed-ups) and the
default one (``auto``: pyshacl-turbo when it imports), so the default engine is held to the
same expected results as pyshacl on every fixture.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pyshacl import validate as pyshacl_validate
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import SH, TIME, XSD
from rdflib.plugins.sparql import prepareQuery

from kzeu_graph.loading.graph import load_graph, load_shapes, parse_file
from kzeu_graph.rdf.namespaces import KZEU, OA
from kzeu_graph.validation.report import ValidationEngine, _groupable_by_this, validate
from paths import DATA, ONTOLOGY, REUSED_TERMS, SHAPE_FIXTURES, SHAPES, SOURCES_DIR
from test_shapes import Result, actual_results, expected_results

FIXTURE_FILES = sorted(SHAPE_FIXTURES.glob("*.ttl"))

CHECKS = "https://w3id.org/kzeu/check#"
ENGINES = ["auto", "pyshacl"]


@pytest.fixture(scope="module")
def ontology() -> Graph:
    graph = parse_file(ONTOLOGY)
    return parse_file(REUSED_TERMS, into=graph)


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return parse_file(SHAPES)


def _shacl_results(report: Graph) -> frozenset[Result]:
    """The SHACL results of our report, without the Python checks' (kzeu-check:) ones."""
    return frozenset(r for r in actual_results(report) if not str(r.shape).startswith(CHECKS))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[f.stem for f in FIXTURE_FILES])
def test_fixture_gives_exactly_its_expected_results(
    fixture: Path, engine: ValidationEngine, ontology: Graph, shapes: Graph
) -> None:
    """The same ``# expect:`` lines tests/test_shapes.py checks plain pyshacl against
    (focus, path, component, shape, SPARQL constraint, severity and message)."""
    data = Graph()
    data += ontology
    data += parse_file(fixture)
    report = validate(data, shapes=shapes, sources_dirs=[SOURCES_DIR], engine=engine)
    assert report.engine == ("pyshacl" if engine == "pyshacl" else "pyshacl-turbo")
    assert _shacl_results(report.report_graph) == expected_results(fixture)


@pytest.mark.parametrize("engine", ENGINES)
def test_many_focus_nodes_same_results_as_plain_pyshacl(
    shapes: Graph, engine: ValidationEngine
) -> None:
    """The shipped graph broken in several places at once: each SHACL-SPARQL constraint
    fails on one or more focus nodes of the same graph, among many that pass."""
    graph = load_graph()
    kzr = "https://w3id.org/kzeu/id/"
    changes = [
        (
            f"{kzr}anniversary-30-diplomatic-relations",
            KZEU.ordinal,
            Literal(31, datatype=XSD.positiveInteger),
        ),
        (f"{kzr}sentence-p1-position", OA.end, Literal(336, datatype=XSD.nonNegativeInteger)),
        (f"{kzr}sentence-p2-position", OA.end, Literal(468, datatype=XSD.nonNegativeInteger)),
        (f"{kzr}date-briefing", TIME.inXSDDate, Literal("2024-03-10", datatype=XSD.date)),
        (f"{kzr}month-2022-01", TIME.inXSDgYearMonth, Literal("2022-12", datatype=XSD.gYearMonth)),
        (
            f"{kzr}figure-eu-trade-volume-growth-2022",
            KZEU.comparisonPeriod,
            URIRef(f"{kzr}year-2022"),
        ),
    ]
    for subject, predicate, value in changes:
        graph.set((URIRef(subject), predicate, value))
    _, plain, _ = pyshacl_validate(
        graph,
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        allow_infos=True,
        do_owl_imports=False,
        meta_shacl=False,
    )
    assert isinstance(plain, Graph)
    expected = actual_results(plain)
    sparql = [r for r in expected if r.component == SH.SPARQLConstraintComponent]
    assert len(sparql) >= 6, expected
    report = validate(graph, shapes=shapes, engine=engine)
    assert _shacl_results(report.report_graph) == expected


# ------------------------------------------------------------------ grouping


PREFIX = "PREFIX ex: <http://example.org/>\n"


@pytest.mark.parametrize(
    ("text", "groupable"),
    [
        ("SELECT $this ?value WHERE { $this ex:p ?value . FILTER(?value > 1) }", True),
        ("SELECT $this ?value WHERE { $this ex:p/ex:q? ?value . BIND(1 AS ?path) }", True),
        ("SELECT $this WHERE { $this ex:p ?v . OPTIONAL { ?v ex:q ?w } }", True),
        ("SELECT $this WHERE { $this ex:p ?v . FILTER NOT EXISTS { $this ex:q ?v } }", True),
        # $this is not projected: the rows cannot be told apart
        ("SELECT ?value WHERE { $this ex:p ?value }", False),
        # $this is bound only inside OPTIONAL, or not by a triple pattern at all
        ("SELECT $this WHERE { ?x ex:p ?v . OPTIONAL { $this ex:q ?v } }", False),
        ("SELECT $this WHERE { ?x ex:p ?v . FILTER(?x = $this) }", False),
        ("SELECT $this WHERE { ?x ex:p ?v . BIND(?x AS ?this) }", False),
        # pre-binding reaches into these; a filter on the solutions does not
        ("SELECT $this WHERE { $this ex:p ?v . { SELECT ?v WHERE { $this ex:q ?v } } }", False),
        ("SELECT $this WHERE { $this ex:p ?v . VALUES ?v { 1 } }", False),
        ("SELECT $this WHERE { $this ex:p ?v } LIMIT 1", False),
        ("SELECT $this (COUNT(?v) AS ?n) WHERE { $this ex:p ?v } GROUP BY $this", False),
        ("SELECT $this WHERE { $this ex:p ?v . MINUS { $this ex:q ?v } }", False),
        ("SELECT $this WHERE { { $this ex:p ?v } UNION { $this ex:q ?v } }", False),
        ("ASK { $this ex:p ?v }", False),
    ],
)
def test_which_queries_are_grouped(text: str, groupable: bool) -> None:
    assert _groupable_by_this(prepareQuery(PREFIX + text)) is groupable


def test_every_sparql_constraint_of_ours_is_grouped(shapes: Graph) -> None:
    """The speed-up applies to all of the project's SHACL-SPARQL constraints."""
    declared = {
        str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
        for d in shapes.objects(URIRef("https://w3id.org/kzeu/shapes"), SH.declare)
    }
    selects = [shapes.value(c, SH.select) for c in shapes.subjects(RDF.type, SH.SPARQLConstraint)]
    assert len(selects) == 6  # with kzs:Interval-notDegenerate (issue 11)
    for select in selects:
        assert isinstance(select, Literal)
        assert _groupable_by_this(prepareQuery(str(select), initNs=declared)), select


# ------------------------------------------------------------------ the caller's graph


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_validation_leaves_the_graph_alone(inference: str, engine: ValidationEngine) -> None:
    graph = load_graph()
    before = set(graph)
    report = validate(graph, inference=inference, engine=engine)  # type: ignore[arg-type]
    assert report.conforms, report.text()
    assert set(graph) == before


@pytest.mark.parametrize("engine", ENGINES)
def test_ontology_mixed_into_a_copy(ontology: Graph, engine: ValidationEngine) -> None:
    graph = parse_file(DATA)
    before = len(graph)
    report = validate(graph, shapes=load_shapes(), ontology=ontology, engine=engine)
    assert report.conforms, report.text()
    assert len(graph) == before
