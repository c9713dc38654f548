"""A synthetic corpus in the kzeu model, for scale tests and benchmarks.

``generate_corpus(n, folder)`` writes ``folder/corpus.nt`` (or ``.ttl``) and
``folder/sources/``: the shipped graph and its article (the corpus grows from the real
article), plus ``n`` generated news articles, each with its own text file. Every
generated article has a publisher, a date (day or month precision), a briefing by an
official who holds a post, figures (values, units, exactness, periods, a derived base
value), visits done or expected, and some of: an anniversary with a derived date, an
agreement with its entry into force, a partner ranking, a launch of cooperation; every
fact is a statement's report or an event, each anchored by an ``oa:Annotation`` to the
code-point span of its sentence (or words) in the article's text. The corpus conforms to
the project's shapes, and the saved queries return rows on it.

Output is streamed (triples are written as they are made; nothing is held in an rdflib
graph) and deterministic: the same ``seed`` and ``articles`` give the same bytes, and a
corpus of ``n`` articles is the first ``n`` of a larger one.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from kzeu_graph import resources
from kzeu_graph.atomic import atomic_open, atomic_write
from kzeu_graph.errors import InputError
from kzeu_graph.rdf.prefixes import PREFIX_IRIS
from kzeu_graph.rdf.terms import ntriples_escape

__all__ = ["CORPUS_FORMATS", "CorpusStats", "generate_corpus", "source_file_name"]

CorpusFormat = Literal["nt", "ttl"]
CORPUS_FORMATS: tuple[str, ...] = ("nt", "ttl")
MAX_ARTICLES = 1_000_000
PEOPLE_PER_SIDE = 240  # officials of the focal countries, and envoys of the partners

KZR = PREFIX_IRIS["kzr"]
KZEU = PREFIX_IRIS["kzeu"]
KZV = PREFIX_IRIS["kzv"]
XSD = PREFIX_IRIS["xsd"]
RDF_TYPE = f"<{PREFIX_IRIS['rdf']}type>"
RDFS = PREFIX_IRIS["rdfs"]
SCHEMA = PREFIX_IRIS["schema"]
PROV = PREFIX_IRIS["prov"]
OA = PREFIX_IRIS["oa"]
ORG = PREFIX_IRIS["org"]
TIME = PREFIX_IRIS["time"]
SKOS = PREFIX_IRIS["skos"]
DCTERMS = PREFIX_IRIS["dcterms"]

# Turtle output: the prefixes of the one table that the corpus uses
_PREFIXES = {
    prefix: PREFIX_IRIS[prefix]
    for prefix in ("kzr", "kzeu", "kzv", "xsd", "rdfs", "schema", "prov", "oa", "org", "time",
                   "skos", "dcterms")
}  # fmt: skip


def _iri(namespace: str, local: str) -> str:
    return f"<{namespace}{local}>"


def kzr(local: str) -> str:
    return _iri(KZR, local)


def _p(namespace: str) -> Callable[[str], str]:
    return lambda local: _iri(namespace, local)


kzeu, kzv, schema, prov, oa, org, time_, skos, dcterms, rdfs = map(
    _p, (KZEU, KZV, SCHEMA, PROV, OA, ORG, TIME, SKOS, DCTERMS, RDFS)
)
A = RDF_TYPE


def lit(text: str) -> str:
    """A plain (xsd:string) literal in N-Triples syntax."""
    return f'"{ntriples_escape(text)}"'


def en(text: str) -> str:
    return f'"{ntriples_escape(text)}"@en'


def typed(lexical: str | int, datatype: str) -> str:
    return f'"{lexical}"^^<{XSD}{datatype}>'


def source_file_name(index: int) -> str:
    """The text file name of generated article ``index`` (1-based)."""
    return f"synthetic-{index:07d}.txt"


# ------------------------------------------------------------------ word lists

FIRST_NAMES = [
    "Aigerim", "Nurlan", "Dana", "Yerlan", "Saule", "Timur", "Aliya", "Marat", "Gulnara",
    "Askar", "Zhanar", "Daniyar", "Madina", "Ruslan", "Ainur", "Bauyrzhan", "Anna", "Jürgen",
    "Sophie", "Luca", "Zoë", "Łukasz", "Inês", "Mikkel", "Ólafur", "Elena", "Pieter", "Ségolène",
    "Mateja", "Dāvis", "Eva", "Tomás", "Ingrid", "Marco", "Katarzyna", "José", "Agnès",
    "Henrik", "Chiara", "Nikolaos", "Bahodir", "Dilnoza", "Farrukh", "Kanykei", "Azamat",
    "Shahlo", "Rustam", "Gulshan",
]  # fmt: skip
LAST_NAMES = [
    "Abenova", "Seitkali", "Zhaksylykov", "Nurpeisova", "Tulegenov", "Omarova", "Kassymov",
    "Bekova", "Suleimenov", "Dzhaksybekov", "Iskakova", "Mukhametov", "Schäfer", "Dubois",
    "Rossi", "Nowak", "García", "Jansen", "Müller", "Lefèvre", "Costa", "Novák", "Horváth",
    "Kowalczyk", "Berzins", "Lindqvist", "Papadopoulos", "O’Brien", "Van den Berg", "Fernández",
    "Kristensen", "Esposito", "Wójcik", "Dvořák", "Niemi", "Popescu", "Kovač", "Murphy",
    "Tursunov", "Karimova", "Rakhimov", "Usmonova", "Abdullaev", "Sadykova", "Toktogulov",
    "Ergeshova", "Nazarov", "Rahimova",
]  # fmt: skip

# (IRI local name, name, capital city local name, capital name); the first is the shipped one.
FOCAL_COUNTRIES = [
    ("kazakhstan", "Kazakhstan", "astana", "Astana"),
    ("country-uzbekistan", "Uzbekistan", "city-tashkent", "Tashkent"),
    ("country-kyrgyzstan", "Kyrgyzstan", "city-bishkek", "Bishkek"),
    ("country-tajikistan", "Tajikistan", "city-dushanbe", "Dushanbe"),
    ("country-turkmenistan", "Turkmenistan", "city-ashgabat", "Ashgabat"),
]
PARTNER_COUNTRIES = [
    ("country-germany", "Germany", "city-berlin", "Berlin"),
    ("country-france", "France", "city-paris", "Paris"),
    ("country-italy", "Italy", "city-rome", "Rome"),
    ("country-poland", "Poland", "city-warsaw", "Warsaw"),
    ("country-spain", "Spain", "city-madrid", "Madrid"),
    ("country-netherlands", "the Netherlands", "city-amsterdam", "Amsterdam"),
    ("country-austria", "Austria", "city-vienna", "Vienna"),
    ("country-hungary", "Hungary", "city-budapest", "Budapest"),
]
EU = ("european-union", "the European Union", "city-brussels", "Brussels")
SHIPPED_PLACES = {"kazakhstan", "astana"}
# (IRI local name, name); the first is the shipped one.
PUBLISHERS = [
    ("the-astana-times", "The Astana Times"),
    ("publisher-steppe-herald", "The Steppe Herald"),
    ("publisher-caspian-daily", "Caspian Daily"),
    ("publisher-silk-road-review", "Silk Road Review"),
    ("publisher-eurasia-business-wire", "Eurasia Business Wire"),
    ("publisher-central-asia-monitor", "Central Asia Monitor"),
]
BRIEFING_ORGANIZERS = [
    ("central-communications-service", "Central Communications Service"),
    ("org-press-centre", "Government Press Centre"),
    ("org-foreign-policy-institute", "Institute of Foreign Policy Studies"),
]
# (title, organisation IRI prefix, organisation name prefix): the country completes both.
FOCAL_POSTS = [
    ("Deputy Foreign Minister", "ministry-of-foreign-affairs-of-", "Ministry of Foreign Affairs of "),
    ("Minister of Trade and Integration", "ministry-of-trade-and-integration-of-", "Ministry of Trade and Integration of "),
    ("Deputy Prime Minister", "government-of-", "Government of "),
    ("Minister of Energy", "ministry-of-energy-of-", "Ministry of Energy of "),
    ("Special Representative for European Affairs", "ministry-of-foreign-affairs-of-", "Ministry of Foreign Affairs of "),
    ("Minister of Industry", "ministry-of-industry-of-", "Ministry of Industry of "),
]  # fmt: skip
PARTNER_POSTS = [
    ("european-commission", "European Commission", "European Commissioner for Trade"),
    ("european-commission", "European Commission", "Executive Vice-President of the European Commission"),
    ("european-council", "European Council", "Special Envoy of the European Council"),
    ("org-european-parliament", "European Parliament", "Chair of the Delegation for Central Asia"),
    ("org-european-external-action-service", "European External Action Service", "EU Special Representative for Central Asia"),
    ("org-european-investment-bank", "European Investment Bank", "Vice-President of the European Investment Bank"),
]  # fmt: skip
SHIPPED_ORGS = {"european-union", "european-commission", "european-council", "the-astana-times",
                "central-communications-service", "ministry-of-foreign-affairs-of-kazakhstan"}  # fmt: skip
# (IRI local name, label); the first fifteen are the shipped concepts.
AREAS = [
    ("area-trade-and-investment", "trade and investment"),
    ("area-transport", "transport"),
    ("area-energy", "energy"),
    ("area-agriculture", "agriculture"),
    ("area-travel", "travel"),
    ("area-education", "education"),
    ("area-rare-earth-metals", "rare earth metals"),
    ("area-green-hydrogen", "green hydrogen"),
    ("area-batteries", "batteries"),
    ("area-critical-raw-materials", "critical raw materials"),
    ("area-digital-transformation", "digital transformation"),
    ("area-water-management", "water management"),
    ("area-cybersecurity", "cybersecurity"),
    ("area-tourism", "tourism"),
    ("area-pharmaceuticals", "pharmaceuticals"),
    ("area-climate-action", "climate action"),
    ("area-renewable-energy", "renewable energy"),
    ("area-logistics", "logistics"),
    ("area-higher-education", "higher education"),
    ("area-food-security", "food security"),
    ("area-space-research", "space research"),
    ("area-health", "health"),
    ("area-border-management", "border management"),
    ("area-culture", "culture"),
]
SHIPPED_AREAS = {local for local, _ in AREAS[:10]}
MONTHS = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
]  # fmt: skip
ORDINAL_WORDS = {10: "10th", 15: "15th", 20: "20th", 25: "25th", 30: "30th"}
AGREEMENT_KINDS = [
    ("Enhanced Partnership and Cooperation Agreement", "EPCA"),
    ("Strategic Partnership Agreement", "SPA"),
    ("Memorandum on Raw Materials and Batteries", "MRMB"),
    ("Agreement on Transport Connectivity", "ATC"),
    ("Green Energy Partnership", "GEP"),
]
FILLER = [
    "The sides also discussed regional security and connectivity.",
    "Both delegations praised the pace of the talks.",
    "Further consultations are planned at the expert level.",
    "Business representatives attended the meeting as observers.",
    "The talks took place in a constructive atmosphere.",
]


# ------------------------------------------------------------------ output


class _Writer:
    """Writes triples as N-Triples lines, or as Turtle with the project prefixes."""

    def __init__(self, handle: IO[str], fmt: CorpusFormat) -> None:
        self.handle = handle
        self.fmt = fmt
        self.count = 0
        if fmt == "ttl":
            for prefix, namespace in _PREFIXES.items():
                handle.write(f"@prefix {prefix}: <{namespace}> .\n")
            handle.write("\n")

    def raw_ntriples(self, text: str, count: int) -> None:
        """Lines of N-Triples (also valid Turtle)."""
        self.handle.write(text)
        self.count += count

    def write(self, triples: list[tuple[str, str, str]]) -> None:
        self.count += len(triples)
        if self.fmt == "nt":
            self.handle.write("".join(f"{s} {p} {o} .\n" for s, p, o in triples))
            return
        lines = []
        previous = None
        for s, p, o in triples:
            if s == previous:
                lines.append(f" ;\n    {_compact(p)} {_compact(o)}")
            else:
                if previous is not None:
                    lines.append(" .\n")
                lines.append(f"{_compact(s)} {_compact(p)} {_compact(o)}")
                previous = s
        if previous is not None:
            lines.append(" .\n")
        self.handle.write("".join(lines))


def _safe_local(local: str) -> bool:
    return bool(local) and local[0].isalnum() and all(c.isalnum() or c in "-_" for c in local)


def _compact(term: str) -> str:
    """An N-Triples term as Turtle: ``<ns#x>`` -> ``prefix:x`` where the local name allows."""
    if term == RDF_TYPE:
        return "a"
    if term.startswith("<"):
        iri = term[1:-1]
        for prefix, namespace in _PREFIXES.items():
            if iri.startswith(namespace) and _safe_local(iri[len(namespace) :]):
                return f"{prefix}:{iri[len(namespace) :]}"
        return term
    if term.endswith(">") and f"^^<{XSD}" in term:
        lexical, _, datatype = term.rpartition("^^<")
        return f"{lexical}^^xsd:{datatype[len(XSD) : -1]}"
    return term


