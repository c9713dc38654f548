"""The command line's query output: Oxigraph's own result serializers, rich only for tables.

Nothing here imports rdflib: ``kzeu-graph query NAME`` on the default store (Oxigraph in
memory) parses the shipped files with Oxigraph, binds with a VALUES row, and writes the
SPARQL 1.1 CSV/TSV/JSON that Oxigraph serializes, or a rich table of display strings.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import click
import pyoxigraph as ox

from ..prefixes import compact_iri
from ..terms import Term

if TYPE_CHECKING:
    from rich.console import Console

    from ..results import Result
    from .oxigraph_engine import OxigraphEngine

__all__ = ["emit_oxigraph", "emit_result", "plain_table", "print_table"]

RESULT_FORMATS: dict[str, ox.QueryResultsFormat] = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "json": ox.QueryResultsFormat.JSON,
}


def _oxigraph_cell(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return str(term.value)


def plain_table(
    variables: Sequence[str],
    rows: Sequence[Sequence[str]],
    title: str | None,
    boolean: bool | None = None,
) -> str:
    """The table for a pipe or a file: aligned columns, nothing wrapped, no box drawing.

    Cells keep their full text on one line (line breaks shown as ``\\n``), so the output
    stays greppable and diffable; rich's wrapped tables are for terminals only.
    """
    lines = [title] if title else []
    if boolean is not None:
        return "\n".join([*lines, "true" if boolean else "false"]) + "\n"
    cells = [[cell.replace("\n", "\\n") for cell in row] for row in rows]
    widths = [max([len(name), *(len(row[i]) for row in cells)]) for i, name in enumerate(variables)]
    lines.append(
        "  ".join(name.ljust(w) for name, w in zip(variables, widths, strict=True)).rstrip()
    )
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )
    lines.append(f"{len(rows)} row(s)")
    return "\n".join(lines) + "\n"


def print_table(
    console: Callable[[], Console],
    variables: Sequence[str],
    rows: Sequence[Sequence[str]],
    title: str | None,
    boolean: bool | None = None,
) -> None:
    """A rich table of display strings (or an ASK answer) on a terminal, else a plain one.

    ``console`` is called only on a terminal, so piped output never imports rich.
    """
    if not sys.stdout.isatty():
        click.echo(plain_table(variables, rows, title, boolean), nl=False)
        return
    from rich.table import Table
    from rich.text import Text

    out = console()
    if boolean is not None:
        if title:
            out.print(Text(title, style="bold"))
        out.print(Text("true" if boolean else "false"))
        return
    table = Table(title=Text(title) if title else None, show_lines=False, expand=False)
    for name in variables:
        table.add_column(Text(name), overflow="fold")
    for row in rows:
        table.add_row(*[Text(cell) for cell in row])
    out.print(table)
    out.print(Text(f"{len(rows)} row(s)", style="dim"))


def emit_oxigraph(
    engine: OxigraphEngine,
    text: str,
    bindings: Mapping[str, Term],
    fmt: str,
    title: str | None,
    console: Callable[[], Console],
) -> None:
    """Run a (checked) query on Oxigraph and print its answer in ``fmt``."""
    answer = engine.solutions(text, bindings)
    if fmt in RESULT_FORMATS:
        data = answer.serialize(format=RESULT_FORMATS[fmt])
        assert data is not None
        click.echo(data if data.endswith(b"\n") else data + b"\n", nl=False)
        return
    if isinstance(answer, ox.QueryBoolean):
        print_table(console, [], [], title, boolean=bool(answer))
        return
    if isinstance(answer, ox.QuerySolutions):
        variables = [variable.value for variable in answer.variables]
        rows = [[_oxigraph_cell(value) for value in solution] for solution in answer]
        print_table(console, variables, rows, title)
        return
    rows = [
        [_oxigraph_cell(t.subject), _oxigraph_cell(t.predicate), _oxigraph_cell(t.object)]
        for t in answer
    ]
    print_table(console, ["subject", "predicate", "object"], rows, title)


def _result_cell(term: Any) -> str:
    from rdflib import BNode, URIRef

    if term is None:
        return ""
    if isinstance(term, URIRef):
        return compact_iri(str(term))
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def emit_result(
    result: Result, fmt: str, title: str | None, console: Callable[[], Console]
) -> None:
    """Print a Result (from rdflib or a remote store) as the Oxigraph path prints its answer."""
    if fmt != "table":
        click.echo(result.serialize(fmt), nl=False)
        return
    if result.kind == "ask":
        print_table(console, [], [], title, boolean=bool(result.boolean))
        return
    rows = [[_result_cell(row.get(name)) for name in result.variables] for row in result.rows]
    print_table(console, result.variables, rows, title)
