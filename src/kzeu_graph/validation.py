"""SHACL validation with the project's shapes, plus checks SHACL cannot express."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rdflib import RDF, BNode, ConjunctiveGraph, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.plugins.stores.memory import Memory
from rdflib.query import Result
from rdflib.term import Node

from . import resources
from .errors import InputError
from .namespaces import KZEU, KZEU_CHECK, OA, SCHEMA, new_graph
from .terms import is_valid_iri

if TYPE_CHECKING:  # rdflib's SPARQL and the loaders are imported only when pyshacl runs
    from rdflib.plugins.sparql.sparql import Query

    from .loading import Inference

__all__ = [
    "FAIL_ON",
    "PYTHON_CHECKS",
    "SEVERITIES",
    "Finding",
    "ValidationReport",
    "python_checks",
    "quick_validate",
    "severity_of",
    "validate",
]

SEVERITIES = ("Violation", "Warning", "Info")
FAIL_ON = ("violation", "warning", "info")  # --fail-on: the least severe level that fails a run
_RANK = {name: i for i, name in enumerate(SEVERITIES)}
_SEVERITY_IRI = {"Violation": SH.Violation, "Warning": SH.Warning, "Info": SH.Info}

# XSD types rdflib has no converter for: checked by their lexical form instead.
_TZ = r"(Z|[+-](0[0-9]|1[0-4]):[0-5][0-9])?"
_LEXICAL: dict[URIRef, re.Pattern[str]] = {
    XSD.gYear: re.compile(rf"-?([1-9][0-9]{{4,}}|[0-9]{{4}}){_TZ}"),
    XSD.gYearMonth: re.compile(rf"-?([1-9][0-9]{{4,}}|[0-9]{{4}})-(0[1-9]|1[0-2]){_TZ}"),
    XSD.gMonth: re.compile(rf"--(0[1-9]|1[0-2]){_TZ}"),
    XSD.gDay: re.compile(rf"---(0[1-9]|[12][0-9]|3[01]){_TZ}"),
    XSD.gMonthDay: re.compile(rf"--(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]){_TZ}"),
}

CHECK_TEXT_SPAN = "kzeu-check:text-span"
CHECK_SOURCE_FILE = "kzeu-check:source-file"
CHECK_SHA256 = "kzeu-check:sha256"
CHECK_LITERAL = "kzeu-check:ill-typed-literal"
CHECK_IRI = "kzeu-check:iri"
PYTHON_CHECKS: dict[str, str] = {
    CHECK_TEXT_SPAN: "every quote/position selector pair selects exactly its oa:exact in the source text",
    CHECK_SOURCE_FILE: "every text source names one kzeu:textFile that exists in the sources folder",
    CHECK_SHA256: "every text source's schema:sha256 is the SHA-256 of its text file",
    CHECK_LITERAL: "every XSD-typed literal has a valid lexical form for its datatype",
    CHECK_IRI: 'every IRI is absolute and has no spaces or <>"{}|\\^` characters',
}


def severity_of(level: str) -> str:
    """``violation`` / ``Violation`` → ``Violation``; ValueError for anything else."""
    for name in SEVERITIES:
        if level.lower() == name.lower():
            return name
    raise ValueError(f"unknown severity {level!r} (use one of {', '.join(FAIL_ON)})")


@dataclass(frozen=True)
class Finding:
    """One validation result, from a SHACL shape or a Python check."""

    focus_node: Node | None
    path: Node | None
    value: Node | None
    message: str
    severity: str
    source: str
    component: str
    path_text: str | None = None  # SHACL path syntax for a complex path ("^oa:hasBody")
    file: str | None = None  # the data file the finding's triple is written in ...
    line: int | None = None  # ... and its 1-based line (None where the format has no lines)

    def shown_path(self) -> str | None:
        """The path as text: the IRI, or the SHACL path syntax of a complex path."""
        return self.path_text or _show(self.path)

    def location(self) -> str | None:
        """``file:line``, ``file``, or None when the finding was not traced to a file."""
        if self.file is None:
            return None
        return self.file if self.line is None else f"{self.file}:{self.line}"

    def headline(self) -> str:
        """One line, compiler style: ``file:line: Severity: <focus> <path>: message``."""
        path = self.path_text or _bracketed(self.path)
        # a blank node's label is random: show it as Turtle's [] (the file:line points at it)
        focus = "[]" if isinstance(self.focus_node, BNode) else _bracketed(self.focus_node)
        subject = " ".join(p for p in (focus, path) if p)
        text = f"{self.severity}: {subject + ': ' if subject else ''}{self.message}"
        where = self.location()
        return f"{where}: {text}" if where else text

    def triple(self) -> str | None:
        """The offending triple in N-Triples syntax, when focus, path (an IRI) and value are known."""
        if self.focus_node is None or not isinstance(self.path, URIRef) or self.value is None:
            return None
        return f"{_n3(self.focus_node)} {_n3(self.path)} {_n3(self.value)} ."

    def to_json(self) -> dict[str, Any]:
        return {
            "focus_node": _show(self.focus_node),
            "path": self.shown_path(),
            "value": _show(self.value),
            "message": self.message,
            "severity": self.severity,
            "source": self.source,
            "component": self.component,
            "file": self.file,
            "line": self.line,
        }

    def sort_key(self) -> tuple[int, str, str, str, str]:
        return (
            _RANK.get(self.severity, 9),
            _show(self.focus_node) or "",
            self.shown_path() or "",
            self.message,
            self.source,
        )


def _n3(node: Node) -> str:
    return str(node.n3()) if hasattr(node, "n3") else str(node)


def _bracketed(node: Node | None) -> str | None:
    """An IRI as ``<iri>``, a blank node as ``_:b``, a literal in N-Triples syntax."""
    return None if node is None else _n3(node)


def _show(node: Node | None) -> str | None:
    if node is None:
        return None
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, Literal):
        return str(node.n3())
    return str(node)


@dataclass
class ValidationReport:
    """Whether the graph conforms, every finding, and the SHACL report graph."""

    conforms: bool
    results: list[Finding] = field(default_factory=list)
    report_graph: Graph = field(default_factory=new_graph)
    shapes_graph: Graph | None = None  # the shapes that were run (JUnit lists each one)
    seconds: float = 0.0  # wall time of the validation
    engine: str = "pyshacl"  # "pyshacl", or "oxigraph" when the pre-check found nothing
    inference: str = "none"  # the closure validated: none, rdfs or owlrl
    inference_engine: str = "none"  # what computed it (kzeu_graph.inference.ENGINES)

    def filter(self, min_severity: str = "Info") -> list[Finding]:
        """Findings at least as severe as ``min_severity`` (Violation > Warning > Info)."""
        if min_severity not in _RANK:
            raise ValueError(f"unknown severity {min_severity!r}")
        return [f for f in self.results if _RANK.get(f.severity, 9) <= _RANK[min_severity]]

    def count(self, severity: str) -> int:
        return sum(1 for f in self.results if f.severity == severity)

    def failures(self, fail_on: str = "violation") -> list[Finding]:
        """The findings that fail a run at level ``fail_on`` (violation, warning or info)."""
        return self.filter(severity_of(fail_on))

    def fails(self, fail_on: str = "violation") -> bool:
        """Whether a run fails at level ``fail_on``: any finding that severe, or non-conformance."""
        return bool(self.failures(fail_on)) or not self.conforms

    def summary(self) -> str:
        """One line: conformance and counts per severity."""
        verdict = "conforms" if self.conforms else "does not conform"
        counts = ", ".join(f"{self.count(s)} {s.lower()}(s)" for s in SEVERITIES)
        if self.inference != "none":
            counts += f" (with the {self.inference} closure by {self.inference_engine})"
        return f"{verdict}: {counts}"

    def text(self) -> str:
        """A human-readable report: per finding, one ``file:line: Severity: <focus> <path>:
        message`` line (as compilers print, so editors and CI can jump to it), the value and
        the shape or check on an indented line; then the summary line."""
        lines: list[str] = []
        for finding in self.results:
            lines.append(finding.headline())
            details = []
            if finding.value is not None:
                details.append(f"value: {_n3(finding.value)}")
            details.append(f"shape: {self._short(finding.source)}")
            lines.append("    " + " · ".join(details))
            triple = finding.triple()
            if finding.line is None and triple is not None:
                lines.append(f"    triple: {triple}")
        lines.append(self.summary())
        return "\n".join(lines) + "\n"

    def _short(self, iri: str) -> str:
        """A shape's IRI as a prefixed name of the shapes graph (``kzs:name``), if it has one."""
        if self.shapes_graph is None or not iri.startswith(("http://", "https://")):
            return iri
        try:
            return self.shapes_graph.namespace_manager.curie(iri, generate=False)
        except (KeyError, ValueError):
            return iri

    def to_json(self) -> dict[str, Any]:
        """A stable dict: findings sorted by severity, focus node, path, message."""
        return {
            "conforms": self.conforms,
            "engine": self.engine,
            "inference": {"closure": self.inference, "engine": self.inference_engine},
            "counts": {s: self.count(s) for s in SEVERITIES},
            "results": [f.to_json() for f in self.results],
        }


