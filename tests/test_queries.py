"""Saved queries: each file in queries/ returns exactly the rows worked out by hand.

The expected rows below were read off the article (data/sources/...txt) and the data
model by hand, one comment per row group saying where in the article they come from.
Offsets are not copied from the data: they are found in the article text with
``ARTICLE.index(sentence)``, which is the hand check that the sentence is where the query
says it is. The queries run on the ontology + reused terms + data merged, through a
small helper that uses rdflib directly (prepareQuery + initBindings), so these tests
do not depend on the library; one test at the end checks that the library's
``run_query`` returns the same rows.
"""

from __future__ import annotations

import datetime
import hashlib
import importlib
import re
from collections.abc import Iterator, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, cast

import pytest
import yaml
from rdflib import BNode, Graph, Literal, URIRef, Variable
from rdflib.namespace import XSD
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.plugins.sparql.sparql import Query
from rdflib.query import ResultRow
from rdflib.term import Identifier, Node

from paths import ARTICLE_TEXT, DATA, ONTOLOGY, QUERIES_DIR, REUSED_TERMS

ARTICLE = ARTICLE_TEXT.read_text(encoding="utf-8")

KZR = "https://w3id.org/kzeu/id/"
KZV = "https://w3id.org/kzeu/vocab/"
KZEU = "https://w3id.org/kzeu/ontology#"
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"
ORG = "http://www.w3.org/ns/org#"
PROV = "http://www.w3.org/ns/prov#"
TIME = "http://www.w3.org/2006/time#"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"

Row = dict[str, object]


def kzr(local: str) -> str:
    return KZR + local


def kzv(local: str) -> str:
    return KZV + local


# ------------------------------------------------------------- the article text

# The sentences of the article, typed from the article by hand. A quotation's sentence
# is taken without the quotation marks and without the comma of the reporting clause
# ("The dynamic growth continues this year as well,” reported Vassilenko.").
S_P1 = (
    "The European Union and Kazakhstan are strengthening bilateral cooperation "
    "opportunities in trade and investment, transport, energy, agriculture, travel, and "
    "education, said Deputy Foreign Minister Roman Vassilenko at a Central Communications "
    "Service briefing on March 10."
)
S_P2 = (
    "Vassilenko outlined the ministry’s efforts in boosting investment exchanges and "
    "establishing business partnerships in recent years."
)
S_P3_1 = "The EU has invested $160 billion in Kazakhstan, making it the largest investment partner."
S_P3_2 = "It is also the largest trading partner of the country."
S_P4_1 = (
    "In the first nine months of 2022, the inflow of European investments increased by "
    "10 percent and exceeded $8 billion."
)
S_P4_2 = "The EU accounts for approximately 30 percent of Kazakhstan’s foreign trade."
S_P4_3 = (
    "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, reaching $40 billion."
)
S_P4_4 = "These are record-high figures since Britain’s exit from the EU."
S_P4_5 = "The dynamic growth continues this year as well"
S_P5 = (
    "He noted that the visits of European Council President Charles Michel to Astana in "
    "October and of Josep Borrell, EU’s High Representative for Foreign Affairs and Security "
    "Policy and Vice-President of the European Commission, in November became significant "
    "milestones in the relationship between the EU and Kazakhstan, as the 30th anniversary "
    "of the establishment of diplomatic relations approached this year."
)
S_P6 = (
    "President of the European Commission, Ursula von der Leyen, is now expected to visit "
    "this year, added Vassilenko, to further advance discussions on cooperation in rare "
    "earth metals and critical raw materials, among other things."
)
S_P7 = (
    "The EU-Kazakhstan cooperation is built on the Enhanced Partnership and Cooperation "
    "Agreement (EPCA), which entered into full force in March 2020 covering 29 areas of "
    "cooperation, including in the spheres of the economy, trade, and investment, education "
    "and research, civil society and human rights, among others."
)
S_P8 = (
    "Last year, our country launched cooperation in new areas such as rare earth metals, "
    "green hydrogen, batteries, transport, and logistics potential development, and the "
    "diversification of commodity supply chains"
)
SENTENCES = [S_P1, S_P2, S_P3_1, S_P3_2, S_P4_1, S_P4_2, S_P4_3, S_P4_4, S_P4_5, S_P5, S_P6]
SENTENCES += [S_P7, S_P8]


def at(text: str, within: str | None = None) -> tuple[int, int]:
    """(start, end) code-point offsets of ``text`` in the article (inside ``within``)."""
    if within is None:
        assert ARTICLE.count(text) == 1, text
        start = ARTICLE.index(text)
    else:
        outer = ARTICLE.index(within)
        start = ARTICLE.index(text, outer)
        assert start + len(text) <= outer + len(within), (text, within)
    return start, start + len(text)


def evidence(sentence: str) -> Row:
    start, end = at(sentence)
    return {"sentence": sentence, "start": start, "end": end}


# Labels the data model gives the nodes (rdfs:label / skos:prefLabel), written once.
LABEL = {
    "european-union": "European Union",
    "kazakhstan": "Kazakhstan",
    "the-astana-times": "The Astana Times",
    "roman-vassilenko": "Roman Vassilenko",
    "epca": "Enhanced Partnership and Cooperation Agreement",
    "article": "Kazakhstan-EU Cooperation Developing in All Directions (The Astana Times, March 2023)",
    "briefing": "Central Communications Service briefing of March 10",
    "post-hrvp": "High Representative for Foreign Affairs and Security Policy and "
    "Vice-President of the European Commission",
    "figure-eu-investment-stock": "EU investment in Kazakhstan, total",
    "figure-eu-investment-inflow-2022-9m": "Inflow of European investment, first nine months of 2022",
    "figure-eu-investment-inflow-growth-2022-9m": "Growth of the inflow of European investment, "
    "first nine months of 2022",
    "figure-eu-share-of-foreign-trade": "EU share of Kazakhstan's foreign trade",
    "figure-eu-trade-volume-2022": "EU–Kazakhstan trade volume in 2022",
    "figure-eu-trade-volume-growth-2022": "Growth of EU–Kazakhstan trade volume in 2022 over 2021",
    "figure-epca-area-count": "Number of areas of cooperation the EPCA covers",
    "derived-eu-trade-volume-2021": "EU–Kazakhstan trade volume in 2021 (derived)",
    "brexit": "Britain's exit from the EU",
    "establishment-of-diplomatic-relations": "Establishment of diplomatic relations between "
    "the EU and Kazakhstan",
    "anniversary-30-diplomatic-relations": "30th anniversary of the establishment of "
    "diplomatic relations",
    "ranking-eu-largest-investment-partner": "The EU is Kazakhstan's largest investment partner",
    "ranking-eu-largest-trading-partner": "The EU is Kazakhstan's largest trading partner",
    "statement-p1": "The EU and Kazakhstan are strengthening bilateral cooperation "
    "opportunities in six areas",
    "launch": "Kazakhstan's launch of cooperation in new areas",
    "visit-ursula-von-der-leyen": "Expected visit of Ursula von der Leyen",
    "claim-p1": "The EU and Kazakhstan are strengthening bilateral cooperation opportunities "
    "in six areas",
    "claim-p2": "The ministry's efforts in boosting investment exchanges and establishing "
    "business partnerships in recent years",
    "claim-p4-s4": "These are record-high figures since Britain's exit from the EU",
    "claim-p4-s5": "The dynamic growth continues this year",
    "claim-p5": "The visits of Michel and Borrell became significant milestones in the "
    "relationship between the EU and Kazakhstan",
    "claim-p6": "Ursula von der Leyen is now expected to visit this year",
    "claim-p7": "EU–Kazakhstan cooperation is built on the EPCA",
}
RESOLVED = "resolved from the article's date"
TRADE_2021_METHOD = (
    "The 2022 volume divided by (1 + growth / 100): 40000000000 / 1.276 = 31347962382.4. "
    "The $40 billion is taken as stated (the article gives it with no qualifier); the growth, "
    "27.6 percent, is given to one decimal, so it lies between 27.55 and 27.65 percent if "
    "rounded, which puts the 2021 volume between 40000000000 / 1.2765 = 31335683509.6 and "
    "40000000000 / 1.2755 = 31360250882.0: schema:minValue and schema:maxValue are these "
    "bounds rounded outwards to the million (31335000000 and 31361000000). Only four "
    "significant digits are the same across that range, so the value is given as 31.35 "
    "billion (31350000000)."
)
# "The first nine months of 2022" names neither month
MONTH_METHODS = {
    "month-2022-01": "The first nine months of 2022 begin in January 2022. The article says "
    '"the first nine months of 2022" and names neither month.',
    "month-2022-09": "The first nine months of 2022 end with September 2022, the ninth month. "
    'The article says "the first nine months of 2022" and names neither month.',
}
RELATIONS_1993_METHOD = (
    'The 30th anniversary falls in 2023 ("this year", resolved from the article\'s date), '
    "so the relations were established in 2023 - 30 = 1993."
)

# ------------------------------------------------------------ running the queries


@pytest.fixture(scope="session")
def graph() -> Graph:
    """Ontology + reused terms + data, merged (what the library's load_graph returns)."""
    merged = Graph()
    for path in (ONTOLOGY, REUSED_TERMS, DATA):
        merged.parse(path, format="turtle")
    return merged


QUERY_FILES = sorted(QUERIES_DIR.glob("*.rq"))
QUERY_NAMES = [path.stem for path in QUERY_FILES]
TYPE_SUFFIXES = ("iri", "integer", "decimal", "date", "year")
PARAMETER = re.compile(r"\?(__?[A-Za-z0-9_]+)")
VALID_PARAMETER = re.compile(r"^__?([a-z][a-z0-9]*)(?:_(iri|integer|decimal|date|year))?$")


def query_text(name: str) -> str:
    return (QUERIES_DIR / f"{name}.rq").read_text(encoding="utf-8")


def header(name: str) -> dict[str, Any]:
    """The grlc header: the ``#+`` lines, without their marker, parsed as YAML."""
    lines = [
        line[3:] if line.startswith("#+ ") else line[2:]
        for line in query_text(name).splitlines()
        if line.startswith("#+")
    ]
    loaded = yaml.safe_load("\n".join(lines))
    assert isinstance(loaded, dict), name
    return loaded


def body(name: str) -> str:
    """The query without its comment lines."""
    return "\n".join(
        line for line in query_text(name).splitlines() if not line.lstrip().startswith("#")
    )


def parameters(name: str) -> set[str]:
    """Variable names (without '?') that are grlc parameters: ?_x (required), ?__x (optional)."""
    return set(PARAMETER.findall(body(name)))