@contextlib.contextmanager
def _atomic_text_file(path: Path) -> Iterator[IO[str]]:
    """A UTF-8 text file written in place of ``path`` only when the block succeeds."""
    with atomic_open(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="\n")
        yield text
        text.flush()
        text.detach()  # atomic_open closes the binary file


# ------------------------------------------------------------------ text with offsets


class _Sentence:
    """A sentence built from pieces, remembering the code-point span of marked pieces."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.marks: dict[str, tuple[int, int]] = {}
        self.length = 0

    def add(self, text: str, mark: str | None = None) -> _Sentence:
        if mark is not None:
            self.marks[mark] = (self.length, self.length + len(text))
        self.parts.append(text)
        self.length += len(text)
        return self

    @property
    def text(self) -> str:
        return "".join(self.parts)


class _Text:
    """An article's text, built left to right; Python string indices are code points."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0

    def add(self, text: str) -> int:
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        return start

    @property
    def text(self) -> str:
        return "".join(self.parts)


# ------------------------------------------------------------------ the corpus


@dataclass(frozen=True)
class CorpusStats:
    """What ``generate_corpus`` wrote."""

    articles: int  # generated articles (the shipped one comes on top)
    triples: int  # triples in the data file, the shipped graph's included
    data_file: Path
    sources_dir: Path
    bytes: int  # size of the data file