def _finding(
    focus: Node | None,
    message: str,
    source: str,
    *,
    path: Node | None = None,
    value: Node | None = None,
    severity: str = "Violation",
) -> Finding:
    return Finding(focus, path, value, message, severity, source, source)


# ------------------------------------------------------------------ Python checks


def _find_source_file(name: str, folders: Sequence[Path]) -> Path | None:
    if not name or Path(name).name != name or name in (".", ".."):
        return None  # a bare file name only: no folders, no traversal
    for folder in folders:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def _int(node: Node) -> int | None:
    if isinstance(node, Literal):
        value = node.toPython()
        if isinstance(value, int) and not isinstance(value, bool) and not node.ill_typed:
            return value
    return None


def _source_texts(graph: Graph, folders: Sequence[Path], out: list[Finding]) -> dict[Node, str]:
    """The text of every article that some oa:hasSource points at (with file + hash checks)."""
    texts: dict[Node, str] = {}
    for article in sorted(set(graph.objects(None, OA.hasSource)), key=_n3):
        names = [str(n) for n in graph.objects(article, KZEU.textFile)]
        if len(names) != 1:
            out.append(
                _finding(
                    article,
                    f"a text source needs exactly one kzeu:textFile, found {len(names)}",
                    CHECK_SOURCE_FILE,
                    path=KZEU.textFile,
                )
            )
            continue
        file = _find_source_file(names[0], folders)
        if file is None:
            where = ", ".join(str(f) for f in folders)
            out.append(
                _finding(
                    article,
                    f"source text file {names[0]!r} not found in {where}",
                    CHECK_SOURCE_FILE,
                    path=KZEU.textFile,
                    value=Literal(names[0]),
                )
            )
            continue
        raw = file.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        hashes = [str(h).lower() for h in graph.objects(article, SCHEMA.sha256)]
        if not hashes:
            out.append(
                _finding(
                    article, "the source has no schema:sha256", CHECK_SHA256, path=SCHEMA.sha256
                )
            )
        elif any(h != digest for h in hashes):
            out.append(
                _finding(
                    article,
                    f"schema:sha256 does not match {file.name} (its SHA-256 is {digest})",
                    CHECK_SHA256,
                    path=SCHEMA.sha256,
                    value=Literal(hashes[0]),
                )
            )
        try:
            texts[article] = raw.decode("utf-8")
        except UnicodeDecodeError:
            out.append(_finding(article, f"{file} is not UTF-8 text", CHECK_SOURCE_FILE))
    return texts


