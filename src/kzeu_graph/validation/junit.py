"""A validation report as JUnit XML: one test case per SHACL shape and per Python check.

CI systems (GitHub Actions reporters, GitLab, Jenkins, Azure) read JUnit XML natively, so
each shape shows up as a passing or failing test. The layout is the common one:

    <testsuites name tests failures errors skipped time>
      <testsuite name tests failures errors skipped time>
        <properties><property name value/>...</properties>
        <testcase classname name time [file line]>
          <failure message type>one line per finding</failure>      (when it fails)
          <system-out>findings below the --fail-on level</system-out> (when there are some)

``file`` and ``line`` on a test case are those of its first failing finding (the attributes
pytest, GitLab and the GitHub annotators read); every finding's own ``file:line`` starts its
line in the failure text.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import RDF, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from kzeu_graph.rdf.terms import NOT_XML
from kzeu_graph.validation.report import (
    PYTHON_CHECKS,
    SEVERITIES,
    Finding,
    ValidationReport,
    severity_of,
)

__all__ = ["CHECKS_SUITE", "SHACL_SUITE", "ShapeCase", "shape_cases", "to_junit"]

SHACL_SUITE = "SHACL shapes"
CHECKS_SUITE = "Python checks"
_PATH_KEYS = (
    (SH.zeroOrMorePath, "*"),
    (SH.oneOrMorePath, "+"),
    (SH.zeroOrOnePath, "?"),
)


@dataclass
class ShapeCase:
    """One test case: a shape (or a Python check) and the findings it produced."""

    key: str  # how findings name it (Finding.source)
    name: str
    classname: str
    findings: list[Finding] = field(default_factory=list)


def _xml_text(text: str) -> str:
    """Text that XML 1.0 can hold: control characters are written as ``\\uXXXX``."""
    return NOT_XML.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def _curie(graph: Graph, node: Node) -> str:
    if isinstance(node, URIRef):
        try:
            return graph.namespace_manager.curie(str(node), generate=False)
        except (KeyError, ValueError):
            return f"<{node}>"
    return f"_:{node}"


def _path(graph: Graph, path: Node | None) -> str:
    """A SHACL path in SPARQL syntax with the shapes graph's prefixes: ``^oa:hasBody``."""
    if path is None:
        return ""
    if isinstance(path, URIRef):
        return _curie(graph, path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    for key, suffix in _PATH_KEYS:
        inner = graph.value(path, key)
        if inner is not None:
            return _path(graph, inner) + suffix
    if graph.value(path, RDF.first) is not None:
        return "/".join(_path(graph, p) for p in Collection(graph, path))
    return _curie(graph, path)


def _key(node: Node) -> str:
    return str(node) if isinstance(node, URIRef) else f"_:{node}"


def shape_cases(shapes: Graph | None) -> list[ShapeCase]:
    """A test case for every node shape and property shape of ``shapes``, in a stable order.

    Named shapes go by their prefixed name (property shapes add their path:
    ``kzs:Figure-value (schema:value)``); a blank-node property shape goes by the node
    shape that holds it and its path: ``kzs:FigureShape › schema:value``.
    """
    if shapes is None:
        return []
    targets = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)
    targeted: set[Node] = {s for p in targets for s in shapes.subjects(p, None)}
    candidates = set(shapes.subjects(RDF.type, SH.NodeShape)) | targeted
    candidates |= set(shapes.subjects(SH.property, None))
    # Anonymous shapes inside sh:or, sh:not, sh:node... are parts of a constraint, not units.
    node_shapes = {s for s in candidates if isinstance(s, URIRef) or s in targeted}
    property_shapes: set[Node] = {
        s for s in shapes.subjects(RDF.type, SH.PropertyShape) if isinstance(s, URIRef)
    }
    owners: dict[Node, list[Node]] = {}
    for owner, prop in shapes.subject_objects(SH.property):
        if owner in node_shapes or isinstance(prop, URIRef):
            property_shapes.add(prop)
            owners.setdefault(prop, []).append(owner)
    node_shapes -= property_shapes
    cases: list[ShapeCase] = []
    for shape in sorted(node_shapes, key=_key):
        cases.append(ShapeCase(_key(shape), _curie(shapes, shape), "shacl.node-shape"))
    for shape in sorted(property_shapes, key=_key):
        path = _path(shapes, shapes.value(shape, SH.path))
        parents = sorted(owners.get(shape, []), key=_key)
        if isinstance(shape, URIRef):
            name = f"{_curie(shapes, shape)} ({path})"
        else:
            holder = _curie(shapes, parents[0]) if parents else "(no node shape)"
            name = f"{holder} › {path}"
        cases.append(ShapeCase(_key(shape), name, "shacl.property-shape"))
    return cases


