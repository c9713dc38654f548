"""The command line's query output: the one writer per format, and tables that fit.

Every engine's answer is printed by :mod:`kzeu_graph.query.writers` (JSON, XML, CSV,
TSV, table cells), so the bytes do not depend on ``--store``. Nothing here imports
rdflib: ``kzeu-graph query NAME`` on the default store (Oxigraph in memory) hands
Oxigraph's terms straight to the writers.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, TypeVar

import click
import pyoxigraph as ox

from kzeu_graph.errors import ParameterError
from kzeu_graph.query import writers
from kzeu_graph.query.writers import Row
from kzeu_graph.rdf.terms import Term, from_oxigraph

if TYPE_CHECKING:
    from rich.console import Console

    from kzeu_graph.engines.oxigraph_engine import OxigraphEngine
    from kzeu_graph.query.results import Result

T = TypeVar("T")

__all__ = [
    "emit_oxigraph",
    "emit_result",
    "emit_rows",
    "fit_table",
    "plain_table",
    "print_table",
    "record_layout",
    "select_columns",
]


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


def _wrap(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width``, broken at spaces only (a longer word stays whole)."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines.extend(
            textwrap.wrap(
                paragraph, width=max(width, 1), break_long_words=False, break_on_hyphens=False
            )
            or [""]
        )
    return lines


def _longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def _column_widths(
    variables: Sequence[str], rows: Sequence[Sequence[str]], width: int
) -> list[int] | None:
    """Column widths that fit ``width`` with no word broken, or None if none do.

    Each column gets at least its longest word; the space left is shared out evenly
    (water-filling), a column never getting more than its longest cell needs.
    """
    columns = list(zip(variables, *rows, strict=True)) if variables else []
    least = [max(_longest_word(cell) for cell in column) for column in columns]
    most = [max(len(line) for cell in column for line in cell.split("\n")) for column in columns]
    spare = width - sum(least) - len(GUTTER) * (len(columns) - 1)
    if spare < 0:
        return None
    widths = list(least)
    order = sorted(range(len(columns)), key=lambda i: most[i] - least[i])
    for position, i in enumerate(order):
        share = spare // (len(order) - position)
        extra = min(most[i] - least[i], share)
        widths[i] += extra
        spare -= extra
    return widths


GUTTER = "  "


def fit_table(
    variables: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    title: str | None = None,
) -> list[str]:
    """Lines of a table at most ``width`` wide, words and numbers never broken.

    Cells wrap at spaces only; rows are separated by a blank line when any cell wraps.
    When the columns cannot fit (their longest words alone are wider), the records are
    shown one field per line instead (see :func:`record_layout`).
    """
    widths = _column_widths(variables, rows, width)
    if widths is None or not variables:
        return record_layout(variables, rows, width, title)
    out = _wrap(title, width) if title else []
    out.append(GUTTER.join(n.ljust(w) for n, w in zip(variables, widths, strict=True)).rstrip())
    out.append(GUTTER.join("-" * w for w in widths))
    wrapped = [[_wrap(c, w) for c, w in zip(row, widths, strict=True)] for row in rows]
    tall = any(len(cell) > 1 for row in wrapped for cell in row)
    for number, row in enumerate(wrapped):
        if tall and number:
            out.append("")
        for index in range(max((len(cell) for cell in row), default=1)):
            parts = [
                (cell[index] if index < len(cell) else "").ljust(w)
                for cell, w in zip(row, widths, strict=True)
            ]
            out.append(GUTTER.join(parts).rstrip())
    out.append(f"{len(rows)} row(s)")
    return out


def record_layout(
    variables: Sequence[str],
    rows: Sequence[Sequence[str]],
    width: int,
    title: str | None = None,
) -> list[str]:
    """One field per line (``name  value``, the value wrapped at spaces), records separated.

    Each record starts with a ``-[ record N ]`` line; a value's continuation lines are
    indented under its first line.
    """
    out = _wrap(title, width) if title else []
    name_width = max((len(name) for name in variables), default=0)
    value_width = max(width - name_width - len(GUTTER), 1)
    for number, row in enumerate(rows, 1):
        rule = f"-[ record {number} ]"
        out.append((rule if len(rule) <= width else f"-[ {number} ]").ljust(min(width, 40), "-"))
        for name, cell in zip(variables, row, strict=True):
            lines = _wrap(cell, value_width)
            out.append(f"{name.ljust(name_width)}{GUTTER}{lines[0]}".rstrip())
            out.extend(" " * (name_width + len(GUTTER)) + line for line in lines[1:])
    out.append(f"{len(rows)} row(s)")
    return out


def select_columns(
    variables: Sequence[str], rows: Sequence[Sequence[T]], columns: Sequence[str]
) -> tuple[list[str], list[list[T]]]:
    """Only ``columns`` (in that order); ParameterError naming the available ones otherwise."""
    unknown = [c for c in columns if c not in variables]
    if unknown:
        raise ParameterError(
            f"unknown column(s) {', '.join(unknown)}; available: {', '.join(variables)}"
        )
    index = [list(variables).index(c) for c in columns]
    return list(columns), [[row[i] for i in index] for row in rows]


def terminal_width() -> int:
    """The width of the terminal standard output is on (``$COLUMNS`` wins; 80 if unknown)."""
    return shutil.get_terminal_size((80, 24)).columns


def print_table(
    console: Callable[[], Console],
    variables: Sequence[str],
    rows: Sequence[Sequence[str]],
    title: str | None,
    boolean: bool | None = None,
    columns: Sequence[str] | None = None,
    default_columns: Sequence[str] | None = None,
) -> None:
    """A table that fits the terminal (or an ASK answer) on a terminal, else a plain one.

    ``columns`` (the user's ``--columns``) picks columns everywhere; ``default_columns``
    (a saved query's ``columns:`` header) only on a terminal, where the table must fit.
    ``console`` is kept for callers; the layout is :func:`fit_table`.
    """
    if boolean is None and columns:
        variables, rows = select_columns(variables, rows, columns)
    if not sys.stdout.isatty():
        click.echo(plain_table(variables, rows, title, boolean), nl=False)
        return
    width = terminal_width()
    if boolean is not None:
        lines = [*(_wrap(title, width) if title else []), "true" if boolean else "false"]
        click.echo("\n".join(lines))
        return
    if not columns and default_columns:
        wanted = [c for c in default_columns if c in variables]
        variables, rows = select_columns(variables, rows, wanted or variables)
    click.echo("\n".join(fit_table(variables, rows, width, title)))


def emit_rows(
    variables: Sequence[str],
    rows: Sequence[Row],
    fmt: str,
    title: str | None,
    console: Callable[[], Console],
    columns: Sequence[str] | None = None,
    default_columns: Sequence[str] | None = None,
    boolean: bool | None = None,
) -> int:
    """Print rows of terms (or an ASK answer) in ``fmt`` by the one writer of that format.

    ``columns`` picks columns in every format; ``default_columns`` only for a terminal
    table. Returns the number of rows (-1 for an ASK).
    """
    if fmt == "table":
        cells = writers.table_rows(rows)
        print_table(console, variables, cells, title, boolean, columns, default_columns)
    else:
        if boolean is None and columns:
            variables, rows = select_columns(variables, rows, columns)
        click.echo(writers.write(fmt, variables, rows, boolean), nl=False)
    return -1 if boolean is not None else len(rows)


def emit_oxigraph(
    engine: OxigraphEngine,
    text: str,
    bindings: Mapping[str, Term],
    fmt: str,
    title: str | None,
    console: Callable[[], Console],
    columns: Sequence[str] | None = None,
    default_columns: Sequence[str] | None = None,
) -> int:
    """Run a (checked) query on Oxigraph and print its answer; return its row count.

    Oxigraph's terms go to the writers as they are (no rdflib on this path); a
    CONSTRUCT/DESCRIBE answer becomes the engine's Result (sorted triples), as elsewhere.
    """
    answer = engine.solutions(text, bindings)
    if isinstance(answer, ox.QueryBoolean):
        return emit_rows([], [], fmt, title, console, boolean=bool(answer))
    if isinstance(answer, ox.QuerySolutions):
        variables = [variable.value for variable in answer.variables]
        rows = [
            [None if value is None else from_oxigraph(value) for value in solution]
            for solution in answer
        ]
        return emit_rows(variables, rows, fmt, title, console, columns, default_columns)
    return emit_result(engine.to_result(answer), fmt, title, console, columns)


def emit_result(
    result: Result,
    fmt: str,
    title: str | None,
    console: Callable[[], Console],
    columns: Sequence[str] | None = None,
    default_columns: Sequence[str] | None = None,
) -> int:
    """Print a Result (from any engine) by the same writers; the number of rows (-1: ASK)."""
    if result.kind == "ask":
        return emit_rows([], [], fmt, title, console, boolean=bool(result.boolean))
    return emit_rows(
        result.variables, result.terms(), fmt, title, console, columns, default_columns
    )
