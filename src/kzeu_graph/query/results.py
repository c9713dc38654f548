"""Query results as plain data; their SPARQL 1.1 JSON, XML, CSV and TSV come from :mod:`kzeu_graph.query.writers`."""

from __future__ import annotations

import html
from collections import namedtuple
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, SKOS, XSD
from rdflib.query import Result as RdflibResult
from rdflib.term import Node

from kzeu_graph.errors import KzeuError, ParameterError
from kzeu_graph.query import writers
from kzeu_graph.query.writers import RESULT_FORMATS, tsv_term
from kzeu_graph.rdf.prefixes import PREFIX_IRIS, compact_iri
from kzeu_graph.rdf.terms import RDF_LANG_STRING, XSD_INTEGERS, XSD_NUMBERS, XSD_STRING, Term

__all__ = ["RESULT_FORMATS", "Description", "Result", "term_to_python", "turtle_term"]

GRAPH_VARIABLES = ["subject", "predicate", "object"]


def term_to_python(term: Node | None) -> Any:
    """URIRef -> str, Literal -> its Python value (lexical form if ill-typed), BNode -> '_:id'."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if term.ill_typed or value is term else value
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def turtle_term(term: Node | None) -> str:
    """A term in Turtle/N-Triples syntax, as SPARQL TSV results need (unbound -> '')."""
    return tsv_term(_term(term))


def _term(node: Node | None) -> Term | None:
    """The writer's view of an rdflib term, taken as the engine gave it (not re-checked:
    a result may hold what Term's constructors refuse, e.g. Virtuoso's ``nodeID://`` labels)."""
    if node is None:
        return None
    if isinstance(node, Literal):
        if node.language:
            return Term("literal", str(node), RDF_LANG_STRING, node.language)
        return Term("literal", str(node), str(node.datatype or XSD_STRING))
    if isinstance(node, BNode):
        return Term("bnode", str(node))
    return Term("iri", str(node))


