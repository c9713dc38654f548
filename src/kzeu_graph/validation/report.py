"""SHACL validation with the project's shapes, plus checks SHACL cannot express."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, get_args
from typing import Literal as TypingLiteral

from rdflib import RDF, BNode, ConjunctiveGraph, Graph, Literal, URIRef, Variable
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD
from rdflib.plugins.stores.memory import Memory
from rdflib.query import Result
from rdflib.term import Node

from kzeu_graph import resources
from kzeu_graph.errors import InputError, KzeuError
from kzeu_graph.rdf.namespaces import KZEU, KZEU_CHECK, OA, SCHEMA, new_graph
from kzeu_graph.rdf.terms import is_valid_iri

if TYPE_CHECKING:  # rdflib's SPARQL and the loaders are imported only when pyshacl runs
    from rdflib.plugins.sparql.sparql import Query

    from kzeu_graph.engines import Engine
    from kzeu_graph.loading.graph import Inference

__all__ = [
    "FAIL_ON",
    "NATIVE_ENGINE",
    "PYTHON_CHECKS",
    "REFERENCE_ENGINE",
    "SEVERITIES",
    "VALIDATION_ENGINES",
    "Finding",
    "ValidationEngine",
    "ValidationReport",
    "engine_versions",
    "native_engine",
    "python_checks",
    "severity_of",
    "validate",
]

SEVERITIES = ("Violation", "Warning", "Info")

# The SHACL engines: pyshacl-turbo (native, pySHACL-compatible) answers by default; pyshacl is
# the reference engine, and the fallback when pyshacl-turbo is missing or does not import.
NATIVE_ENGINE = "pyshacl-turbo"
REFERENCE_ENGINE = "pyshacl"
ValidationEngine = TypingLiteral["auto", "pyshacl-turbo", "pyshacl"]
VALIDATION_ENGINES: tuple[str, ...] = get_args(ValidationEngine)
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

    def sort_key(self) -> tuple[int, str, str, str, str, str, str]:
        return (
            _RANK.get(self.severity, 9),
            _show(self.focus_node) or "",
            self.shown_path() or "",
            self.message,
            self.source,
            self.component,  # the last two only order findings that tie (a stable report)
            _show(self.value) or "",
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
    engine: str = REFERENCE_ENGINE  # the SHACL engine that ran: "pyshacl-turbo" or "pyshacl"
    inference: str = "none"  # the closure validated: none, rdfs or owlrl
    inference_engine: str = "none"  # what computed it (kzeu_graph.loading.inference.ENGINES)

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
        lines.append(f"{self.summary()} (engine: {self.engine})")
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


def native_engine() -> ModuleType | None:
    """The ``pyshacl_turbo`` module, or None when it is not installed or does not import."""
    try:
        import pyshacl_turbo
    except Exception:  # ImportError, or a native extension that does not load here
        return None
    return pyshacl_turbo


def engine_versions() -> dict[str, str | None]:
    """Each SHACL engine and its version; None for one that cannot run here."""
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {}
    for name in (NATIVE_ENGINE, REFERENCE_ENGINE):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    if native_engine() is None:
        versions[NATIVE_ENGINE] = None
    return versions


_SHACL_OPTIONS: dict[str, Any] = {
    "abort_on_first": False,
    "allow_infos": True,
    "allow_warnings": True,
    "meta_shacl": False,
    "advanced": True,
    "js": False,
    "do_owl_imports": False,
    "debug": False,
}


def _run_native(
    module: ModuleType,
    data_graph: Graph,
    shapes_graph: Graph,
    ontology: Graph | None,
    inference: Inference,
) -> tuple[bool, Graph]:
    """pyshacl-turbo on ``data_graph`` (left unchanged: it validates its own copy)."""
    conforms, report, _ = module.validate(
        data_graph,
        shacl_graph=shapes_graph,
        ont_graph=ontology,
        inference=inference,
        inplace=False,
        **_SHACL_OPTIONS,
    )
    if not isinstance(report, Graph):  # a ValidationFailure instead of a report
        raise InputError(f"SHACL validation failed: {report}")
    return bool(conforms), report


def _run_pyshacl(
    data_graph: Graph, shapes_graph: Graph, ontology: Graph | None, inference: Inference
) -> tuple[bool, Graph]:
    """pyshacl, with the project's speed-ups (see ``_ValidationGraph``)."""
    from pyshacl import validate as shacl_validate

    changes = inference != "none" or ontology is not None or (None, SH.rule, None) in shapes_graph
    conforms, report, _ = shacl_validate(
        _pyshacl_data_graph(data_graph, changes),
        shacl_graph=shapes_graph,
        ont_graph=ontology,
        inference=inference,
        inplace=True,  # on a view or a copy of our own (see _pyshacl_data_graph)
        **_SHACL_OPTIONS,
    )
    return bool(conforms), report