@dataclass(frozen=True)
class _Person:
    local: str
    name: str
    post_local: str
    post_title: str
    org_local: str
    org_name: str


class _Corpus:
    """Shared entities (people, posts, places, periods...), emitted once, on first use."""

    def __init__(self, seed: int) -> None:
        self.seed = seed
        self.emitted: set[str] = set()
        self.out: list[tuple[str, str, str]] = []
        # A fixed pool, whatever the size of the corpus, so that a corpus of n articles is
        # the first n of a larger one; people are written when first named.
        self.officials = [self._person(k, "focal") for k in range(PEOPLE_PER_SIDE)]
        self.envoys = [self._person(k, "partner") for k in range(PEOPLE_PER_SIDE)]

    def _person(self, k: int, side: str) -> _Person:
        offset = 0 if side == "focal" else len(FIRST_NAMES) // 2
        first = FIRST_NAMES[(k + offset) % len(FIRST_NAMES)]
        last = LAST_NAMES[(k // len(FIRST_NAMES) + k * 7 + offset) % len(LAST_NAMES)]
        if side == "focal":
            country_local, country_name, _, _ = FOCAL_COUNTRIES[k % len(FOCAL_COUNTRIES)]
            title, org_prefix, org_name_prefix = FOCAL_POSTS[k % len(FOCAL_POSTS)]
            org_local = org_prefix + country_local.removeprefix("country-")
            org_name = org_name_prefix + country_name
        else:
            org_local, org_name, title = PARTNER_POSTS[k % len(PARTNER_POSTS)]
        local = f"person-{side}-{k}"
        return _Person(local, f"{first} {last}", f"post-{side}-{k}", title, org_local, org_name)

    def take(self) -> list[tuple[str, str, str]]:
        """The shared nodes' triples written since the last call."""
        out, self.out = self.out, []
        return out

    def once(self, key: str) -> bool:
        if key in self.emitted:
            return False
        self.emitted.add(key)
        return True

    # -- shared nodes

    def place(self, local: str, name: str, kind: str) -> str:
        if local not in SHIPPED_PLACES and local != "european-union" and self.once(local):
            node = kzr(local)
            self.out += [
                (node, A, schema(kind)),
                (node, rdfs("label"), en(name.removeprefix("the "))),
                (node, schema("name"), lit(name.removeprefix("the "))),
            ]
        return kzr(local)

    def organisation(self, local: str, name: str, kind: str = "GovernmentOrganization") -> str:
        if local not in SHIPPED_ORGS and self.once(local):
            node = kzr(local)
            self.out += [
                (node, A, schema(kind)),
                (node, A, org("FormalOrganization")),
                (node, A, prov("Organization")),
                (node, rdfs("label"), en(name)),
                (node, schema("name"), lit(name)),
            ]
        return kzr(local)

    def person(self, person: _Person) -> str:
        node = kzr(person.local)
        if self.once(person.local):
            post = kzr(person.post_local)
            org_node = self.organisation(person.org_local, person.org_name)
            self.out += [
                (node, A, schema("Person")),
                (node, A, prov("Person")),
                (node, rdfs("label"), en(person.name)),
                (node, schema("name"), lit(person.name)),
                (post, A, org("Post")),
                (post, rdfs("label"), en(person.post_title)),
                (post, org("postIn"), org_node),
                (post, org("heldBy"), node),
            ]
        return node

    def area(self, index: int) -> str:
        local, label = AREAS[index]
        if local not in SHIPPED_AREAS and self.once(local):
            node = kzr(local)
            self.out += [
                (node, A, skos("Concept")),
                (node, skos("inScheme"), kzr("cooperation-areas")),
                (node, skos("prefLabel"), en(label)),
            ]
        return kzr(local)

    def instant(self, value: str, precision: str) -> str:
        """A shared instant of the stated calendar: a year, or a month."""
        local = f"instant-{value}"
        if self.once(local):
            node = kzr(local)
            prop, datatype, unit = _precision(precision)
            self.out += [
                (node, A, time_("Instant")),
                (node, rdfs("label"), en(_date_label(value))),
                (node, time_(prop), typed(value, datatype)),
                (node, time_("unitType"), time_(unit)),
                (node, kzeu("dateBasis"), kzv("stated")),
            ]
        return kzr(local)

    def period(self, year: int, months: int = 12) -> str:
        """A shared period: a calendar year (an instant of year precision, as in the shipped
        graph: a proper interval must begin before it ends), or its first ``months`` months."""
        if months == 12:
            return self.instant(str(year), "year")
        local = f"period-{year}-first-{months}-months"
        if self.once(local):
            node = kzr(local)
            begin = self.instant(f"{year}-01", "month")
            end = self.instant(f"{year}-{months:02d}", "month")
            label = f"January–{MONTHS[months - 1]} {year}"
            self.out += [
                (node, A, time_("ProperInterval")),
                (node, rdfs("label"), en(label)),
                (node, time_("hasBeginning"), begin),
                (node, time_("hasEnd"), end),
                (node, kzeu("dateBasis"), kzv("stated")),
            ]
        return kzr(local)


def _precision(precision: str) -> tuple[str, str, str]:
    return {
        "day": ("inXSDDate", "date", "unitDay"),
        "month": ("inXSDgYearMonth", "gYearMonth", "unitMonth"),
        "year": ("inXSDgYear", "gYear", "unitYear"),
    }[precision]


def _date_label(value: str) -> str:
    parts = value.split("-")
    if len(parts) == 1:
        return value
    month = MONTHS[int(parts[1]) - 1]
    return f"{month} {parts[0]}" if len(parts) == 2 else f"{int(parts[2])} {month} {parts[0]}"


def _money(rng: random.Random, low: int, high: int) -> tuple[int, str]:
    """A dollar amount in billions as the press writes it: ($ value, "$4.5 billion")."""
    tenths = rng.randint(low * 10, high * 10)
    whole, tenth = divmod(tenths, 10)
    text = f"${whole}.{tenth} billion" if tenth else f"${whole} billion"
    return tenths * 100_000_000, text


def _percent(rng: random.Random, low: int, high: int) -> str:
    """A growth rate with one decimal that is never 0 (a canonical xsd:decimal)."""
    return f"{rng.randint(low, high - 1)}.{rng.randint(1, 9)}"


class _Article:
    """One generated article: its text and its triples."""

    def __init__(self, corpus: _Corpus, index: int) -> None:
        self.corpus = corpus
        self.index = index
        # synthetic data, reproducible from the seed: not for cryptography
        self.rng = random.Random(f"kzeu-corpus:{corpus.seed}:{index}")  # noqa: S311
        self.local = f"article-{index}"
        self.node = kzr(self.local)
        self.text = _Text()
        self.triples: list[tuple[str, str, str]] = []
        self.spans = 0

    def iri(self, name: str) -> str:
        return kzr(f"a{self.index}-{name}")

    def add(self, *triples: tuple[str, str, str]) -> None:
        self.triples.extend(triples)

    # -- provenance

    def span(self, start: int, exact: str) -> str:
        """A SpecificResource with quote and position selectors for text[start:start+len]."""
        self.spans += 1
        node = self.iri(f"span-{self.spans}")
        quote, position = (
            self.iri(f"span-{self.spans}-quote"),
            self.iri(f"span-{self.spans}-position"),
        )
        self.add(
            (node, A, oa("SpecificResource")),
            (node, oa("hasSource"), self.node),
            (node, oa("hasSelector"), quote),
            (node, oa("hasSelector"), position),
            (quote, A, oa("TextQuoteSelector")),
            (quote, oa("exact"), lit(exact)),
            (position, A, oa("TextPositionSelector")),
            (position, oa("start"), typed(start, "nonNegativeInteger")),
            (position, oa("end"), typed(start + len(exact), "nonNegativeInteger")),
        )
        return node

    def fact(self, node: str, span: str, annotation: str | None = None) -> None:
        """``node`` comes from this article and is anchored to ``span``."""
        evidence = annotation or f"{node[:-1]}-evidence>"
        self.add(
            (node, prov("wasDerivedFrom"), self.node),
            (evidence, A, oa("Annotation")),
            (evidence, oa("hasBody"), node),
            (evidence, oa("hasTarget"), span),
        )

    def post_fact(self, person: _Person, span: str) -> None:
        post = kzr(person.post_local)
        key = f"{person.post_local}@{self.index}"
        if self.corpus.once(key):
            self.fact(post, span, kzr(f"a{self.index}-evidence-{person.post_local}"))

    def statement(
        self, name: str, mode: str, label: str, speaker: str, span: str, briefing: str | None
    ) -> str:
        node = self.iri(name)
        self.add(
            (node, A, kzeu(mode)),
            (node, rdfs("label"), en(label)),
            (node, prov("wasAttributedTo"), speaker),
        )
        if briefing is not None and mode != "Narration":
            self.add((node, kzeu("madeAt"), briefing))
        self.fact(node, span)
        if mode != "Narration":
            # the speaker rests on a span (kzs:Speech-attributionEvidence); the generated
            # corpus uses the statement's own span for it
            attribution = node[:-1] + "-attribution>"
            self.add(
                (attribution, A, oa("Annotation")),
                (attribution, oa("hasBody"), node),
                (attribution, oa("hasTarget"), span),
                (attribution, kzeu("supportsProperty"), prov("wasAttributedTo")),
            )
        return node

    def mention(
        self, name: str, area: str, role: str, context: str, start: int, words: str
    ) -> None:
        node = self.iri(name)
        self.add(
            (node, A, kzeu("AreaMention")),
            (node, kzeu("area"), area),
            (node, kzeu("mentionRole"), kzv(role)),
            (node, kzeu("mentionContext"), context),
        )
        self.fact(node, self.span(start, words))

    def instant(self, name: str, value: str, precision: str, basis: str, stated: str | None) -> str:
        node = self.iri(name)
        prop, datatype, unit = _precision(precision)
        self.add(
            (node, A, time_("Instant")),
            (node, rdfs("label"), en(_date_label(value))),
            (node, time_(prop), typed(value, datatype)),
            (node, time_("unitType"), time_(unit)),
            (node, kzeu("dateBasis"), kzv(basis)),
        )
        if stated is not None:
            self.add((node, kzeu("statedAs"), lit(stated)))
        return node

    def figure(self, name: str, label: str, value: str, unit: str, measure: str, **kw: str) -> str:
        node = self.iri(name)
        unit_text = {"USD": "US dollar", "P1": "percent", "C62": "areas of cooperation"}[unit]
        datatype = "decimal" if "." in value else "integer"
        self.add(
            (node, A, kzeu("Figure")),
            (node, rdfs("label"), en(label)),
            (node, schema("unitCode"), lit(unit)),
            (node, schema("unitText"), lit(unit_text)),
            (node, kzeu("measure"), kzv(measure)),
            (node, schema("observationAbout"), kw["about"]),
            (node, kzeu("exactness"), kzv(kw.get("exactness", "as-stated"))),
            (node, kzeu("statedAs"), lit(kw["stated"])),
            (node, prov("wasAttributedTo"), kw["by"]),
        )
        if "counterpart" in kw:
            self.add((node, kzeu("counterpart"), kw["counterpart"]))
        if "period" in kw:
            self.add((node, dcterms("temporal"), kw["period"]))
        if "comparison" in kw:
            self.add((node, kzeu("comparisonPeriod"), kw["comparison"]))
        # a lower bound ("exceeded") is given as the bound only, never as a value
        bound = "minValue" if kw.get("exactness") == "lower-bound" else "value"
        self.add((node, schema(bound), typed(value, datatype)))
        return node

    # -- the article

    def build(self) -> tuple[str, list[tuple[str, str, str]]]:
        rng, corpus = self.rng, self.corpus
        focal_index = 0 if rng.random() < 0.6 else rng.randrange(1, len(FOCAL_COUNTRIES))
        focal = FOCAL_COUNTRIES[focal_index]
        partner = EU if rng.random() < 0.6 else rng.choice(PARTNER_COUNTRIES)
        country = corpus.place(focal[0], focal[1], "Country")
        capital = corpus.place(focal[2], focal[3], "City")
        if partner is EU:
            partner_node, partner_name = kzr("european-union"), "the EU"
        else:
            partner_node, partner_name = corpus.place(partner[0], partner[1], "Country"), partner[1]
        publisher_local, publisher_name = rng.choice(PUBLISHERS)
        publisher = corpus.organisation(publisher_local, publisher_name, "NewsMediaOrganization")
        year, month = rng.randint(2016, 2025), rng.randint(2, 12)
        day = rng.randint(2, 28)
        day_precision = rng.random() < 0.7
        published = f"{year}-{month:02d}-{day:02d}" if day_precision else f"{year}-{month:02d}"
        # an official of the country the article is about (official k serves country k mod 5)
        speaker = rng.choice(corpus.officials[focal_index :: len(FOCAL_COUNTRIES)])
        speaker_node = corpus.person(speaker)
        organizer_local, organizer_name = rng.choice(BRIEFING_ORGANIZERS)
        organizer = corpus.organisation(organizer_local, organizer_name)
        first_areas = rng.sample(range(len(AREAS)), 3)
        partner_short = partner_name.removeprefix("the ")
        headline = (
            f"{focal[1]} and {partner_short[0].upper() + partner_short[1:]} Step Up Cooperation "
            f"in {AREAS[first_areas[0]][1].title()}"
        )
        text = self.text
        text.add(headline + "\n")
        text.add(f"{focal[3].upper()} – ")

        # 1. the briefing: reported speech naming three areas
        briefing_day = rng.randint(1, day) if day_precision else rng.randint(1, 28)
        briefing_stated = f"on {MONTHS[month - 1]} {briefing_day}"
        s = _Sentence()
        s.add(
            f"{partner_name[0].upper() + partner_name[1:]} and {focal[1]} are strengthening cooperation in "
        )
        for k, area in enumerate(first_areas):
            s.add(AREAS[area][1], mark=f"area{k}")
            s.add(", " if k == 0 else (", and " if k == 1 else ""))
        s.add(f", said {speaker.post_title} {speaker.name} at the {organizer_name} briefing ")
        s.add(briefing_stated, mark="date").add(".")
        base = text.add(s.text)
        span1 = self.span(base, s.text)
        briefing = self.iri("briefing")
        briefing_date = self.instant(
            "date-briefing",
            f"{year}-{month:02d}-{briefing_day:02d}",
            "day",
            "resolved-from-article-date",
            briefing_stated,
        )
        self.add(
            (briefing, A, kzeu("Briefing")),
            (briefing, rdfs("label"), en(f"{organizer_name} briefing of {MONTHS[month - 1]} {briefing_day}, {year}")),
            (briefing, schema("organizer"), organizer),
            (briefing, schema("performer"), speaker_node),
            (briefing, time_("hasTime"), briefing_date),
            (briefing, kzeu("eventStatus"), kzv("happened")),
        )  # fmt: skip
        self.fact(briefing, span1)
        self.post_fact(speaker, span1)
        s1 = self.statement(
            "statement-1",
            "ReportedSpeech",
            f"{partner_short} and {focal[1]} are strengthening cooperation",
            speaker_node,
            span1,
            briefing,
        )
        for k, area in enumerate(first_areas):
            start = base + s.marks[f"area{k}"][0]
            self.mention(
                f"mention-1-{k}",
                corpus.area(area),
                "area-being-strengthened",
                s1,
                start,
                AREAS[area][1],
            )
        text.add("\n")

        # 2. trade: a figure, its growth over the year before, and the derived base value
        fig_year = year - 1
        volume, volume_text = _money(rng, 2, 60)
        growth = _percent(rng, 3, 40)
        mode = rng.choice(["DirectQuote", "ReportedSpeech", "Narration"])
        voice = publisher if mode == "Narration" else speaker_node
        s = _Sentence()
        s.add(f"In {fig_year}, trade between {focal[1]} and {partner_name} grew by ")
        s.add(f"{growth} percent", mark="growth").add(f" over {fig_year - 1}, reaching ")
        s.add(volume_text, mark="volume").add(".")
        span2 = self.span(*self._place(s, mode, speaker))
        period, comparison = corpus.period(fig_year), corpus.period(fig_year - 1)
        common = {"about": partner_node, "counterpart": country, "by": voice, "period": period}
        volume_fig = self.figure(
            "figure-trade-volume",
            f"{partner_short}–{focal[1]} trade volume in {fig_year}",
            str(volume),
            "USD",
            "trade-volume",
            stated=f"reaching {volume_text}",
            **common,
        )
        growth_fig = self.figure(
            "figure-trade-volume-growth",
            f"Growth of {partner_short}–{focal[1]} trade volume in {fig_year} over {fig_year - 1}",
            growth,
            "P1",
            "trade-volume-growth",
            stated=f"by {growth} percent",
            comparison=comparison,
            **common,
        )
        for node in (volume_fig, growth_fig):
            self.fact(node, span2)
        self.statement(
            "statement-2",
            mode,
            f"{partner_short}–{focal[1]} trade in {fig_year}",
            voice,
            span2,
            briefing,
        )
        self.add((self.iri("statement-2"), kzeu("reports"), volume_fig))
        self.add((self.iri("statement-2"), kzeu("reports"), growth_fig))
        derived = self.iri("derived-trade-volume")
        tenths = int(growth.replace(".", ""))
        base_value = (volume * 1000 + (1000 + tenths) // 2) // (1000 + tenths)
        self.add(
            (derived, A, kzeu("DerivedValue")),
            (derived, rdfs("label"), en(f"{partner_short}–{focal[1]} trade volume in {fig_year - 1} (derived)")),
            (derived, schema("value"), typed(base_value, "integer")),
            (derived, schema("unitCode"), lit("USD")),
            (derived, schema("unitText"), lit("US dollar")),
            (derived, kzeu("measure"), kzv("trade-volume")),
            (derived, schema("observationAbout"), partner_node),
            (derived, kzeu("counterpart"), country),
            (derived, dcterms("temporal"), comparison),
            (derived, kzeu("exactness"), kzv("approximate")),
            (derived, prov("wasDerivedFrom"), volume_fig),
            (derived, prov("wasDerivedFrom"), growth_fig),
            (derived, prov("wasGeneratedBy"), kzr("derivation")),
            (derived, kzeu("derivationMethod"), lit(
                f"The {fig_year} volume divided by (1 + growth / 100): "
                f"{volume} / {1 + tenths / 1000:.4g} = {base_value}, rounded to the dollar."
            )),
        )  # fmt: skip

        # 3. investment inflow in the first months of the year: a lower bound (and growth)
        months = rng.randint(3, 11)
        inflow, inflow_text = _money(rng, 1, 15)
        s = _Sentence()
        s.add(f"In the first {months} months of {fig_year}, investment from {partner_name} ")
        with_growth = rng.random() < 0.5
        inflow_growth = _percent(rng, 2, 25)
        if with_growth:
            s.add("increased by ").add(f"{inflow_growth} percent", mark="g").add(" and ")
        s.add(f"exceeded {inflow_text}", mark="inflow").add(".")
        span3 = self.span(*self._place(s, mode, speaker))
        common["period"] = corpus.period(fig_year, months)
        inflow_fig = self.figure(
            "figure-investment-inflow",
            f"Inflow of investment from {partner_short}, January–{MONTHS[months - 1]} {fig_year}",
            str(inflow),
            "USD",
            "investment-inflow",
            exactness="lower-bound",
            stated=f"exceeded {inflow_text}",
            **common,
        )
        self.fact(inflow_fig, span3)
        reported = [inflow_fig]
        if with_growth:
            inflow_growth_fig = self.figure(
                "figure-investment-inflow-growth",
                f"Growth of the inflow of investment from {partner_short}, January–{MONTHS[months - 1]} {fig_year}",
                inflow_growth,
                "P1",
                "investment-inflow-growth",
                stated=f"{inflow_growth} percent",
                **common,
            )
            self.fact(inflow_growth_fig, span3)
            reported.append(inflow_growth_fig)
        statement = self.statement(
            "statement-3",
            mode,
            f"Investment from {partner_short} in {fig_year}",
            voice,
            span3,
            briefing,
        )
        self.add(*[(statement, kzeu("reports"), node) for node in reported])

        # 4. the share of foreign trade, approximately
        share = rng.randint(5, 45)
        s = _Sentence()
        s.add(f"{partner_name[0].upper() + partner_name[1:]} accounts for ")
        s.add(f"approximately {share} percent", mark="share").add(
            f" of {focal[1]}’s foreign trade."
        )
        base = text.add(s.text + " ")
        span4 = self.span(base, s.text)
        share_fig = self.figure(
            "figure-share-of-foreign-trade",
            f"Share of {partner_short} in {focal[1]}’s foreign trade",
            str(share),
            "P1",
            "share-of-foreign-trade",
            exactness="approximate",
            stated=f"approximately {share} percent",
            about=partner_node,
            counterpart=country,
            by=publisher,
        )
        self.fact(share_fig, span4)
        statement = self.statement(
            "statement-4",
            "Narration",
            f"The share of {partner_short} in {focal[1]}’s trade",
            publisher,
            span4,
            None,
        )
        self.add((statement, kzeu("reports"), share_fig))
        text.add(rng.choice(FILLER) + "\n")

        # 5. visits: one done (last month named), one expected this year
        visits = [("visit-1", "happened"), ("visit-2", "expected")][: rng.randint(1, 2)]
        for name, status in visits:
            self._visit(
                name, status, year, month, focal, capital, country, speaker, speaker_node, briefing
            )

        # 6. optional paragraphs
        if rng.random() < 0.35:
            self._anniversary(year, partner_node, partner_name, country, focal, publisher)
        if rng.random() < 0.3:
            self._agreement(year, month, partner_node, partner_short, country, focal, publisher)
        if rng.random() < 0.35:
            self._ranking(partner_node, partner_name, country, focal, publisher)
        if rng.random() < 0.3:
            self._launch(year, country, focal, speaker, speaker_node, briefing)
        text.add(f"Source : {publisher_name}\n")

        # the article itself
        body = text.text
        raw = body.encode("utf-8")
        self.add(
            (self.node, A, schema("NewsArticle")),
            (self.node, A, prov("Entity")),
            (self.node, rdfs("label"), en(f"{headline} ({publisher_name}, {_date_label(published)})")),
            (self.node, schema("headline"), en(headline)),
            (self.node, schema("publisher"), publisher),
            (self.node, schema("datePublished"), typed(published, "date" if day_precision else "gYearMonth")),
            (self.node, schema("dateline"), lit(focal[3].upper())),
            (self.node, schema("inLanguage"), lit("en")),
            (self.node, schema("about"), partner_node),
            (self.node, schema("about"), country),
            (self.node, kzeu("textFile"), lit(source_file_name(self.index))),
            (self.node, schema("sha256"), lit(hashlib.sha256(raw).hexdigest())),
            (kzr("dataset"), dcterms("source"), self.node),
        )  # fmt: skip
        return body, corpus.take() + self.triples

    def _place(self, s: _Sentence, mode: str, speaker: _Person) -> tuple[int, str]:
        """Put a figure sentence in the text in its statement's form: (start, the span's text).

        A direct quote is quoted and the span leaves the quotation marks out; reported
        speech names the speaker in the sentence; a narration is the sentence alone.
        """
        surname = speaker.name.split()[-1]
        if mode == "DirectQuote":
            start = self.text.add("“") + 1
            self.text.add(f"{s.text}” said {surname}. ")
            return start, s.text
        exact = s.text
        if mode == "ReportedSpeech":
            exact = f"{surname} said that {exact[0].lower()}{exact[1:]}"
        return self.text.add(exact + " "), exact

    def _visit(
        self,
        name: str,
        status: str,
        year: int,
        month: int,
        focal: tuple[str, str, str, str],
        capital: str,
        country: str,
        speaker: _Person,
        speaker_node: str,
        briefing: str,
    ) -> None:
        rng, corpus = self.rng, self.corpus
        visitor = rng.choice(corpus.envoys)
        visitor_node = corpus.person(visitor)
        topics = rng.sample(range(len(AREAS)), 2)
        s = _Sentence()
        if status == "happened":
            visit_month = rng.randint(1, month - 1)
            date, stated, precision = (
                f"{year}-{visit_month:02d}",
                f"in {MONTHS[visit_month - 1]}",
                "month",
            )
            s.add(f"{visitor.post_title} {visitor.name} visited {focal[3]} ").add(stated)
        else:
            date, stated, precision = str(year), "this year", "year"
            s.add(f"{visitor.post_title} {visitor.name} is expected to visit ").add(stated)
        s.add(" to discuss ").add(AREAS[topics[0]][1], mark="t0").add(" and ")
        s.add(AREAS[topics[1]][1], mark="t1").add(".")
        lead = f"According to {speaker.name.split()[-1]}, "
        base = self.text.add(lead + s.text + "\n") + len(lead)
        span = self.span(base, s.text)
        visit = self.iri(name)
        when = self.instant(f"date-{name}", date, precision, "resolved-from-article-date", stated)
        exhaustive = rng.random() < 0.5
        self.add(
            (visit, A, kzeu("Visit")),
            (visit, rdfs("label"), en(f"{'Visit' if status == 'happened' else 'Expected visit'} of {visitor.name}")),
            (visit, kzeu("visitor"), visitor_node),
            (visit, kzeu("visitorPost"), kzr(visitor.post_local)),
            (visit, time_("hasTime"), when),
            (visit, kzeu("eventStatus"), kzv(status)),
            (visit, kzeu("listIsExhaustive"), typed("true" if exhaustive else "false", "boolean")),
        )  # fmt: skip
        if status == "happened":
            self.add((visit, schema("location"), capital))
        else:
            self.add((visit, kzeu("impliedLocation"), country))
        self.fact(visit, span)
        self.post_fact(visitor, span)
        for k, topic in enumerate(topics):
            area = self.corpus.area(topic)
            self.add((visit, schema("about"), area))
            start = base + s.marks[f"t{k}"][0]
            self.mention(f"mention-{name}-{k}", area, "visit-topic", visit, start, AREAS[topic][1])
        statement = self.statement(
            f"statement-{name}",
            "ReportedSpeech",
            f"The visit of {visitor.name}",
            speaker_node,
            span,
            briefing,
        )
        self.add((statement, kzeu("reports"), visit))

    def _anniversary(
        self,
        year: int,
        partner_node: str,
        partner_name: str,
        country: str,
        focal: tuple[str, str, str, str],
        publisher: str,
    ) -> None:
        partner_short = partner_name.removeprefix("the ")
        ordinal = self.rng.choice(sorted(ORDINAL_WORDS))
        s = _Sentence()
        s.add(f"The {ORDINAL_WORDS[ordinal]} anniversary of diplomatic relations between ")
        s.add(f"{focal[1]} and {partner_name} falls ").add("this year", mark="when").add(".")
        base = self.text.add(s.text + "\n")
        span = self.span(base, s.text)
        anniversary, established = self.iri("anniversary"), self.iri("establishment-of-relations")
        when = self.instant(
            "date-anniversary", str(year), "year", "resolved-from-article-date", "this year"
        )
        est_date = self.iri("date-establishment")
        self.add(
            (anniversary, A, kzeu("Anniversary")),
            (anniversary, rdfs("label"), en(f"{ORDINAL_WORDS[ordinal]} anniversary of {focal[1]}–{partner_short} relations")),
            (anniversary, kzeu("anniversaryOf"), established),
            (anniversary, kzeu("ordinal"), typed(ordinal, "positiveInteger")),
            (anniversary, time_("hasTime"), when),
            (anniversary, kzeu("eventStatus"), kzv("expected")),
            (established, A, kzeu("EstablishmentOfRelations")),
            (established, rdfs("label"), en(f"Establishment of relations between {focal[1]} and {partner_short}")),
            (established, kzeu("participant"), country),
            (established, kzeu("participant"), partner_node),
            (established, time_("hasTime"), est_date),
            (established, kzeu("eventStatus"), kzv("happened")),
            (est_date, A, time_("Instant")),
            (est_date, A, kzeu("DerivedValue")),
            (est_date, rdfs("label"), en(f"{year - ordinal} (derived)")),
            (est_date, time_("inXSDgYear"), typed(year - ordinal, "gYear")),
            (est_date, time_("unitType"), time_("unitYear")),
            (est_date, kzeu("dateBasis"), kzv("derived")),
            (est_date, prov("wasDerivedFrom"), when),
            (est_date, prov("wasDerivedFrom"), anniversary),
            (est_date, prov("wasGeneratedBy"), kzr("derivation")),
            (est_date, kzeu("derivationMethod"), lit(f"The {ORDINAL_WORDS[ordinal]} anniversary falls in {year}, so relations were established in {year} - {ordinal} = {year - ordinal}.")),
        )  # fmt: skip
        self.fact(anniversary, span)
        self.fact(established, span)
        statement = self.statement(
            "statement-anniversary",
            "Narration",
            "An anniversary of relations",
            publisher,
            span,
            None,
        )
        self.add(
            (statement, kzeu("reports"), anniversary), (statement, kzeu("reports"), established)
        )

    def _agreement(
        self,
        year: int,
        month: int,
        partner_node: str,
        partner_short: str,
        country: str,
        focal: tuple[str, str, str, str],
        publisher: str,
    ) -> None:
        rng = self.rng
        kind, abbreviation = rng.choice(AGREEMENT_KINDS)
        in_force_year = rng.randint(year - 8, year - 1)
        in_force_month = rng.randint(1, 12)
        count = rng.randint(5, 40)
        areas = rng.sample(range(len(AREAS)), 2)
        s = _Sentence()
        s.add(f"Cooperation is built on the {kind} ({abbreviation}), which entered into force ")
        stated = f"in {MONTHS[in_force_month - 1]} {in_force_year}"
        s.add(stated).add(" covering ").add(f"{count} areas of cooperation", mark="count")
        s.add(", including ").add(AREAS[areas[0]][1], mark="a0").add(" and ")
        s.add(AREAS[areas[1]][1], mark="a1").add(", among others.")
        base = self.text.add(s.text + "\n")
        span = self.span(base, s.text)
        agreement, entry = self.iri("agreement"), self.iri("entry-into-force")
        name = f"{focal[1]}–{partner_short} {kind}"
        when = self.instant(
            "date-entry-into-force",
            f"{in_force_year}-{in_force_month:02d}",
            "month",
            "stated",
            stated,
        )
        self.add(
            (agreement, A, kzeu("Agreement")),
            (agreement, rdfs("label"), en(name)),
            (agreement, schema("name"), lit(name)),
            (agreement, schema("alternateName"), lit(abbreviation)),
            (agreement, kzeu("party"), country),
            (agreement, kzeu("party"), partner_node),
            (agreement, kzeu("listIsExhaustive"), typed("false", "boolean")),
            (entry, A, kzeu("EntryIntoForce")),
            (entry, rdfs("label"), en(f"Entry into force of the {name}")),
            (entry, kzeu("agreement"), agreement),
            (entry, time_("hasTime"), when),
            (entry, kzeu("eventStatus"), kzv("happened")),
        )  # fmt: skip
        count_fig = self.figure(
            "figure-area-count",
            f"Number of areas of cooperation the {name} covers",
            str(count),
            "C62",
            "cooperation-area-count",
            stated=f"{count} areas of cooperation",
            about=agreement,
            by=publisher,
        )
        for node in (agreement, entry, count_fig):
            self.fact(node, span)
        for k, area_index in enumerate(areas):
            area = self.corpus.area(area_index)
            self.add((agreement, dcterms("subject"), area))
            start = base + s.marks[f"a{k}"][0]
            self.mention(
                f"mention-agreement-{k}",
                area,
                "agreement-area",
                agreement,
                start,
                AREAS[area_index][1],
            )
        statement = self.statement(
            "statement-agreement",
            "Narration",
            f"Cooperation is built on the {abbreviation}",
            publisher,
            span,
            None,
        )
        self.add(*[(statement, kzeu("reports"), n) for n in (agreement, entry, count_fig)])

    def _ranking(
        self,
        partner_node: str,
        partner_name: str,
        country: str,
        focal: tuple[str, str, str, str],
        publisher: str,
    ) -> None:
        rank = self.rng.randint(1, 3)
        measure, what = self.rng.choice([("trade", "trading"), ("investment", "investment")])
        rank_words = {1: "largest", 2: "second-largest", 3: "third-largest"}[rank]
        s = _Sentence()
        s.add(f"{partner_name[0].upper() + partner_name[1:]} is ")
        s.add(f"{focal[1]}’s {rank_words} {what} partner", mark="rank").add(".")
        base = self.text.add(s.text + "\n")
        span = self.span(base, s.text)
        ranking = self.iri("ranking")
        partner_short = partner_name.removeprefix("the ")
        self.add(
            (ranking, A, kzeu("PartnerRanking")),
            (ranking, rdfs("label"), en(f"{partner_short} is {focal[1]}’s {rank_words} {what} partner")),
            (ranking, kzeu("partner"), partner_node),
            (ranking, kzeu("rankedFor"), country),
            (ranking, kzeu("rank"), typed(rank, "positiveInteger")),
            (ranking, kzeu("measure"), kzv(measure)),
            (ranking, kzeu("statedAs"), lit(f"the {rank_words} {what} partner")),
            (ranking, prov("wasAttributedTo"), publisher),
        )  # fmt: skip
        self.fact(ranking, span)
        statement = self.statement(
            "statement-ranking",
            "Narration",
            f"{partner_short} as a {what} partner",
            publisher,
            span,
            None,
        )
        self.add((statement, kzeu("reports"), ranking))

    def _launch(
        self,
        year: int,
        country: str,
        focal: tuple[str, str, str, str],
        speaker: _Person,
        speaker_node: str,
        briefing: str,
    ) -> None:
        areas = self.rng.sample(range(len(AREAS)), 3)
        s = _Sentence()
        s.add("Last year", mark="when").add(
            ", our country launched cooperation in new areas such as "
        )
        for k, index in enumerate(areas):
            s.add(AREAS[index][1], mark=f"a{k}")
            s.add(", " if k == 0 else (" and " if k == 1 else ","))
        base = self.text.add("“") + 1
        self.text.add(s.text + f"” said {speaker.name.split()[-1]}.\n")
        span = self.span(base, s.text)
        launch = self.iri("cooperation-launch")
        when = self.instant(
            "date-cooperation-launch",
            str(year - 1),
            "year",
            "resolved-from-article-date",
            "Last year",
        )
        self.add(
            (launch, A, kzeu("CooperationLaunch")),
            (launch, rdfs("label"), en(f"{focal[1]}’s launch of cooperation in new areas, {year - 1}")),
            (launch, schema("organizer"), country),
            (launch, time_("hasTime"), when),
            (launch, kzeu("eventStatus"), kzv("happened")),
        )  # fmt: skip
        self.fact(launch, span)
        statement = self.statement(
            "statement-launch",
            "DirectQuote",
            "A launch of cooperation in new areas",
            speaker_node,
            span,
            briefing,
        )
        self.add((statement, kzeu("reports"), launch))
        for k, area_index in enumerate(areas):
            start = base + s.marks[f"a{k}"][0]
            area = self.corpus.area(area_index)
            self.mention(
                f"mention-launch-{k}",
                area,
                "new-area-launched",
                launch,
                start,
                AREAS[area_index][1],
            )


def _shipped_ntriples() -> tuple[str, int]:
    """The shipped graph as N-Triples (rdflib's serializer), and its triple count."""
    from kzeu_graph.loading.graph import parse_file

    graph = parse_file(resources.default_data_files()[0])
    lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
    lines = sorted(line for line in lines if line.strip())  # rdflib's order varies per run
    return "".join(line + "\n" for line in lines), len(graph)


def generate_corpus(
    articles: int,
    folder: Path,
    *,
    seed: int = 0,
    fmt: CorpusFormat = "nt",
    progress: Callable[[int, int], None] | None = None,
) -> CorpusStats:
    """Write the shipped graph plus ``articles`` generated ones to ``folder``.

    ``folder/corpus.nt`` (or ``corpus.ttl``) holds every triple (not the ontology: load
    it as ``--data``); ``folder/sources/`` holds each article's text, which the
    validator finds next to the data file. ``progress(articles_done, triples_so_far)`` is
    called after each article. Files are written atomically.
    """
    if not 0 <= articles <= MAX_ARTICLES:
        raise InputError(f"--articles must be between 0 and {MAX_ARTICLES}, got {articles}")
    if fmt not in CORPUS_FORMATS:
        raise InputError(f"unknown corpus format {fmt!r} (use {', '.join(CORPUS_FORMATS)})")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    sources = folder / "sources"
    sources.mkdir(parents=True, exist_ok=True)
    shipped_text = resources.sources_dir()
    for path in sorted(shipped_text.glob("*.txt")):
        atomic_write(sources / path.name, path.read_bytes())
    data_file = folder / f"corpus.{fmt}"
    nt, shipped_count = _shipped_ntriples()
    corpus = _Corpus(seed)
    with _atomic_text_file(data_file) as handle:
        writer = _Writer(handle, fmt)
        writer.raw_ntriples(nt, shipped_count)
        for index in range(1, articles + 1):
            article = _Article(corpus, index)
            body, triples = article.build()
            writer.write(triples)
            _write_source(sources / source_file_name(index), body)
            if progress is not None:
                progress(index, writer.count)
    return CorpusStats(articles, writer.count, data_file, sources, data_file.stat().st_size)


def _write_source(path: Path, text: str) -> None:
    """An article's text, atomically (temp file + rename; one fsync per corpus is enough)."""
    with atomic_open(path, fsync=False) as handle:
        handle.write(text.encode("utf-8"))