def _html_cell(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f'<a href="{html.escape(str(term))}">{html.escape(compact_iri(str(term)))}</a>'
    if isinstance(term, BNode):
        return html.escape(f"_:{term}")
    return html.escape(str(term))


def _typed_column(pd: Any, values: list[Node | None], iris: str) -> Any:
    """One DataFrame column: Int64/Float64 for numbers, boolean, else string."""
    present = [v for v in values if v is not None]
    datatypes = {str(v.datatype) for v in present if isinstance(v, Literal)}
    all_literals = all(isinstance(v, Literal) and not v.ill_typed for v in present)
    if present and all_literals and datatypes <= XSD_NUMBERS:
        if datatypes <= XSD_INTEGERS:
            return pd.array([None if v is None else int(str(v)) for v in values], dtype="Int64")
        return pd.array([None if v is None else float(str(v)) for v in values], dtype="Float64")
    if present and all_literals and datatypes == {str(XSD.boolean)}:
        return pd.array(
            [None if v is None else str(v) in ("true", "1") for v in values], dtype="boolean"
        )

    def text(value: Node | None) -> str | None:
        if value is None:
            return None
        if isinstance(value, URIRef):
            return str(value) if iris == "full" else compact_iri(str(value))
        if isinstance(value, BNode):
            return f"_:{value}"
        return str(value)

    return pd.array([text(v) for v in values], dtype="string")


@dataclass
class Result:
    """The outcome of one query: SELECT rows, an ASK boolean, or a CONSTRUCT/DESCRIBE graph."""

    kind: TypingLiteral["select", "ask", "graph"]
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Node | None]] = field(default_factory=list)
    boolean: bool | None = None
    graph: Graph | None = None

    @classmethod
    def from_rdflib(cls, result: RdflibResult) -> Result:
        """Materialise an rdflib result (once; rdflib results are lazy)."""
        if result.type == "ASK":
            return cls(kind="ask", boolean=bool(result.askAnswer))
        if result.type in ("CONSTRUCT", "DESCRIBE"):
            graph = result.graph if result.graph is not None else Graph()
            return cls.from_graph(graph)
        variables = [str(v) for v in (result.vars or [])]
        rows: list[dict[str, Node | None]] = []
        for row in result:
            values: tuple[Any, ...] = tuple(row) if isinstance(row, tuple) else (row,)
            rows.append({name: values[i] for i, name in enumerate(variables)})
        return cls(kind="select", variables=variables, rows=rows)

    @classmethod
    def from_graph(cls, graph: Graph) -> Result:
        """A graph result; its rows are its triples, sorted, as subject/predicate/object."""
        rows: list[dict[str, Node | None]] = [
            dict(zip(GRAPH_VARIABLES, triple, strict=True)) for triple in sorted(graph)
        ]
        return cls(kind="graph", variables=list(GRAPH_VARIABLES), rows=rows, graph=graph)

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Any]:
        """The rows as named tuples of Python values (``row.label``, ``row[0]``).

        Values are as in :meth:`to_python`: IRIs as strings, literals as Python values,
        unbound as None. An ASK result has no rows (see ``boolean``).
        """
        row_type = namedtuple("Row", self.variables, rename=True)  # type: ignore[misc]
        for row in self.rows:
            yield row_type(*(term_to_python(row.get(name)) for name in self.variables))

    def __repr__(self) -> str:
        if self.kind == "ask":
            return f"<Result ask: {'true' if self.boolean else 'false'}>"
        shown = ", ".join(self.variables[:6]) + (", ..." if len(self.variables) > 6 else "")
        return f"<Result {self.kind}: {len(self.rows)} row(s) x {len(self.variables)} ({shown})>"

    def _repr_html_(self, max_rows: int = 50) -> str:
        """An HTML table for notebooks: IRIs as CURIE links, every value escaped."""
        if self.kind == "ask":
            return f"<p><code>ASK</code>: <b>{'true' if self.boolean else 'false'}</b></p>"
        head = "".join(f"<th>{html.escape(name)}</th>" for name in self.variables)
        body = [
            "<tr>" + "".join(f"<td>{_html_cell(row.get(n))}</td>" for n in self.variables) + "</tr>"
            for row in self.rows[:max_rows]
        ]
        more = len(self.rows) - max_rows
        note = f"{len(self.rows)} row(s)" + (f"; the first {max_rows} shown" if more > 0 else "")
        return (
            f'<table class="kzeu-result"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(body)}</tbody></table><p>{note}</p>"
        )

    def select(self, columns: Sequence[str]) -> Result:
        """A copy with only ``columns`` (in that order); ParameterError naming the others."""
        unknown = [c for c in columns if c not in self.variables]
        if unknown:
            raise ParameterError(
                f"unknown column(s) {', '.join(unknown)}; available: {', '.join(self.variables)}"
            )
        rows = [{name: row.get(name) for name in columns} for row in self.rows]
        return Result(kind=self.kind, variables=list(columns), rows=rows, graph=self.graph)

    def to_python(self) -> list[dict[str, Any]]:
        """Rows as plain Python values (an ASK gives ``[{"boolean": value}]``)."""
        if self.kind == "ask":
            return [{"boolean": self.boolean}]
        return [{k: term_to_python(v) for k, v in row.items()} for row in self.rows]

    def to_dataframe(self, iris: TypingLiteral["curie", "full"] = "curie") -> Any:
        """The rows as a pandas DataFrame with typed columns (needs the ``pandas`` extra).

        A column of numbers has one dtype: ``Int64`` if every value is an integer,
        else ``Float64`` (nullable; unbound is ``<NA>``). A column of booleans is
        ``boolean``; everything else is ``string``: dates keep their lexical form (the
        query's precision column says what they mean), IRIs are CURIEs (``kzr:x``) or,
        with ``iris="full"``, full IRIs. Columns such as the exactness stay as they are,
        beside the numbers they qualify.
        """
        try:
            import pandas as pd
        except ImportError:
            raise KzeuError(
                "pandas is not installed; install it with: pip install 'kzeu-graph[pandas]'"
            ) from None
        if self.kind == "ask":
            return pd.DataFrame({"boolean": pd.array([self.boolean], dtype="boolean")})
        columns = {
            name: _typed_column(pd, [row.get(name) for row in self.rows], iris)
            for name in self.variables
        }
        return pd.DataFrame(columns, columns=self.variables)

    def terms(self) -> list[list[Term | None]]:
        """The rows as engine-neutral terms, one list per row in the order of ``variables``."""
        return [[_term(row.get(name)) for name in self.variables] for row in self.rows]

    def to_json(self) -> dict[str, Any]:
        """The SPARQL 1.1 Query Results JSON document, as a dict (literals canonical)."""
        boolean = bool(self.boolean) if self.kind == "ask" else None
        return writers.json_document(self.variables, self.terms(), boolean)

    def serialize(self, fmt: str) -> str:
        """``json``, ``xml``, ``csv`` or ``tsv`` (SPARQL 1.1), by the one writer per format.

        Every literal is written in its canonical form (:func:`kzeu_graph.query.writers.canonical`),
        so the text is the same whichever engine gave the result.
        """
        boolean = bool(self.boolean) if self.kind == "ask" else None
        return writers.write(fmt, self.variables, self.terms(), boolean)

    def table_rows(self) -> list[list[str]]:
        """The rows as table cells (canonical literals, IRIs as CURIEs)."""
        return writers.table_rows(self.terms())