def _run_shacl(
    engine: ValidationEngine,
    data_graph: Graph,
    shapes_graph: Graph,
    ontology: Graph | None,
    inference: Inference,
    ill_typed: bool = False,
) -> tuple[bool, Graph, str]:
    """Run the chosen SHACL engine: (conforms, report graph, the engine that ran).

    ``auto`` with ``ill_typed`` (the data holds a literal invalid for its XSD datatype) runs
    pyshacl: SPARQL over such values differs between rdflib and Oxigraph (pyshacl-turbo's),
    and rdflib may have rewritten the literal's text (``"none"^^xsd:boolean`` as ``"false"``,
    marked ill-typed: only pyshacl reads the mark). The run fails on the literal anyway.
    """
    if engine not in VALIDATION_ENGINES:
        raise InputError(f"unknown engine {engine!r} (use {' or '.join(VALIDATION_ENGINES)})")
    native = None if engine == REFERENCE_ENGINE else native_engine()
    if engine == NATIVE_ENGINE and native is None:
        raise InputError(
            f"the {NATIVE_ENGINE} engine is not installed or does not import here "
            f"(pip install {NATIVE_ENGINE}, or use --engine {REFERENCE_ENGINE})"
        )
    if engine == "auto" and ill_typed:
        native = None
    try:
        if native is not None:
            try:
                return (
                    *_run_native(native, data_graph, shapes_graph, ontology, inference),
                    NATIVE_ENGINE,
                )
            except RecursionError:
                raise
            except Exception:
                if engine != "auto":
                    raise
                # auto: pyshacl decides what the native engine could not, or says why it fails
        return (*_run_pyshacl(data_graph, shapes_graph, ontology, inference), REFERENCE_ENGINE)
    except RecursionError:
        raise InputError("SHACL validation recursed too deeply") from None
    except InputError:
        raise
    except Exception as exc:
        raise InputError(f"SHACL validation failed: {type(exc).__name__}: {exc}") from None


def _with_closure(
    data_graph: Graph, ontology: Graph | None, inference: Inference
) -> tuple[Graph | None, str]:
    """A copy of ``data_graph`` (+ ``ontology``) with the project's closure, and its engine.

    (None, "none") without inference: the caller's graph is used as it is.
    """
    if inference == "none":
        return None, "none"
    from kzeu_graph.loading.inference import closure

    closed = new_graph()
    closed += data_graph
    if ontology is not None:
        closed += ontology
    added, engine = closure(closed, inference)
    closed.addN((s, p, o, closed) for s, p, o in added)
    return closed, engine


def validate(
    data_graph: Graph | Engine,
    shapes: Graph | None = None,
    ontology: Graph | None = None,
    inference: Inference = "none",
    sources_dirs: Sequence[Path] | None = None,
    engine: ValidationEngine = "auto",
    project_checks: bool = True,
) -> ValidationReport:
    """Validate with the SHACL shapes (the project's unless ``shapes`` is given) + Python checks.

    ``engine``: ``auto`` runs pyshacl-turbo when it imports (else pyshacl); ``pyshacl-turbo``
    or ``pyshacl`` runs that one. ``sources_dirs``: folders to look for ``kzeu:textFile``
    names in (default: the shipped ``data/sources``). ``project_checks=False`` runs SHACL
    alone (no text-span, literal or IRI checks), as the W3C suite expects.

    ``data_graph`` is an rdflib Graph or any store (:class:`kzeu_graph.engines.Engine`),
    whose graph is handed over by :func:`kzeu_graph.engines.to_graph`.
    """
    from kzeu_graph.engines import to_graph
    from kzeu_graph.loading.graph import load_shapes

    data_graph = to_graph(data_graph)

    started = time.perf_counter()
    shapes_graph = load_shapes() if shapes is None else shapes
    if len(shapes_graph) == 0:
        raise InputError("the SHACL shapes graph is empty")
    extra = python_checks(data_graph, sources_dirs) if project_checks else []
    if project_checks:
        ill_typed = any(f.source == CHECK_LITERAL for f in extra)
    else:
        ill_typed = engine == "auto" and bool(check_literals(data_graph))
    closed, inference_engine = _with_closure(data_graph, ontology, inference)
    if closed is not None:  # the project's closure (with its time limit), not pyshacl's owlrl
        data_graph, ontology = closed, None
    shacl_conforms, report_graph, ran = _run_shacl(
        engine, data_graph, shapes_graph, ontology, "none", ill_typed
    )
    report = new_graph()
    report += report_graph
    findings = _findings_from_report(report)
    conforms = shacl_conforms and not any(f.severity == "Violation" for f in extra)
    _add_to_report(report, extra, conforms)
    results = sorted(findings + extra, key=Finding.sort_key)
    return ValidationReport(
        conforms=conforms,
        results=results,
        report_graph=report,
        shapes_graph=shapes_graph,
        seconds=time.perf_counter() - started,
        engine=ran,
        inference=inference,
        inference_engine=inference_engine,
    )