def defaults(name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for item in header(name).get("defaults") or []:
        assert isinstance(item, dict), (name, item)
        found.update({str(k): str(v) for k, v in item.items()})
    return found


@cache
def prepared(name: str) -> Query:
    return prepareQuery(query_text(name))


def term_for(variable: str, value: str) -> Identifier:
    """The typed RDF term for a parameter value, by the variable's type suffix."""
    match = VALID_PARAMETER.match(variable)
    assert match, variable
    kind = match.group(2)
    if kind == "iri":
        return URIRef(value)
    datatypes = {
        "integer": XSD.integer,
        "decimal": XSD.decimal,
        "date": XSD.date,
        "year": XSD.gYear,
    }
    return Literal(value, datatype=datatypes[kind]) if kind else Literal(value)


def bindings(name: str, params: Mapping[str, str] | None) -> dict[str, Identifier]:
    """Typed initBindings: given params (by short name) over the header's defaults."""
    by_short_name = {**defaults(name), **(params or {})}
    bound: dict[str, Identifier] = {}
    for variable in parameters(name):
        match = VALID_PARAMETER.match(variable)
        assert match, (name, variable)
        short = match.group(1)
        if short in by_short_name:
            bound[Variable(variable)] = term_for(variable, by_short_name[short])
    return bound


def raw_rows(
    graph: Graph, name: str, params: Mapping[str, str] | None = None
) -> list[dict[str, Node | None]]:
    result = graph.query(prepared(name), initBindings=bindings(name, params))
    assert result.vars is not None
    out: list[dict[str, Node | None]] = []
    for row in result:
        assert isinstance(row, ResultRow)
        out.append({str(v): row.get(v) for v in result.vars})
    return out


def python(term: Node | None) -> object:
    """IRI -> str, literal -> its Python value (lexical form where rdflib has none)."""
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        return str(term) if isinstance(value, Literal) else value
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def rows(graph: Graph, name: str, params: Mapping[str, str] | None = None) -> list[Row]:
    return [{k: python(v) for k, v in row.items()} for row in raw_rows(graph, name, params)]


# ============================================================ expected rows, by hand


def figure_row(
    local: str,
    value: object,
    unit: tuple[str, str],
    measure: str,
    subject: str,
    counterpart: str | None,
    period: tuple[str, str, str] | None,
    comparison: str | None,
    exactness: str,
    stated_as: str,
    stated_by: str,
    sentence: str,
) -> Row:
    period_label, begin, end = period or (None, None, None)
    # "exceeded $8 billion" is a bound, never a value; "European investments" is read as
    # the EU's (implied), every other subject is stated
    bound = exactness == "more than"
    implied = "inflow" in local
    return {
        "figure": kzr(local),
        "label": LABEL[local],
        "value": None if bound else value,
        "minValue": value if bound else None,
        "unitCode": unit[0],
        "unitText": unit[1],
        "measureLabel": measure,
        "subjectLabel": subject,
        "subjectBasis": "implied" if implied else "stated",
        "counterpartLabel": counterpart,
        "periodLabel": period_label,
        "periodBegin": begin,
        "periodEnd": end,
        "comparisonPeriodLabel": comparison,
        "exactnessLabel": exactness,
        "statedAs": stated_as,
        "statedByLabel": stated_by,
        **evidence(sentence),
    }


USD = ("USD", "US dollar")
PERCENT = ("P1", "percent")
EU, KZ = LABEL["european-union"], LABEL["kazakhstan"]
NINE_MONTHS = ("January–September 2022", "2022-01", "2022-09")
YEAR_2022 = ("2022", "2022", "2022")

FIGURES: list[Row] = [
    # "The EU has invested $160 billion in Kazakhstan" — narration, no period
    figure_row("figure-eu-investment-stock", 160_000_000_000, USD, "investment stock", EU, KZ,
               None, None, "as stated", "$160 billion", "The Astana Times", S_P3_1),
    # "In the first nine months of 2022, the inflow ... increased by 10 percent and
    # exceeded $8 billion." — quoted: "exceeded $8 billion" → lower bound 8000000000
    # (two figures share the sentence: ordered by IRI, "...inflow-2022" < "...inflow-growth")
    figure_row("figure-eu-investment-inflow-2022-9m", 8_000_000_000, USD, "investment inflow",
               EU, KZ, NINE_MONTHS, None, "more than", "exceeded $8 billion",
               "Roman Vassilenko", S_P4_1),
    # "increased by 10 percent": no comparison period named
    figure_row("figure-eu-investment-inflow-growth-2022-9m", Decimal("10"), PERCENT,
               "investment inflow growth", EU, KZ, NINE_MONTHS, None, "as stated",
               "10 percent", "Roman Vassilenko", S_P4_1),
    # "approximately 30 percent of Kazakhstan’s foreign trade" — present tense, no period
    figure_row("figure-eu-share-of-foreign-trade", Decimal("30"), PERCENT,
               "share of foreign trade", EU, KZ, None, None, "approximately",
               "approximately 30 percent", "Roman Vassilenko", S_P4_2),
    # "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, reaching
    # $40 billion." — two figures for 2022; only the growth has a comparison period
    figure_row("figure-eu-trade-volume-2022", 40_000_000_000, USD, "trade volume", EU, KZ,
               YEAR_2022, None, "as stated", "reaching $40 billion", "Roman Vassilenko",
               S_P4_3),
    figure_row("figure-eu-trade-volume-growth-2022", Decimal("27.6"), PERCENT,
               "trade volume growth", EU, KZ, YEAR_2022, "2021", "as stated",
               "by 27.6 percent", "Roman Vassilenko", S_P4_3),
    # "covering 29 areas of cooperation" — about the EPCA, no counterpart, narration
    figure_row("figure-epca-area-count", 29, ("C62", "areas of cooperation"),
               "number of cooperation areas", LABEL["epca"], None, None, None, "as stated",
               "29 areas of cooperation", "The Astana Times", S_P7),
]  # fmt: skip


def visit_row(
    local: str,
    visitor: str,
    post: str,
    date: str,
    precision: str,
    stated_as: str,
    place: tuple[str, str],
    status: str,
    topics: int,
    exhaustive: bool | None,
) -> Row:
    return {
        "visit": kzr(local),
        "visitorLabel": visitor,
        "postLabel": post,
        "date": date,
        "precision": precision,
        "dateBasisLabel": RESOLVED,
        "statedAs": stated_as,
        "placeLabel": place[0],
        "placeBasis": place[1],
        "statusLabel": status,
        "topicCount": topics,
        "topicListIsExhaustive": exhaustive,
    }


VISITS: list[Row] = [
    # "the visits of European Council President Charles Michel to Astana in October" —
    # past ("became significant milestones"), so October 2022; Astana is named for it
    visit_row("visit-charles-michel", "Charles Michel", "President of the European Council",
              "2022-10", "month", "in October", ("Astana", "stated"), "happened", 0, None),
    # "and of Josep Borrell, ..., in November" — no place named; a milestone "in the
    # relationship between the EU and Kazakhstan" implies Kazakhstan, not Astana
    visit_row("visit-josep-borrell", "Josep Borrell", LABEL["post-hrvp"], "2022-11", "month",
              "in November", ("Kazakhstan", "implied"), "happened", 0, None),
    # "Ursula von der Leyen, is now expected to visit this year ... to further advance
    # discussions on cooperation in rare earth metals and critical raw materials, among
    # other things." — 2023, expected, place implied, 2 topics, list not exhaustive
    visit_row("visit-ursula-von-der-leyen", "Ursula von der Leyen",
              "President of the European Commission", "2023", "year", "this year",
              ("Kazakhstan", "implied"), "expected", 2, False),
]  # fmt: skip


def words_row(words: str, sentence: str) -> Row:
    start, end = at(words, within=sentence)
    return {"words": words, "start": start, "end": end}


VISIT_TOPICS: list[Row] = [
    # "cooperation in rare earth metals and critical raw materials, among other things"
    {"visit": kzr("visit-ursula-von-der-leyen"), "visitorLabel": "Ursula von der Leyen",
     "topic": kzr("area-rare-earth-metals"), "topicLabel": "rare earth metals",
     "listIsExhaustive": False, **words_row("rare earth metals", S_P6)},
    {"visit": kzr("visit-ursula-von-der-leyen"), "visitorLabel": "Ursula von der Leyen",
     "topic": kzr("area-critical-raw-materials"), "topicLabel": "critical raw materials",
     "listIsExhaustive": False, **words_row("critical raw materials", S_P6)},
]  # fmt: skip

STRENGTHENED = "area in which cooperation is being strengthened"
LAUNCHED = "new area launched"
AGREEMENT_AREA = "area covered by an agreement"
VISIT_TOPIC = "topic of a visit"

# (area local name, area label, the words in the article, sentence, role, context label)
AREA_MENTIONS = [
    # "strengthening bilateral cooperation opportunities in trade and investment,
    # transport, energy, agriculture, travel, and education" (paragraph 1)
    ("trade-and-investment", "trade and investment", "trade and investment", S_P1),
    ("transport", "transport", "transport", S_P1),
    ("energy", "energy", "energy", S_P1),
    ("agriculture", "agriculture", "agriculture", S_P1),
    ("travel", "travel", "travel", S_P1),
    ("education", "education", "education", S_P1),
    # "to further advance discussions on cooperation in rare earth metals and critical
    # raw materials" (paragraph 6)
    ("rare-earth-metals", "rare earth metals", "rare earth metals", S_P6),
    ("critical-raw-materials", "critical raw materials", "critical raw materials", S_P6),
    # "including in the spheres of the economy, trade, and investment, education and
    # research, civil society and human rights, among others" (paragraph 7)
    ("economy-trade-and-investment", "economy, trade and investment",
     "economy, trade, and investment", S_P7),
    ("education-and-research", "education and research", "education and research", S_P7),
    ("civil-society-and-human-rights", "civil society and human rights",
     "civil society and human rights", S_P7),
    # "new areas such as rare earth metals, green hydrogen, batteries, transport, and
    # logistics potential development, and the diversification of commodity supply
    # chains" (paragraph 8)
    ("rare-earth-metals", "rare earth metals", "rare earth metals", S_P8),
    ("green-hydrogen", "green hydrogen", "green hydrogen", S_P8),
    ("batteries", "batteries", "batteries", S_P8),
    ("transport-and-logistics-potential-development",
     "transport and logistics potential development",
     "transport, and logistics potential development", S_P8),
    ("diversification-of-commodity-supply-chains", "diversification of commodity supply chains",
     "diversification of commodity supply chains", S_P8),
]  # fmt: skip
SENTENCE_SUFFIX = {S_P1: "p1", S_P6: "p6", S_P7: "p7", S_P8: "p8"}
MENTION_ROLE = {
    S_P1: (STRENGTHENED, LABEL["statement-p1"]),
    S_P6: (VISIT_TOPIC, LABEL["visit-ursula-von-der-leyen"]),
    S_P7: (AGREEMENT_AREA, LABEL["epca"]),
    S_P8: (LAUNCHED, LABEL["launch"]),
}

COOPERATION_AREAS: list[Row] = [
    {
        "mention": kzr(f"mention-{area}-{SENTENCE_SUFFIX[sentence]}"),
        "area": kzr(f"area-{area}"),
        "areaLabel": label,
        "roleLabel": MENTION_ROLE[sentence][0],
        "contextLabel": MENTION_ROLE[sentence][1],
        **words_row(words, sentence),
    }
    for area, label, words, sentence in AREA_MENTIONS
]


def epca_row(area: str, label: str) -> Row:
    # "the Enhanced Partnership and Cooperation Agreement (EPCA), which entered into full
    # force in March 2020 covering 29 areas of cooperation, including ... among others."
    return {
        "agreement": kzr("epca"),
        "name": LABEL["epca"],
        "abbreviation": "EPCA",
        "entryIntoForceDate": "2020-03",
        "precision": "month",
        "dateBasisLabel": "stated",
        "areaCount": 29,
        "listIsExhaustive": False,
        "area": kzr(f"area-{area}"),
        "areaLabel": label,
    }


# ordered by area label
EPCA: list[Row] = [
    epca_row("civil-society-and-human-rights", "civil society and human rights"),
    epca_row("economy-trade-and-investment", "economy, trade and investment"),
    epca_row("education-and-research", "education and research"),
]

BRIEFING_DATE = datetime.date(2023, 3, 10)  # "briefing on March 10", article of March 2023


# the attribution words each speech rests on, in its sentence or after its quotation
ATTRIBUTION_WORDS = {
    "statement-p1": "said Deputy Foreign Minister Roman Vassilenko",
    "statement-p2": "Vassilenko outlined",
    "statement-p5": "He noted",
    "statement-p6": "added Vassilenko",
    "statement-p8": "said Vassilenko",
    **{f"statement-p4-s{i}": "reported Vassilenko" for i in range(1, 6)},
}


def statement_row(local: str, mode: str, label: str, sentence: str, at_briefing: bool) -> Row:
    words = ATTRIBUTION_WORDS.get(local)
    start, end = at(words) if words else (None, None)
    return {
        "statement": kzr(local),
        "mode": mode,
        "label": label,
        **evidence(sentence),
        "attribution": words,
        "attributionStart": start,
        "attributionEnd": end,
        "eventLabel": LABEL["briefing"] if at_briefing else None,
        "eventDate": BRIEFING_DATE if at_briefing else None,
    }


QUOTE, REPORTED, NARRATION = "direct quote", "reported speech", "narration"
VASSILENKO_STATEMENTS: list[Row] = [
    # "..., said Deputy Foreign Minister Roman Vassilenko at a ... briefing on March 10."
    statement_row("statement-p1", REPORTED, LABEL["statement-p1"], S_P1, True),
    # "Vassilenko outlined the ministry’s efforts ..."
    statement_row("statement-p2", REPORTED, "The ministry's efforts in boosting investment "
                  "exchanges and establishing business partnerships", S_P2, True),
    # paragraph 4 is one quotation in five sentences: “In the first ... as well,”
    # reported Vassilenko.
    statement_row("statement-p4-s1", QUOTE,
                  "European investment inflow in the first nine months of 2022", S_P4_1, True),
    statement_row("statement-p4-s2", QUOTE, "The EU's share of Kazakhstan's foreign trade",
                  S_P4_2, True),
    statement_row("statement-p4-s3", QUOTE, "EU–Kazakhstan trade volume in 2022", S_P4_3, True),
    statement_row("statement-p4-s4", QUOTE,
                  "Record-high figures since Britain's exit from the EU", S_P4_4, True),
    statement_row("statement-p4-s5", QUOTE, "The dynamic growth continues this year", S_P4_5,
                  True),
    # "He noted that the visits ..."
    statement_row("statement-p5", REPORTED, "The visits of Michel and Borrell were milestones "
                  "as the 30th anniversary of diplomatic relations approached", S_P5, True),
    # "..., added Vassilenko, ..."
    statement_row("statement-p6", REPORTED, "Ursula von der Leyen is expected to visit this year",
                  S_P6, True),
    # “Last year, our country launched ...,” said Vassilenko.
    statement_row("statement-p8", QUOTE, "Kazakhstan launched cooperation in new areas last year",
                  S_P8, True),
]  # fmt: skip
# The article's own voice (paragraphs 3 and 7), attributed to the publisher, at no event
ASTANA_TIMES_STATEMENTS: list[Row] = [
    statement_row("statement-p3-s1", NARRATION, "The EU has invested $160 billion in "
                  "Kazakhstan and is its largest investment partner", S_P3_1, False),
    statement_row("statement-p3-s2", NARRATION, "The EU is Kazakhstan's largest trading partner",
                  S_P3_2, False),
    statement_row("statement-p7", NARRATION, "EU–Kazakhstan cooperation is built on the EPCA",
                  S_P7, False),
]  # fmt: skip


def entity_row(
    direction: str, prop: str, value: object, label: str | None, sentence: str | None
) -> Row:
    start, end = at(sentence) if sentence else (None, None)
    return {
        "direction": direction,
        "property": prop,
        "value": value,
        "valueLabel": label,
        "evidence": sentence,
        "start": start,
        "end": end,
    }


def incoming(prop: str, local: str, sentence: str | None) -> Row:
    return entity_row("incoming", prop, kzr(local), LABEL[local], sentence)


def outgoing(prop: str, value: object) -> Row:
    return entity_row("outgoing", prop, value, None, None)


# Every triple about the European Union in the data, sorted by direction, property IRI
# and value; evidence is the sentence supporting the other node.
EU_ENTITY: list[Row] = [
    # "EU’s High Representative ... and Vice-President of the European Commission" (p5)
    entity_row("incoming", ORG + "postIn", kzr("post-high-representative-and-vice-president"),
               LABEL["post-hrvp"], S_P5),
    entity_row("incoming", SCHEMA + "about", kzr("article"), LABEL["article"], None),
    # the derived 2021 trade volume has no sentence of its own: the article never states it
    incoming(SCHEMA + "observationAbout", "derived-eu-trade-volume-2021", None),
    incoming(SCHEMA + "observationAbout", "figure-eu-investment-stock", S_P3_1),
    incoming(SCHEMA + "observationAbout", "figure-eu-share-of-foreign-trade", S_P4_2),
    incoming(SCHEMA + "observationAbout", "figure-eu-trade-volume-2022", S_P4_3),
    incoming(SCHEMA + "observationAbout", "figure-eu-trade-volume-growth-2022", S_P4_3),
    # "The European Union and Kazakhstan are strengthening ..." (p1); "the relationship
    # between the EU and Kazakhstan" (p5); "The EU-Kazakhstan cooperation is built on" (p7)
    incoming(KZEU + "claimAgent", "claim-p1", S_P1),
    incoming(KZEU + "claimAgent", "claim-p5", S_P5),
    incoming(KZEU + "claimAgent", "claim-p7", S_P7),
    # "the inflow of European investments": the EU is implied, not stated
    incoming(KZEU + "impliedObservationAbout", "figure-eu-investment-inflow-2022-9m", S_P4_1),
    incoming(KZEU + "impliedObservationAbout", "figure-eu-investment-inflow-growth-2022-9m",
             S_P4_1),
    # "Britain’s exit from the EU"; "diplomatic relations" between the EU and Kazakhstan
    incoming(KZEU + "participant", "brexit", S_P4_4),
    incoming(KZEU + "participant", "establishment-of-diplomatic-relations", S_P5),
    # "the largest investment partner"; "the largest trading partner"
    incoming(KZEU + "partner", "ranking-eu-largest-investment-partner", S_P3_1),
    incoming(KZEU + "partner", "ranking-eu-largest-trading-partner", S_P3_2),
    # "The EU-Kazakhstan cooperation is built on the ... (EPCA)"
    incoming(KZEU + "party", "epca", S_P7),
    outgoing(RDF_TYPE, ORG + "FormalOrganization"),
    outgoing(RDF_TYPE, PROV + "Organization"),
    outgoing(RDF_TYPE, SCHEMA + "Organization"),
    outgoing(RDFS_LABEL, "European Union"),
    outgoing(SKOS + "exactMatch", "http://www.wikidata.org/entity/Q458"),
    outgoing(SCHEMA + "alternateName", "EU"),
    outgoing(SCHEMA + "name", "European Union"),
    entity_row("outgoing", KZEU + "nameBasis", kzv("name-in-text"), "name in the text", None),
]  # fmt: skip

# Astana: named for Michel's visit ("to Astana in October"); implied for the briefing by
# the dateline "ASTANA –" (evidence: the briefing's sentence)
ASTANA_ENTITY: list[Row] = [
    entity_row("incoming", SCHEMA + "location", kzr("visit-charles-michel"),
               "Visit of Charles Michel to Astana", S_P5),
    entity_row("incoming", KZEU + "impliedLocation", kzr("briefing"), LABEL["briefing"], S_P1),
    outgoing(RDF_TYPE, SCHEMA + "City"),
    outgoing(RDFS_LABEL, "Astana"),
    outgoing(SKOS + "exactMatch", "http://www.wikidata.org/entity/Q1520"),
    outgoing(SCHEMA + "name", "Astana"),
    entity_row("outgoing", KZEU + "nameBasis", kzv("name-in-text"), "name in the text", None),
]  # fmt: skip

YEAR_ON_YEAR: list[Row] = [
    # "the inflow of European investments increased by 10 percent and exceeded $8
    # billion" in the first nine months of 2022: against what is not said, so no
    # comparison period and no derived base
    {"growthFigure": kzr("figure-eu-investment-inflow-growth-2022-9m"),
     "measureLabel": "investment inflow growth", "growth": Decimal("10"),
     "growthUnit": "percent", "subjectLabel": EU, "subjectBasis": "implied",
     "periodLabel": "January–September 2022", "comparisonPeriodLabel": None,
     "currentFigure": kzr("figure-eu-investment-inflow-2022-9m"),
     # "exceeded $8 billion": a bound, given as the bound only
     "currentValue": None, "currentMinValue": 8_000_000_000, "currentUnit": "US dollar",
     "currentExactnessLabel": "more than",
     "baseValue": None, "baseMinValue": None, "baseMaxValue": None,
     "baseExactnessLabel": None, "baseMethod": None},
    # "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, reaching
    # $40 billion": 40000000000 / 1.276 = 31347962382.4...; with 27.6 rounded from
    # 27.55..27.65 the 2021 volume lies in 31335683509.6..31360250882.0 → 31.35 billion,
    # bounds rounded outwards to the million (derived)
    {"growthFigure": kzr("figure-eu-trade-volume-growth-2022"),
     "measureLabel": "trade volume growth", "growth": Decimal("27.6"),
     "growthUnit": "percent", "subjectLabel": EU, "subjectBasis": "stated",
     "periodLabel": "2022", "comparisonPeriodLabel": "2021",
     "currentFigure": kzr("figure-eu-trade-volume-2022"),
     "currentValue": 40_000_000_000, "currentMinValue": None, "currentUnit": "US dollar",
     "currentExactnessLabel": "as stated",
     "baseValue": 31_350_000_000, "baseMinValue": 31_335_000_000,
     "baseMaxValue": 31_361_000_000, "baseExactnessLabel": "approximately",
     "baseMethod": TRADE_2021_METHOD},
]  # fmt: skip


def event_row(
    local: str,
    label: str,
    class_label: str,
    date: object,
    precision: str | None,
    basis: str | None,
    status: str,
) -> Row:
    return {
        "event": kzr(local),
        "eventLabel": label,
        "classLabel": class_label,
        "date": date,
        "precision": precision,
        "dateBasisLabel": basis,
        "statusLabel": status,
    }


# By STR(date): "1993" < "2020-03" < "2022" < "2022-10" < "2022-11" < "2023" <
# "2023-03-10"; ties by IRI; the undated event last.
TIMELINE: list[Row] = [
    # "the 30th anniversary of the establishment of diplomatic relations approached this
    # year": 2023 - 30 = 1993, derived
    event_row("establishment-of-diplomatic-relations",
              LABEL["establishment-of-diplomatic-relations"],
              "establishment of diplomatic relations", "1993", "year", "derived", "happened"),
    # "entered into full force in March 2020"
    event_row("epca-entry-into-full-force", "Entry into full force of the EPCA",
              "entry into force", "2020-03", "month", "stated", "happened"),
    # "Last year, our country launched cooperation in new areas" → 2022
    event_row("launch-of-new-cooperation-areas", LABEL["launch"], "launch of cooperation",
              "2022", "year", RESOLVED, "happened"),
    # "to Astana in October" / "in November" (2022, before the March 2023 briefing)
    event_row("visit-charles-michel", "Visit of Charles Michel to Astana", "visit", "2022-10",
              "month", RESOLVED, "happened"),
    event_row("visit-josep-borrell", "Visit of Josep Borrell", "visit", "2022-11", "month",
              RESOLVED, "happened"),
    # "approached this year" (not yet reached); "is now expected to visit this year"
    event_row("anniversary-30-diplomatic-relations",
              LABEL["anniversary-30-diplomatic-relations"], "anniversary", "2023", "year",
              RESOLVED, "expected"),
    event_row("visit-ursula-von-der-leyen", LABEL["visit-ursula-von-der-leyen"], "visit",
              "2023", "year", RESOLVED, "expected"),
    # "briefing on March 10" (2023)
    event_row("briefing", LABEL["briefing"], "briefing", BRIEFING_DATE, "day", RESOLVED,
              "happened"),
    # "since Britain’s exit from the EU": no date given
    event_row("brexit", LABEL["brexit"], "withdrawal", None, None, None, "happened"),
]  # fmt: skip


def status_rows(status: str) -> list[Row]:
    """events-by-status rows, from the timeline rows (the same events and dates)."""
    return [
        {
            "event": row["event"],
            "eventLabel": row["eventLabel"],
            "status": kzv(status),
            "statusLabel": status,
            "date": row["date"],
        }
        for row in TIMELINE
        if row["statusLabel"] == status
    ]


# ordered by status IRI: "expected" < "happened"
EVENTS_BY_STATUS = status_rows("expected") + status_rows("happened")


def chart_event(row: Row) -> Row:
    """timeline-chart row of an event: its one date opens and closes its span."""
    return {
        "item": row["event"], "kind": "event", "label": row["eventLabel"],
        "statusLabel": row["statusLabel"], "start": row["date"],
        "startPrecision": row["precision"], "end": row["date"],
        "endPrecision": row["precision"], "statedAs": None,
    }  # fmt: skip


def chart_figure(local: str, begin: str, end: str, precision: str, stated_as: str) -> Row:
    return {
        "item": kzr(local), "kind": "figure", "label": LABEL[local], "statusLabel": None,
        "start": begin, "startPrecision": precision, "end": end, "endPrecision": precision,
        "statedAs": stated_as,
    }  # fmt: skip


# Events in the timeline's order, then the four figures that have a period, by STR(start)
# ("2022" < "2022-01") then IRI. The other three figures state no period ("has invested
# $160 billion", "approximately 30 percent", "29 areas") and are left out.
TIMELINE_CHART: list[Row] = [chart_event(row) for row in TIMELINE] + [
    # "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, reaching
    # $40 billion": the year 2022, from its beginning to its end
    chart_figure("figure-eu-trade-volume-2022", "2022", "2022", "year", "reaching $40 billion"),
    chart_figure("figure-eu-trade-volume-growth-2022", "2022", "2022", "year",
                 "by 27.6 percent"),
    # "In the first nine months of 2022 ... increased by 10 percent and exceeded $8 billion":
    # January to September 2022, at month precision
    chart_figure("figure-eu-investment-inflow-2022-9m", "2022-01", "2022-09", "month",
                 "exceeded $8 billion"),
    chart_figure("figure-eu-investment-inflow-growth-2022-9m", "2022-01", "2022-09", "month",
                 "10 percent"),
]  # fmt: skip

DERIVED_VALUES: list[Row] = [
    # "the 30th anniversary ... approached this year" → 1993
    {"derived": kzr("date-establishment-of-diplomatic-relations"), "label": "1993 (derived)",
     "value": "1993", "minValue": None, "maxValue": None, "unitText": None, "exactnessLabel": None,
     "input": kzr("anniversary-30-diplomatic-relations"),
     "inputLabel": LABEL["anniversary-30-diplomatic-relations"],
     "method": RELATIONS_1993_METHOD,
     "activityLabel": "kzeu-graph derivation of values implied by the article"},
    {"derived": kzr("date-establishment-of-diplomatic-relations"), "label": "1993 (derived)",
     "value": "1993", "minValue": None, "maxValue": None, "unitText": None, "exactnessLabel": None,
     "input": kzr("date-anniversary-30-diplomatic-relations"), "inputLabel": "2023",
     "method": RELATIONS_1993_METHOD,
     "activityLabel": "kzeu-graph derivation of values implied by the article"},
    # "exceeded the 2021 figure by 27.6 percent, reaching $40 billion" → 2021 volume
    {"derived": kzr("derived-eu-trade-volume-2021"), "label": LABEL["derived-eu-trade-volume-2021"],
     "value": 31_350_000_000, "minValue": 31_335_000_000, "maxValue": 31_361_000_000,
     "unitText": "US dollar", "exactnessLabel": "approximately",
     "input": kzr("figure-eu-trade-volume-2022"), "inputLabel": LABEL["figure-eu-trade-volume-2022"],
     "method": TRADE_2021_METHOD,
     "activityLabel": "kzeu-graph derivation of values implied by the article"},
    {"derived": kzr("derived-eu-trade-volume-2021"), "label": LABEL["derived-eu-trade-volume-2021"],
     "value": 31_350_000_000, "minValue": 31_335_000_000, "maxValue": 31_361_000_000,
     "unitText": "US dollar", "exactnessLabel": "approximately",
     "input": kzr("figure-eu-trade-volume-growth-2022"),
     "inputLabel": LABEL["figure-eu-trade-volume-growth-2022"],
     "method": TRADE_2021_METHOD,
     "activityLabel": "kzeu-graph derivation of values implied by the article"},
    # "In the first nine months of 2022": January and September are derived, not stated
    *[cast(Row, {"derived": kzr(month), "label": f"{name} 2022 (derived)", "value": value,
       "minValue": None, "maxValue": None, "unitText": None, "exactnessLabel": None,
       "input": kzr("period-2022-first-nine-months"), "inputLabel": "January–September 2022",
       "method": MONTH_METHODS[month],
       "activityLabel": "kzeu-graph derivation of values implied by the article"})
      for month, name, value in (("month-2022-01", "January", "2022-01"),
                                 ("month-2022-09", "September", "2022-09"))],
]  # fmt: skip

# Instances in the kzr: namespace, by asserted class, counted by hand in the data.
DATASET_COUNTS = {
    # 13 statements, 16 area mentions, 7 figures, 2 rankings, 9 events (briefing, 3
    # visits, entry into force, establishment, anniversary, Brexit, launch), the EPCA
    # and 4 posts each have one annotation: 13 + 16 + 7 + 2 + 9 + 1 + 4 = 52; then the
    # article's headline, dateline and source line (url and publisher) and the briefing's
    # place implied by the dateline: 5; the attribution words of 10 speeches and of the 5
    # quoted figures of paragraph 4: 15; 7 claims; the ministry's 2 activities (p2)
    OA + "Annotation": 52 + 5 + 15 + 7 + 2,
    # 13 sentences + words of 16 area mentions (6 in p1, 2 in p6, 3 in p7, 5 in p8) +
    # headline, dateline, source line + 6 attribution phrases (p1, p2, p4, p5, p6, p8)
    OA + "SpecificResource": 38,
    OA + "TextQuoteSelector": 38,
    OA + "TextPositionSelector": 38,
    # what p1, p2, p4-s4, p4-s5, p5, p6 and p7 assert beyond figures and events
    KZEU + "Claim": 7,
    KZEU + "AreaMention": 16,
    # 6 areas in p1, rare earth metals, critical raw materials, 3 EPCA spheres, 4 more
    # new areas in p8 (rare earth metals is one concept)
    SKOS + "Concept": 15,
    # 8 event dates + January 2022, September 2022, 2022, 2021 + "this year" of the
    # continuing growth + "now" of the expectation
    TIME + "Instant": 14,
    KZEU + "Figure": 7,  # $160 billion, 10 percent, $8 billion, 30 percent, 27.6 percent,
    # $40 billion, 29 areas
    # EU, European Commission, European Council, the ministry, Central Communications
    # Service, The Astana Times
    ORG + "FormalOrganization": 6,
    PROV + "Organization": 6,
    KZEU + "DirectQuote": 6,  # the five sentences of paragraph 4 and paragraph 8
    ORG + "Post": 4,  # Deputy FM, European Council President, HR/VP, Commission President
    PROV + "Person": 4,  # Vassilenko, Michel, Borrell, von der Leyen
    SCHEMA + "GovernmentOrganization": 4,
    SCHEMA + "Person": 4,
    KZEU + "ReportedSpeech": 4,  # "said", "outlined", "He noted", "added"
    TIME + "ProperInterval": 1,  # the first nine months of 2022 (a year is an instant)
    TIME + "Interval": 1,  # "in recent years", unbounded
    KZEU + "Narration": 3,  # paragraph 3 (two sentences) and paragraph 7
    KZEU + "Visit": 3,
    SCHEMA + "Country": 2,  # Kazakhstan, Britain
    KZEU + "DerivedValue": 4,  # 1993, the 2021 trade volume, January and September 2022
    KZEU + "PartnerRanking": 2,  # largest investment partner, largest trading partner
    SKOS + "ConceptScheme": 1,  # the article's cooperation areas
    PROV + "Activity": 3,  # the derivation; boosting investment exchanges, establishing
    # business partnerships (p2)
    PROV + "Entity": 1,  # the article
    SCHEMA + "City": 1,  # Astana
    SCHEMA + "NewsArticle": 1,
    SCHEMA + "NewsMediaOrganization": 1,  # The Astana Times
    SCHEMA + "Organization": 1,  # the EU (the others are GovernmentOrganization, asserted)
    KZEU + "Agreement": 1,
    KZEU + "Anniversary": 1,
    KZEU + "Briefing": 1,
    KZEU + "CooperationLaunch": 1,
    KZEU + "EntryIntoForce": 1,
    KZEU + "EstablishmentOfRelations": 1,
    KZEU + "Withdrawal": 1,
}
DATASET_SUMMARY: list[Row] = [
    {"class": cls, "instances": n}
    for cls, n in sorted(DATASET_COUNTS.items(), key=lambda item: (-item[1], item[0]))
]

# What each span of the article supports: (span, words, sentence the words are in,
# [(fact, class)] sorted by fact IRI). Spans in article order; a sentence comes before
# the words inside it.
STATEMENT_CLASS = {"p1": "ReportedSpeech", "p2": "ReportedSpeech", "p5": "ReportedSpeech",
                   "p6": "ReportedSpeech", "p3-s1": "Narration", "p3-s2": "Narration",
                   "p7": "Narration"}  # fmt: skip
WORDS_IN_P1 = ["trade and investment", "transport", "energy", "agriculture", "travel", "education"]
WORDS_IN_P6 = ["rare earth metals", "critical raw materials"]
WORDS_IN_P7 = ["economy, trade, and investment", "education and research",
               "civil society and human rights"]  # fmt: skip
WORDS_IN_P8 = ["rare earth metals", "green hydrogen", "batteries",
               "transport, and logistics potential development",
               "diversification of commodity supply chains"]  # fmt: skip


def slug(words: str) -> str:
    return re.sub(r"[^a-z]+", "-", words.lower()).strip("-")


def statement_fact(part: str) -> tuple[str, str]:
    return f"statement-{part}", STATEMENT_CLASS.get(part, "DirectQuote")


FactRow = tuple[str, ...]  # (fact, class) or (fact, class, supported property)
HEADLINE = ARTICLE.split("\n")[0]
SOURCE_LINE = ARTICLE.split("\n")[-1]  # "Source : astanatimes.com/2023/03/ For More Details"
HEADLINE_P, DATELINE_P, URL_P, PUBLISHER_P = (
    SCHEMA + p for p in ("headline", "dateline", "url", "publisher")
)
IMPLIED_P, ATTRIBUTED_P = KZEU + "impliedLocation", PROV + "wasAttributedTo"


def article_fact(supports: str) -> list[FactRow]:
    """The article is a prov:Entity and a schema:NewsArticle: one row per class."""
    return [("article", "prov:Entity", supports), ("article", "schema:NewsArticle", supports)]


def attributed(*facts: tuple[str, str]) -> list[FactRow]:
    return [(fact, cls, ATTRIBUTED_P) for fact, cls in facts]


SENTENCE_FACTS_TABLE: list[tuple[str, str, str | None, list[Any]]] = [
    # the headline, the first line
    ("words-headline", HEADLINE, None, article_fact(HEADLINE_P)),
    # "ASTANA – ": the article's dateline, and the place it implies for the briefing
    ("words-dateline", "ASTANA", None, [*article_fact(DATELINE_P),
                                        ("briefing", "Briefing", IMPLIED_P)]),
    # "..., said Deputy Foreign Minister Roman Vassilenko at a ... briefing on March 10."
    ("sentence-p1", S_P1, None, [("briefing", "Briefing"), ("claim-p1", "Claim"),
                                 ("post-deputy-foreign-minister-of-kazakhstan", "org:Post"),
                                 statement_fact("p1")]),
    *[(f"words-{slug(w)}-p1", w, S_P1, [(f"mention-{slug(w)}-p1", "AreaMention")])
      for w in WORDS_IN_P1],
    ("words-attribution-p1", "said Deputy Foreign Minister Roman Vassilenko", None,
     attributed(statement_fact("p1"))),
    # "Vassilenko outlined" starts where its sentence starts and ends first
    ("words-attribution-p2", "Vassilenko outlined", None, attributed(statement_fact("p2"))),
    ("sentence-p2", S_P2, None, [("activity-boosting-investment-exchanges", "prov:Activity"),
                                 ("activity-establishing-business-partnerships", "prov:Activity"),
                                 ("claim-p2", "Claim"), statement_fact("p2")]),
    # "$160 billion" and "the largest investment partner"
    ("sentence-p3-s1", S_P3_1, None, [("figure-eu-investment-stock", "Figure"),
                                      ("ranking-eu-largest-investment-partner", "PartnerRanking"),
                                      statement_fact("p3-s1")]),
    ("sentence-p3-s2", S_P3_2, None, [("ranking-eu-largest-trading-partner", "PartnerRanking"),
                                      statement_fact("p3-s2")]),
    ("sentence-p4-s1", S_P4_1, None, [("figure-eu-investment-inflow-2022-9m", "Figure"),
                                      ("figure-eu-investment-inflow-growth-2022-9m", "Figure"),
                                      statement_fact("p4-s1")]),
    ("sentence-p4-s2", S_P4_2, None, [("figure-eu-share-of-foreign-trade", "Figure"),
                                      statement_fact("p4-s2")]),
    ("sentence-p4-s3", S_P4_3, None, [("figure-eu-trade-volume-2022", "Figure"),
                                      ("figure-eu-trade-volume-growth-2022", "Figure"),
                                      statement_fact("p4-s3")]),
    ("sentence-p4-s4", S_P4_4, None, [("brexit", "Withdrawal"), ("claim-p4-s4", "Claim"),
                                      statement_fact("p4-s4")]),
    ("sentence-p4-s5", S_P4_5, None, [("claim-p4-s5", "Claim"), statement_fact("p4-s5")]),
    # ",” reported Vassilenko.": the speaker of the five quoted sentences and their figures
    ("words-attribution-p4", "reported Vassilenko", None, attributed(
        ("figure-eu-investment-inflow-2022-9m", "Figure"),
        ("figure-eu-investment-inflow-growth-2022-9m", "Figure"),
        ("figure-eu-share-of-foreign-trade", "Figure"),
        ("figure-eu-trade-volume-2022", "Figure"),
        ("figure-eu-trade-volume-growth-2022", "Figure"),
        *[statement_fact(f"p4-s{i}") for i in range(1, 6)])),
    # "He noted" opens its sentence
    ("words-attribution-p5", "He noted", None, attributed(statement_fact("p5"))),
    # two visits, two posts, the anniversary and the establishment it implies
    ("sentence-p5", S_P5, None, [("anniversary-30-diplomatic-relations", "Anniversary"),
                                 ("claim-p5", "Claim"),
                                 ("establishment-of-diplomatic-relations",
                                  "EstablishmentOfRelations"),
                                 ("post-high-representative-and-vice-president", "org:Post"),
                                 ("post-president-of-the-european-council", "org:Post"),
                                 statement_fact("p5"),
                                 ("visit-charles-michel", "Visit"),
                                 ("visit-josep-borrell", "Visit")]),
    ("sentence-p6", S_P6, None, [("claim-p6", "Claim"),
                                 ("post-president-of-the-european-commission", "org:Post"),
                                 statement_fact("p6"),
                                 ("visit-ursula-von-der-leyen", "Visit")]),
    ("words-attribution-p6", "added Vassilenko", None, attributed(statement_fact("p6"))),
    *[(f"words-{slug(w)}-p6", w, S_P6, [(f"mention-{slug(w)}-p6", "AreaMention")])
      for w in WORDS_IN_P6],
    ("sentence-p7", S_P7, None, [("claim-p7", "Claim"), ("epca", "Agreement"),
                                 ("epca-entry-into-full-force", "EntryIntoForce"),
                                 ("figure-epca-area-count", "Figure"),
                                 statement_fact("p7")]),
    *[(f"words-{slug(w)}-p7", w, S_P7, [(f"mention-{slug(w)}-p7", "AreaMention")])
      for w in WORDS_IN_P7],
    ("sentence-p8", S_P8, None, [("launch-of-new-cooperation-areas", "CooperationLaunch"),
                                 statement_fact("p8")]),
    *[(f"words-{slug(w)}-p8", w, S_P8, [(f"mention-{slug(w)}-p8", "AreaMention")])
      for w in WORDS_IN_P8],
    # ",” said Vassilenko."
    ("words-attribution-p8", "said Vassilenko", None, attributed(statement_fact("p8"))),
    # the source line gives the address, whose site names the publisher
    ("words-source-line", SOURCE_LINE, None,
     # by class IRI ("http://...prov#Entity" first), then property IRI ("publisher" < "url")
     [("article", "prov:Entity", PUBLISHER_P), ("article", "prov:Entity", URL_P),
      ("article", "schema:NewsArticle", PUBLISHER_P), ("article", "schema:NewsArticle", URL_P)]),
]  # fmt: skip


def class_iri(name: str) -> str:
    prefixes = {"org": ORG, "prov": PROV, "schema": SCHEMA}
    prefix, _, local = name.rpartition(":")
    return prefixes[prefix] + local if prefix else KZEU + name


def fact_row(span: str, text: str, within: str | None, fact: FactRow) -> Row:
    start, end = at(text, within)
    return {
        "span": kzr(span),
        "start": start,
        "end": end,
        "exact": text,
        "fact": kzr(fact[0]),
        "factClass": class_iri(fact[1]),
        "supports": fact[2] if len(fact) == 3 else None,
    }


SENTENCE_FACTS: list[Row] = [
    fact_row(span, text, within, fact)
    for span, text, within, facts in SENTENCE_FACTS_TABLE
    for fact in facts
]


def person_row(
    person: str, label: str, post: str, post_label: str, org: str, org_label: str
) -> Row:
    return {
        "person": kzr(person),
        "personLabel": label,
        "post": kzr(post),
        "postLabel": post_label,
        "organisation": kzr(org),
        "organisationLabel": org_label,
    }


PEOPLE_AND_POSTS: list[Row] = [
    # "European Council President Charles Michel"
    person_row("charles-michel", "Charles Michel", "post-president-of-the-european-council",
               "President of the European Council", "european-council", "European Council"),
    # "Josep Borrell, EU’s High Representative ... and Vice-President of the European
    # Commission": one post, in the Commission and in the EU (by organisation IRI)
    person_row("josep-borrell", "Josep Borrell", "post-high-representative-and-vice-president",
               LABEL["post-hrvp"], "european-commission", "European Commission"),
    person_row("josep-borrell", "Josep Borrell", "post-high-representative-and-vice-president",
               LABEL["post-hrvp"], "european-union", "European Union"),
    # "Deputy Foreign Minister Roman Vassilenko", of "the ministry"
    person_row("roman-vassilenko", "Roman Vassilenko", "post-deputy-foreign-minister-of-kazakhstan",
               "Deputy Foreign Minister", "ministry-of-foreign-affairs-of-kazakhstan",
               "Ministry of Foreign Affairs of Kazakhstan"),
    # "President of the European Commission, Ursula von der Leyen"
    person_row("ursula-von-der-leyen", "Ursula von der Leyen",
               "post-president-of-the-european-commission", "President of the European Commission",
               "european-commission", "European Commission"),
]  # fmt: skip

PARTNER_RANKINGS: list[Row] = [
    # "making it the largest investment partner" → rank 1 by investment
    {"ranking": kzr("ranking-eu-largest-investment-partner"), "partnerLabel": EU,
     "rankedForLabel": KZ, "rank": 1, "measureLabel": "investment",
     "statedAs": "the largest investment partner", "statedByLabel": "The Astana Times",
     **evidence(S_P3_1)},
    # "It is also the largest trading partner of the country." → rank 1 by trade
    {"ranking": kzr("ranking-eu-largest-trading-partner"), "partnerLabel": EU,
     "rankedForLabel": KZ, "rank": 1, "measureLabel": "trade",
     "statedAs": "the largest trading partner", "statedByLabel": "The Astana Times",
     **evidence(S_P3_2)},
]  # fmt: skip


def by_measure_row(figure: Row, measure: str) -> Row:
    """figures-by-measure row from a figures row (same figure, fewer columns)."""
    return {
        "figure": figure["figure"],
        "label": figure["label"],
        "measure": kzv(measure),
        "measureLabel": figure["measureLabel"],
        "value": figure["value"],
        "minValue": figure["minValue"],
        "unitCode": figure["unitCode"],
        "unitText": figure["unitText"],
        "statedAs": figure["statedAs"],
        "exactnessLabel": figure["exactnessLabel"],
        "periodLabel": figure["periodLabel"],
    }


FIGURE_BY_LOCAL = {str(row["figure"]).removeprefix(KZR): row for row in FIGURES}


def by_measure(*figures: tuple[str, str]) -> list[Row]:
    return [by_measure_row(FIGURE_BY_LOCAL[local], measure) for local, measure in figures]


# ordered by measure label
ALL_BY_MEASURE = by_measure(
    ("figure-eu-investment-inflow-2022-9m", "investment-inflow"),
    ("figure-eu-investment-inflow-growth-2022-9m", "investment-inflow-growth"),
    ("figure-eu-investment-stock", "investment-stock"),
    ("figure-epca-area-count", "cooperation-area-count"),
    ("figure-eu-share-of-foreign-trade", "share-of-foreign-trade"),
    ("figure-eu-trade-volume-2022", "trade-volume"),
    ("figure-eu-trade-volume-growth-2022", "trade-volume-growth"),
)

ARTICLE_ROWS: list[Row] = [
    # first line of the text; "Source : astanatimes.com/2023/03/"; dated to March 2023
    {"article": kzr("article"),
     "headline": "Kazakhstan-EU Cooperation Developing in All Directions",
     "publisherLabel": "The Astana Times", "datePublished": "2023-03",
     "url": "astanatimes.com/2023/03/", "language": "en", "textFile": ARTICLE_TEXT.name,
     "sha256": hashlib.sha256(ARTICLE_TEXT.read_bytes()).hexdigest(),
     # 13 sentences, one statement each
     "statementCount": len(SENTENCES)},
]  # fmt: skip

# ------------------------------------------------- what the statements claim (issue 11)

# The editors' readings, as the data writes them (kzeu:reading)
READ_THESE = (
    '"These" is read as the figures for 2022 in the same quotation: the inflow of European '
    "investments and its growth in the first nine months of 2022, and the trade volume of 2022 "
    'and its growth. The sentence follows them and says "figures", in the plural. The share of '
    'foreign trade ("approximately 30 percent") is left out: it is stated for no period, so it '
    "cannot be a record of a year. A narrower reading, only the two trade figures of the sentence "
    "just before, is possible; the wider one is recorded because nothing in the text limits it."
)
READ_GROWTH = (
    '"The dynamic growth" is read as the growth of investment inflow and trade the quotation '
    'has just given (10 percent and 27.6 percent); "this year" is 2023, as every "this year" '
    "of the article. The article gives no figure for 2023."
)
READ_BRIEFING_PLACE = (
    'The article gives the briefing no place; its dateline "ASTANA –" is read as the place of '
    "the briefing, so Astana is recorded as kzeu:impliedLocation, supported by the dateline's span."
)
READ_BORRELL_PLACE = (
    'A visit that became a milestone "in the relationship between the EU and Kazakhstan" is read '
    "as a visit to Kazakhstan; the text does not say it was to Astana, so Kazakhstan, the "
    "strongest reading it supports, is recorded as kzeu:impliedLocation."
)
READ_UVDL_PLACE = (
    "The place of the expected visit is not named; Kazakhstan is implied by the context (the "
    "visit is to advance EU-Kazakhstan discussions) and recorded as kzeu:impliedLocation."
)
READ_ANNIVERSARY = (
    'The article says the anniversary "approached this year", in a sentence about the visits of '
    'October and November 2022: it lay ahead at the time of those visits and falls in 2023 ("this '
    'year"). The article gives no day and does not say it had taken place by March 2023, so it '
    "is recorded as expected, not as happened."
)
RECORD_HIGH_FIGURES = [  # "These are record-high figures": the quotation's 2022 figures, by IRI
    "figure-eu-investment-inflow-2022-9m", "figure-eu-investment-inflow-growth-2022-9m",
    "figure-eu-trade-volume-2022", "figure-eu-trade-volume-growth-2022",
]  # fmt: skip
GROWTH_FIGURES = [
    "figure-eu-investment-inflow-growth-2022-9m",
    "figure-eu-trade-volume-growth-2022",
]

QUALIFIED_FIGURES: list[Row] = [
    # "These are record-high figures since Britain’s exit from the EU."
    *[{"figure": kzr(f), "figureLabel": LABEL[f], "qualifierLabel": "record-high",
       "sinceLabel": LABEL["brexit"], "timeLabel": None, "time": None, "reading": READ_THESE,
       **evidence(S_P4_4)} for f in RECORD_HIGH_FIGURES],
    # "The dynamic growth continues this year as well": this year = 2023
    *[{"figure": kzr(f), "figureLabel": LABEL[f], "qualifierLabel": "continued growth",
       "sinceLabel": None, "timeLabel": "2023", "time": "2023", "reading": READ_GROWTH,
       **evidence(S_P4_5)} for f in GROWTH_FIGURES],
]  # fmt: skip

AREA_LABEL = {
    "area-agriculture": "agriculture", "area-education": "education", "area-energy": "energy",
    "area-trade-and-investment": "trade and investment", "area-transport": "transport",
    "area-travel": "travel",
}  # fmt: skip


def claim_rows(part: str, speaker: str, ctype: str, sentence: str,
               nodes: list[tuple[str, str, str]]) -> list[Row]:  # fmt: skip
    """Rows of one claim; ``nodes`` are (role, node, label), sorted here by role then IRI."""
    return [
        {"statement": kzr(f"statement-{part}"), "speakerLabel": speaker,
         "claim": kzr(f"claim-{part}"), "claimTypeLabel": ctype, "role": role, "node": kzr(node),
         "nodeLabel": label, **evidence(sentence)}
        for role, node, label in sorted(nodes, key=lambda n: (n[0], kzr(n[1])))
    ]  # fmt: skip


VASSILENKO = "Roman Vassilenko"
EU_KZ = [("agent", "european-union", EU), ("agent", "kazakhstan", KZ)]
CLAIMS: list[Row] = [
    # "The European Union and Kazakhstan are strengthening bilateral cooperation
    # opportunities in trade and investment, transport, energy, agriculture, travel, and
    # education"
    *claim_rows("p1", VASSILENKO, "strengthening cooperation", S_P1,
                [*EU_KZ, *[("object", a, label) for a, label in AREA_LABEL.items()]]),
    # "the ministry’s efforts in boosting investment exchanges and establishing business
    # partnerships in recent years"
    *claim_rows("p2", VASSILENKO, "efforts", S_P2, [
        ("agent", "ministry-of-foreign-affairs-of-kazakhstan", "Ministry of Foreign Affairs of Kazakhstan"),
        ("object", "activity-boosting-investment-exchanges", "Boosting investment exchanges"),
        ("object", "activity-establishing-business-partnerships", "Establishing business partnerships"),
        ("time", "period-recent-years", "recent years (up to March 2023)")]),
    # "These are record-high figures since Britain’s exit from the EU."
    *claim_rows("p4-s4", VASSILENKO, "record-high", S_P4_4,
                [*[("object", f, LABEL[f]) for f in RECORD_HIGH_FIGURES],
                 ("since", "brexit", LABEL["brexit"])]),
    # "The dynamic growth continues this year as well"
    *claim_rows("p4-s5", VASSILENKO, "continued growth", S_P4_5,
                [*[("object", f, LABEL[f]) for f in GROWTH_FIGURES],
                 ("time", "date-growth-continues", "2023")]),
    # "became significant milestones in the relationship between the EU and Kazakhstan, as
    # the 30th anniversary of the establishment of diplomatic relations approached"
    *claim_rows("p5", VASSILENKO, "milestone", S_P5, [
        *EU_KZ,
        ("context", "anniversary-30-diplomatic-relations", LABEL["anniversary-30-diplomatic-relations"]),
        ("object", "visit-charles-michel", "Visit of Charles Michel to Astana"),
        ("object", "visit-josep-borrell", "Visit of Josep Borrell")]),
    # "is now expected to visit this year": now = the briefing, 10 March 2023
    *claim_rows("p6", VASSILENKO, "expectation", S_P6, [
        ("object", "visit-ursula-von-der-leyen", LABEL["visit-ursula-von-der-leyen"]),
        ("time", "date-expectation-now", "10 March 2023")]),
    # "The EU-Kazakhstan cooperation is built on the ... (EPCA)" (the article's own voice)
    *claim_rows("p7", "The Astana Times", "built on", S_P7,
                [*EU_KZ, ("object", "epca", LABEL["epca"])]),
]  # fmt: skip

EVENT_PLACES: list[Row] = [
    # "ASTANA – ": the dateline is the only place the article gives the briefing
    {"event": kzr("briefing"), "eventLabel": LABEL["briefing"], "place": kzr("astana"),
     "placeLabel": "Astana", "placeBasis": "implied", "reading": READ_BRIEFING_PLACE,
     "evidence": "ASTANA", "start": at("ASTANA")[0], "end": at("ASTANA")[1]},
    # "the visits of European Council President Charles Michel to Astana in October"
    {"event": kzr("visit-charles-michel"), "eventLabel": "Visit of Charles Michel to Astana",
     "place": kzr("astana"), "placeLabel": "Astana", "placeBasis": "stated", "reading": None,
     "evidence": S_P5, "start": at(S_P5)[0], "end": at(S_P5)[1]},
    # "and of Josep Borrell, ..., in November": no place named
    {"event": kzr("visit-josep-borrell"), "eventLabel": "Visit of Josep Borrell",
     "place": kzr("kazakhstan"), "placeLabel": KZ, "placeBasis": "implied",
     "reading": READ_BORRELL_PLACE, "evidence": S_P5, "start": at(S_P5)[0], "end": at(S_P5)[1]},
    # "is now expected to visit this year": no place named
    {"event": kzr("visit-ursula-von-der-leyen"), "eventLabel": LABEL["visit-ursula-von-der-leyen"],
     "place": kzr("kazakhstan"), "placeLabel": KZ, "placeBasis": "implied",
     "reading": READ_UVDL_PLACE, "evidence": S_P6, "start": at(S_P6)[0], "end": at(S_P6)[1]},
]  # fmt: skip

EXPECTATIONS: list[Row] = [
    # "as the 30th anniversary ... approached this year" (Vassilenko, "He noted"): no time
    # is given for the expectation
    {"event": kzr("anniversary-30-diplomatic-relations"),
     "eventLabel": LABEL["anniversary-30-diplomatic-relations"], "classLabel": "anniversary",
     "date": "2023", "dateWords": "this year", "expectedSince": None,
     "expectedSinceWords": None, "byLabel": VASSILENKO, "reading": READ_ANNIVERSARY,
     **evidence(S_P5)},
    # "Ursula von der Leyen, is now expected to visit this year, added Vassilenko": now is
    # the briefing's day
    {"event": kzr("visit-ursula-von-der-leyen"), "eventLabel": LABEL["visit-ursula-von-der-leyen"],
     "classLabel": "visit", "date": "2023", "dateWords": "this year",
     "expectedSince": BRIEFING_DATE, "expectedSinceWords": "now", "byLabel": VASSILENKO,
     "reading": READ_UVDL_PLACE, **evidence(S_P6)},
]  # fmt: skip

# Each saved query, run with its header defaults, and its expected rows.
EXPECTED: dict[str, list[Row]] = {
    "article": ARTICLE_ROWS,
    "claims": CLAIMS,
    "event-places": EVENT_PLACES,
    "expectations": EXPECTATIONS,
    "qualified-figures": QUALIFIED_FIGURES,
    "cooperation-areas": COOPERATION_AREAS,
    "dataset-summary": DATASET_SUMMARY,
    "derived-values": DERIVED_VALUES,
    "entity": EU_ENTITY,
    "epca": EPCA,
    "events-by-status": EVENTS_BY_STATUS,
    "figures": FIGURES,
    "figures-by-measure": ALL_BY_MEASURE,
    "partner-rankings": PARTNER_RANKINGS,
    "people-and-posts": PEOPLE_AND_POSTS,
    "sentence-facts": SENTENCE_FACTS,
    "statements-by-person": VASSILENKO_STATEMENTS,
    "timeline": TIMELINE,
    "timeline-chart": TIMELINE_CHART,
    "visit-topics": VISIT_TOPICS,
    "visits": VISITS,
    "year-on-year": YEAR_ON_YEAR,
}

# ================================================================== the tests


def test_every_query_has_expected_rows() -> None:
    assert QUERY_NAMES, "no saved queries found"
    assert set(QUERY_NAMES) == set(EXPECTED)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_saved_query_returns_the_rows_read_off_the_article(graph: Graph, name: str) -> None:
    assert rows(graph, name) == EXPECTED[name]


# ------------------------------------------------------------------- parameters


@pytest.mark.parametrize(
    ("person", "expected"),
    [
        pytest.param(kzr("roman-vassilenko"), VASSILENKO_STATEMENTS, id="vassilenko"),
        # quoted or reported only Vassilenko; the others are only written about
        pytest.param(kzr("charles-michel"), [], id="michel"),
        pytest.param(kzr("josep-borrell"), [], id="borrell"),
        pytest.param(kzr("ursula-von-der-leyen"), [], id="von-der-leyen"),
        pytest.param(kzr("the-astana-times"), ASTANA_TIMES_STATEMENTS, id="astana-times"),
    ],
)
def test_statements_by_person_is_restricted_to_the_person(
    graph: Graph, person: str, expected: list[Row]
) -> None:
    assert rows(graph, "statements-by-person", {"person": person}) == expected


def test_every_statement_is_someones(graph: Graph) -> None:
    """The two speakers together account for all 13 statements, one per sentence."""
    both = [
        *rows(graph, "statements-by-person", {"person": kzr("roman-vassilenko")}),
        *rows(graph, "statements-by-person", {"person": kzr("the-astana-times")}),
    ]
    assert sorted(str(row["sentence"]) for row in both) == sorted(SENTENCES)


@pytest.mark.parametrize(
    ("entity", "expected"),
    [
        pytest.param(kzr("european-union"), EU_ENTITY, id="european-union"),
        pytest.param(kzr("astana"), ASTANA_ENTITY, id="astana"),
    ],
)
def test_entity_is_restricted_to_the_entity(graph: Graph, entity: str, expected: list[Row]) -> None:
    assert rows(graph, "entity", {"entity": entity}) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(None, EVENTS_BY_STATUS, id="absent"),
        # "is now expected to visit this year"; "approached this year"
        pytest.param("expected", status_rows("expected"), id="expected"),
        pytest.param("happened", status_rows("happened"), id="happened"),
    ],
)
def test_events_by_status_optional_parameter(
    graph: Graph, status: str | None, expected: list[Row]
) -> None:
    params = {"status": kzv(status)} if status else {}
    assert rows(graph, "events-by-status", params) == expected
    assert len(expected) == {None: 9, "expected": 2, "happened": 7}[status]