class Description(Graph):
    """What :func:`kzeu_graph.sparql.run.describe` returns: an rdflib Graph about one subject.

    It is a plain Graph (iterate, query, serialize it as usual) that also shows itself
    readably: a short text ``repr`` and, in a notebook, an HTML table of the subject's
    properties, the sentences that support it and what links to it.
    """

    def __init__(self, subject: URIRef | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("bind_namespaces", "core")
        super().__init__(**kwargs)
        from kzeu_graph.rdf.namespaces import bind_prefixes

        bind_prefixes(self)
        self.subject = subject

    def _label(self, node: Node) -> str:
        for predicate in (RDFS.label, SKOS.prefLabel, SCHEMA_NAME):
            for value in self.objects(node, predicate):
                return str(value)
        return compact_iri(str(node)) if isinstance(node, URIRef) else str(node)

    def _properties(self) -> list[tuple[Node, Node]]:
        if self.subject is None:
            return []
        return sorted(self.predicate_objects(self.subject), key=lambda po: (str(po[0]), str(po[1])))

    def _evidence(self) -> list[tuple[str, int, int]]:
        found = []
        for annotation in self.subjects(OA_HAS_BODY, self.subject):
            for target in self.objects(annotation, OA_HAS_TARGET):
                exact = start = end = None
                for selector in self.objects(target, OA_HAS_SELECTOR):
                    exact = next(iter(self.objects(selector, OA_EXACT)), exact)
                    start = next(iter(self.objects(selector, OA_START)), start)
                    end = next(iter(self.objects(selector, OA_END)), end)
                if exact is not None and start is not None and end is not None:
                    found.append((str(exact), int(str(start)), int(str(end))))
        return sorted(found, key=lambda e: (e[1], e[2]))

    def __repr__(self) -> str:
        if self.subject is None:
            return f"<Description: {len(self)} triple(s)>"
        head = f"<Description of {compact_iri(str(self.subject))}: {len(self)} triple(s)>"
        lines = [head, f"  {self._label(self.subject)}"]
        for predicate, value in self._properties()[:20]:
            shown = compact_iri(str(value)) if isinstance(value, URIRef) else str(value)
            lines.append(f"  {compact_iri(str(predicate))}: {shown}")
        if len(self._properties()) > 20:
            lines.append(f"  ... {len(self._properties()) - 20} more")
        for exact, start, end in self._evidence():
            lines.append(f'  supported by [{start}:{end}] "{exact}"')
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The subject's label, IRI, properties, supporting sentences and incoming links."""
        if self.subject is None:
            return f"<p>{len(self)} triple(s)</p>"
        rows = "".join(
            f"<tr><th>{html.escape(compact_iri(str(p)))}</th><td>{_html_cell(o)}</td></tr>"
            for p, o in self._properties()
        )
        evidence = "".join(
            f"<li><blockquote>{html.escape(exact)}</blockquote>characters {start}–{end}</li>"
            for exact, start, end in self._evidence()
        )
        incoming = "".join(
            f"<tr><td>{_html_cell(s)}</td><th>{html.escape(compact_iri(str(p)))}</th></tr>"
            for s, p in sorted(self.subject_predicates(self.subject), key=str)
            if p != OA_HAS_BODY  # annotations are shown as the supporting text
        )
        parts = [
            f"<h4>{html.escape(self._label(self.subject))}</h4>",
            f"<p>{_html_cell(self.subject)} · {len(self)} triple(s)</p>",
            f'<table class="kzeu-describe"><tbody>{rows}</tbody></table>',
        ]
        if evidence:
            parts.append(f"<p><b>Supporting text</b></p><ul>{evidence}</ul>")
        if incoming:
            parts.append(f"<p><b>Linked from</b></p><table><tbody>{incoming}</tbody></table>")
        return "".join(parts)


_OA = PREFIX_IRIS["oa"]
OA_HAS_BODY = URIRef(_OA + "hasBody")
OA_HAS_TARGET = URIRef(_OA + "hasTarget")
OA_HAS_SELECTOR = URIRef(_OA + "hasSelector")
OA_EXACT = URIRef(_OA + "exact")
OA_START = URIRef(_OA + "start")
OA_END = URIRef(_OA + "end")
SCHEMA_NAME = URIRef(PREFIX_IRIS["schema"] + "name")