def check_text_spans(graph: Graph, folders: Sequence[Path]) -> list[Finding]:
    """Every quote/position selector pair must select exactly its ``oa:exact`` in the source."""
    out: list[Finding] = []
    texts = _source_texts(graph, folders, out)
    for target in sorted(set(graph.subjects(OA.hasSource, None)), key=_n3):
        sources = [s for s in graph.objects(target, OA.hasSource) if s in texts]
        if len(sources) != 1:
            continue
        text = texts[sources[0]]
        selectors = list(graph.objects(target, OA.hasSelector))
        quotes = [e for s in selectors for e in graph.objects(s, OA.exact)]
        positions = [
            (s, graph.value(s, OA.start), graph.value(s, OA.end))
            for s in selectors
            if (s, RDF.type, OA.TextPositionSelector) in graph or (s, OA.start, None) in graph
        ]
        for selector, start_node, end_node in positions:
            start = _int(start_node) if start_node is not None else None
            end = _int(end_node) if end_node is not None else None
            if start is None or end is None or not 0 <= start <= end <= len(text):
                out.append(
                    _finding(
                        target,
                        f"text position {start_node}..{end_node} is not a valid span of a "
                        f"{len(text)}-character text",
                        CHECK_TEXT_SPAN,
                        path=OA.hasSelector,
                        value=selector,
                    )
                )
                continue
            actual = text[start:end]
            for exact in quotes:
                if str(exact) != actual:
                    out.append(
                        _finding(
                            target,
                            f"text[{start}:{end}] is {actual!r}, not the oa:exact {str(exact)!r}",
                            CHECK_TEXT_SPAN,
                            path=OA.hasSelector,
                            value=exact,
                        )
                    )
    return out


