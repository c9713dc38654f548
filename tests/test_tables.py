"""Terminal tables that fit: the layout function, column choice, and a real pseudo-terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzeu_graph.cli.output import fit_table, record_layout, select_columns
from kzeu_graph.errors import ParameterError
from kzeu_graph.sparql.catalog import list_queries

SRC = Path(__file__).resolve().parents[1] / "src"


def test_fit_table_wraps_at_spaces_only() -> None:
    # least widths: n=2 ("22"), text=5 ("alpha"); 3 spare columns all go to text (most 16)
    lines = fit_table(["n", "text"], [["1", "alpha beta gamma"], ["22", "d"]], 12)
    assert lines == [
        "n   text",
        "--  --------",
        "1   alpha",
        "    beta",
        "    gamma",
        "",
        "22  d",
        "2 row(s)",
    ]


def test_fit_table_no_blank_lines_when_nothing_wraps() -> None:
    lines = fit_table(["a", "b"], [["x y", "1"], ["z", "22"]], 40, title="T")
    assert lines == ["T", "a    b", "---  --", "x y  1", "z    22", "2 row(s)"]


def test_fit_table_shares_space_evenly() -> None:
    # least 4 + 4 + gutter 2 = 10; width 16 leaves 6: each column gets 3 (both need 10 more)
    lines = fit_table(["aaaa", "bbbb"], [["w w w w w", "v v v v v"]], 16)
    assert lines[:2] == ["aaaa     bbbb", "-------  -------"]
    assert lines[2:4] == ["w w w w  v v v v", "w        v"]


def test_record_layout_when_the_longest_words_do_not_fit() -> None:
    lines = fit_table(["name", "v"], [["x", "160000000000"]], 12)
    assert lines == ["-[ 1 ]------", "name  x", "v     160000000000", "1 row(s)"]


def test_record_layout_wraps_values_under_their_first_line() -> None:
    lines = record_layout(["id", "text"], [["1", "one two three"], ["2", ""]], 15, "Tt")
    assert lines == [
        "Tt",
        "-[ record 1 ]--",
        "id    1",
        "text  one two",
        "      three",
        "-[ record 2 ]--",
        "id    2",
        "text",
        "2 row(s)",
    ]


def test_select_columns_names_the_available_ones() -> None:
    assert select_columns(["a", "b", "c"], [["1", "2", "3"]], ["c", "a"]) == (
        ["c", "a"],
        [["3", "1"]],
    )
    with pytest.raises(ParameterError, match=r"unknown column\(s\) z; available: a, b, c"):
        select_columns(["a", "b", "c"], [], ["z"])


WORD = st.text(alphabet="abcxyz0123456789.–", min_size=1, max_size=14)
CELL = st.lists(WORD, max_size=6).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=1, max_value=4).flatmap(
        lambda n: st.tuples(
            st.lists(st.sampled_from(["a", "bb", "label", "value"]), min_size=n, max_size=n),
            st.lists(st.lists(CELL, min_size=n, max_size=n), max_size=4),
        )
    ),
    st.integers(min_value=10, max_value=80),
)
def test_no_token_is_ever_broken(shape: tuple[list[str], list[list[str]]], width: int) -> None:
    variables, rows = shape
    lines = fit_table(variables, rows, width)
    out_words = {w for line in lines for w in line.split()}
    assert {w for row in rows for cell in row for w in cell.split()} <= out_words
    if not any(line.startswith("-[") for line in lines):  # the table layout always fits
        assert all(len(line) <= width for line in lines)


QUERIES = [q for q in list_queries() if q.columns]


@pytest.mark.parametrize("saved", QUERIES, ids=[q.name for q in QUERIES])
def test_declared_columns_exist(saved: object) -> None:
    from kzeu_graph.loading.graph import load_graph
    from kzeu_graph.sparql.run import run_query

    assert saved.columns  # type: ignore[attr-defined]
    result = run_query(_graph(load_graph), saved)  # type: ignore[arg-type]
    assert set(saved.columns) <= set(result.variables)  # type: ignore[attr-defined]


_GRAPH: list[object] = []


def _graph(load: object) -> object:
    if not _GRAPH:
        _GRAPH.append(load())  # type: ignore[operator]
    return _GRAPH[0]


def _spawn(args: list[str], width: int) -> list[str]:
    pexpect = pytest.importorskip("pexpect")
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    child = pexpect.spawn(
        sys.executable,
        ["-m", "kzeu_graph", *args],
        dimensions=(50, width),
        encoding="utf-8",
        env=env,
        timeout=60,
    )
    text = child.read()
    child.close()
    assert child.exitstatus == 0, text
    return str(text).replace("\r\n", "\n").rstrip("\n").split("\n")


@pytest.mark.parametrize("width", [120, 80])
def test_figures_fit_a_real_terminal(width: int) -> None:
    lines = _spawn(["query", "figures"], width)
    assert max(len(line) for line in lines) <= width
    assert len(lines) < 60
    words = {w for line in lines for w in line.split()}
    for number in ("160000000000", "8000000000", "40000000000", "27.6"):
        assert number in words
    assert "January–September" in words
    assert lines[-1] == "7 row(s)"
    assert "sentence" not in lines[lines.index(next(x for x in lines if x.startswith("label")))]


def test_columns_option_on_a_terminal() -> None:
    lines = _spawn(["query", "figures", "--columns", "value,unitCode"], 80)
    assert lines[2:5] == [
        "value         unitCode",
        "------------  --------",
        "160000000000  USD",
    ]


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kzeu_graph", *args],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json"])
def test_unknown_column_is_a_usage_error(fmt: str) -> None:
    done = _run("query", "figures", "--format", fmt, "--columns", "value,nope")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.startswith("kzeu-graph: error: unknown column(s) nope; available: figure,")
    assert len(done.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        ("csv", "unitCode,value\nUSD,160000000000\n"),
        (
            "tsv",
            '?unitCode\t?value\n"USD"\t"160000000000"^^<http://www.w3.org/2001/XMLSchema#integer>\n',
        ),
    ],
)
def test_columns_pick_columns_in_every_format(fmt: str, expected: str) -> None:
    done = _run("query", "figures", "--format", fmt, "--columns", "unitCode,value")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(expected)


def test_piped_table_keeps_every_column() -> None:
    done = _run("query", "figures")
    header = done.stdout.splitlines()[1].split()
    # every variable of the figures query's SELECT, in order (minValue and subjectBasis since
    # lower bounds are schema:minValue only and a subject can be implied)
    assert header == [
        "figure",
        "label",
        "value",
        "minValue",
        "unitCode",
        "unitText",
        "measureLabel",
        "subjectLabel",
        "subjectBasis",
        "counterpartLabel",
        "periodLabel",
        "periodBegin",
        "periodEnd",
        "comparisonPeriodLabel",
        "exactnessLabel",
        "statedAs",
        "statedByLabel",
        "sentence",
        "start",
        "end",
    ]
