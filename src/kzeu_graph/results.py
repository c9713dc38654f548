"""Query results as plain data, and their SPARQL 1.1 JSON, CSV and TSV serialisations."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from typing import Literal as TypingLiteral

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.query import Result as RdflibResult
from rdflib.term import Node

from .errors import KzeuError, ParameterError

__all__ = ["RESULT_FORMATS", "Result", "term_to_python", "turtle_term"]

RESULT_FORMATS = ("json", "csv", "tsv")
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


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def turtle_term(term: Node | None) -> str:
    """A term in Turtle/N-Triples syntax, as SPARQL TSV results need (unbound -> '')."""
    if term is None:
        return ""
    if isinstance(term, URIRef):
        return f"<{term}>"
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, Literal):
        quoted = f'"{_escape(str(term))}"'
        if term.language:
            return f"{quoted}@{term.language}"
        if term.datatype is not None and term.datatype != XSD.string:
            return f"{quoted}^^<{term.datatype}>"
        return quoted
    return str(term)


def _json_term(term: Node) -> dict[str, str]:
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None and term.datatype != XSD.string:
            out["datatype"] = str(term.datatype)
        return out
    return {"type": "literal", "value": str(term)}


def _csv_term(term: Node | None) -> str:
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


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

    def to_dataframe(self) -> Any:
        """The rows as a pandas DataFrame (needs the ``pandas`` extra)."""
        try:
            import pandas as pd
        except ImportError:
            raise KzeuError(
                "pandas is not installed; install it with: pip install 'kzeu-graph[pandas]'"
            ) from None
        columns = ["boolean"] if self.kind == "ask" else self.variables
        return pd.DataFrame(self.to_python(), columns=columns)

    def to_json(self) -> dict[str, Any]:
        """The SPARQL 1.1 Query Results JSON document, as a dict."""
        if self.kind == "ask":
            return {"head": {}, "boolean": bool(self.boolean)}
        bindings = [
            {name: _json_term(value) for name, value in row.items() if value is not None}
            for row in self.rows
        ]
        return {"head": {"vars": list(self.variables)}, "results": {"bindings": bindings}}

    def serialize(self, fmt: str) -> str:
        """``json`` (SPARQL 1.1 JSON), ``csv`` or ``tsv`` (SPARQL 1.1 CSV/TSV)."""
        if fmt == "json":
            return json.dumps(self.to_json(), indent=2, ensure_ascii=False) + "\n"
        if fmt == "csv":
            buffer = io.StringIO()
            writer = csv.writer(buffer, lineterminator="\r\n")
            if self.kind == "ask":
                writer.writerow(["boolean"])
                writer.writerow(["true" if self.boolean else "false"])
            else:
                writer.writerow(self.variables)
                for row in self.rows:
                    writer.writerow([_csv_term(row.get(name)) for name in self.variables])
            return buffer.getvalue()
        if fmt == "tsv":
            if self.kind == "ask":
                return "?boolean\n" + ("true" if self.boolean else "false") + "\n"
            lines = ["\t".join(f"?{name}" for name in self.variables)]
            for row in self.rows:
                lines.append("\t".join(turtle_term(row.get(name)) for name in self.variables))
            return "\n".join(lines) + "\n"
        raise KzeuError(f"unknown result format {fmt!r} (use one of {', '.join(RESULT_FORMATS)})")