@pytest.mark.parametrize(
    ("measure", "expected"),
    [
        pytest.param(None, ALL_BY_MEASURE, id="absent"),
        # narrower concepts match: trade volume, its growth and the share of foreign trade
        pytest.param(
            "trade",
            by_measure(
                ("figure-eu-share-of-foreign-trade", "share-of-foreign-trade"),
                ("figure-eu-trade-volume-2022", "trade-volume"),
                ("figure-eu-trade-volume-growth-2022", "trade-volume-growth"),
            ),
            id="trade",
        ),
        pytest.param(
            "investment",
            by_measure(
                ("figure-eu-investment-inflow-2022-9m", "investment-inflow"),
                ("figure-eu-investment-inflow-growth-2022-9m", "investment-inflow-growth"),
                ("figure-eu-investment-stock", "investment-stock"),
            ),
            id="investment",
        ),
        pytest.param(
            "growth",
            by_measure(
                ("figure-eu-investment-inflow-growth-2022-9m", "investment-inflow-growth"),
                ("figure-eu-trade-volume-growth-2022", "trade-volume-growth"),
            ),
            id="growth",
        ),
        # a concept matches itself, and not its siblings or broader concepts
        pytest.param(
            "trade-volume",
            by_measure(("figure-eu-trade-volume-2022", "trade-volume")),
            id="trade-volume",
        ),
        pytest.param(
            "investment-stock",
            by_measure(("figure-eu-investment-stock", "investment-stock")),
            id="investment-stock",
        ),
    ],
)
def test_figures_by_measure_optional_parameter(
    graph: Graph, measure: str | None, expected: list[Row]
) -> None:
    params = {"measure": kzv(measure)} if measure else {}
    assert rows(graph, "figures-by-measure", params) == expected