# ------------------------------------------------------------------ files, natively

# The predicates (and the one class) the text-span and source checks read.
_SPAN_PREDICATES = frozenset(
    str(p)
    for p in (
        OA.hasSource,
        OA.hasSelector,
        OA.exact,
        OA.start,
        OA.end,
        KZEU.textFile,
        SCHEMA.sha256,
    )
)


def validate_files_natively(
    files: Sequence[Path],
    sources_dirs: Sequence[Path],
    shapes: Graph | None = None,
    project_checks: bool = True,
) -> tuple[ValidationReport, Graph | None] | None:
    """The report for ``files`` (ontology included) from pyshacl-turbo without rdflib's
    parser: each file read by Oxigraph (after the checks every loader makes), handed to
    pyshacl-turbo as N-Triples. With the report, an rdflib copy of the data when a finding
    names a blank node (to locate it), else None. ``shapes``: another shapes graph than the
    project's; ``project_checks=False``: SHACL alone (as for :func:`validate`).

    Returns None, for :func:`validate` on rdflib's graph to decide, when pyshacl-turbo is
    missing or its interface has changed, when a file is not N-Triples or Turtle or does
    not parse, when Oxigraph reads a file otherwise than rdflib would (then rdflib's
    reading is the one reported), and when a literal is ill-typed (pyshacl decides, see
    _run_shacl). The Python checks run too (see _native_python_checks).
    """
    from kzeu_graph.loading.datafiles import read_data_file
    from kzeu_graph.rdf.terms import rdflib_from_oxigraph as rdflib_term

    module = native_engine()
    if module is None:
        return None
    try:
        import pyoxigraph as ox
        from pyshacl_turbo.rdf import Input
    except ImportError:
        return None
    started = time.perf_counter()
    triples: list[Any] = []
    for path in files:
        try:
            checked = read_data_file(Path(path))  # the one gate every command uses
        except KzeuError:  # the rdflib loader says what is wrong: the same gate, same words
            return None
        if checked.format not in (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE):
            return None
        if _READ_OTHERWISE.search(checked.data):
            return None
        triples += checked.quads
    if not _literals_read_alike(triples):
        return None
    extra = _native_python_checks(triples, sources_dirs, rdflib_term)
    if any(f.source == CHECK_LITERAL for f in extra):
        return None  # pyshacl decides on ill-typed literals (see _run_shacl)
    if not project_checks:
        extra = []
    try:
        if shapes is None:
            shapes_graph, program = _compiled_shapes(module)
        else:
            shapes_graph, program = shapes, module.compile_shapes(shapes, advanced=True)
    except Exception:
        return None
    text = (ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b"").decode("utf-8")
    triples.clear()  # at 1e6 triples the Python objects weigh more than the text
    try:
        shacl_conforms, report_graph, _ = program.validate(
            Input(text, "nt", None, {}, {}, True),
            allow_infos=True,
            allow_warnings=True,
            abort_on_first=False,
        )
    except Exception:  # the native engine failed, or its interface changed: rdflib's path
        return None
    if not isinstance(report_graph, Graph):
        return None
    report = new_graph()
    report += report_graph
    findings = sorted(_findings_from_report(report) + extra, key=Finding.sort_key)
    conforms = bool(shacl_conforms) and not any(f.severity == "Violation" for f in extra)
    _add_to_report(report, extra, conforms)
    graph = None
    if any(isinstance(f.focus_node, BNode) or isinstance(f.value, BNode) for f in findings):
        graph = Graph(bind_namespaces="none")
        graph.addN(
            (rdflib_term(t.subject), rdflib_term(t.predicate), rdflib_term(t.object), graph)
            for t in ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
        )
    native_report = ValidationReport(
        conforms=conforms,
        results=findings,
        report_graph=report,
        shapes_graph=shapes_graph,
        seconds=time.perf_counter() - started,
        engine=NATIVE_ENGINE,
    )
    return native_report, graph