def check_literals(graph: Graph) -> list[Finding]:
    """Literals whose lexical form is not valid for their XSD datatype."""
    out: list[Finding] = []
    xsd = str(XSD)
    bad_triples = []
    for s, p, o in graph:  # sorting only the bad triples keeps the output order stable
        if not isinstance(o, Literal) or o.datatype is None or not o.datatype.startswith(xsd):
            continue
        pattern = _LEXICAL.get(o.datatype)
        if o.ill_typed is True or (pattern is not None and not pattern.fullmatch(str(o))):
            bad_triples.append((s, p, o))
    for s, p, o in sorted(bad_triples):
        datatype = o.datatype if isinstance(o, Literal) and o.datatype is not None else XSD.string
        out.append(
            _finding(
                s,
                f"ill-typed literal: {str(o)!r} is not a valid {_xsd_name(datatype)}",
                CHECK_LITERAL,
                path=p,
                value=o,
            )
        )
    return out


def check_iris(graph: Graph) -> list[Finding]:
    """IRIs that are not absolute or contain spaces or ``<>"{}|\\^``` characters."""
    out: list[Finding] = []
    seen: set[tuple[Node, Node]] = set()
    valid: set[Node] = set()  # IRIs already checked: most recur many times
    bad_triples = []
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef) and term not in valid:
                if not is_valid_iri(str(term)):
                    bad_triples.append(triple)
                    break
                valid.add(term)
    for s, p, o in sorted(bad_triples):  # only the bad triples: the output order is stable
        for position, term in (("subject", s), ("predicate", p), ("object", o)):
            if isinstance(term, URIRef) and not is_valid_iri(str(term)) and (s, term) not in seen:
                seen.add((s, term))
                out.append(
                    _finding(
                        s,
                        f"invalid IRI as {position}: {str(term)!r} (needs a scheme; no spaces "
                        'or <>"{}|\\^` characters)',
                        CHECK_IRI,
                        path=p if position == "object" else None,
                        value=term,
                    )
                )
    return out


def _xsd_name(datatype: URIRef) -> str:
    return "xsd:" + str(datatype)[len(str(XSD)) :]


def python_checks(graph: Graph, sources_dirs: Sequence[Path] | None = None) -> list[Finding]:
    """The checks SHACL cannot do: text spans and source hashes, literal and IRI syntax."""
    folders = list(sources_dirs) if sources_dirs is not None else [resources.sources_dir()]
    return check_text_spans(graph, folders) + check_literals(graph) + check_iris(graph)


# ------------------------------------------------------------------ SHACL