def test_unknown_parameter_value_gives_no_rows(graph: Graph) -> None:
    assert rows(graph, "statements-by-person", {"person": kzr("nobody")}) == []
    assert rows(graph, "entity", {"entity": kzr("nothing")}) == []
    assert rows(graph, "events-by-status", {"status": kzv("cancelled")}) == []
    assert rows(graph, "figures-by-measure", {"measure": kzv("tourism")}) == []


# ------------------------------------------------------------ what the rows say


def test_figures_words_are_in_their_sentences(graph: Graph) -> None:
    for row in rows(graph, "figures"):
        assert str(row["statedAs"]) in str(row["sentence"]), row["figure"]


def test_offsets_and_values_are_typed_literals(graph: Graph) -> None:
    """Numbers come back typed, never as strings; dates keep their xsd type."""
    numeric = {XSD.integer, XSD.decimal, XSD.nonNegativeInteger, XSD.positiveInteger}
    for name in ("figures", "cooperation-areas", "statements-by-person", "sentence-facts",
                 "partner-rankings", "year-on-year", "derived-values", "epca"):  # fmt: skip
        for row in raw_rows(graph, name):
            for column in (
                "start",
                "end",
                "value",
                "minValue",
                "growth",
                "currentValue",
                "currentMinValue",
                "areaCount",
                "attributionStart",
                "attributionEnd",
            ):
                term = row.get(column)
                if term is None or (name == "derived-values" and column == "value"):
                    continue
                assert isinstance(term, Literal), (name, column)
                assert term.datatype in numeric, (name, column, term.datatype)
    dates = {XSD.date, XSD.gYearMonth, XSD.gYear}
    for name, column in (("visits", "date"), ("timeline", "date"), ("epca", "entryIntoForceDate")):
        for row in raw_rows(graph, name):
            term = row[column]
            if term is not None:
                assert isinstance(term, Literal), (name, column)
                assert term.datatype in dates, (name, column, term.datatype)
    # the derived 1993 is a year, the derived 2021 volume an integer with integer bounds,
    # the derived January and September 2022 year-months
    derived = raw_rows(graph, "derived-values")
    values = [row["value"] for row in derived]
    assert [v.datatype for v in values if isinstance(v, Literal)] == [
        XSD.gYear,
        XSD.gYear,
        XSD.integer,
        XSD.integer,
        XSD.gYearMonth,
        XSD.gYearMonth,
    ]
    for row in derived:
        for column in ("minValue", "maxValue"):
            term = row.get(column)
            assert term is None or (isinstance(term, Literal) and term.datatype == XSD.integer)