def _cases(report: ValidationReport) -> tuple[list[ShapeCase], list[ShapeCase]]:
    shacl = shape_cases(report.shapes_graph)
    checks = [ShapeCase(key, f"{key}: {why}", "check") for key, why in PYTHON_CHECKS.items()]
    by_key = {case.key: case for case in shacl + checks}
    for finding in report.results:
        case = by_key.get(finding.source)
        if case is None:  # a shape the shapes graph did not list (or an unnamed one)
            case = ShapeCase(finding.source, finding.source or "(unknown shape)", "shacl")
            by_key[finding.source] = case
            (checks if finding.source in PYTHON_CHECKS else shacl).append(case)
        case.findings.append(finding)
    return shacl, checks


def _finding_text(finding: Finding) -> str:
    lines = [finding.headline()]
    if finding.value is not None:
        lines.append(f"    value: {finding.value.n3()}")
    triple = finding.triple()
    if finding.line is None and triple is not None:
        lines.append(f"    triple: {triple}")
    lines.append(f"    component: {finding.component}")
    return "\n".join(lines)


def _counts(findings: Iterable[Finding]) -> str:
    found = list(findings)
    parts = [f"{sum(f.severity == s for f in found)} {s.lower()}(s)" for s in SEVERITIES]
    return ", ".join(p for p in parts if not p.startswith("0 "))


def _suite(
    parent: ET.Element, name: str, cases: list[ShapeCase], threshold: str
) -> tuple[int, int]:
    suite = ET.SubElement(parent, "testsuite", name=name)
    failed = 0
    rank = SEVERITIES.index(threshold)
    for case in cases:
        element = ET.SubElement(
            suite, "testcase", classname=f"kzeu-graph.{case.classname}", name=_xml_text(case.name)
        )
        element.set("time", "0")
        failing = [f for f in case.findings if SEVERITIES.index(f.severity) <= rank]
        passing = [f for f in case.findings if f not in failing]
        if failing:
            failed += 1
            first = failing[0]
            if first.file is not None:
                element.set("file", _xml_text(first.file))
                if first.line is not None:
                    element.set("line", str(first.line))
            failure = ET.SubElement(
                element,
                "failure",
                message=_xml_text(f"{_counts(failing)}: {first.message}"),
                type=first.severity,
            )
            failure.text = _xml_text("\n".join(_finding_text(f) for f in failing)) + "\n"
        if passing:
            out = ET.SubElement(element, "system-out")
            out.text = _xml_text("\n".join(_finding_text(f) for f in passing)) + "\n"
    for key, value in (
        ("tests", len(cases)),
        ("failures", failed),
        ("errors", 0),
        ("skipped", 0),
    ):
        suite.set(key, str(value))
    suite.set("time", "0")
    return len(cases), failed


def to_junit(report: ValidationReport, fail_on: str = "violation") -> str:
    """The report as a JUnit XML document (UTF-8, with an XML declaration).

    A test case fails when it has a finding at least as severe as ``fail_on``; less severe
    findings are listed in its ``<system-out>``.
    """
    threshold = severity_of(fail_on)
    shacl, checks = _cases(report)
    root = ET.Element("testsuites", name="kzeu-graph validate")
    tests = failures = 0
    for name, cases in ((SHACL_SUITE, shacl), (CHECKS_SUITE, checks)):
        n, f = _suite(root, name, cases, threshold)
        tests, failures = tests + n, failures + f
    seconds = f"{report.seconds:.3f}"
    first_suite = root.find("testsuite")
    if first_suite is not None:
        first_suite.set("time", seconds)  # the shapes and the checks run in one pass
        properties = ET.Element("properties")
        for key, text in (
            ("conforms", str(report.conforms).lower()),
            ("fail-on", threshold.lower()),
            *((f"{s.lower()}s", str(report.count(s))) for s in SEVERITIES),
        ):
            ET.SubElement(properties, "property", name=key, value=text)
        first_suite.insert(0, properties)
    for key, value in (("tests", tests), ("failures", failures), ("errors", 0), ("skipped", 0)):
        root.set(key, str(value))
    root.set("time", seconds)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"