# What Oxigraph reads otherwise than rdflib: a language tag with a capital (Oxigraph writes
# it in lower case) and an explicit ^^xsd:string (one term with the plain literal for
# Oxigraph, two for rdflib). Searched in the file's bytes, generously: a false hit only
# means the rdflib path runs.
_READ_OTHERWISE = re.compile(
    rb"[\"']@[A-Za-z0-9-]*[A-Z]|\^\^\s*(?:[A-Za-z0-9_.-]*:string\b|<[^>]*#string>)"
)


def _literals_read_alike(triples: Sequence[Any]) -> bool:
    """Whether rdflib keeps every typed literal as written (it rewrites some: ``"01"`` as
    ``"1"``, ``"1"^^xsd:boolean`` as ``"true"``, a date as a dateTime's ``T00:00:00``)."""
    import pyoxigraph as ox

    seen: set[tuple[str, str]] = set()
    for triple in triples:
        for value in (triple.subject, triple.object):
            if isinstance(value, ox.Literal) and not value.language:
                key = (value.value, value.datatype.value)
                if key not in seen:
                    if str(Literal(value.value, datatype=URIRef(key[1]))) != value.value:
                        return False
                    seen.add(key)
    return True


_COMPILED: dict[tuple[str, int, int], tuple[Graph, Any]] = {}


def _compiled_shapes(module: ModuleType) -> tuple[Graph, Any]:
    """The project's shapes graph and pyshacl-turbo's compiled form of it, once per process
    (again when the shapes file changes)."""
    from kzeu_graph.loading.graph import load_shapes

    path = resources.shapes_file()
    stat = path.stat()
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    cached = _COMPILED.get(key)
    if cached is None:
        shapes_graph = load_shapes()
        _COMPILED.clear()
        cached = _COMPILED[key] = (shapes_graph, module.compile_shapes(shapes_graph, advanced=True))
    return cached


def _native_python_checks(
    triples: Sequence[Any], sources_dirs: Sequence[Path], to_rdflib: Any
) -> list[Finding]:
    """:func:`python_checks` on Oxigraph's triples, with the same findings: each check runs
    on an rdflib graph of just the triples it can report (a bad IRI, a bad XSD literal, the
    text-span and source predicates), so rdflib holds a few triples, not the corpus."""
    import pyoxigraph as ox

    xsd = str(XSD)
    iri_ok: dict[str, bool] = {}
    literal_ok: dict[tuple[str, str], bool] = {}
    spans, bad_literals, bad_iris = (Graph(bind_namespaces="none") for _ in range(3))

    def rdflib_triple(triple: Any) -> tuple[Node, Node, Node]:
        return (to_rdflib(triple.subject), to_rdflib(triple.predicate), to_rdflib(triple.object))

    for triple in triples:
        for term in (triple.subject, triple.predicate, triple.object):
            if isinstance(term, ox.NamedNode):
                ok = iri_ok.get(term.value)
                if ok is None:
                    ok = iri_ok[term.value] = is_valid_iri(term.value)
                if not ok:
                    bad_iris.add(rdflib_triple(triple))
        value = triple.object
        if isinstance(value, ox.Literal) and not value.language:
            key = (value.value, value.datatype.value)
            ok = literal_ok.get(key)
            if ok is None:
                ok = True
                if key[1].startswith(xsd):
                    literal = Literal(key[0], datatype=URIRef(key[1]))
                    pattern = _LEXICAL.get(URIRef(key[1]))
                    ok = literal.ill_typed is not True and (
                        pattern is None or pattern.fullmatch(key[0]) is not None
                    )
                literal_ok[key] = ok
            if not ok:
                bad_literals.add(rdflib_triple(triple))
        predicate = triple.predicate.value
        if predicate in _SPAN_PREDICATES or (
            predicate == str(RDF.type)
            and triple.object == ox.NamedNode(str(OA.TextPositionSelector))
        ):
            spans.add(rdflib_triple(triple))
    return (
        check_text_spans(spans, list(sources_dirs))
        + check_literals(bad_literals)
        + check_iris(bad_iris)
    )