# ----------------------------------------------------------- the file format


SHOWCASE = {"figures", "visits", "cooperation-areas", "timeline", "year-on-year"}


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_file_header(name: str) -> None:
    assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name), name
    meta = header(name)
    assert set(meta) <= {
        "summary",
        "description",
        "tags",
        "defaults",
        "endpoint",
        "method",
        "columns",
        "values",
    }
    summary = meta.get("summary")
    assert isinstance(summary, str)
    assert summary.strip()
    assert "\n" not in summary.strip()
    description = meta.get("description")
    assert isinstance(description, str)
    assert len(description.strip()) > 40
    tags = meta.get("tags") or []
    assert isinstance(tags, list)
    assert set(tags) <= {"showcase"}
    assert ("showcase" in tags) == (name in SHOWCASE)
    # the header comes first: every line before the first PREFIX/SELECT is a #+ line
    text = query_text(name)
    first_code = next(
        i for i, line in enumerate(text.splitlines()) if line and not line.startswith("#+")
    )
    assert all(line.startswith("#+") for line in text.splitlines()[:first_code])
    assert first_code > 0


# Parameters the tests provide for queries whose required parameters have no default.
TEST_PROVIDED: dict[str, set[str]] = {}


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_parameters_are_grlc_style(name: str) -> None:
    found = parameters(name)
    for variable in found:
        assert VALID_PARAMETER.match(variable), (name, variable)
    short_names = {m.group(1) for v in found if (m := VALID_PARAMETER.match(v))}
    assert len(short_names) == len(found), (name, found)  # one variable per parameter
    required = {
        m.group(1) for v in found if (m := VALID_PARAMETER.match(v)) and not v.startswith("__")
    }
    provided = set(defaults(name)) | TEST_PROVIDED.get(name, set())
    assert required <= provided, (name, required - provided)
    # a default names a parameter of the query
    assert set(defaults(name)) <= short_names, name
    # every default is well typed for its variable
    for variable in found:
        match = VALID_PARAMETER.match(variable)
        assert match
        if match.group(1) in defaults(name):
            term = term_for(variable, defaults(name)[match.group(1)])
            if isinstance(term, Literal):
                assert not term.ill_typed, (name, variable)
            else:
                assert str(term).startswith("https://w3id.org/kzeu/"), (name, term)


