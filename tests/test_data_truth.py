"""Truth to the source: every value, date and name in data/ checked against the article.

The expected values in this module were read off the article by hand; the tests
check that the graph says exactly that, and that every piece of text the graph
quotes is where it says it is.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, SKOS, TIME, XSD
from rdflib.term import Node

from kzeu_graph.rdf.namespaces import KZEU, KZR, KZV, OA, SCHEMA, WD
from paths import ARTICLE_TEXT, DATA, ONTOLOGY, SHARED_ARTICLE_TEXT

ARTICLE = ARTICLE_TEXT.read_text(encoding="utf-8")
SHA256 = "dd7267e1d3acfd9c7b897573426b58ad8336876c3db2f6afa09aac16b34a4344"


@pytest.fixture(scope="session")
def data() -> Graph:
    """The data file alone, parsed directly (independent of the library's loader)."""
    return Graph().parse(DATA, format="turtle")


@pytest.fixture(scope="session")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def one(graph: Graph, subject: Node, predicate: URIRef) -> object:
    values = list(graph.objects(subject, predicate))
    assert len(values) == 1, f"{subject} {predicate}: {values}"
    value = values[0]
    return value.toPython() if isinstance(value, Literal) else value


def evidence_text(graph: Graph, fact: Node) -> str:
    """The oa:exact of the one text span that supports the fact as a whole (an annotation
    without kzeu:supportsProperty)."""
    texts = [
        str(exact)
        for annotation in graph.subjects(OA.hasBody, fact)
        if (annotation, KZEU.supportsProperty, None) not in graph
        for target in graph.objects(annotation, OA.hasTarget)
        for selector in graph.objects(target, OA.hasSelector)
        for exact in graph.objects(selector, OA.exact)
    ]
    assert len(texts) == 1, f"{fact}: {texts}"
    return texts[0]


def supporting_text(graph: Graph, fact: Node, prop: URIRef) -> list[str]:
    """The oa:exact of every span that supports one property of the fact."""
    return sorted(
        str(exact)
        for annotation in graph.subjects(OA.hasBody, fact)
        if (annotation, KZEU.supportsProperty, prop) in graph
        for target in graph.objects(annotation, OA.hasTarget)
        for selector in graph.objects(target, OA.hasSelector)
        for exact in graph.objects(selector, OA.exact)
    )


# ----------------------------------------------------------------- the source


def test_source_copy_is_byte_identical() -> None:
    assert hashlib.sha256(ARTICLE_TEXT.read_bytes()).hexdigest() == SHA256
    if SHARED_ARTICLE_TEXT.exists():
        assert ARTICLE_TEXT.read_bytes() == SHARED_ARTICLE_TEXT.read_bytes()
    assert len(ARTICLE) == 2266  # code points, as the shared README says


def test_article_metadata(data: Graph) -> None:
    article = KZR.article
    assert (article, RDF.type, SCHEMA.NewsArticle) in data
    assert one(data, article, SCHEMA.headline) == ARTICLE.split("\n")[0]
    assert (
        one(data, article, SCHEMA.headline)
        == "Kazakhstan-EU Cooperation Developing in All Directions"
    )
    # "Source : astanatimes.com/2023/03/" — the URL as the article gives it
    assert f"Source : {one(data, article, SCHEMA.url)} " in ARTICLE
    published = next(data.objects(article, SCHEMA.datePublished))
    assert isinstance(published, Literal)
    assert (str(published), published.datatype) == ("2023-03", XSD.gYearMonth)
    assert one(data, article, SCHEMA.inLanguage) == "en"
    assert one(data, article, SCHEMA.dateline) == "ASTANA"
    assert ARTICLE.split("\n")[1].startswith("ASTANA – ")
    assert one(data, article, SCHEMA.publisher) == KZR["the-astana-times"]
    assert one(data, article, SCHEMA.sha256) == SHA256
    assert one(data, article, KZEU.textFile) == ARTICLE_TEXT.name
    # headline, dateline and source line rest on their own spans
    assert supporting_text(data, article, SCHEMA.headline) == [ARTICLE.split("\n")[0]]
    assert supporting_text(data, article, SCHEMA.dateline) == ["ASTANA"]
    source_line = ARTICLE.split("\n")[-1]
    assert source_line == "Source : astanatimes.com/2023/03/ For More Details"
    assert supporting_text(data, article, SCHEMA.url) == [source_line]
    assert supporting_text(data, article, SCHEMA.publisher) == [source_line]


def test_dataset_description_claims_only_what_is_checked(data: Graph) -> None:
    """The description promised "every fact ... anchored to the span of the sentence";
    it now says what the tests of this module check, and no more."""
    description = str(one(data, KZR.dataset, DCTERMS.description))
    assert "Every fact" not in description
    for checked in ("span", "attribution", "tests check against the text", "editors"):
        assert checked in description, checked


# ------------------------------------------------------------------ text spans


def test_every_exact_is_the_text_at_its_offsets(data: Graph) -> None:
    checked = 0
    for target in data.subjects(RDF.type, OA.SpecificResource):
        assert one(data, target, OA.hasSource) == KZR.article
        selectors = list(data.objects(target, OA.hasSelector))
        (quote,) = [s for s in selectors if (s, RDF.type, OA.TextQuoteSelector) in data]
        (position,) = [s for s in selectors if (s, RDF.type, OA.TextPositionSelector) in data]
        start = one(data, position, OA.start)
        end = one(data, position, OA.end)
        assert isinstance(start, int)
        assert isinstance(end, int)
        exact = one(data, quote, OA.exact)
        assert ARTICLE[start:end] == exact, target
        # W3C Web Annotation: oa:prefix / oa:suffix are the text just before / after (here
        # up to 32 code points, within the line: none at a line's start or end), so
        # prefix + exact + suffix is the text at the position's offsets, and occurs once
        at_line_start = start == 0 or ARTICLE[start - 1] == "\n"
        at_line_end = end == len(ARTICLE) or ARTICLE[end] == "\n"
        assert at_line_start == ((quote, OA.prefix, None) not in data), target
        assert at_line_end == ((quote, OA.suffix, None) not in data), target
        prefix = "" if at_line_start else str(one(data, quote, OA.prefix))
        suffix = "" if at_line_end else str(one(data, quote, OA.suffix))
        assert "\n" not in prefix + suffix
        assert 0 < len(prefix) <= 32 or at_line_start
        assert 0 < len(suffix) <= 32 or at_line_end
        assert ARTICLE[start - len(prefix) : start] == prefix, target
        assert ARTICLE[end : end + len(suffix)] == suffix, target
        assert ARTICLE.count(prefix + str(exact) + suffix) == 1, target
        checked += 1
    # 13 sentences + 16 area mentions + headline, dateline, source line + 6 attributions
    assert checked == 13 + 16 + 3 + 6


def test_prefix_and_suffix_disambiguate_repeated_words(data: Graph) -> None:
    """Four quoted phrases occur twice in the article; their selectors tell them apart."""
    repeated = []
    for quote in data.subjects(RDF.type, OA.TextQuoteSelector):
        exact = str(one(data, quote, OA.exact))
        if ARTICLE.count(exact) > 1:
            repeated.append(exact)
            prefix = str(one(data, quote, OA.prefix))
            suffix = str(one(data, quote, OA.suffix))
            assert ARTICLE.count(prefix + exact + suffix) == 1
    assert sorted(repeated) == sorted(
        ["education", "rare earth metals", "rare earth metals", "transport"]
    )


def test_sentences_are_whole_sentences(data: Graph) -> None:
    """A sentence span starts at a sentence start and ends at a sentence end."""
    for target in data.subjects(RDF.type, OA.SpecificResource):
        if not str(target).startswith(str(KZR["sentence-"])):
            continue
        (position,) = [
            s for s in data.objects(target, OA.hasSelector) if (s, OA.start, None) in data
        ]
        start = one(data, position, OA.start)
        end = one(data, position, OA.end)
        assert isinstance(start, int)
        assert isinstance(end, int)
        before = ARTICLE[max(0, start - 2) : start]
        after = ARTICLE[end : end + 1]
        # preceded by a line break, "ASTANA – ", an opening quote or ". "
        assert before in {"\n", "– ", ". "} or before.endswith(("\n", "“")), (target, before)
        # followed by a line break or a space, or a closing ",” (end of a quotation)
        # or the end of the quote before ",” said ...
        assert after in {"\n", " ", ","}, (target, after)


# -------------------------------------------------------------------- figures

# Read off the article by hand. (value, unit code, measure, period, comparison
# period, exactness, stated by, the words that state the value, sentence start)
FIGURES = {
    # "The EU has invested $160 billion in Kazakhstan" (narration, no period)
    "figure-eu-investment-stock": (
        Decimal(160_000_000_000), "USD", "investment-stock", None, None,
        "as-stated", "the-astana-times", "$160 billion", "The EU has invested",
    ),
    # "In the first nine months of 2022, the inflow of European investments
    #  increased by 10 percent and exceeded $8 billion."  (Vassilenko, quoted)
    "figure-eu-investment-inflow-growth-2022-9m": (
        Decimal(10), "P1", "investment-inflow-growth", "period-2022-first-nine-months", None,
        "as-stated", "roman-vassilenko", "10 percent", "In the first nine months",
    ),
    "figure-eu-investment-inflow-2022-9m": (
        Decimal(8_000_000_000), "USD", "investment-inflow", "period-2022-first-nine-months", None,
        "lower-bound", "roman-vassilenko", "exceeded $8 billion", "In the first nine months",
    ),
    # "The EU accounts for approximately 30 percent of Kazakhstan’s foreign trade."
    "figure-eu-share-of-foreign-trade": (
        Decimal(30), "P1", "share-of-foreign-trade", None, None,
        "approximate", "roman-vassilenko", "approximately 30 percent", "The EU accounts",
    ),
    # "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent,
    #  reaching $40 billion."
    "figure-eu-trade-volume-growth-2022": (
        Decimal("27.6"), "P1", "trade-volume-growth", "year-2022", "year-2021",
        "as-stated", "roman-vassilenko", "by 27.6 percent", "In 2022, the volume",
    ),
    "figure-eu-trade-volume-2022": (
        Decimal(40_000_000_000), "USD", "trade-volume", "year-2022", None,
        "as-stated", "roman-vassilenko", "reaching $40 billion", "In 2022, the volume",
    ),
    # "... entered into full force in March 2020 covering 29 areas of cooperation"
    "figure-epca-area-count": (
        Decimal(29), "C62", "cooperation-area-count", None, None,
        "as-stated", "the-astana-times", "29 areas of cooperation", "The EU-Kazakhstan",
    ),
}  # fmt: skip

SCALE = {"billion": 10**9, "percent": 1, "areas": 1}


def number_in_words(words: str) -> Decimal:
    """Read the number the article writes: '$160 billion' -> 160000000000."""
    match = re.search(r"\$?(\d+(?:\.\d+)?) (billion|percent|areas)", words)
    assert match, words
    return Decimal(match.group(1)) * SCALE[match.group(2)]


NUMBER = re.compile(r"\$?\d+(?:\.\d+)? (?:billion|percent|areas)")


def test_the_article_states_exactly_these_figures(data: Graph) -> None:
    figures = {str(f).removeprefix(str(KZR)) for f in data.subjects(RDF.type, KZEU.Figure)}
    assert figures == set(FIGURES)
    # every amount the article writes (dates, "30th" and "first nine" are not amounts)
    in_article = NUMBER.findall(ARTICLE)
    assert in_article == ["$160 billion", "10 percent", "$8 billion", "30 percent",
                          "27.6 percent", "$40 billion", "29 areas"]  # fmt: skip
    in_graph = [NUMBER.findall(words) for *_, words, _ in FIGURES.values()]
    assert sorted(w for (w,) in in_graph) == sorted(in_article)


@pytest.mark.parametrize("name", sorted(FIGURES))
def test_figure(data: Graph, name: str) -> None:
    value, unit, measure, period, base, exactness, who, words, sentence = FIGURES[name]
    figure = KZR[name]
    if exactness == "lower-bound":
        # a bound is a bound: schema:minValue only, never schema:value
        assert (figure, SCHEMA.value, None) not in data
        assert Decimal(str(one(data, figure, SCHEMA.minValue))) == value
    else:
        assert Decimal(str(one(data, figure, SCHEMA.value))) == value
    assert number_in_words(words) == value
    assert one(data, figure, SCHEMA.unitCode) == unit
    assert one(data, figure, KZEU.measure) == KZV[measure]
    assert list(data.objects(figure, DCTERMS.temporal)) == ([KZR[period]] if period else [])
    assert list(data.objects(figure, KZEU.comparisonPeriod)) == ([KZR[base]] if base else [])
    assert one(data, figure, KZEU.exactness) == KZV[exactness]
    assert one(data, figure, PROV.wasAttributedTo) == KZR[who]
    assert one(data, figure, KZEU.statedAs) == words
    text = evidence_text(data, figure)
    assert text.startswith(sentence)
    assert words in text
    # the qualifier the article uses is the one recorded
    qualifier = {"approximately": "approximate", "exceeded $": "lower-bound"}
    expected = next((v for k, v in qualifier.items() if k in words), "as-stated")
    assert exactness == expected
    if exactness != "lower-bound":
        assert (figure, SCHEMA.minValue, None) not in data
    # the speaker of a quoted figure rests on the attribution words
    expected_attribution = ["reported Vassilenko"] if who == "roman-vassilenko" else []
    assert supporting_text(data, figure, PROV.wasAttributedTo) == expected_attribution


# "the inflow of European investments": the EU is a reading, not the text's words
IMPLIED_SUBJECT = {
    "figure-eu-investment-inflow-2022-9m",
    "figure-eu-investment-inflow-growth-2022-9m",
}


def test_figure_subjects(data: Graph) -> None:
    for name in FIGURES:
        stated = list(data.objects(KZR[name], SCHEMA.observationAbout))
        implied = list(data.objects(KZR[name], KZEU.impliedObservationAbout))
        assert (stated, implied)[name in IMPLIED_SUBJECT] != []
        assert (implied, stated)[name in IMPLIED_SUBJECT] == []
        about = (stated + implied)[0]
        expected = KZR.epca if name == "figure-epca-area-count" else KZR["european-union"]
        assert about == expected
        if name in IMPLIED_SUBJECT:
            assert "European investments" in evidence_text(data, KZR[name])
            assert "European investments" in str(one(data, KZR[name], KZEU.reading))
        counterparts = list(data.objects(KZR[name], KZEU.counterpart))
        assert counterparts == ([] if about == KZR.epca else [KZR.kazakhstan])


# ----------------------------------------------------------------------- dates

# instant -> (lexical value, datatype, unit, basis, stated as)
DATES = {
    "date-briefing": ("2023-03-10", XSD.date, TIME.unitDay, "resolved-from-article-date", "March 10"),
    "date-visit-charles-michel": ("2022-10", XSD.gYearMonth, TIME.unitMonth, "resolved-from-article-date", "in October"),
    "date-visit-josep-borrell": ("2022-11", XSD.gYearMonth, TIME.unitMonth, "resolved-from-article-date", "in November"),
    "date-visit-ursula-von-der-leyen": ("2023", XSD.gYear, TIME.unitYear, "resolved-from-article-date", "this year"),
    "date-epca-entry-into-full-force": ("2020-03", XSD.gYearMonth, TIME.unitMonth, "stated", "in March 2020"),
    "date-anniversary-30-diplomatic-relations": ("2023", XSD.gYear, TIME.unitYear, "resolved-from-article-date", "this year"),
    "date-establishment-of-diplomatic-relations": ("1993", XSD.gYear, TIME.unitYear, "derived", None),
    "date-launch-of-new-cooperation-areas": ("2022", XSD.gYear, TIME.unitYear, "resolved-from-article-date", "Last year"),
    # "the first nine months of 2022" names neither January nor September: derived
    "month-2022-01": ("2022-01", XSD.gYearMonth, TIME.unitMonth, "derived", None),
    "month-2022-09": ("2022-09", XSD.gYearMonth, TIME.unitMonth, "derived", None),
    "year-2022": ("2022", XSD.gYear, TIME.unitYear, "stated", "In 2022"),
    "year-2021": ("2021", XSD.gYear, TIME.unitYear, "stated", "the 2021 figure"),
    # "The dynamic growth continues this year as well"
    "date-growth-continues": ("2023", XSD.gYear, TIME.unitYear, "resolved-from-article-date", "this year"),
    # "is now expected to visit": now = the briefing of 10 March 2023
    "date-expectation-now": ("2023-03-10", XSD.date, TIME.unitDay, "resolved-from-article-date", "now"),
}  # fmt: skip

DATE_PROPERTY = {XSD.date: TIME.inXSDDate, XSD.gYearMonth: TIME.inXSDgYearMonth}


def test_exactly_these_instants(data: Graph) -> None:
    instants = {str(i).removeprefix(str(KZR)) for i in data.subjects(RDF.type, TIME.Instant)}
    assert instants == set(DATES)


@pytest.mark.parametrize("name", sorted(DATES))
def test_date_keeps_the_precision_of_the_text(data: Graph, name: str) -> None:
    lexical, datatype, unit, basis, stated = DATES[name]
    instant = KZR[name]
    values = [
        (p, o)
        for p in (TIME.inXSDDate, TIME.inXSDgYearMonth, TIME.inXSDgYear)
        for o in data.objects(instant, p)
    ]
    assert len(values) == 1
    prop, literal = values[0]
    assert prop == DATE_PROPERTY.get(datatype, TIME.inXSDgYear)
    assert isinstance(literal, Literal)
    assert (str(literal), literal.datatype) == (lexical, datatype)
    assert one(data, instant, TIME.unitType) == unit
    assert one(data, instant, KZEU.dateBasis) == KZV[basis]
    assert list(data.objects(instant, KZEU.statedAs)) == ([Literal(stated)] if stated else [])
    if stated is not None:
        # precision follows the words: a day number -> a day; a month name -> a month
        has_day = re.search(r"\b\d{1,2}\b", stated) is not None or stated == "now"
        has_month = re.search(r"January|March|October|November", stated) is not None
        assert datatype == (XSD.date if has_day else XSD.gYearMonth if has_month else XSD.gYear)


def test_dated_events_and_where_their_words_are(data: Graph) -> None:
    expected = {
        "briefing": "date-briefing",
        "visit-charles-michel": "date-visit-charles-michel",
        "visit-josep-borrell": "date-visit-josep-borrell",
        "visit-ursula-von-der-leyen": "date-visit-ursula-von-der-leyen",
        "epca-entry-into-full-force": "date-epca-entry-into-full-force",
        "anniversary-30-diplomatic-relations": "date-anniversary-30-diplomatic-relations",
        "establishment-of-diplomatic-relations": "date-establishment-of-diplomatic-relations",
        "launch-of-new-cooperation-areas": "date-launch-of-new-cooperation-areas",
    }
    for event, instant in expected.items():
        assert one(data, KZR[event], TIME.hasTime) == KZR[instant]
        stated = DATES[instant][4]
        if stated is not None:
            assert stated in evidence_text(data, KZR[event]), event
    assert (KZR.brexit, TIME.hasTime, None) not in data  # the article gives no date


def test_periods(data: Graph) -> None:
    # "In the first nine months of 2022" = January to September 2022. A year ("In 2022",
    # "the 2021 figure") is an instant of year precision, not an interval that would
    # begin and end with the same instant (OWL-Time: a proper interval begins before it ends).
    periods = {
        "period-2022-first-nine-months": ("month-2022-01", "month-2022-09", "the first nine months of 2022"),
    }  # fmt: skip
    assert {
        str(p).removeprefix(str(KZR)) for p in data.subjects(RDF.type, TIME.ProperInterval)
    } == set(periods)
    for name, (begin, end, stated) in periods.items():
        assert one(data, KZR[name], TIME.hasBeginning) == KZR[begin]
        assert one(data, KZR[name], TIME.hasEnd) == KZR[end]
        assert one(data, KZR[name], KZEU.statedAs) == stated
        assert stated in ARTICLE
        first = one(data, KZR[name], TIME.hasBeginning)
        last = one(data, KZR[name], TIME.hasEnd)
        assert isinstance(first, URIRef)
        assert isinstance(last, URIRef)
        assert first != last
        # the months are derived from the words, with their input and method
        for month in (first, last):
            assert (month, RDF.type, KZEU.DerivedValue) in data
            assert one(data, month, PROV.wasDerivedFrom) == KZR[name]
            assert "first nine months" in str(one(data, month, KZEU.derivationMethod))
    for figure in ("figure-eu-trade-volume-2022", "figure-eu-trade-volume-growth-2022"):
        assert one(data, KZR[figure], DCTERMS.temporal) == KZR["year-2022"]
    assert (
        one(data, KZR["figure-eu-trade-volume-growth-2022"], KZEU.comparisonPeriod)
        == KZR["year-2021"]
    )


def test_recent_years_is_vague(data: Graph) -> None:
    # "in recent years": no beginning or end the text does not give
    period = KZR["period-recent-years"]
    assert one(data, period, RDF.type) == TIME.Interval
    assert one(data, period, KZEU.dateBasis) == KZV.vague
    assert one(data, period, KZEU.statedAs) == "in recent years"
    assert "in recent years" in ARTICLE
    assert (period, TIME.hasBeginning, None) not in data
    assert (period, TIME.hasEnd, None) not in data


def test_resolution_rule_is_documented(ontology: Graph) -> None:
    definition = str(one(ontology, KZV["resolved-from-article-date"], SKOS.definition))
    for words in ("this year", "last year", "March 2023", "October", "now"):
        assert words in definition


# ---------------------------------------------------------------------- events

# event -> (class, status); "became significant milestones" = happened,
# "is now expected to visit" / "approached this year" = expected
EVENTS = {
    "briefing": ("Briefing", "happened"),
    "visit-charles-michel": ("Visit", "happened"),
    "visit-josep-borrell": ("Visit", "happened"),
    "visit-ursula-von-der-leyen": ("Visit", "expected"),
    "epca-entry-into-full-force": ("EntryIntoForce", "happened"),
    "establishment-of-diplomatic-relations": ("EstablishmentOfRelations", "happened"),
    "anniversary-30-diplomatic-relations": ("Anniversary", "expected"),
    "brexit": ("Withdrawal", "happened"),
    "launch-of-new-cooperation-areas": ("CooperationLaunch", "happened"),
}


@pytest.mark.parametrize("name", sorted(EVENTS))
def test_event(data: Graph, ontology: Graph, name: str) -> None:
    cls, status = EVENTS[name]
    assert one(data, KZR[name], RDF.type) == KZEU[cls]
    assert (KZEU[cls], RDFS.subClassOf, SCHEMA.Event) in ontology
    assert one(data, KZR[name], KZEU.eventStatus) == KZV[status]


def test_every_event_is_listed(data: Graph, ontology: Graph) -> None:
    event_classes = set(ontology.subjects(RDFS.subClassOf, SCHEMA.Event))
    events = {s for c in event_classes for s in data.subjects(RDF.type, c)}
    assert {str(e).removeprefix(str(KZR)) for e in events} == set(EVENTS)


def test_briefing(data: Graph) -> None:
    # "... said Deputy Foreign Minister Roman Vassilenko at a Central
    #  Communications Service briefing on March 10."
    text = evidence_text(data, KZR.briefing)
    assert "at a Central Communications Service briefing on March 10" in text
    assert one(data, KZR.briefing, SCHEMA.organizer) == KZR["central-communications-service"]
    assert one(data, KZR.briefing, SCHEMA.performer) == KZR["roman-vassilenko"]
    # "ASTANA – ": the dateline is the only place the article gives; implied, on its span
    assert list(data.objects(KZR.briefing, SCHEMA.location)) == []
    assert one(data, KZR.briefing, KZEU.impliedLocation) == KZR.astana
    assert supporting_text(data, KZR.briefing, KZEU.impliedLocation) == ["ASTANA"]
    assert "dateline" in str(one(data, KZR.briefing, KZEU.reading))


VISITS = {
    # visit -> (visitor, post, stated place, implied place, words giving the post)
    "visit-charles-michel": (
        "charles-michel", "post-president-of-the-european-council", "astana", None,
        "European Council President Charles Michel to Astana",
    ),
    # "and of Josep Borrell, ..., in November": no place named; a milestone "in the
    # relationship between the EU and Kazakhstan" supports Kazakhstan, not Astana
    "visit-josep-borrell": (
        "josep-borrell", "post-high-representative-and-vice-president", None, "kazakhstan",
        "Josep Borrell, EU’s High Representative for Foreign Affairs and Security Policy and "
        "Vice-President of the European Commission",
    ),
    "visit-ursula-von-der-leyen": (
        "ursula-von-der-leyen", "post-president-of-the-european-commission", None, "kazakhstan",
        "President of the European Commission, Ursula von der Leyen, is now expected to visit",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(VISITS))
def test_visit(data: Graph, name: str) -> None:
    visitor, post, place, implied, words = VISITS[name]
    visit = KZR[name]
    assert one(data, visit, KZEU.visitor) == KZR[visitor]
    assert one(data, visit, KZEU.visitorPost) == KZR[post]
    assert one(data, KZR[post], ORG.heldBy) == KZR[visitor]
    assert list(data.objects(visit, SCHEMA.location)) == ([KZR[place]] if place else [])
    assert list(data.objects(visit, KZEU.impliedLocation)) == ([KZR[implied]] if implied else [])
    assert words in evidence_text(data, visit)


def test_expected_visit_topics(data: Graph) -> None:
    # "to further advance discussions on cooperation in rare earth metals and
    #  critical raw materials, among other things"
    visit = KZR["visit-ursula-von-der-leyen"]
    topics = set(data.objects(visit, SCHEMA.about))
    assert topics == {KZR["area-rare-earth-metals"], KZR["area-critical-raw-materials"]}
    assert one(data, visit, KZEU.listIsExhaustive) is False


def test_new_areas_are_an_open_list(data: Graph) -> None:
    # "new areas such as rare earth metals, ...": "such as" opens the list
    assert "new areas such as" in evidence_text(data, KZR["launch-of-new-cooperation-areas"])
    assert one(data, KZR["launch-of-new-cooperation-areas"], KZEU.listIsExhaustive) is False


def test_anniversary_and_derived_establishment_year(data: Graph) -> None:
    # "as the 30th anniversary of the establishment of diplomatic relations
    #  approached this year": 2023 - 30 = 1993, marked as derived
    anniversary = KZR["anniversary-30-diplomatic-relations"]
    assert one(data, anniversary, KZEU.ordinal) == 30
    assert "the 30th anniversary" in evidence_text(data, anniversary)
    assert (
        one(data, anniversary, KZEU.anniversaryOf) == KZR["establishment-of-diplomatic-relations"]
    )
    year = KZR["date-establishment-of-diplomatic-relations"]
    assert (year, RDF.type, KZEU.DerivedValue) in data
    assert int(DATES["date-anniversary-30-diplomatic-relations"][0]) - 30 == 1993
    assert KZR["date-anniversary-30-diplomatic-relations"] in set(
        data.objects(year, PROV.wasDerivedFrom)
    )
    assert "2023 - 30 = 1993" in str(one(data, year, KZEU.derivationMethod))


# ---------------------------------------------------------------- derived values


def test_derived_trade_volume_2021(data: Graph) -> None:
    # "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent,
    #  reaching $40 billion."  ->  2021 = 40e9 / 1.276
    derived = KZR["derived-eu-trade-volume-2021"]
    # $40 billion is as stated (no qualifier); 27.6 percent may be rounded: 27.55 to 27.65
    assert one(data, KZR["figure-eu-trade-volume-2022"], KZEU.exactness) == KZV["as-stated"]
    low = Decimal(40_000_000_000) / Decimal("1.2765")
    high = Decimal(40_000_000_000) / Decimal("1.2755")
    assert (low, high) > (Decimal(31_335_683_509), Decimal(31_360_250_881))
    # the bounds, rounded outwards to the million; the value, to the four significant
    # digits the whole range shares (31.3357 ... 31.3603 billion -> 31.35 billion)
    assert one(data, derived, SCHEMA.minValue) == 31_335_000_000 <= low
    assert one(data, derived, SCHEMA.maxValue) == 31_361_000_000 >= high
    assert one(data, derived, SCHEMA.value) == 31_350_000_000
    central = Decimal(40_000_000_000) / Decimal("1.276")
    assert central.quantize(Decimal("1E7")) == 31_350_000_000
    method = str(one(data, derived, KZEU.derivationMethod))
    assert "both inputs are rounded" not in method
    for words in (
        "taken as stated",
        "27.55",
        "27.65",
        "31335000000",
        "31361000000",
        "four significant",
    ):
        assert words in method, words
    assert set(data.objects(derived, PROV.wasDerivedFrom)) == {
        KZR["figure-eu-trade-volume-2022"],
        KZR["figure-eu-trade-volume-growth-2022"],
    }
    assert one(data, derived, DCTERMS.temporal) == KZR["year-2021"]
    assert one(data, derived, KZEU.exactness) == KZV.approximate
    # derived values are never stated figures and carry no text evidence
    assert (derived, RDF.type, KZEU.Figure) not in data
    assert not list(data.subjects(OA.hasBody, derived))


def test_derived_values_are_exactly_these(data: Graph) -> None:
    assert set(data.subjects(RDF.type, KZEU.DerivedValue)) == {
        KZR["derived-eu-trade-volume-2021"],
        KZR["date-establishment-of-diplomatic-relations"],
        KZR["month-2022-01"],
        KZR["month-2022-09"],
    }


# ----------------------------------------------------------------- the agreement


def test_epca(data: Graph) -> None:
    # "the Enhanced Partnership and Cooperation Agreement (EPCA), which entered
    #  into full force in March 2020 covering 29 areas of cooperation, including
    #  in the spheres of the economy, trade, and investment, education and
    #  research, civil society and human rights, among others."
    epca = KZR.epca
    name = one(data, epca, SCHEMA.name)
    abbreviation = one(data, epca, SCHEMA.alternateName)
    assert f"{name} ({abbreviation})" in ARTICLE
    assert set(data.objects(epca, KZEU.party)) == {KZR["european-union"], KZR.kazakhstan}
    assert one(data, KZR["epca-entry-into-full-force"], KZEU.agreement) == epca
    assert set(data.objects(epca, DCTERMS.subject)) == {
        KZR["area-economy-trade-and-investment"],
        KZR["area-education-and-research"],
        KZR["area-civil-society-and-human-rights"],
    }
    assert one(data, epca, KZEU.listIsExhaustive) is False


# ------------------------------------------------------------- cooperation areas

# (area, role, context) per mention, in the order the article names them
MENTIONS = [
    # P1: "in trade and investment, transport, energy, agriculture, travel, and education"
    ("trade-and-investment", "area-being-strengthened", "statement-p1"),
    ("transport", "area-being-strengthened", "statement-p1"),
    ("energy", "area-being-strengthened", "statement-p1"),
    ("agriculture", "area-being-strengthened", "statement-p1"),
    ("travel", "area-being-strengthened", "statement-p1"),
    ("education", "area-being-strengthened", "statement-p1"),
    # von der Leyen's visit: "cooperation in rare earth metals and critical raw materials"
    ("rare-earth-metals", "visit-topic", "visit-ursula-von-der-leyen"),
    ("critical-raw-materials", "visit-topic", "visit-ursula-von-der-leyen"),
    # EPCA: "the economy, trade, and investment, education and research, civil society and human rights"
    ("economy-trade-and-investment", "agreement-area", "epca"),
    ("education-and-research", "agreement-area", "epca"),
    ("civil-society-and-human-rights", "agreement-area", "epca"),
    # "new areas such as rare earth metals, green hydrogen, batteries, transport,
    #  and logistics potential development, and the diversification of commodity supply chains"
    ("rare-earth-metals", "new-area-launched", "launch-of-new-cooperation-areas"),
    ("green-hydrogen", "new-area-launched", "launch-of-new-cooperation-areas"),
    ("batteries", "new-area-launched", "launch-of-new-cooperation-areas"),
    ("transport-and-logistics-potential-development", "new-area-launched", "launch-of-new-cooperation-areas"),
    ("diversification-of-commodity-supply-chains", "new-area-launched", "launch-of-new-cooperation-areas"),
]  # fmt: skip


def span_start(graph: Graph, fact: Node) -> int:
    (start,) = [
        start.toPython()
        for annotation in graph.subjects(OA.hasBody, fact)
        if (annotation, KZEU.supportsProperty, None) not in graph
        for target in graph.objects(annotation, OA.hasTarget)
        for selector in graph.objects(target, OA.hasSelector)
        for start in graph.objects(selector, OA.start)
        if isinstance(start, Literal)
    ]
    assert isinstance(start, int)
    return start


def test_area_mentions_in_article_order(data: Graph) -> None:
    found = []
    for mention in data.subjects(RDF.type, KZEU.AreaMention):
        assert isinstance(mention, URIRef)
        area = one(data, mention, KZEU.area)
        assert isinstance(area, URIRef)
        words = evidence_text(data, mention)
        # the concept's label is the article's words, less the serial comma
        assert str(one(data, area, SKOS.prefLabel)) == words.replace(", and", " and")
        context = one(data, mention, KZEU.mentionContext)
        assert isinstance(context, URIRef)
        # the words lie inside the sentence of the context they are mentioned in
        sentence = evidence_text(data, context)
        start = span_start(data, mention)
        context_start = span_start(data, context)
        assert context_start <= start < context_start + len(sentence)
        found.append(
            (
                start,
                str(area).removeprefix(str(KZR) + "area-"),
                str(one(data, mention, KZEU.mentionRole)).removeprefix(str(KZV)),
                str(context).removeprefix(str(KZR)),
            )
        )
    assert [row[1:] for row in sorted(found)] == MENTIONS


def test_area_scheme_has_every_named_area_once(data: Graph) -> None:
    areas = set(data.subjects(SKOS.inScheme, KZR["cooperation-areas"]))
    assert {str(a).removeprefix(str(KZR) + "area-") for a in areas} == {m[0] for m in MENTIONS}
    assert len(areas) == 15  # 6 + 5 new + 1 more visit topic + 3 EPCA spheres


# ------------------------------------------------------------------- statements

# statement -> (class, speaker, at the briefing?); quotation marks make a direct
# quote, "said"/"noted"/"added"/"outlined" reported speech, and the rest is the
# article's own voice.
# the words that attribute each speech to its speaker (None: the article's own voice)
ATTRIBUTION = {
    "statement-p1": "said Deputy Foreign Minister Roman Vassilenko",
    "statement-p2": "Vassilenko outlined",
    "statement-p4-s1": "reported Vassilenko",
    "statement-p4-s2": "reported Vassilenko",
    "statement-p4-s3": "reported Vassilenko",
    "statement-p4-s4": "reported Vassilenko",
    "statement-p4-s5": "reported Vassilenko",
    "statement-p5": "He noted",
    "statement-p6": "added Vassilenko",
    "statement-p8": "said Vassilenko",
}

STATEMENTS = {
    "statement-p1": ("ReportedSpeech", "roman-vassilenko", True),
    "statement-p2": ("ReportedSpeech", "roman-vassilenko", True),
    "statement-p3-s1": ("Narration", "the-astana-times", False),
    "statement-p3-s2": ("Narration", "the-astana-times", False),
    "statement-p4-s1": ("DirectQuote", "roman-vassilenko", True),
    "statement-p4-s2": ("DirectQuote", "roman-vassilenko", True),
    "statement-p4-s3": ("DirectQuote", "roman-vassilenko", True),
    "statement-p4-s4": ("DirectQuote", "roman-vassilenko", True),
    "statement-p4-s5": ("DirectQuote", "roman-vassilenko", True),
    "statement-p5": ("ReportedSpeech", "roman-vassilenko", True),
    "statement-p6": ("ReportedSpeech", "roman-vassilenko", True),
    "statement-p7": ("Narration", "the-astana-times", False),
    "statement-p8": ("DirectQuote", "roman-vassilenko", True),
}


@pytest.mark.parametrize("name", sorted(STATEMENTS))
def test_statement(data: Graph, name: str) -> None:
    cls, speaker, at_briefing = STATEMENTS[name]
    statement = KZR[name]
    assert one(data, statement, RDF.type) == KZEU[cls]
    assert one(data, statement, PROV.wasAttributedTo) == KZR[speaker]
    assert list(data.objects(statement, KZEU.madeAt)) == ([KZR.briefing] if at_briefing else [])
    text = evidence_text(data, statement)
    start = ARTICLE.index(text)
    quoted = ARTICLE[start - 1] == "“" or ARTICLE.rfind("“", 0, start) > ARTICLE.rfind(
        "”", 0, start
    )
    assert quoted == (cls == "DirectQuote"), name
    # the speaker rests on the attribution words, which follow the quotation's close
    # or lie in the sentence
    words = ATTRIBUTION.get(name)
    assert supporting_text(data, statement, PROV.wasAttributedTo) == ([words] if words else [])
    if words is not None:
        assert ARTICLE.count(words) == 1
        at = ARTICLE.index(words)
        if cls == "DirectQuote":
            assert ARTICLE[ARTICLE.rfind("”", 0, at) - 1 : at] == ",” "
        else:
            assert at >= start
            assert at + len(words) <= start + len(text)


def test_statements_cover_every_sentence_of_the_body(data: Graph) -> None:
    """Every sentence between the headline and the source line is a statement."""
    body = ARTICLE.split("\n")[1:-1]
    covered = sorted(ARTICLE.index(evidence_text(data, KZR[name])) for name in STATEMENTS)
    paragraph_starts = [ARTICLE.index(p) for p in body]
    for start in paragraph_starts:
        # the paragraph's first sentence starts at the paragraph (after a
        # dateline or an opening quotation mark)
        assert any(0 <= c - start <= len("ASTANA – ") for c in covered), start
    assert len(covered) == 13


# ----------------------------------------------------------------- actors, names

# actor -> the words the article uses for it
ACTORS = {
    "roman-vassilenko": "Roman Vassilenko",
    "charles-michel": "Charles Michel",
    "josep-borrell": "Josep Borrell",
    "ursula-von-der-leyen": "Ursula von der Leyen",
    "european-union": "European Union",
    "european-commission": "European Commission",
    "european-council": "European Council",
    "ministry-of-foreign-affairs-of-kazakhstan": "the ministry’s",
    "central-communications-service": "Central Communications Service",
    "the-astana-times": "astanatimes.com",
    "kazakhstan": "Kazakhstan",
    "united-kingdom": "Britain",
    "astana": "Astana",
}


@pytest.mark.parametrize("name", sorted(ACTORS))
def test_actor_is_in_the_article(data: Graph, name: str) -> None:
    assert ACTORS[name] in ARTICLE
    actor = KZR[name]
    names = {str(n) for n in data.objects(actor, SCHEMA.name)} | {
        str(n) for n in data.objects(actor, SCHEMA.alternateName)
    }
    assert names, name
    # a name the article writes is recorded as it writes it
    if ACTORS[name][0].isupper() and ACTORS[name] != "Britain":
        assert ACTORS[name] in names


POSTS = {
    # post -> (holder, organisations, the words of the article)
    "post-deputy-foreign-minister-of-kazakhstan": (
        "roman-vassilenko", {"ministry-of-foreign-affairs-of-kazakhstan"},
        "Deputy Foreign Minister Roman Vassilenko",
    ),
    "post-president-of-the-european-council": (
        "charles-michel", {"european-council"}, "European Council President Charles Michel",
    ),
    "post-high-representative-and-vice-president": (
        "josep-borrell", {"european-union", "european-commission"},
        "EU’s High Representative for Foreign Affairs and Security Policy and Vice-President of "
        "the European Commission",
    ),
    "post-president-of-the-european-commission": (
        "ursula-von-der-leyen", {"european-commission"},
        "President of the European Commission, Ursula von der Leyen",
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(POSTS))
def test_post(data: Graph, name: str) -> None:
    holder, organisations, words = POSTS[name]
    post = KZR[name]
    assert one(data, post, ORG.heldBy) == KZR[holder]
    assert {str(o).removeprefix(str(KZR)) for o in data.objects(post, ORG.postIn)} == organisations
    assert words in ARTICLE
    assert words in evidence_text(data, post)
    label = str(one(data, post, RDFS.label))
    assert label in words or label == "President of the European Council"


def test_posts_are_exactly_these(data: Graph) -> None:
    posts = {str(p).removeprefix(str(KZR)) for p in data.subjects(RDF.type, ORG.Post)}
    assert posts == set(POSTS)


# Wikidata identifiers recorded only where certain (checked by hand).
WIKIDATA = {
    "kazakhstan": "Q232",
    "european-union": "Q458",
    "united-kingdom": "Q145",
    "astana": "Q1520",
    "ursula-von-der-leyen": "Q60772",
    "european-commission": "Q8880",
    "european-council": "Q8886",  # not the Council of the EU (Q8896)
}


def test_wikidata_links_only_where_certain(data: Graph) -> None:
    links = {
        str(s).removeprefix(str(KZR)): str(o).removeprefix(str(WD))
        for s, o in data.subject_objects(SKOS.exactMatch)
    }
    assert links == WIKIDATA
    assert not list(data.triples((None, URIRef("http://www.w3.org/2002/07/owl#sameAs"), None)))


# ------------------------------------------------------------------ rankings


def test_rankings(data: Graph) -> None:
    # "making it the largest investment partner. It is also the largest trading
    #  partner of the country."
    expected = {
        "ranking-eu-largest-investment-partner": ("investment", "the largest investment partner"),
        "ranking-eu-largest-trading-partner": ("trade", "the largest trading partner"),
    }
    assert {
        str(r).removeprefix(str(KZR)) for r in data.subjects(RDF.type, KZEU.PartnerRanking)
    } == set(expected)
    for name, (measure, words) in expected.items():
        ranking = KZR[name]
        assert one(data, ranking, KZEU.partner) == KZR["european-union"]
        assert one(data, ranking, KZEU.rankedFor) == KZR.kazakhstan
        assert one(data, ranking, KZEU.rank) == 1
        assert one(data, ranking, KZEU.measure) == KZV[measure]
        assert one(data, ranking, KZEU.statedAs) == words
        assert words in evidence_text(data, ranking)


# ----------------------------------------------------------- integrity of the file


def test_no_dangling_references(data: Graph, ontology: Graph) -> None:
    defined = set(data.subjects()) | set(ontology.subjects())
    dangling = {
        term
        for triple in data
        for term in triple[1:]
        if isinstance(term, URIRef)
        and str(term).startswith("https://w3id.org/kzeu/")
        and term not in defined
    }
    assert dangling == {URIRef("https://w3id.org/kzeu/ontology")} - defined


def test_every_fact_has_provenance(data: Graph, ontology: Graph) -> None:
    event_classes = set(ontology.subjects(RDFS.subClassOf, SCHEMA.Event))
    facts = (
        set(data.subjects(RDF.type, KZEU.Figure))
        | {s for c in event_classes for s in data.subjects(RDF.type, c)}
        | {s for c in (KZEU.DirectQuote, KZEU.ReportedSpeech, KZEU.Narration)
           for s in data.subjects(RDF.type, c)}
    )  # fmt: skip
    assert len(facts) == 7 + 9 + 13
    for fact in facts:
        assert (fact, PROV.wasDerivedFrom, KZR.article) in data
        evidence_text(data, fact)


# ------------------------------------------------------------------- claims (issue 11)

# What each statement asserts beyond figures, events and rankings, read off the article:
# statement -> (claim type, agents, objects, time, since, context, words in the sentence)
CLAIMS = {
    # "The European Union and Kazakhstan are strengthening bilateral cooperation
    #  opportunities in trade and investment, transport, energy, agriculture, travel, and education"
    "p1": ("strengthening-cooperation", {"european-union", "kazakhstan"},
           {"area-trade-and-investment", "area-transport", "area-energy", "area-agriculture",
            "area-travel", "area-education"}, None, None, None, "are strengthening bilateral cooperation"),
    # "the ministry’s efforts in boosting investment exchanges and establishing business
    #  partnerships in recent years"
    "p2": ("efforts", {"ministry-of-foreign-affairs-of-kazakhstan"},
           {"activity-boosting-investment-exchanges", "activity-establishing-business-partnerships"},
           "period-recent-years", None, None, "efforts in boosting investment exchanges"),
    # "These are record-high figures since Britain’s exit from the EU."
    "p4-s4": ("record-high", set(),
              {"figure-eu-investment-inflow-2022-9m", "figure-eu-investment-inflow-growth-2022-9m",
               "figure-eu-trade-volume-2022", "figure-eu-trade-volume-growth-2022"},
              None, "brexit", None, "record-high figures since Britain’s exit"),
    # "The dynamic growth continues this year as well"
    "p4-s5": ("continued-growth", set(),
              {"figure-eu-investment-inflow-growth-2022-9m", "figure-eu-trade-volume-growth-2022"},
              "date-growth-continues", None, None, "growth continues this year"),
    # "the visits of ... Charles Michel ... and of Josep Borrell ... became significant
    #  milestones in the relationship between the EU and Kazakhstan, as the 30th
    #  anniversary ... approached this year"
    "p5": ("milestone", {"european-union", "kazakhstan"},
           {"visit-charles-michel", "visit-josep-borrell"}, None, None,
           "anniversary-30-diplomatic-relations", "significant milestones in the relationship"),
    # "Ursula von der Leyen, is now expected to visit this year"
    "p6": ("expectation", set(), {"visit-ursula-von-der-leyen"}, "date-expectation-now", None, None,
           "is now expected to visit"),
    # "The EU-Kazakhstan cooperation is built on the Enhanced Partnership and Cooperation Agreement"
    "p7": ("built-on", {"european-union", "kazakhstan"}, {"epca"}, None, None, None,
           "cooperation is built on the Enhanced Partnership"),
}  # fmt: skip


def locals_of(graph: Graph, subject: Node, predicate: URIRef) -> set[str]:
    return {str(o).removeprefix(str(KZR)) for o in graph.objects(subject, predicate)}


@pytest.mark.parametrize("part", sorted(CLAIMS))
def test_claim_is_data(data: Graph, part: str) -> None:
    ctype, agents, objects, when, since, context, words = CLAIMS[part]
    claim = KZR[f"claim-{part}"]
    assert (KZR[f"statement-{part}"], KZEU.reports, claim) in data
    assert one(data, claim, KZEU.claimType) == KZV[ctype]
    assert locals_of(data, claim, KZEU.claimAgent) == agents
    assert locals_of(data, claim, KZEU.claimObject) == objects
    assert locals_of(data, claim, DCTERMS.temporal) == ({when} if when else set())
    assert locals_of(data, claim, KZEU.since) == ({since} if since else set())
    assert locals_of(data, claim, KZEU.claimContext) == ({context} if context else set())
    assert words in evidence_text(data, claim)
    assert evidence_text(data, claim) == evidence_text(data, KZR[f"statement-{part}"])


def test_claims_are_exactly_these(data: Graph) -> None:
    claims = {str(c).removeprefix(str(KZR["claim-"])) for c in data.subjects(RDF.type, KZEU.Claim)}
    assert claims == set(CLAIMS)


def test_readings_are_written_down(data: Graph) -> None:
    """Every reading the editors chose is in the data, beside what it is about."""
    readings = {
        "claim-p4-s4": '"These" is read as',
        "claim-p4-s5": '"The dynamic growth" is read as',
        "claim-p6": "without saying by whom",
        "statement-p5": '"He" is read as Roman Vassilenko',
        "figure-eu-investment-inflow-2022-9m": "European investments",
        "visit-josep-borrell": "Kazakhstan",
        "visit-ursula-von-der-leyen": "Kazakhstan",
        "briefing": "dateline",
        "anniversary-30-diplomatic-relations": "approached this year",
    }
    for node, words in readings.items():
        assert words in str(one(data, KZR[node], KZEU.reading)), node


def test_anniversary_status_reading(data: Graph) -> None:
    # "as the 30th anniversary ... approached this year": ahead of the visits of
    # October/November 2022, in 2023; never said to have happened
    anniversary = KZR["anniversary-30-diplomatic-relations"]
    assert one(data, anniversary, KZEU.eventStatus) == KZV.expected
    assert "approached this year" in evidence_text(data, anniversary)


def test_activities_of_the_ministry(data: Graph) -> None:
    for activity, words in (
        ("activity-boosting-investment-exchanges", "boosting investment exchanges"),
        ("activity-establishing-business-partnerships", "establishing business partnerships"),
    ):
        node = KZR[activity]
        assert str(one(data, node, RDFS.label)).lower() == words
        assert words in evidence_text(data, node)
        assert (
            one(data, node, PROV.wasAssociatedWith)
            == KZR["ministry-of-foreign-affairs-of-kazakhstan"]
        )
        assert one(data, node, DCTERMS.temporal) == KZR["period-recent-years"]


# names and links the text does not give: marked editorial, with their basis
EDITORIAL_NAMES = {
    "ministry-of-foreign-affairs-of-kazakhstan",
    "the-astana-times",
    "united-kingdom",
}


@pytest.mark.parametrize("name", sorted(ACTORS))
def test_name_basis(data: Graph, name: str) -> None:
    actor = KZR[name]
    written = str(one(data, actor, SCHEMA.name)) in ARTICLE
    basis = one(data, actor, KZEU.nameBasis)
    assert written == (name not in EDITORIAL_NAMES)
    assert basis == KZV["name-editorial" if name in EDITORIAL_NAMES else "name-in-text"]
    notes = list(data.objects(actor, SKOS.editorialNote))
    assert bool(notes) == (name in EDITORIAL_NAMES)


def test_related_areas_are_editorial(data: Graph) -> None:
    assert not list(data.triples((None, SKOS.related, None)))
    links = {
        (str(a).removeprefix(str(KZR)), str(b).removeprefix(str(KZR)))
        for a, b in data.subject_objects(KZEU.editorialRelated)
    }
    assert links == {
        ("area-economy-trade-and-investment", "area-trade-and-investment"),
        ("area-education-and-research", "area-education"),
        ("area-transport-and-logistics-potential-development", "area-transport"),
    }
    for area, _ in links:
        assert "Editorial link, not made by the article" in str(
            one(data, KZR[area], SKOS.editorialNote)
        )