_THIS = Variable("this")
# Algebra nodes under which filtering on ?this is not the same as pre-binding $this.
_UNSAFE_FOR_GROUPING = frozenset(
    {
        "ToMultiSet",
        "Slice",
        "Group",
        "AggregateJoin",
        "Minus",
        "Union",
        "Graph",
        "ServiceGraphPattern",
    }
)


def _binds_this_at_top(pattern: Any) -> bool:
    """Whether a triple pattern of the top-level group (not OPTIONAL) binds ?this."""
    from rdflib.plugins.sparql.parserutils import CompValue

    if not isinstance(pattern, CompValue):
        return False
    if pattern.name == "BGP":
        return any(_THIS in triple for triple in pattern.triples)
    if pattern.name in ("Project", "Distinct", "Reduced", "OrderBy", "Filter"):
        return _binds_this_at_top(pattern.p)
    if pattern.name == "Extend":
        return pattern.var != _THIS and _binds_this_at_top(pattern.p)
    if pattern.name == "Join":
        return _binds_this_at_top(pattern.p1) or _binds_this_at_top(pattern.p2)
    if pattern.name == "LeftJoin":
        return _binds_this_at_top(pattern.p1)
    return False


def _groupable_by_this(query: Query) -> bool:
    """Whether evaluating once and keeping the rows with ?this = node equals pre-binding $this.

    True for a SELECT that projects ?this and binds it in a triple pattern of its top-level
    group, with no sub-select, VALUES, LIMIT, aggregate, MINUS, UNION or GRAPH anywhere
    (SHACL pre-binding substitutes $this everywhere, a filter on the solutions does not).
    """
    from rdflib.plugins.sparql.parserutils import CompValue

    algebra = query.algebra
    if algebra.name != "SelectQuery" or _THIS not in (algebra.get("PV") or []):
        return False
    stack: list[Any] = [algebra.p]
    while stack:
        node = stack.pop()
        if isinstance(node, CompValue):
            if node.name in _UNSAFE_FOR_GROUPING:
                return False
            stack.extend(dict.values(node))
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return _binds_this_at_top(algebra.p)


@lru_cache(maxsize=256)
def _prepare(text: str, namespaces: tuple[tuple[str, str], ...]) -> Query:
    """A query parsed and translated once per process (rdflib's parser is slow)."""
    from rdflib.plugins.sparql import prepareQuery

    return prepareQuery(text, initNs=dict(namespaces))


