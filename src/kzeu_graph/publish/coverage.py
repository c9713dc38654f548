"""A coverage map of a source text: which characters support at least one fact, and which none.

A character is *covered* when it lies inside a span of the article (an oa:SpecificResource
whose oa:hasSource is the article, located by its oa:TextPositionSelector) that is the
oa:hasTarget of an oa:Annotation with an oa:hasBody: a span that supports a fact. Percentages
count non-space characters only. The text is cut into sentences by a plain rule (a line is a
paragraph; a sentence ends at ``.``, ``!`` or ``?``, with any closing quotation mark, before a
space), which needs no data, so the map also shows sentences no span touches.

:func:`coverage` computes the map; :func:`coverage_text`, :func:`coverage_json` and
:func:`coverage_html` render it. Nothing here prints or exits.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.term import Node

from kzeu_graph.errors import InputError
from kzeu_graph.publish.html import esc, href_of, label_of, page, source_text
from kzeu_graph.rdf.namespaces import KZEU, OA, SCHEMA

__all__ = [
    "Coverage",
    "CoveredSpan",
    "SentenceCoverage",
    "Stretch",
    "article_text",
    "coverage",
    "coverage_html",
    "coverage_json",
    "coverage_text",
    "sentence_bounds",
]

_SENTENCE_END = re.compile(r"[.!?][”\"’]?(?= )")


@dataclass(frozen=True)
class Stretch:
    """A run of characters ``text[start:end]`` that no supporting span covers."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class CoveredSpan:
    """A span of the article that supports facts (the bodies of its annotations)."""

    iri: str
    start: int
    end: int
    exact: str
    facts: tuple[tuple[str, str], ...]  # (fact IRI, label), sorted by IRI


@dataclass(frozen=True)
class SentenceCoverage:
    """How much of one sentence is covered."""

    start: int
    end: int
    text: str
    characters: int  # non-space characters
    covered: int  # of those, inside a supporting span
    uncovered: tuple[Stretch, ...]

    @property
    def percent(self) -> float:
        return 100.0 if self.characters == 0 else 100.0 * self.covered / self.characters


@dataclass(frozen=True)
class Coverage:
    """The coverage map of one article's text."""

    article: str
    source: str  # the text file's name
    text: str
    spans: tuple[CoveredSpan, ...]
    sentences: tuple[SentenceCoverage, ...]

    @property
    def characters(self) -> int:
        return sum(s.characters for s in self.sentences)

    @property
    def covered(self) -> int:
        return sum(s.covered for s in self.sentences)

    @property
    def percent(self) -> float:
        return 100.0 if self.characters == 0 else 100.0 * self.covered / self.characters

    @property
    def uncovered(self) -> tuple[Stretch, ...]:
        return tuple(stretch for s in self.sentences for stretch in s.uncovered)


# ------------------------------------------------------------------ computing the map


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """(start, end) of every sentence: each line split after ``.``/``!``/``?`` before a space."""
    bounds: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        start = 0
        for match in _SENTENCE_END.finditer(line):
            bounds.append((offset + start, offset + match.end()))
            start = match.end() + 1
        if line[start:].strip():
            bounds.append((offset + start, offset + len(line)))
        offset += len(line) + 1
    return bounds


def _article(graph: Graph, article: URIRef | None) -> URIRef:
    articles = sorted(
        (a for a in graph.subjects(RDF.type, SCHEMA.NewsArticle) if isinstance(a, URIRef)), key=str
    )
    if article is not None:
        if article not in articles:
            raise InputError(
                f"{article} is not a schema:NewsArticle of the graph: give one that is"
            )
        return article
    if len(articles) != 1:
        raise InputError(
            f"the graph has {len(articles)} articles: name the one to map with --article IRI"
        )
    return articles[0]


def article_text(
    graph: Graph, folders: Sequence[Path], article: URIRef | None = None
) -> tuple[URIRef, str, str]:
    """The article (the graph's only one, or ``article``), its text file's name and its text."""
    node = _article(graph, article)
    name = graph.value(node, KZEU.textFile)
    if name is None:
        raise InputError(f"{node} has no kzeu:textFile: give the article its text file")
    text = source_text(str(name), folders)
    if text is None:
        where = ", ".join(str(f) for f in folders) or "no folder"
        raise InputError(f"text file {name} of {node} not found in {where}: put it in sources/")
    return node, str(name), text


def _int(value: Node | None) -> int | None:
    if isinstance(value, Literal) and isinstance(value.toPython(), int):
        return int(value.toPython())
    return None


def _spans(graph: Graph, article: URIRef, text: str) -> list[CoveredSpan]:
    spans = []
    for span in sorted(set(graph.subjects(OA.hasSource, article)), key=str):
        facts = sorted(
            {
                (str(body), label_of(graph, body) or str(body))
                for annotation in graph.subjects(OA.hasTarget, span)
                for body in graph.objects(annotation, OA.hasBody)
            }
        )
        if not facts:
            continue
        for selector in graph.objects(span, OA.hasSelector):
            start = _int(graph.value(selector, OA.start))
            end = _int(graph.value(selector, OA.end))
            if start is None or end is None:
                continue
            if not 0 <= start <= end <= len(text):
                raise InputError(f"{span}: offsets {start}-{end} lie outside the article's text")
            spans.append(CoveredSpan(str(span), start, end, text[start:end], tuple(facts)))
    return sorted(spans, key=lambda s: (s.start, -s.end, s.iri))


def _stretches(text: str, covered: list[bool], start: int, end: int) -> list[Stretch]:
    out: list[Stretch] = []
    i = start
    while i < end:
        if covered[i]:
            i += 1
            continue
        j = i
        while j < end and not covered[j]:
            j += 1
        if text[i:j].strip():
            out.append(Stretch(i, j, text[i:j]))
        i = j
    return out


