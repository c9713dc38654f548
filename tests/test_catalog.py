"""Saved queries: headers, parameters, typing, and injection-proof binding."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.term import Node

from kzeu_graph.errors import ParameterError, QueryError
from kzeu_graph.sparql.catalog import Parameter, get_query, list_queries, parse_query_file
from kzeu_graph.sparql.run import run_query
from paths import FIXTURE_QUERIES
from payloads import PAYLOADS

KZR = "https://w3id.org/kzeu/id/"


def test_header_is_parsed() -> None:
    saved = get_query("statements-by-person", FIXTURE_QUERIES)
    assert saved.name == "statements-by-person"
    assert saved.path == FIXTURE_QUERIES / "statements-by-person.rq"
    assert saved.summary == "Statements made by a given person"
    assert saved.description == "Every statement attributed to the person, with the exact sentence."
    assert saved.tags == ("showcase",)
    assert saved.query_type == "SELECT"
    assert saved.parameters == (
        Parameter(
            name="person",
            variable_name="_person_iri",
            kind="iri",
            required=True,
            default=KZR + "alice",
        ),
    )


def test_summary_with_colons_is_read_as_text() -> None:
    saved = get_query("statements-by-label", FIXTURE_QUERIES)
    assert saved.summary == "Statements whose label is a given string: the summary: has a colon"
    assert saved.tags == ("showcase",)


def test_parameters_of_every_kind() -> None:
    saved = get_query("typed-parameters", FIXTURE_QUERIES)
    found = {p.name: (str(p.variable), p.kind, p.required, p.default) for p in saved.parameters}
    assert found == {
        "thing": ("_thing_iri", "iri", True, None),
        "count": ("_count_integer", "integer", True, "3"),
        "amount": ("__amount_decimal", "decimal", False, None),
        "day": ("__day_date", "date", False, None),
        "year": ("__year_year", "year", False, None),
        "name": ("__name_en", "en", False, None),
        "text": ("__text", "literal", False, None),
    }


def test_en_parameter_binds_an_english_literal() -> None:
    saved = get_query("typed-parameters", FIXTURE_QUERIES)
    bound = saved.bind({"thing": "urn:x:a", "name": "Astana"})
    assert bound[Variable("__name_en")] == Literal("Astana", lang="en")


def test_list_queries_is_sorted_and_complete() -> None:
    names = [q.name for q in list_queries(FIXTURE_QUERIES)]
    assert names == sorted(p.stem for p in FIXTURE_QUERIES.glob("*.rq"))


def test_ask_query_type() -> None:
    assert get_query("has-statements", FIXTURE_QUERIES).query_type == "ASK"


@pytest.mark.parametrize("name", ["nope", "../queries/typed-parameters", "typed parameters", ""])
def test_unknown_query_lists_the_known_names(name: str) -> None:
    with pytest.raises(ParameterError, match="known queries: has-statements, statements-by-label"):
        get_query(name, FIXTURE_QUERIES)


def test_defaults_for_unknown_parameters_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("#+ summary: x\n#+ defaults:\n#+   - who: 1\nSELECT * WHERE { ?s ?p ?_o }\n")
    with pytest.raises(QueryError, match="defaults for unknown parameters: who"):
        parse_query_file(path)


def test_malformed_header_is_a_query_error(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("#+ tags: [unclosed\nSELECT * WHERE { ?s ?p ?o }\n")
    with pytest.raises(QueryError, match=r"q\.rq: malformed #\+ header"):
        parse_query_file(path)


# ------------------------------------------------------------------ typing

TYPED = get_query("typed-parameters", FIXTURE_QUERIES)

GOOD_VALUES: list[tuple[str, str, Node]] = [
    ("thing", "https://w3id.org/kzeu/id/alice", URIRef(KZR + "alice")),
    ("thing", "<urn:isbn:123>", URIRef("urn:isbn:123")),
    ("count", "42", Literal(42, datatype=XSD.integer)),
    ("count", "-7", Literal(-7, datatype=XSD.integer)),
    ("amount", "27.6", Literal(Decimal("27.6"), datatype=XSD.decimal)),
    ("amount", "40", Literal(Decimal("40"), datatype=XSD.decimal)),
    ("day", "2023-03-10", Literal("2023-03-10", datatype=XSD.date)),
    ("year", "2023", Literal("2023", datatype=XSD.gYear)),
    ("name", " spaced ", Literal(" spaced ", lang="en")),
    ("text", " spaced ", Literal(" spaced ")),
    ("text", "", Literal("")),
]


@pytest.mark.parametrize(("name", "raw", "expected"), GOOD_VALUES)
def test_values_are_typed(name: str, raw: str, expected: Node) -> None:
    bound = TYPED.bind({"thing": "urn:x:default", name: raw})
    value = bound[TYPED.parameter(name).variable]
    assert value == expected
    assert type(value) is type(expected)
    if isinstance(expected, Literal):
        assert isinstance(value, Literal)
        assert value.datatype == expected.datatype


BAD_VALUES: list[tuple[str, str]] = [
    ("thing", "not an iri"),
    ("thing", "relative/path"),
    ("thing", "http://example.org/a b"),
    ("thing", "http://example.org/<x>"),
    ("thing", 'http://example.org/"'),
    ("thing", "http://example.org/{x}"),
    ("thing", "http://example.org/a|b"),
    ("thing", "http://example.org/a\\b"),
    ("thing", "http://example.org/a^b"),
    ("thing", "http://example.org/a`b"),
    ("thing", ""),
    ("thing", "urn:x:a\n"),
    ("thing", " urn:x:a"),
    ("count", "4.2"),
    ("count", "forty"),
    ("count", "1e3"),
    ("count", ""),
    ("count", " 4"),
    ("amount", "1,5"),
    ("amount", "NaN"),
    ("day", "2023-02-30"),
    ("day", "10/03/2023"),
    ("day", "2023-3-10"),
    ("year", "23"),
    ("year", "year 2023"),
]


@pytest.mark.parametrize(("name", "raw"), BAD_VALUES)
def test_ill_typed_values_are_refused(name: str, raw: str) -> None:
    with pytest.raises(ParameterError, match=f"parameter '{name}' needs"):
        TYPED.bind({"thing": "urn:x:default", name: raw})


def test_unknown_parameter_is_refused() -> None:
    with pytest.raises(
        ParameterError, match=r"has no parameter 'colour' \(parameters: thing, count"
    ):
        TYPED.bind({"thing": "urn:x:a", "colour": "red"})


def test_missing_required_parameter_is_refused() -> None:
    with pytest.raises(ParameterError, match="needs parameter 'thing' \\(iri\\)"):
        TYPED.bind({})


def test_defaults_are_filled_and_optional_left_unbound() -> None:
    bound = TYPED.bind({"thing": "urn:x:a"})
    assert bound == {
        Variable("_thing_iri"): URIRef("urn:x:a"),
        Variable("_count_integer"): Literal(3, datatype=XSD.integer),
    }


def test_parameter_names_ignore_underscores_and_hyphens() -> None:
    assert TYPED.parameter("th_i-ng").name == "thing"


def test_terms_are_accepted_as_is() -> None:
    bound = TYPED.bind({"thing": URIRef("urn:x:a"), "name": Literal("x", lang="en")})
    assert bound[Variable("__name_en")] == Literal("x", lang="en")
    with pytest.raises(ParameterError):
        TYPED.bind({"thing": Literal("urn:x:a")})


# ------------------------------------------------------------------ injection


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_are_inert_literals(mini_graph: Graph, payload: str) -> None:
    result = run_query(mini_graph, "statements-by-label", {"label": payload}, FIXTURE_QUERIES)
    assert result.rows == []


def test_literal_parameter_still_matches_exactly(mini_graph: Graph) -> None:
    result = run_query(mini_graph, "statements-by-label", {"label": "Bob agreed"}, FIXTURE_QUERIES)
    assert result.to_python() == [{"statement": KZR + "statement-2"}]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_in_iris_are_refused_or_inert(mini_graph: Graph, payload: str) -> None:
    iri_payload = "https://w3id.org/kzeu/id/alice" + payload
    message = ""
    rows: list[object] = []
    try:
        rows = list(
            run_query(
                mini_graph, "statements-by-person", {"person": iri_payload}, FIXTURE_QUERIES
            ).rows
        )
    except ParameterError as exc:
        message = str(exc)
    # refused, or a legal IRI (e.g. with a ?query part) that names nothing in the graph
    assert "needs an absolute IRI" in message or rows == []


@pytest.mark.parametrize("payload", [p for p in PAYLOADS if p[0] in " \n\"'<>{}|^`\\"])
def test_iri_payloads_with_forbidden_characters_are_refused(payload: str) -> None:
    with pytest.raises(ParameterError, match="needs an absolute IRI"):
        get_query("statements-by-person", FIXTURE_QUERIES).bind(
            {"person": "https://w3id.org/kzeu/id/alice" + payload}
        )


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("kzr:roman-vassilenko", "https://w3id.org/kzeu/id/roman-vassilenko"),
        ("kzv:expected", "https://w3id.org/kzeu/vocab/expected"),
        ("kzeu:Figure", "https://w3id.org/kzeu/ontology#Figure"),
        ("<urn:x:a>", "urn:x:a"),
        ("urn:x:a", "urn:x:a"),
        ("http://example.org/kzr:x", "http://example.org/kzr:x"),
    ],
)
def test_iri_parameters_take_project_curies(raw: str, expected: str) -> None:
    saved = get_query("typed-parameters", FIXTURE_QUERIES)
    assert saved.bind({"thing": raw})[Variable("_thing_iri")] == URIRef(expected)