class _ValidationGraph(Graph):
    """The data graph pyshacl queries: every query text parsed once, not once per focus node.

    pyshacl runs a SHACL-SPARQL constraint once per focus node, as a query string with
    ``$this`` pre-bound, and rdflib parses that string every time (~30 ms each). Here each text
    is prepared once; and a constraint query for which filtering on ``?this`` equals
    pre-binding it (see ``_groupable_by_this``) is evaluated once over the whole graph, its
    rows grouped by ``?this``, and each focus node gets its own rows.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._prepared: dict[str, Query] = {}
        self._rows_by_this: dict[str, tuple[list[Variable], dict[Node, list[Any]]]] = {}

    def _prepare(self, text: str, init_ns: Any) -> Query:
        prepared = self._prepared.get(text)
        if prepared is None:
            namespaces = dict(init_ns) if init_ns else dict(self.namespaces())
            key = tuple(sorted((str(k), str(v)) for k, v in namespaces.items()))
            prepared = self._prepared[text] = _prepare(text, key)
        return prepared

    def _grouped(self, text: str, prepared: Query) -> tuple[list[Variable], dict[Node, list[Any]]]:
        cached = self._rows_by_this.get(text)
        if cached is None:
            result = super().query(prepared)
            groups: dict[Node, list[Any]] = {}
            for row in result.bindings:
                focus = row.get(_THIS)
                if focus is not None:
                    groups.setdefault(focus, []).append(row)
            cached = self._rows_by_this[text] = (list(result.vars or []), groups)
        return cached

    def query(  # type: ignore[override]
        self,
        query_object: str | Query,
        processor: str = "sparql",
        result: str = "sparql",
        initNs: Any = None,
        initBindings: Any = None,
        use_store_provided: bool = True,
        **kwargs: Any,
    ) -> Result:
        if not isinstance(query_object, str) or processor != "sparql" or result != "sparql":
            return super().query(
                query_object, processor, result, initNs, initBindings, use_store_provided, **kwargs
            )
        prepared = self._prepare(query_object, initNs)
        bindings = dict(initBindings or {})
        if set(bindings) == {"this"} and _groupable_by_this(prepared):
            variables, groups = self._grouped(query_object, prepared)
            out = Result("SELECT")
            out.vars = variables
            out.bindings = list(groups.get(bindings["this"], ()))
            return out
        return super().query(prepared, initBindings=bindings, **kwargs)


def _pyshacl_data_graph(data_graph: Graph, changes: bool) -> Graph:
    """The graph to hand pyshacl (always ``inplace``): a view of ``data_graph``'s own store
    when validation changes nothing, else a copy (inference, ontology mix-in, SHACL rules)."""
    if isinstance(data_graph, ConjunctiveGraph) or type(data_graph.store) is not Memory:
        changes = True
    if changes:
        copy = _ValidationGraph(bind_namespaces="none")
        for prefix, namespace in data_graph.namespaces():
            copy.bind(prefix, namespace, override=True, replace=True)
        copy += data_graph
        return copy
    return _ValidationGraph(
        store=data_graph.store,
        identifier=data_graph.identifier,
        namespace_manager=data_graph.namespace_manager,
    )


def _path_text(graph: Graph, path: Node | None) -> str:
    """A SHACL property path in the SPARQL-like syntax: ``^<p>``, ``<p>/<q>``, ``<p>|<q>``."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + _path_text(graph, inverse)
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        items = Collection(graph, alternatives)
        return "(" + "|".join(_path_text(graph, item) for item in items) + ")"
    for key, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, key)
        if inner is not None:
            return _path_text(graph, inner) + suffix
    if isinstance(path, BNode) and graph.value(path, RDF.first) is not None:
        return "/".join(_path_text(graph, item) for item in Collection(graph, path))
    return _show(path) or ""


def _findings_from_report(report: Graph) -> list[Finding]:
    out: list[Finding] = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        severity_node = report.value(result, SH.resultSeverity)
        severity = str(severity_node).rsplit("#", 1)[-1] if severity_node else "Violation"
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        shape = report.value(result, SH.sourceShape)
        component = report.value(result, SH.sourceConstraintComponent)
        path = report.value(result, SH.resultPath)
        out.append(
            Finding(
                focus_node=report.value(result, SH.focusNode),
                path=path,
                value=report.value(result, SH.value),
                message="; ".join(messages) or "(no message)",
                severity=severity,
                source=_show(shape) or "",
                component=_show(component) or "",
                path_text=_path_text(report, path) if isinstance(path, BNode) else None,
            )
        )
    return out


def _add_to_report(report: Graph, findings: Iterable[Finding], conforms: bool) -> None:
    roots = list(report.subjects(RDF.type, SH.ValidationReport))
    root = roots[0] if roots else BNode()
    if not roots:
        report.add((root, RDF.type, SH.ValidationReport))
    report.set((root, SH.conforms, Literal(conforms)))
    for finding in findings:
        node = BNode()
        check = KZEU_CHECK[finding.source.split(":", 1)[-1]]
        report.add((root, SH.result, node))
        report.add((node, RDF.type, SH.ValidationResult))
        report.add((node, SH.resultSeverity, _SEVERITY_IRI[finding.severity]))
        report.add((node, SH.sourceShape, check))
        report.add((node, SH.sourceConstraintComponent, check))
        report.add((node, SH.resultMessage, Literal(finding.message)))
        if finding.focus_node is not None:
            report.add((node, SH.focusNode, finding.focus_node))
        if finding.path is not None:
            report.add((node, SH.resultPath, finding.path))
        if finding.value is not None:
            report.add((node, SH.value, finding.value))


