"""SHACL shapes: the real data conforms, every constraint fires on a fixture, the shapes are valid SHACL.

Each Turtle file in tests/fixtures/shapes/ is a small graph of minimal valid nodes
copied from data/kzeu.ttl with one thing broken. Its header names the shape and
constraint it is about, and gives one ``# expect:`` line per validation result
the break must cause (focus node, result path, constraint component, source
shape, SPARQL constraint where there is one, severity and message). The test
validates the fixture merged with the ontology files and asserts that the
results are exactly those: no fewer, and no unexpected extra ones.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest
from pyshacl import validate
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from paths import DATA, ONTOLOGY, REUSED_TERMS, SHAPE_FIXTURES, SHAPES

FIXTURE_FILES = sorted(SHAPE_FIXTURES.glob("*.ttl"))

PREFIXES = {
    "sh": str(SH),
    "kzs": "https://w3id.org/kzeu/shapes#",
    "kzeu": "https://w3id.org/kzeu/ontology#",
    "kzv": "https://w3id.org/kzeu/vocab/",
    "kzr": "https://w3id.org/kzeu/id/",
    "rdfs": str(RDFS),
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "oa": "http://www.w3.org/ns/oa#",
}

# Constraint parameter -> constraint component, for the walk over shapes.ttl.
PARAMETERS: dict[URIRef, URIRef] = {
    SH["class"]: SH.ClassConstraintComponent,
    SH.datatype: SH.DatatypeConstraintComponent,
    SH.nodeKind: SH.NodeKindConstraintComponent,
    SH.minCount: SH.MinCountConstraintComponent,
    SH.maxCount: SH.MaxCountConstraintComponent,
    SH.minInclusive: SH.MinInclusiveConstraintComponent,
    SH.maxInclusive: SH.MaxInclusiveConstraintComponent,
    SH.minExclusive: SH.MinExclusiveConstraintComponent,
    SH.maxExclusive: SH.MaxExclusiveConstraintComponent,
    SH.minLength: SH.MinLengthConstraintComponent,
    SH.maxLength: SH.MaxLengthConstraintComponent,
    SH.pattern: SH.PatternConstraintComponent,
    SH.languageIn: SH.LanguageInConstraintComponent,
    SH.uniqueLang: SH.UniqueLangConstraintComponent,
    SH.equals: SH.EqualsConstraintComponent,
    SH.disjoint: SH.DisjointConstraintComponent,
    SH.lessThan: SH.LessThanConstraintComponent,
    SH.lessThanOrEquals: SH.LessThanOrEqualsConstraintComponent,
    SH["not"]: SH.NotConstraintComponent,
    SH["and"]: SH.AndConstraintComponent,
    SH["or"]: SH.OrConstraintComponent,
    SH.xone: SH.XoneConstraintComponent,
    SH.node: SH.NodeConstraintComponent,
    SH.qualifiedMinCount: SH.QualifiedMinCountConstraintComponent,
    SH.qualifiedMaxCount: SH.QualifiedMaxCountConstraintComponent,
    SH.closed: SH.ClosedConstraintComponent,
    SH.hasValue: SH.HasValueConstraintComponent,
    SH["in"]: SH.InConstraintComponent,
}
# Predicates of a shape that are not constraint parameters.
NOT_PARAMETERS = {
    RDF.type,
    RDFS.label,
    RDFS.comment,
    SH.path,
    SH.property,
    SH.message,
    SH.severity,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.qualifiedValueShape,
    SH.qualifiedValueShapesDisjoint,
    SH.ignoredProperties,
    SH.name,
    SH.description,
}


class Result(NamedTuple):
    """One validation result, reduced to what a fixture's header states."""

    focus: Node
    path: str | None
    component: Node
    shape: Node
    constraint: Node | None
    severity: Node
    message: str


class Constraint(NamedTuple):
    """One constraint of shapes.ttl: a component on a shape (and which sh:sparql)."""

    shape: Node
    component: Node
    sparql: Node | None


# ------------------------------------------------------------------ helpers


