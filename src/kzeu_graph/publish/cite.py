"""The citation of one fact: its supporting text and offsets, the article, the dataset version.

Everything comes from the graph: the fact's ``oa:Annotation`` (its target sentence, with
the ``oa:exact`` text and the ``oa:start``/``oa:end`` code-point offsets), the article the
sentence is in (headline, publisher, date, URL), and the dataset's title, IRI and
``dcat:version`` (from the VoID description beside the data, or the graph). A derived
value has no text of its own: it is cited by the sentences of its inputs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, PROV, RDF, RDFS

from kzeu_graph.errors import ParameterError
from kzeu_graph.rdf.namespaces import KZEU, KZR, OA, SCHEMA
from kzeu_graph.rdf.prefixes import compact_iri

__all__ = ["CITE_FORMATS", "Citation", "Evidence", "cite"]

CITE_FORMATS = ("text", "bibtex", "csl-json", "ris")
DATASET = KZR.dataset
DCAT_VERSION = URIRef(str(DCAT) + "version")  # DCAT 3; rdflib's DCAT namespace predates it
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_MONTH_NAMES = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@dataclass(frozen=True)
class Evidence:
    """One supporting sentence: its text and offsets, and the fact's own words within it."""

    sentence: str
    start: int
    end: int
    words: str | None = None
    words_start: int | None = None
    words_end: int | None = None
    via: str | None = None  # the input a derived value is cited through

    def to_json(self) -> dict[str, Any]:
        """A plain dict of the fields that are set."""
        out: dict[str, Any] = {"sentence": self.sentence, "start": self.start, "end": self.end}
        if self.words is not None:
            out.update(words=self.words, wordsStart=self.words_start, wordsEnd=self.words_end)
        if self.via is not None:
            out["via"] = self.via
        return out


@dataclass(frozen=True)
class Citation:
    """A fact, its evidence, its article and the dataset (version and IRI)."""

    iri: str
    label: str
    evidence: tuple[Evidence, ...]
    derived: bool
    headline: str
    publisher: str
    date: str  # the lexical date (``2023-03``)
    url: str
    text_file: str
    dataset_title: str
    dataset_iri: str
    dataset_version: str

    @property
    def key(self) -> str:
        """A citation key: ``kzeu-`` and the IRI's local name."""
        local = re.split(r"[/#]", self.iri.rstrip("/#"))[-1]
        return "kzeu-" + re.sub(r"[^A-Za-z0-9_-]+", "-", local)

    def _date_parts(self) -> list[int]:
        return [int(p) for p in re.findall(r"\d+", self.date)[:3]]

    def _when(self) -> str:
        parts = self._date_parts()
        if len(parts) >= 2:
            return f"{_MONTH_NAMES[parts[1] - 1]} {parts[0]}"
        return self.date

    def _quotes(self) -> list[str]:
        lines = []
        for e in self.evidence:
            via = f" [input {compact_iri(e.via)}]" if e.via else ""
            lines.append(f'"{e.sentence}" (characters {e.start}-{e.end}){via}')
            if e.words is not None:
                lines.append(f'  words: "{e.words}" (characters {e.words_start}-{e.words_end})')
        return lines

    def note(self) -> str:
        """One line: the quoted sentence(s) with offsets, the fact and the dataset."""
        quotes = "; ".join(
            f'"{e.sentence}" (characters {e.start}-{e.end} of {self.text_file})'
            for e in self.evidence
        )
        kind = "derived value" if self.derived else "fact"
        return (
            f"Quoted: {quotes}. Cited as {kind} <{self.iri}> ({self.label}) in "
            f"{self.dataset_title}, version {self.dataset_version}, <{self.dataset_iri}>."
        )

    def text(self) -> str:
        """A human-readable citation."""
        kind = "Derived value (not stated; cited by its inputs)" if self.derived else "Fact"
        lines = [
            f"{kind}: {self.label} <{self.iri}>",
            *self._quotes(),
            f'Article: {self.publisher}, "{self.headline}", {self._when()}, {self.url}'
            f" (text: {self.text_file}; offsets are Unicode code points, end exclusive)",
            f"Dataset: {self.dataset_title}, version {self.dataset_version}, <{self.dataset_iri}>",
        ]
        return "\n".join(lines) + "\n"

    def bibtex(self) -> str:
        """A BibTeX ``@article`` entry (special characters escaped)."""
        parts = self._date_parts()
        fields = [
            ("title", self.headline),
            ("journal", self.publisher),
            ("publisher", self.publisher),
            ("year", str(parts[0]) if parts else self.date),
        ]
        if len(parts) >= 2:
            fields.append(("month", _MONTHS[parts[1] - 1]))
        fields += [("url", self.url), ("note", self.note())]
        body = ",\n".join(
            f"  {name} = {value}" if name == "month" else f"  {name} = {{{_bibtex_escape(value)}}}"
            for name, value in fields
        )
        return f"@article{{{self.key},\n{body}\n}}\n"

    def csl(self) -> dict[str, Any]:
        """The CSL-JSON item (what Zotero and pandoc read)."""
        return {
            "id": self.key,
            "type": "article-newspaper",
            "title": self.headline,
            "author": [{"literal": self.publisher}],
            "container-title": self.publisher,
            "publisher": self.publisher,
            "issued": {"date-parts": [self._date_parts()]},
            "URL": self.url,
            "language": "en",
            "archive": f"{self.dataset_title}, version {self.dataset_version}",
            "note": self.note(),
        }

    def csl_json(self) -> str:
        """A CSL-JSON document: a list holding the one item."""
        return json.dumps([self.csl()], indent=2, ensure_ascii=False) + "\n"

    def ris(self) -> str:
        """An RIS record (``TY  - NEWS``)."""
        parts = self._date_parts()
        date = "/".join(f"{p:02d}" if i else str(p) for i, p in enumerate(parts))
        tags = [
            ("TY", "NEWS"),
            ("ID", self.key),
            ("TI", self.headline),
            ("T2", self.publisher),
            ("PB", self.publisher),
            ("PY", str(parts[0]) if parts else self.date),
            ("DA", date),
            ("UR", self.url),
            ("LA", "en"),
            ("N1", self.note()),
            ("ER", ""),
        ]
        return "".join(f"{tag}  - {value}".rstrip() + "\n" for tag, value in tags)

    def format(self, fmt: str) -> str:
        """The citation in ``text``, ``bibtex``, ``csl-json`` or ``ris``."""
        writers = {"text": self.text, "bibtex": self.bibtex, "csl-json": self.csl_json}
        writers["ris"] = self.ris
        if fmt not in writers:
            raise ParameterError(f"unknown citation format {fmt!r}; use {', '.join(CITE_FORMATS)}")
        return writers[fmt]()


_BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "%": r"\%",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}


def _bibtex_escape(text: str) -> str:
    return "".join(_BIBTEX_SPECIAL.get(c, c) for c in text)


def _one(graph: Graph, subject: Any, predicate: Any) -> str | None:
    values = sorted(str(o) for o in graph.objects(subject, predicate))
    return values[0] if values else None


def _label(graph: Graph, node: Any) -> str:
    for predicate in (RDFS.label, SCHEMA.name, DCTERMS.title):
        found = _one(graph, node, predicate)
        if found is not None:
            return found
    return compact_iri(str(node))


def _evidence(graph: Graph, node: URIRef, via: str | None = None) -> list[tuple[Evidence, Any]]:
    """(Evidence, article) for each annotation whose body is ``node`` (or ``node`` itself
    when it is a target with selectors)."""
    targets = [t for a in graph.subjects(OA.hasBody, node) for t in graph.objects(a, OA.hasTarget)]
    if not targets and (node, OA.hasSelector, None) in graph:
        targets = [node]
    words = _one(graph, node, KZEU.statedAs)
    found = []
    for target in targets:
        sentence = start = end = None
        for selector in graph.objects(target, OA.hasSelector):
            sentence = _one(graph, selector, OA.exact) or sentence
            if (selector, OA.start, None) in graph:
                start = int(_one(graph, selector, OA.start) or 0)
                end = int(_one(graph, selector, OA.end) or 0)
        if sentence is None or start is None or end is None:
            continue
        at = sentence.find(words) if words else -1
        evidence = Evidence(
            sentence,
            start,
            end,
            words if at >= 0 else None,
            start + at if at >= 0 else None,
            start + at + len(words or "") if at >= 0 else None,
            via,
        )
        found.append((evidence, graph.value(target, OA.hasSource)))
    return sorted(found, key=lambda item: (item[0].start, item[0].end, item[0].via or ""))


def _shipped_void() -> Graph | None:
    from kzeu_graph import resources
    from kzeu_graph.loading.graph import parse_file

    path = resources.data_dir() / "void.ttl"
    return parse_file(path) if path.is_file() else None


def cite(graph: Graph, iri: str | URIRef, void: Graph | None = None) -> Citation:
    """The citation of the fact, statement or sentence ``iri`` (a full IRI or a CURIE).

    ``void`` is the dataset description that gives the version (default: the shipped
    data/void.ttl); the graph's own ``dcat:version`` is used when it has none. UnknownIRIError (with suggestions) if
    ``iri`` names nothing; ParameterError if nothing in the article supports it.
    """
    from kzeu_graph.sparql.run import expand_iri
    from kzeu_graph.sparql.search import (
        UnknownIRIError,
        did_you_mean,
        names_something,
        suggest_for_iri,
    )

    node = iri if isinstance(iri, URIRef) else expand_iri(iri)
    if not names_something(graph, str(node)):
        hits = suggest_for_iri(graph, str(node))
        raise UnknownIRIError(
            f"{compact_iri(str(node))} names nothing in the graph{did_you_mean(hits)}",
            str(node),
            hits,
        )
    found = _evidence(graph, node)
    derived = False
    if not found and (node, RDF.type, KZEU.DerivedValue) in graph:
        derived = True
        for source in sorted(graph.objects(node, PROV.wasDerivedFrom), key=str):
            if isinstance(source, URIRef):
                found += _evidence(graph, source, via=str(source))
    if not found:
        raise ParameterError(
            f"{compact_iri(str(node))} has no supporting text in the article; cite a figure, "
            "statement, event or other stated fact (kzeu-graph query sentence-facts lists them)"
        )
    if void is None:
        void = _shipped_void()
    article = found[0][1]
    publisher = graph.value(article, SCHEMA.publisher)
    description = void if void is not None else graph
    version = _one(description, DATASET, DCAT_VERSION) or _one(graph, DATASET, DCAT_VERSION)
    if version is None:
        from kzeu_graph import __version__

        version = __version__
    title = _one(graph, DATASET, DCTERMS.title) or _one(description, DATASET, DCTERMS.title)
    return Citation(
        iri=str(node),
        label=_label(graph, node),
        evidence=tuple(e for e, _ in found),
        derived=derived,
        headline=_one(graph, article, SCHEMA.headline) or _label(graph, article),
        publisher=_label(graph, publisher) if publisher is not None else "",
        date=_one(graph, article, SCHEMA.datePublished) or "",
        url=_one(graph, article, SCHEMA.url) or "",
        text_file=_one(graph, article, KZEU.textFile) or "",
        dataset_title=title or "kzeu-graph",
        dataset_iri=str(DATASET),
        dataset_version=version,
    )