def test_parameter_naming_rules() -> None:
    assert VALID_PARAMETER.match("_person_iri")
    assert VALID_PARAMETER.match("__status_iri")
    assert VALID_PARAMETER.match("_year_integer")
    assert VALID_PARAMETER.match("_name")
    assert not VALID_PARAMETER.match("_person_uri")  # unknown type
    assert not VALID_PARAMETER.match("___x_iri")
    assert not VALID_PARAMETER.match("_first_name_iri")  # the name has no underscore


def walk(node: object) -> Iterator[CompValue]:
    if isinstance(node, CompValue):
        yield node
        for value in node.values():
            yield from walk(value)
    elif isinstance(node, list | tuple):
        for item in node:
            yield from walk(item)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_is_portable_select(name: str) -> None:
    query = prepared(name)
    algebra = query.algebra
    assert algebra.name == "SelectQuery", name
    assert algebra.get("datasetClause") is None, f"{name}: FROM is not allowed"
    names = {part.name for part in walk(algebra)}
    assert "ServiceGraphPattern" not in names, name
    # ORDER BY at the top (under Project / Distinct / Slice), for a deterministic order
    top = algebra["p"]
    while top.name in {"Project", "Distinct", "Reduced", "Slice", "ToMultiSet"}:
        top = top["p"]
    assert top.name == "OrderBy", name
    # no functions outside SPARQL 1.1 (rdflib extensions are called by IRI)
    text = body(name)
    assert not re.search(r"\b(SERVICE|LOAD|FROM)\b", text), name
    functions = {
        str(part["iri"]) for part in walk(algebra) if part.name == "Function" and "iri" in part
    }
    assert functions == set(), (name, functions)


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_has_no_undeclared_prefix(name: str) -> None:
    """Each query declares its own prefixes (grlc and other engines predeclare none)."""
    declared = set(re.findall(r"^PREFIX\s+([A-Za-z][\w-]*|):", query_text(name), re.MULTILINE))
    text = re.sub(r'"[^"]*"', '""', body(name))
    text = re.sub(r"<[^>\s]*>", "<>", text)
    used = set(re.findall(r"(?<![\w?$])([A-Za-z][\w-]*):(?=[A-Za-z_])", text)) - {"PREFIX"}
    assert used <= declared, (name, used - declared)