def coverage(graph: Graph, text: str, article: URIRef, source: str = "") -> Coverage:
    """The coverage map of ``text``, the text of ``article``, by the spans of ``graph``."""
    spans = _spans(graph, article, text)
    covered = [False] * len(text)
    for span in spans:
        for i in range(span.start, span.end):
            covered[i] = True
    sentences = []
    for start, end in sentence_bounds(text):
        chars = [i for i in range(start, end) if not text[i].isspace()]
        sentences.append(
            SentenceCoverage(
                start=start,
                end=end,
                text=text[start:end],
                characters=len(chars),
                covered=sum(covered[i] for i in chars),
                uncovered=tuple(_stretches(text, covered, start, end)),
            )
        )
    return Coverage(str(article), source, text, tuple(spans), tuple(sentences))


# ------------------------------------------------------------------ rendering


def _short(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def coverage_text(cov: Coverage) -> str:
    """A plain-text summary: overall, per sentence, then every uncovered stretch."""
    lines = [
        f"coverage of {cov.source or cov.article}: {cov.covered} of {cov.characters} "
        f"non-space characters ({cov.percent:.1f}%) lie in the {len(cov.spans)} spans "
        "that support facts",
        "",
        f"{'start':>5} {'end':>5} {'covered':>8}  sentence",
    ]
    for s in cov.sentences:
        lines.append(f"{s.start:>5} {s.end:>5} {s.percent:>7.1f}%  {_short(s.text)}")
    lines += ["", f"uncovered stretches ({len(cov.uncovered)}):"]
    lines += [
        f"{u.start:>5} {u.end:>5}  {json.dumps(u.text, ensure_ascii=False)}" for u in cov.uncovered
    ]
    return "\n".join(lines) + "\n"


def coverage_json(cov: Coverage) -> str:
    """The map as JSON: totals, sentences with their uncovered stretches, and the spans."""

    def stretch(u: Stretch) -> dict[str, object]:
        return {"start": u.start, "end": u.end, "text": u.text}

    document = {
        "article": cov.article,
        "source": cov.source,
        "characters": cov.characters,
        "covered": cov.covered,
        "percent": round(cov.percent, 2),
        "sentences": [
            {
                "start": s.start,
                "end": s.end,
                "text": s.text,
                "characters": s.characters,
                "covered": s.covered,
                "percent": round(s.percent, 2),
                "uncovered": [stretch(u) for u in s.uncovered],
            }
            for s in cov.sentences
        ],
        "uncovered": [stretch(u) for u in cov.uncovered],
        "spans": [
            {
                "span": span.iri,
                "start": span.start,
                "end": span.end,
                "exact": span.exact,
                "facts": [iri for iri, _ in span.facts],
            }
            for span in cov.spans
        ],
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _link(iri: str, text: str, base: str) -> str:
    href = href_of(iri, base)
    return f'<a href="{esc(href)}">{esc(text)}</a>' if href else esc(text)


def coverage_html(cov: Coverage, base: str = "") -> str:
    """An HTML page: the article with covered text highlighted, each stretch linked to the
    innermost span covering it, and the list of spans with links to the facts they support."""
    anchors = {span.iri: f"span-{n}" for n, span in enumerate(cov.spans, 1)}
    owner: list[CoveredSpan | None] = [None] * len(cov.text)
    for span in sorted(cov.spans, key=lambda s: s.end - s.start, reverse=True):
        for i in range(span.start, span.end):
            owner[i] = span  # shorter spans, written last, win: the innermost span
    out: list[str] = []
    i = 0
    while i < len(cov.text):
        j = i
        while j < len(cov.text) and owner[j] is owner[i]:
            j += 1
        current = owner[i]
        chunk = esc(cov.text[i:j])
        if current is None:
            out.append(f'<span class="uncovered">{chunk}</span>' if chunk.strip() else chunk)
        else:
            title = esc("; ".join(label for _, label in current.facts))
            out.append(
                f'<a class="covered" href="#{anchors[current.iri]}" title="{title}">'
                f'<mark class="evidence">{chunk}</mark></a>'
            )
        i = j
    rows = []
    for span in cov.spans:
        facts = ", ".join(_link(iri, label, base) for iri, label in span.facts)
        rows.append(
            f'<li id="{anchors[span.iri]}"><blockquote class="quote">{esc(span.exact)}</blockquote>'
            f'<p class="where">{_link(span.iri, span.iri.rsplit("/", 1)[-1], base)} · '
            f"characters {span.start}–{span.end} · supports {facts}</p></li>"
        )
    sentences = "".join(
        f"<tr><td>{s.start}–{s.end}</td><td>{s.percent:.1f}%</td><td>{esc(_short(s.text, 80))}</td>"
        f"<td>{esc(' | '.join(u.text for u in s.uncovered))}</td></tr>"
        for s in cov.sentences
    )
    body = (
        f"<h1>Coverage of {esc(cov.source or cov.article)}</h1>"
        f'<p class="note">{cov.covered} of {cov.characters} non-space characters '
        f"({cov.percent:.1f}%) lie in a span that supports at least one fact. Highlighted text "
        "is covered; each highlight links to the innermost span covering it.</p>"
        f'<div class="article" data-source="{esc(cov.source)}">{"".join(out)}</div>'
        "<h2>Sentences</h2><table><tr><th>characters</th><th>covered</th><th>sentence</th>"
        f"<th>uncovered</th></tr>{sentences}</table>"
        f'<h2>Spans</h2><ul class="spans">{"".join(rows)}</ul>'
    )
    return page(f"Coverage of {cov.source or cov.article}", body, base)