def validate(
    data_graph: Graph,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    inference: Inference = "none",
    sources_dirs: Sequence[Path] | None = None,
) -> ValidationReport:
    """Validate with pyshacl (always the project's shapes unless ``shapes`` is given) + Python checks.

    ``sources_dirs``: folders to look for ``kzeu:textFile`` names in (default: the shipped
    ``data/sources``).
    """
    from pyshacl import validate as shacl_validate

    from .loading import load_shapes

    started = time.perf_counter()
    shapes_graph = load_shapes() if shapes is None else shapes
    if len(shapes_graph) == 0:
        raise InputError("the SHACL shapes graph is empty")
    changes = inference != "none" or ontology is not None or (None, SH.rule, None) in shapes_graph
    pyshacl_graph = _pyshacl_data_graph(data_graph, changes)
    inference_engine = "none"
    if inference != "none":  # the project's closure (with its time limit), not pyshacl's owlrl
        from .inference import closure

        if ontology is not None:
            pyshacl_graph += ontology
            ontology = None
        added, inference_engine = closure(pyshacl_graph, inference)
        pyshacl_graph.addN((s, p, o, pyshacl_graph) for s, p, o in added)
    try:
        shacl_conforms, report_graph, _ = shacl_validate(
            pyshacl_graph,
            shacl_graph=shapes_graph,
            ont_graph=ontology,
            inference="none",
            abort_on_first=False,
            allow_infos=True,
            allow_warnings=True,
            meta_shacl=False,
            advanced=True,
            js=False,
            do_owl_imports=False,
            debug=False,
            inplace=True,  # on a view or a copy of our own (see _pyshacl_data_graph)
        )
    except RecursionError:
        raise InputError("SHACL validation recursed too deeply") from None
    except Exception as exc:
        raise InputError(f"SHACL validation failed: {type(exc).__name__}: {exc}") from None
    report = new_graph()
    report += report_graph
    findings = _findings_from_report(report)
    extra = python_checks(data_graph, sources_dirs)
    conforms = bool(shacl_conforms) and not any(f.severity == "Violation" for f in extra)
    _add_to_report(report, extra, conforms)
    results = sorted(findings + extra, key=Finding.sort_key)
    return ValidationReport(
        conforms=conforms,
        results=results,
        report_graph=report,
        shapes_graph=shapes_graph,
        seconds=time.perf_counter() - started,
        inference=inference,
        inference_engine=inference_engine,
    )


def quick_validate(files: Sequence[Path], sources_dirs: Sequence[Path]) -> ValidationReport | None:
    """The report for the ontology + ``files`` when the Oxigraph pre-check proves it conforms
    (no finding of any severity), without pyshacl; None when pyshacl must run (see
    :mod:`kzeu_graph.precheck`: it found something, or cannot decide for this input)."""
    from .engines.oxigraph_engine import rdflib_term
    from .errors import KzeuError
    from .precheck import find

    started = time.perf_counter()
    try:
        hits, data, shape_triples, prefixes = find(
            [*resources.ontology_files(), *files], resources.shapes_file()
        )
    except KzeuError:  # Unsupported, or an input error that the full path reports itself
        return None
    if hits:
        return None
    converted: dict[Any, Node] = {}

    def term(node: Any) -> Node:
        found = converted.get(node)
        if found is None:
            found = converted[node] = rdflib_term(node)
        return found

    graph = Graph(bind_namespaces="none")
    graph.addN((term(q.subject), term(q.predicate), term(q.object), graph) for q in data)
    if python_checks(graph, sources_dirs):
        return None
    shapes = new_graph()
    shapes.addN((term(t.subject), term(t.predicate), term(t.object), shapes) for t in shape_triples)
    for prefix, namespace in prefixes.items():
        shapes.bind(prefix, namespace, override=True, replace=True)
    report = new_graph()
    _add_to_report(report, [], True)
    return ValidationReport(
        conforms=True,
        report_graph=report,
        shapes_graph=shapes,
        seconds=time.perf_counter() - started,
        engine="oxigraph",
    )