# ------------------------------------------------------ another engine: Oxigraph


@pytest.fixture(scope="session")
def oxigraph() -> Any:
    """The same three files in a pyoxigraph Store (skipped where pyoxigraph is absent)."""
    ox: Any = pytest.importorskip("pyoxigraph")
    store = ox.Store()
    for path in (ONTOLOGY, REUSED_TERMS, DATA):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    return store


def with_inline_values(name: str, params: Mapping[str, str] | None) -> str:
    """The query with its parameters bound by a VALUES block opening the outer WHERE.

    This is how an engine without initBindings gets the same semantics: an inline VALUES
    is joined before the FILTERs run. (A trailing VALUES would not restrict a variable
    that is not projected, and pyoxigraph's ``substitutions`` makes BOUND() false.)
    """
    bound = bindings(name, params)
    text = query_text(name)
    if not bound:
        return text
    names = " ".join(f"?{variable}" for variable in bound)
    terms = " ".join(term.n3() for term in bound.values())
    assert text.count("WHERE {") >= 1, name
    return text.replace("WHERE {", f"WHERE {{\n  VALUES ({names}) {{ ({terms}) }}", 1)


def oxigraph_python(term: Any) -> object:
    """A pyoxigraph term as the same plain Python value as ``python`` gives for rdflib."""
    if term is None:
        return None
    kind = type(term).__name__
    if kind == "NamedNode":
        return str(term.value)
    if kind == "Literal":
        if term.language:
            return python(Literal(term.value, lang=term.language))
        return python(Literal(term.value, datatype=URIRef(term.datatype.value)))
    return str(term)


