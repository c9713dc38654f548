"""The Accept parser and the choice of a media type (RFC 9110 §12.5.1)."""

from __future__ import annotations

import pytest

from kzeu_graph.serve.conneg import MediaRange, negotiate, parse_accept, quality_of

RESULTS = [
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
]


def test_parse_reads_types_and_qualities() -> None:
    assert parse_accept("text/csv;q=0.5, Application/JSON , */*;q=0.1") == [
        MediaRange("text", "csv", 0.5),
        MediaRange("application", "json", 1.0),
        MediaRange("*", "*", 0.1),
    ]


@pytest.mark.parametrize("header", [None, "", "   "])
def test_no_header_accepts_anything(header: str | None) -> None:
    assert parse_accept(header) == [MediaRange("*", "*", 1.0)]
    assert negotiate(header, RESULTS) == "application/sparql-results+json"


def test_bare_star_is_read_as_any() -> None:
    assert parse_accept("*") == [MediaRange("*", "*", 1.0)]


@pytest.mark.parametrize(
    "element",
    ["text", "text/", "/csv", "*/csv", "text/csv;q=2", "text/csv;q=0.1234", "text/csv;q=", "a b/c"],
)
def test_malformed_elements_are_skipped(element: str) -> None:
    assert parse_accept(f"{element}, text/turtle") == [MediaRange("text", "turtle", 1.0)]


def test_commas_inside_quoted_parameters_do_not_split() -> None:
    header = 'text/csv;foo="a,b";q=0.3, text/turtle'
    assert parse_accept(header) == [
        MediaRange("text", "csv", 0.3),
        MediaRange("text", "turtle", 1.0),
    ]


def test_most_specific_range_sets_the_quality() -> None:
    ranges = parse_accept("text/*;q=0.5, text/csv, */*;q=0.1")
    assert quality_of("text/csv", ranges) == 1.0
    assert quality_of("text/tab-separated-values", ranges) == 0.5
    assert quality_of("application/sparql-results+json", ranges) == 0.1
    # a specific q=0 excludes a type that a wildcard would accept
    assert quality_of("text/csv", parse_accept("*/*, text/csv;q=0")) == 0.0


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("text/csv", "text/csv"),
        ("text/csv;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        # a tie goes to the server's order of preference
        ("text/csv, application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("text/*;q=0.9, application/sparql-results+xml;q=0.1", "text/csv"),
        ("*/*;q=0.1, application/sparql-results+json;q=0", "application/sparql-results+xml"),
        (
            "application/sparql-results+json;q=0.2, application/sparql-results+xml;q=0.8",
            "application/sparql-results+xml",
        ),
        # what SPARQLWrapper sends for JSON
        (
            "application/sparql-results+json,application/json,text/javascript,application/javascript",
            "application/sparql-results+json",
        ),
        ("text/turtle", None),
        ("text/csv;q=0", None),
        ("image/png, text/plain;q=0.5", None),
    ],
)
def test_negotiate(header: str, expected: str | None) -> None:
    assert negotiate(header, RESULTS) == expected


def test_a_browser_header_prefers_html_only_when_offered() -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert negotiate(browser, [*RESULTS, "text/html"]) == "text/html"
    assert negotiate(browser, RESULTS) == "application/sparql-results+json"
    # curl's */* ties every type: the server's first preference (data, not the page) wins
    assert negotiate("*/*", [*RESULTS, "text/html"]) == "application/sparql-results+json"


def test_a_very_long_header_is_cut() -> None:
    header = ", ".join(["image/png"] * 1000 + ["text/csv"])
    assert len(parse_accept(header)) == 64
    assert negotiate(header, RESULTS) is None
