"""SPARQL syntax errors a person can act on: plain words, the line, a caret under the column."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from kzeu_graph.cli.commands import main
from kzeu_graph.errors import QueryError
from kzeu_graph.query.guard import prepare

BLOCK = (
    "could not read the pattern that starts here: expected a whole triple "
    "(subject predicate object), a FILTER, OPTIONAL, BIND..., or '}' to close the block"
)
START = (
    "expected the query to start with SELECT, ASK, CONSTRUCT or DESCRIBE "
    "(after any 'PREFIX name: <iri>' lines)"
)
TRAILING = (
    "unexpected text after the end of the query (an extra '}', or a clause such as "
    "LIMIT or ORDER BY with a bad value?)"
)

CASES = [
    # (query, line, column, plain words, caret context)
    ("SELEC ?s WHERE { ?s ?p ?o }", 1, 1, START, ["  1 | SELEC ?s WHERE { ?s ?p ?o }", "    | ^"]),
    ("", 1, 1, START, ["  1 | ", "    | ^"]),
    (
        "PREFIX ex <http://example.org/>\nSELECT * {}",
        1,
        1,
        START,
        ["  1 | PREFIX ex <http://example.org/>", "    | ^"],
    ),
    (
        "SELECT ?s\nWHERE {\n  ?s ?p ?o .\n  FILTER(?s = )\n}",
        4,
        3,
        BLOCK,
        ["  4 |   FILTER(?s = )", "    |   ^"],
    ),
    (
        "SELECT * WHERE { ?s ?p }",
        1,
        18,
        BLOCK,
        ["  1 | SELECT * WHERE { ?s ?p }", "    |                  ^"],
    ),
    (
        "SELECT (COUNT(?s) ?n) WHERE { ?s ?p ?o }",
        1,
        19,
        "expected 'AS'",
        ["  1 | SELECT (COUNT(?s) ?n) WHERE { ?s ?p ?o }", "    |                   ^"],
    ),
    (
        "SELECT ?s WHERE { ?s ?p ?o } }",
        1,
        30,
        TRAILING,
        ["  1 | SELECT ?s WHERE { ?s ?p ?o } }", "    |                              ^"],
    ),
    (
        "\n" * 9 + "SELECT ?s WHERE { ?s ?p ?o } LIMIT x",
        10,
        30,
        TRAILING,
        ["  10 | SELECT ?s WHERE { ?s ?p ?o } LIMIT x", "     |                              ^"],
    ),
]


@pytest.mark.parametrize(("text", "line", "column", "words", "context"), CASES)
def test_syntax_error_in_plain_words_with_a_caret(
    text: str, line: int, column: int, words: str, context: list[str]
) -> None:
    with pytest.raises(QueryError) as caught:
        prepare(text)
    assert str(caught.value) == f"malformed SPARQL at line {line}, column {column}: {words}"
    assert caught.value.context.split("\n") == context
    result = CliRunner().invoke(main, ["sparql", "-"], input=text)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [f"kzeu-graph: error: {caught.value}", *context]


def test_unknown_prefix_names_the_prefix() -> None:
    with pytest.raises(QueryError) as caught:
        prepare("SELECT * { ?s nope:p ?o }")
    assert str(caught.value) == (
        "malformed SPARQL: unknown prefix 'nope:'; declare it (PREFIX nope: <...>) or use a "
        "predeclared one (kzeu, kzv, kzr, schema, prov, oa, org, time, skos, dcterms, owl, rdf, "
        "rdfs, xsd, sh, wd, void, dcat)"
    )