OXIGRAPH_CASES = [pytest.param(name, None, EXPECTED[name], id=name) for name in QUERY_NAMES] + [
    pytest.param("statements-by-person", {"person": kzr("charles-michel")}, [], id="michel"),
    pytest.param(
        "events-by-status", {"status": kzv("expected")}, status_rows("expected"), id="expected"
    ),
    pytest.param("entity", {"entity": kzr("astana")}, ASTANA_ENTITY, id="astana"),
    pytest.param(
        "figures-by-measure",
        {"measure": kzv("growth")},
        by_measure(
            ("figure-eu-investment-inflow-growth-2022-9m", "investment-inflow-growth"),
            ("figure-eu-trade-volume-growth-2022", "trade-volume-growth"),
        ),
        id="growth",
    ),
]


@pytest.mark.parametrize(("name", "params", "expected"), OXIGRAPH_CASES)
def test_query_gives_the_same_rows_on_oxigraph(
    oxigraph: Any, name: str, params: dict[str, str] | None, expected: list[Row]
) -> None:
    """Portability: Oxigraph returns the same rows, in the same order."""
    solutions = oxigraph.query(with_inline_values(name, params))
    columns = [variable.value for variable in solutions.variables]
    got = [{c: oxigraph_python(solution[c]) for c in columns} for solution in solutions]
    assert got == expected


# ------------------------------------------------------------ the library API


def library_rows(graph: Graph, name: str, params: Mapping[str, str]) -> list[Row] | None:
    """Rows from kzeu_graph.sparql.run.run_query, or None if the library is not there."""
    try:
        module: Any = importlib.import_module("kzeu_graph.sparql.run")
    except ImportError:
        return None
    result: Any = module.run_query(graph, name, dict(params), directory=QUERIES_DIR)
    return [{str(k): v for k, v in row.items()} for row in result.to_python()]


def same_rows(ours: list[Row], theirs: list[Row]) -> bool:
    """Equal up to how an unbound column is shown (missing key or None)."""

    def bound(row: Row) -> Row:
        return {k: v for k, v in row.items() if v is not None}

    return [bound(r) for r in ours] == [bound(r) for r in theirs]


LIBRARY_CASES = [pytest.param(name, {}, id=name) for name in QUERY_NAMES] + [
    pytest.param("statements-by-person", {"person": kzr("charles-michel")}, id="michel"),
    pytest.param("events-by-status", {"status": kzv("expected")}, id="expected"),
    pytest.param("figures-by-measure", {"measure": kzv("trade")}, id="trade"),
    pytest.param("entity", {"entity": kzr("astana")}, id="astana"),
]


@pytest.mark.parametrize(("name", "params"), LIBRARY_CASES)
def test_library_run_query_returns_the_same_rows(
    graph: Graph, name: str, params: dict[str, str]
) -> None:
    theirs = library_rows(graph, name, params)
    if theirs is None:
        pytest.skip("kzeu_graph.sparql.run.run_query is not available")
    assert same_rows(rows(graph, name, params), theirs)


def test_paths_exist() -> None:
    for path in (ONTOLOGY, REUSED_TERMS, DATA, ARTICLE_TEXT):
        assert Path(path).is_file(), path