def expand(curie: str) -> URIRef:
    prefix, sep, local = curie.partition(":")
    if not sep or prefix not in PREFIXES:
        raise ValueError(f"unknown prefix in {curie!r}")
    return URIRef(PREFIXES[prefix] + local)


def header_path(text: str) -> str | None:
    """`-`, `p`, `^p` or `p/q` in CURIEs, as render_path writes it."""
    if text == "-":
        return None
    steps = []
    for step in text.split("/"):
        inverse = step.startswith("^")
        iri = expand(step.removeprefix("^"))
        steps.append(("^" if inverse else "") + f"<{iri}>")
    return "/".join(steps)


def render_path(graph: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + render_path(graph, inverse)
    if graph.value(path, RDF.first) is not None:
        return "/".join(render_path(graph, step) for step in Collection(graph, path))
    raise ValueError(f"unsupported result path {path!r}")


def expected_results(fixture: Path) -> frozenset[Result]:
    results = set()
    for line in fixture.read_text(encoding="utf-8").splitlines():
        if not line.startswith("# expect: "):
            continue
        fields = dict(
            field.partition("=")[::2] for field in line.removeprefix("# expect: ").split(" | ")
        )
        constraint = fields.get("constraint")
        results.add(
            Result(
                focus=expand(fields["focus"]),
                path=header_path(fields["path"]),
                component=expand(fields["component"]),
                shape=expand(fields["shape"]),
                constraint=expand(constraint) if constraint else None,
                severity=expand(fields["severity"]),
                message=fields["message"],
            )
        )
    return frozenset(results)


def actual_results(report: Graph) -> frozenset[Result]:
    results = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        path = report.value(result, SH.resultPath)
        component = report.value(result, SH.sourceConstraintComponent)
        shape = report.value(result, SH.sourceShape)
        severity = report.value(result, SH.resultSeverity)
        messages = list(report.objects(result, SH.resultMessage))
        assert focus is not None, result
        assert component is not None, result
        assert shape is not None, result
        assert severity is not None, result
        assert len(messages) == 1, f"{focus} {component}: messages {messages}"
        sparql = component == SH.SPARQLConstraintComponent
        results.add(
            Result(
                focus=focus,
                path=None if path is None else render_path(report, path),
                component=component,
                shape=shape,
                constraint=report.value(result, SH.sourceConstraint) if sparql else None,
                severity=severity,
                message=str(messages[0]),
            )
        )
    return frozenset(results)


def shape_constraints(shapes: Graph) -> Iterator[Constraint]:
    """Every constraint of every node shape and of every property shape they use.

    Shapes nested as operands of sh:or, sh:xone, sh:not or sh:qualifiedValueShape
    are part of the constraint that holds them, not constraints of their own.
    """
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = {p for s in node_shapes for p in shapes.objects(s, SH.property)}
    for shape in sorted(node_shapes | property_shapes, key=str):
        for predicate, value in shapes.predicate_objects(shape):
            if predicate == SH.sparql:
                yield Constraint(shape, SH.SPARQLConstraintComponent, value)
            elif isinstance(predicate, URIRef) and predicate in PARAMETERS:
                yield Constraint(shape, PARAMETERS[predicate], None)
            else:
                assert predicate in NOT_PARAMETERS, f"{shape}: unknown parameter {predicate}"


# ----------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def ontology() -> Graph:
    graph = Graph()
    graph.parse(ONTOLOGY, format="turtle")
    graph.parse(REUSED_TERMS, format="turtle")
    return graph


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return Graph().parse(SHAPES, format="turtle")


@dataclass
class Reports:
    """Validates each fixture file once per session and keeps its results."""

    shapes: Graph
    ontology: Graph
    cache: dict[Path, frozenset[Result]]

    def __call__(self, fixture: Path) -> frozenset[Result]:
        if fixture not in self.cache:
            data = Graph()
            data += self.ontology
            data.parse(fixture, format="turtle")
            _, report, _ = validate(
                data,
                shacl_graph=self.shapes,
                inference="none",
                advanced=True,
                allow_warnings=True,
                do_owl_imports=False,
                meta_shacl=False,
                inplace=True,
            )
            assert isinstance(report, Graph)
            self.cache[fixture] = actual_results(report)
        return self.cache[fixture]


@pytest.fixture(scope="session")
def reports(shapes: Graph, ontology: Graph) -> Reports:
    return Reports(shapes, ontology, {})


# -------------------------------------------------------------------- tests


def test_real_data_conforms(shapes: Graph, ontology: Graph) -> None:
    data = Graph()
    data += ontology
    data.parse(DATA, format="turtle")
    conforms, report, text = validate(
        data,
        shacl_graph=shapes,
        ont_graph=ontology,
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
        meta_shacl=False,
    )
    assert isinstance(report, Graph)
    assert actual_results(report) == frozenset(), text
    assert conforms


def test_shapes_pass_meta_shacl(shapes: Graph) -> None:
    conforms, _, text = validate(
        Graph(),
        shacl_graph=shapes,
        inference="none",
        advanced=True,
        allow_warnings=True,
        do_owl_imports=False,
        meta_shacl=True,
    )
    assert conforms, text


def test_meta_shacl_rejects_a_broken_shape(shapes: Graph) -> None:
    """The meta-SHACL check has teeth: one of our property shapes passes it, until its
    sh:maxCount is a string."""
    shape = URIRef(PREFIXES["kzs"] + "Figure-unitText")
    single = Graph()
    for triple in shapes.triples((shape, None, None)):
        single.add(triple)
    conforms, _, text = validate(Graph(), shacl_graph=single, advanced=True, meta_shacl=True)
    assert conforms, text
    single.set((shape, SH.maxCount, Literal("one")))
    with pytest.raises(ReportableRuntimeError):
        validate(Graph(), shacl_graph=single, advanced=True, meta_shacl=True)


def test_shapes_graph_is_an_ontology_with_sparql_prefixes(shapes: Graph) -> None:
    node = URIRef("https://w3id.org/kzeu/shapes")
    assert (node, RDF.type, URIRef("http://www.w3.org/2002/07/owl#Ontology")) in shapes
    assert shapes.value(node, RDFS.label) is not None
    assert not list(shapes.objects(node, URIRef("http://www.w3.org/2002/07/owl#imports")))
    declared = {
        str(shapes.value(d, SH.prefix)): str(shapes.value(d, SH.namespace))
        for d in shapes.objects(node, SH.declare)
    }
    for prefix in ("kzeu", "kzv", "dcterms", "schema", "prov", "time", "oa", "xsd"):
        assert declared[prefix] == PREFIXES[prefix]
    sparql = list(shapes.subjects(RDF.type, SH.SPARQLConstraint))
    assert len(sparql) >= 2
    for constraint in sparql:
        assert shapes.value(constraint, SH.prefixes) == node
        assert shapes.value(constraint, SH.select) is not None


def test_every_constraint_has_message_and_severity(shapes: Graph) -> None:
    for shape, component, sparql in set(shape_constraints(shapes)):
        assert shapes.value(shape, SH.severity) in {SH.Violation, SH.Warning}, shape
        message_holder = sparql if sparql is not None else shape
        message = shapes.value(message_holder, SH.message)
        assert isinstance(message, Literal), (shape, component, sparql)
        assert str(message).strip(), (shape, component, sparql)


@pytest.mark.parametrize("fixture", FIXTURE_FILES, ids=[f.stem for f in FIXTURE_FILES])
def test_fixture_fires_exactly_its_constraint(fixture: Path, reports: Reports) -> None:
    expected = expected_results(fixture)
    assert expected, f"{fixture.name} has no '# expect:' line"
    assert reports(fixture) == expected


def test_every_constraint_fires_on_some_fixture(shapes: Graph, reports: Reports) -> None:
    listed = set(shape_constraints(shapes))
    fired = {
        Constraint(r.shape, r.component, r.constraint)
        for fixture in FIXTURE_FILES
        for r in reports(fixture)
    }
    assert not listed - fired, f"constraints no fixture fires: {sorted(listed - fired)}"
    assert not fired - listed, f"results from constraints the walk missed: {fired - listed}"
