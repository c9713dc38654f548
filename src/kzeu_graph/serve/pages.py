"""HTML pages of the linked-data server: one per entity, and one for the ontology.

Every string taken from the graph or a source file goes through :func:`esc`; links are
made only to the server's own paths and to ``http(s)`` IRIs (an IRI such as
``javascript:...`` in the data is shown as text, never as a link). The pages need no
script and load one stylesheet from the server itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, RDFS, SKOS, XSD
from rdflib.term import Node

from kzeu_graph.publish.html import (
    BASE_IRI,
    LABELS,
    esc,
    href_of,
    label_of,
    local_path,
    page,
    source_text,
)
from kzeu_graph.rdf.formats import by_name
from kzeu_graph.rdf.namespaces import KZEU, OA

__all__ = [
    "BASE_IRI",
    "LABELS",
    "document_path",
    "entity_page",
    "esc",
    "href_of",
    "label_of",
    "local_path",
    "ontology_page",
    "page",
    "source_text",
]

ONTOLOGY_IRI = URIRef(BASE_IRI + "ontology")
_MAX_DEPTH = 4  # nesting of blank nodes shown inline
DOCUMENT_LINKS = tuple(
    (f.suffix.lstrip("."), f.title, f.media_type)
    for f in map(by_name, ("turtle", "json-ld", "nt", "xml"))
)  # (URL suffix, name, media type) of the documents an entity page links to


def document_path(iri: str, ext: str) -> str | None:
    """The path of the document describing ``iri`` in one format (``/id/x.ttl``)."""
    path = local_path(iri.partition("#")[0])
    if path is None:
        return None
    return f"{path}index.{ext}" if path.endswith("/") else f"{path}.{ext}"


def short_name(graph: Graph, iri: URIRef) -> str:
    """``prefix:local`` where a bound prefix fits, else the full IRI."""
    try:
        return graph.namespace_manager.curie(str(iri), generate=False)
    except (KeyError, ValueError):
        return str(iri)


def link(graph: Graph, iri: URIRef, base: str, text: str | None = None) -> str:
    shown = text if text is not None else (label_of(graph, iri) or short_name(graph, iri))
    target = href_of(str(iri), base)
    if target is None:
        return f'<span class="iri" title="{esc(iri)}">{esc(shown)}</span>'
    return f'<a href="{esc(target)}" title="{esc(iri)}">{esc(shown)}</a>'


def render_literal(graph: Graph, literal: Literal) -> str:
    out = f'<span class="literal">{esc(literal)}</span>'
    if literal.language:
        out += f' <span class="tag">@{esc(literal.language)}</span>'
    elif literal.datatype is not None and literal.datatype != XSD.string:
        out += f' <span class="tag">{esc(short_name(graph, literal.datatype))}</span>'
    return out


def render_term(
    graph: Graph, term: Node, base: str, depth: int = 0, seen: frozenset[Node] = frozenset()
) -> str:
    if isinstance(term, URIRef):
        return link(graph, term, base)
    if isinstance(term, Literal):
        return render_literal(graph, term)
    if isinstance(term, BNode):
        if depth >= _MAX_DEPTH or term in seen:
            return '<span class="bnode">[…]</span>'
        rows = property_rows(graph, term, base, depth + 1, seen | {term})
        return f'<table class="nested">{rows}</table>' if rows else "[ ]"
    return esc(term)


def _sort_key(term: Node) -> tuple[int, str, str]:
    kind = 0 if isinstance(term, URIRef) else 1 if isinstance(term, Literal) else 2
    return (kind, str(term), term.n3() if hasattr(term, "n3") else "")


def property_rows(
    graph: Graph, node: Node, base: str, depth: int = 0, seen: frozenset[Node] = frozenset()
) -> str:
    """``<tr>`` rows of every outgoing property of ``node`` (rdf:type included), sorted."""
    grouped: dict[URIRef, list[Node]] = {}
    for predicate, value in graph.predicate_objects(node):
        if isinstance(predicate, URIRef):
            grouped.setdefault(predicate, []).append(value)
    rows = []
    for predicate in sorted(grouped, key=lambda p: (p != RDF.type, short_name(graph, p))):
        values = "<br>".join(
            render_term(graph, value, base, depth, seen)
            for value in sorted(grouped[predicate], key=_sort_key)
        )
        rows.append(
            f"<tr><th>{link(graph, predicate, base, short_name(graph, predicate))}</th>"
            f"<td>{values}</td></tr>"
        )
    return "\n".join(rows)


# ------------------------------------------------------------------ the article's text


@dataclass(frozen=True)
class Span:
    """A stretch of a source text some node points into."""

    start: int
    end: int
    exact: str
    source: str  # file name
    target: URIRef | BNode
    fact: Node  # what the span supports
    direct: bool  # evidence of the page's own node, or of a node that links to it


def _target_spans(graph: Graph, target: Node, fact: Node, direct: bool) -> list[Span]:
    if not isinstance(target, URIRef | BNode):
        return []
    name = None
    for source in graph.objects(target, OA.hasSource):
        for value in graph.objects(source, KZEU.textFile):
            name = str(value)
    exact = ""
    start = end = None
    for selector in graph.objects(target, OA.hasSelector):
        for value in graph.objects(selector, OA.exact):
            exact = str(value)
        for value in graph.objects(selector, OA.start):
            start = value.toPython() if isinstance(value, Literal) else None
        for value in graph.objects(selector, OA.end):
            end = value.toPython() if isinstance(value, Literal) else None
    if name is None or not isinstance(start, int) or not isinstance(end, int) or start > end:
        return []
    return [Span(start, end, exact, name, target, fact, direct)]


def evidence_spans(graph: Graph, node: Node) -> list[Span]:
    """The spans that support ``node`` (direct) or the facts linking to it (indirect)."""
    spans: list[Span] = []
    if (node, RDF.type, OA.SpecificResource) in graph:
        spans += _target_spans(graph, node, node, True)
    for annotation in graph.subjects(OA.hasBody, node):
        for target in graph.objects(annotation, OA.hasTarget):
            spans += _target_spans(graph, target, node, True)
    if not spans and (node, RDF.type, KZEU.DerivedValue) in graph:
        for source in graph.objects(node, PROV.wasDerivedFrom):  # its inputs' sentences
            for annotation in graph.subjects(OA.hasBody, source):
                for target in graph.objects(annotation, OA.hasTarget):
                    spans += _target_spans(graph, target, source, False)
    if not spans:
        for fact in set(graph.subjects(None, node)):
            for annotation in graph.subjects(OA.hasBody, fact):
                for target in graph.objects(annotation, OA.hasTarget):
                    spans += _target_spans(graph, target, fact, False)
    return sorted(set(spans), key=lambda s: (s.start, s.end, str(s.fact)))


def highlighted(text: str, spans: Iterable[Span]) -> str:
    """``text`` escaped, with every span wrapped in ``<mark>`` (overlaps merged)."""
    level = [0] * len(text)
    for span in spans:
        for i in range(max(0, span.start), min(len(text), span.end)):
            level[i] = max(level[i], 2 if span.direct else 1)
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and level[j] == level[i]:
            j += 1
        chunk = esc(text[i:j])
        if level[i] == 2:
            out.append(f'<mark class="evidence">{chunk}</mark>')
        elif level[i] == 1:
            out.append(f'<mark class="context">{chunk}</mark>')
        else:
            out.append(chunk)
        i = j
    return "".join(out)


def _evidence_section(graph: Graph, node: Node, folders: Sequence[Path], base: str) -> str:
    spans = evidence_spans(graph, node)
    if not spans:
        return ""
    direct = spans[0].direct
    heading = "Supporting text" if direct else "Mentioned in"
    intro = (
        "The article's text, with the span that supports this resource highlighted."
        if direct
        else "No sentence supports this resource itself; highlighted are the sentences "
        "supporting the facts that link to it."
    )
    if not direct and (node, RDF.type, KZEU.DerivedValue) in graph:
        heading = "Derived from"
        intro = (
            "This value is derived, not stated by the article; highlighted are the sentences "
            "that state its inputs."
        )
    grouped: dict[tuple[str, int, int, str, Node], list[Node]] = {}
    for span in spans:
        key = (span.source, span.start, span.end, span.exact, span.target)
        grouped.setdefault(key, [])
        if not span.direct and isinstance(span.fact, URIRef):
            grouped[key].append(span.fact)
    items = []
    for (name, start, end, exact, target), facts in grouped.items():
        text = source_text(name, folders)
        check = ""
        if text is None:
            check = ' <span class="warning">(source text not found)</span>'
        elif text[start:end] != exact:
            check = ' <span class="warning">(differs from the text at these offsets)</span>'
        supports = ""
        if facts:
            links = ", ".join(
                render_term(graph, fact, base) for fact in sorted(set(facts), key=str)
            )
            supports = f"<br>supports {links}"
        shown = render_term(graph, target, base) + " · " if isinstance(target, URIRef) else ""
        items.append(
            f'<li><blockquote class="quote">{esc(exact)}</blockquote>'
            f'<p class="where">{shown}characters {start}–{end} of '
            f"<code>{esc(name)}</code>{check}{supports}</p></li>"
        )
    texts = []
    for name in sorted({span.source for span in spans}):
        text = source_text(name, folders)
        if text is not None:
            marked = highlighted(text, (s for s in spans if s.source == name))
            texts.append(f'<div class="article" data-source="{esc(name)}">{marked}</div>')
    return (
        f'<section id="evidence"><h2>{heading}</h2><p class="note">{intro}</p>'
        f'<ul class="spans">{"".join(items)}</ul>{"".join(texts)}</section>'
    )


def _cite_section(graph: Graph, node: URIRef, void: Graph | None) -> str:
    """The "Cite" box: the citation as text and BibTeX (empty for what has no supporting text)."""
    from kzeu_graph.errors import KzeuError
    from kzeu_graph.publish.cite import cite

    try:
        citation = cite(graph, node, void)
    except KzeuError:
        return ""
    return (
        '<section id="cite"><h2>Cite</h2>'
        f'<pre class="cite">{esc(citation.text())}</pre>'
        f'<details><summary>BibTeX</summary><pre class="cite">{esc(citation.bibtex())}</pre>'
        '</details><p class="note">Also: <code>kzeu-graph cite '
        f"{esc(short_name(graph, node))} --format csl-json|ris</code></p></section>"
    )


def _incoming_section(graph: Graph, node: Node, base: str) -> str:
    rows = []
    pairs = sorted(
        {(s, p) for s, p in graph.subject_predicates(node) if isinstance(p, URIRef)},
        key=lambda sp: (short_name(graph, sp[1]), str(sp[0])),
    )
    for subject, predicate in pairs:
        rows.append(
            f"<tr><td>{render_term(graph, subject, base)}</td>"
            f"<th>{link(graph, predicate, base, short_name(graph, predicate))}</th></tr>"
        )
    if not rows:
        return ""
    return (
        f'<section id="incoming"><h2>Incoming links</h2><table class="props">'
        f"<thead><tr><th>subject</th><th>property</th></tr></thead>"
        f"<tbody>{''.join(rows)}</tbody></table></section>"
    )


def _alternates(iri: str, base: str) -> tuple[str, str]:
    """``<link rel=alternate>`` tags and a line of links to the RDF documents."""
    tags, links = [], []
    for ext, name, media in DOCUMENT_LINKS:
        path = document_path(iri, ext)
        if path is None:
            continue
        tags.append(f'<link rel="alternate" type="{media}" href="{esc(base + path)}">')
        links.append(f'<a href="{esc(base + path)}" type="{media}">{name}</a>')
    return "\n".join(tags), " · ".join(links)


def entity_page(
    graph: Graph,
    described: Graph,
    node: URIRef,
    source_dirs: Sequence[Path],
    base: str = "",
    labels: Graph | None = None,
    void: Graph | None = None,
) -> str:
    """The HTML page of ``node``: label, types, properties, supporting text, incoming links.

    A fact with supporting text also gets a "Cite" box (``void`` gives the dataset version).

    ``described`` holds the triples to show (``describe()``'s output); ``graph`` is the
    whole graph, used for the evidence spans; ``labels`` (default: ``graph``) gives the
    labels of linked nodes.
    """
    labels = graph if labels is None else labels
    for prefix, namespace in graph.namespaces():
        described.bind(prefix, namespace, override=False)
    label = label_of(described, node) or label_of(labels, node) or short_name(graph, node)
    types = sorted(o for o in described.objects(node, RDF.type) if isinstance(o, URIRef))
    type_links = ", ".join(link(labels, t, base, short_name(graph, t)) for t in types)
    display = Graph()  # the described triples, plus the labels of every linked node
    for prefix, namespace in graph.namespaces():
        display.bind(prefix, namespace)
    display += described
    linked = {n for triple in described for n in (triple[0], triple[2]) if isinstance(n, URIRef)}
    linked |= {t for t in types}
    linked.discard(node)
    for other in linked:
        for predicate in LABELS:
            for value in labels.objects(other, predicate):
                display.add((other, predicate, value))
    rows = property_rows(display, node, base)
    tags, formats = _alternates(str(node), base)
    description = ""
    comment = next(
        (str(o) for o in described.objects(node, SKOS.definition) if isinstance(o, Literal)), ""
    ) or next((str(o) for o in described.objects(node, RDFS.comment) if isinstance(o, Literal)), "")
    if comment:
        description = f'<p class="description">{esc(comment)}</p>'
    body = f"""<h1>{esc(label)}</h1>
<p class="iri"><code>{esc(node)}</code></p>
<p class="types">{"Type: " + type_links if type_links else "No type"}</p>
{description}
<p class="formats">This resource as data: {formats}</p>
{_evidence_section(graph, node, source_dirs, base)}
{_cite_section(graph, node, void)}
<section id="properties"><h2>Properties</h2>
<table class="props"><tbody>
{rows}
</tbody></table></section>
{_incoming_section(display, node, base)}"""
    return page(label, body, base, tags)


def ontology_page(ontology: Graph, base: str = "") -> str:
    """The ontology's page: the one ontology renderer's body
    (:func:`kzeu_graph.publish.ontodoc.ontology_body`) in the site's frame, with links to
    the ontology as data."""
    from kzeu_graph.publish.ontodoc import ontology_body

    tags, formats = _alternates(str(ONTOLOGY_IRI), base)
    title, body = ontology_body(ontology, diagram=None)
    return page(
        title, f'<p class="formats">The ontology as data: {formats}</p>\n{body}', base, tags
    )
