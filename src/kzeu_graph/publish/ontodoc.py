"""Documentation of the ontology, drawn from the ontology graph: an HTML page and a DOT diagram.

Both outputs are deterministic (every list is sorted), self-contained (no scripts, fonts or
styles fetched from anywhere) and escape every string taken from the graph.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS, VANN
from rdflib.term import Node

from kzeu_graph.rdf.namespaces import KZEU, KZV, PREFIXES
from kzeu_graph.rdf.prefixes import BASE_IRI

__all__ = ["ONTOLOGY", "model_dot", "ontology_body", "ontology_html"]

ONTOLOGY = URIRef(f"{BASE_IRI}ontology")
_KINDS = (
    (OWL.Class, "classes", "Classes"),
    (OWL.ObjectProperty, "object-properties", "Object properties"),
    (OWL.DatatypeProperty, "datatype-properties", "Datatype properties"),
)


def _ontology() -> Graph:
    from kzeu_graph.loading.graph import load_ontology

    return load_ontology()


def _curie(term: Node) -> str:
    """``kzeu:Figure``, ``schema:Event``; the full IRI where no project prefix fits."""
    text = str(term)
    best = ""
    for prefix, namespace in PREFIXES.items():
        local = text.removeprefix(str(namespace))
        if local != text and "/" not in local and "#" not in local:
            candidate = f"{prefix}:{local}"
            if not best or len(candidate) < len(best):
                best = candidate
    return best or text


def _own(term: Node) -> bool:
    return isinstance(term, URIRef) and str(term).startswith(str(KZEU))


def _local(term: Node) -> str:
    return str(term).removeprefix(str(KZEU)).removeprefix(str(KZV))


def _anchor(term: Node) -> str:
    """The id of a term's section: ``Figure`` for kzeu:Figure, ``kzv-exactness`` for kzv:."""
    text = str(term)
    return "kzv-" + text.removeprefix(str(KZV)) if text.startswith(str(KZV)) else _local(term)


def _text(graph: Graph, subject: Node, *predicates: URIRef) -> str:
    """The English (or untagged) value of the first predicate that has one."""
    for predicate in predicates:
        values = sorted(graph.objects(subject, predicate), key=str)
        for value in values:
            if isinstance(value, Literal) and value.language in (None, "en"):
                return str(value)
    return ""


def _sorted(terms: Iterable[Node]) -> list[URIRef]:
    return sorted({t for t in terms if isinstance(t, URIRef)}, key=_curie)


# ------------------------------------------------------------------ HTML

_CSS = """
body { font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem;
       line-height: 1.45; color: #1b1b1b; }
h1 { font-size: 1.7rem; } h2 { border-bottom: 1px solid #ccc; margin-top: 2.5rem; }
h3 { margin-bottom: 0.2rem; } code { font-size: 0.92em; }
.term { border-left: 4px solid #3b6ea8; padding: 0.1rem 0 0.4rem 0.8rem; margin: 1.3rem 0; }
.iri { color: #555; font-size: 0.9em; margin: 0 0 0.4rem 0; }
table { border-collapse: collapse; } th, td { text-align: left; vertical-align: top;
        padding: 0.2rem 0.8rem 0.2rem 0; }
th { font-weight: 600; white-space: nowrap; } nav li { margin: 0.1rem 0; }
img { max-width: 100%; border: 1px solid #ddd; }
"""


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _link(term: Node) -> str:
    """A link: to the term's section here if it is ours, else to its IRI."""
    label = _e(_curie(term))
    if _own(term) or (isinstance(term, URIRef) and str(term).startswith(str(KZV))):
        return f'<a href="#{_e(_anchor(term))}"><code>{label}</code></a>'
    return f'<a href="{_e(str(term))}"><code>{label}</code></a>'


def _links(terms: Iterable[Node]) -> str:
    return ", ".join(_link(t) for t in _sorted(terms))


def _row(name: str, value: str) -> str:
    return f"<tr><th>{_e(name)}</th><td>{value}</td></tr>" if value else ""


def _term_section(graph: Graph, term: URIRef, rows: list[tuple[str, str]]) -> str:
    label = _text(graph, term, RDFS.label, SKOS.prefLabel) or _local(term)
    definition = _text(graph, term, SKOS.definition, RDFS.comment)
    comment = _text(graph, term, RDFS.comment) if graph.value(term, SKOS.definition) else ""
    body = "".join(_row(name, value) for name, value in rows)
    parts = [
        f'<section class="term" id="{_e(_anchor(term))}">',
        f"<h3>{_e(label)}</h3>",
        f'<p class="iri"><code>{_e(_curie(term))}</code> &nbsp; {_e(str(term))}</p>',
        f"<p>{_e(definition)}</p>" if definition else "",
        f"<p><em>{_e(comment)}</em></p>" if comment else "",
        f"<table>{body}</table>" if body else "",
        "</section>",
    ]
    return "\n".join(p for p in parts if p)


def _class_rows(graph: Graph, cls: URIRef) -> list[tuple[str, str]]:
    properties = _sorted(graph.subjects(RDFS.domain, cls))
    ranged = _sorted(graph.subjects(RDFS.range, cls))
    return [
        ("Sub-class of", _links(graph.objects(cls, RDFS.subClassOf))),
        ("Super-class of", _links(graph.subjects(RDFS.subClassOf, cls))),
        (
            "Disjoint with",
            _links([*graph.objects(cls, OWL.disjointWith), *graph.subjects(OWL.disjointWith, cls)]),
        ),
        ("In the domain of", _links(p for p in properties if _own(p))),
        ("In the range of", _links(p for p in ranged if _own(p))),
    ]


def _property_rows(graph: Graph, prop: URIRef) -> list[tuple[str, str]]:
    return [
        ("Sub-property of", _links(graph.objects(prop, RDFS.subPropertyOf))),
        ("Domain", _links(graph.objects(prop, RDFS.domain))),
        ("Range", _links(graph.objects(prop, RDFS.range))),
        ("Inverse of", _links(graph.objects(prop, OWL.inverseOf))),
    ]


def _schemes_html(graph: Graph) -> list[str]:
    out: list[str] = []
    schemes = [s for s in _sorted(graph.subjects(RDF.type, SKOS.ConceptScheme))
               if str(s).startswith(str(KZV)) and s != URIRef(str(KZV))]  # fmt: skip
    for scheme in schemes:
        concepts = _sorted(graph.subjects(SKOS.inScheme, scheme))
        rows = []
        for concept in concepts:
            broader = _links(graph.objects(concept, SKOS.broader))
            rows.append(
                f'<tr id="{_e(_anchor(concept))}"><td><code>{_e(_curie(concept))}</code></td>'
                f"<td>{_e(_text(graph, concept, SKOS.prefLabel))}</td>"
                f"<td>{_e(_text(graph, concept, SKOS.definition))}</td>"
                f"<td>{broader}</td></tr>"
            )
        out.append(
            "\n".join(
                [
                    f'<section class="term" id="{_e(_anchor(scheme))}">',
                    f"<h3>{_e(_text(graph, scheme, SKOS.prefLabel))}</h3>",
                    f'<p class="iri"><code>{_e(_curie(scheme))}</code> &nbsp; {_e(str(scheme))}</p>',
                    f"<p>{_e(_text(graph, scheme, SKOS.definition))}</p>",
                    "<table><tr><th>Concept</th><th>Label</th><th>Definition</th>"
                    "<th>Broader</th></tr>",
                    *rows,
                    "</table>",
                    "</section>",
                ]
            )
        )
    return out


def _reused_html(graph: Graph) -> str:
    """The restated axioms of standard vocabularies, one row per triple."""
    rows = []
    for s, p, o in sorted(graph, key=lambda t: (_curie(t[0]), _curie(t[1]), _curie(t[2]))):
        if _own(s) or p == RDFS.isDefinedBy or not isinstance(s, URIRef):
            continue
        if str(s).startswith(str(KZV)) or s == ONTOLOGY or isinstance(o, Literal):
            continue
        rows.append(f"<tr><td>{_link(s)}</td><td>{_link(p)}</td><td>{_link(o)}</td></tr>")
    return "<table>\n" + "\n".join(rows) + "\n</table>"


def ontology_body(graph: Graph | None = None, diagram: str | None = "model.svg") -> tuple[str, str]:
    """The ontology (default: the project's) documented in HTML: (title, the page's body).

    THE renderer of the ontology: :func:`ontology_html` frames it as a self-contained page
    (docs/ontology.html), the server's ``/ontology.html`` frames it in the site's pages.
    ``diagram`` is the relative path of the model picture to show (``None``: no picture).
    """
    graph = _ontology() if graph is None else graph
    title = _text(graph, ONTOLOGY, DCTERMS.title, RDFS.label) or str(ONTOLOGY)
    metadata = [
        ("IRI", f"<code>{_e(str(ONTOLOGY))}</code>"),
        ("Version", _e(_text(graph, ONTOLOGY, OWL.versionInfo))),
        ("Version IRI", _links(graph.objects(ONTOLOGY, OWL.versionIRI))),
        ("Licence", _links(graph.objects(ONTOLOGY, DCTERMS.license))),
        ("Creator", _e(_text(graph, ONTOLOGY, DCTERMS.creator))),
        ("Preferred prefix", _e(_text(graph, ONTOLOGY, VANN.preferredNamespacePrefix))),
        ("Namespace", f"<code>{_e(_text(graph, ONTOLOGY, VANN.preferredNamespaceUri))}</code>"),
    ]
    sections: list[tuple[str, str, list[str]]] = []
    for kind, anchor, heading in _KINDS:
        terms = [t for t in _sorted(graph.subjects(RDF.type, kind)) if _own(t)]
        rows = _class_rows if kind == OWL.Class else _property_rows
        sections.append((anchor, heading, [_term_section(graph, t, rows(graph, t)) for t in terms]))
    sections.append(("vocabularies", "Controlled vocabularies", _schemes_html(graph)))
    nav = []
    for anchor, heading, items in sections:
        nav.append(f'<li><a href="#{anchor}">{_e(heading)}</a> ({len(items)})</li>')
    namespaces = "".join(
        f"<tr><td><code>{_e(prefix)}:</code></td><td><code>{_e(str(ns))}</code></td></tr>"
        for prefix, ns in sorted(PREFIXES.items())
    )
    picture = (
        f'<h2 id="diagram">Model</h2>\n<p>Classes of the ontology (blue) and the standard classes '
        f"they specialise or connect (white). Hollow arrows are sub-class links; dashed, "
        f"labelled arrows are object properties, from their domain to their range. Inside a "
        f"box are its datatype properties and the object properties it is the only declared "
        f"end of (<code>kzeu:party →</code> from it, <code>→ kzeu:measure</code> to it); the "
        f"note lists the properties with neither a domain nor a range.</p>\n"
        f'<p><a href="{_e(diagram)}"><img src="{_e(diagram)}" alt="Diagram of the kzeu classes and properties"></a></p>'
        if diagram
        else ""
    )
    body = [
        f"<h1>{_e(title)}</h1>",
        f"<p>{_e(_text(graph, ONTOLOGY, DCTERMS.description))}</p>",
        "<table>" + "".join(_row(name, value) for name, value in metadata) + "</table>",
        "<nav><h2>Contents</h2><ul>",
        '<li><a href="#diagram">Model</a></li>' if diagram else "",
        *nav,
        '<li><a href="#reused">Standard axioms restated</a></li>',
        '<li><a href="#namespaces">Namespaces</a></li>',
        "</ul></nav>",
        picture,
    ]
    for anchor, heading, items in sections:
        body.append(f'<h2 id="{anchor}">{_e(heading)}</h2>')
        body.extend(items)
    body += [
        '<h2 id="reused">Standard axioms restated</h2>',
        "<p>The few axioms of reused vocabularies that inference relies on, restated in "
        "<code>ontology/reused-terms.ttl</code> so that nothing is fetched (no "
        "<code>owl:imports</code>).</p>",
        _reused_html(graph),
        '<h2 id="namespaces">Namespaces</h2>',
        f"<table>{namespaces}</table>",
    ]
    return title, "\n".join(line for line in body if line != "")


def ontology_html(graph: Graph | None = None, diagram: str | None = "model.svg") -> str:
    """The ontology (default: the project's) documented as one self-contained HTML page.

    ``diagram`` is the relative path of the model picture to show (``None``: no picture).
    """
    title, body = ontology_body(graph, diagram)
    page = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        f"<title>{_e(title)}</title>",
        f"<style>{_CSS}</style>",
        "</head>",
        "<body>",
        body,
        "<p><small>Generated from the ontology by <code>kzeu-graph ontology-docs</code>; "
        "do not edit by hand.</small></p>",
        "</body>",
        "</html>",
    ]
    return "\n".join(page)


# ------------------------------------------------------------------ DOT


def _dot_id(term: Node) -> str:
    return '"' + _curie(term).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _dot_html(text: str) -> str:
    return html.escape(text, quote=True)


def model_dot(graph: Graph | None = None) -> str:
    """A Graphviz diagram of the ontology's classes, sub-class links and object properties.

    Our classes are filled; the standard classes they specialise, or that a property of
    ours points to, are white. Sub-class links have hollow arrowheads; each object property
    with a domain and a range is a labelled edge from its domain to its range. Inside a
    class's box are its datatype properties, the object properties it is the only declared
    end of (``kzeu:party →`` from it, ``→ kzeu:measure`` to it); properties with neither a
    domain nor a range are listed in a note.
    """
    graph = _ontology() if graph is None else graph
    own_classes = [c for c in _sorted(graph.subjects(RDF.type, OWL.Class)) if _own(c)]
    subclass_edges = sorted(
        {(c, p) for c in own_classes for p in graph.objects(c, RDFS.subClassOf)
         if isinstance(p, URIRef)},
        key=lambda e: (_curie(e[0]), _curie(e[1])),
    )  # fmt: skip
    object_properties = [p for p in _sorted(graph.subjects(RDF.type, OWL.ObjectProperty))
                         if _own(p)]  # fmt: skip
    property_edges = sorted(
        {(d, r, p) for p in object_properties for d in graph.objects(p, RDFS.domain)
         for r in graph.objects(p, RDFS.range) if isinstance(d, URIRef) and isinstance(r, URIRef)},
        key=lambda e: (_curie(e[2]), _curie(e[0]), _curie(e[1])),
    )  # fmt: skip
    # Rows inside a class's box: datatype properties with that domain ("kzeu:rank"), object
    # properties with that domain and no range ("kzeu:party →"), and object properties with
    # that range and no domain ("→ kzeu:measure"). Properties with neither go in a note.
    inside: dict[URIRef, list[str]] = {}
    anywhere: list[str] = []
    for prop in _sorted(graph.subjects(RDF.type, OWL.DatatypeProperty)):
        if _own(prop):
            domains = _sorted(graph.objects(prop, RDFS.domain))
            for domain in domains:
                inside.setdefault(domain, []).append(_curie(prop))
            if not domains:
                anywhere.append(_curie(prop))
    for prop in object_properties:
        domains = _sorted(graph.objects(prop, RDFS.domain))
        ranges = _sorted(graph.objects(prop, RDFS.range))
        if domains and not ranges:
            for domain in domains:
                inside.setdefault(domain, []).append(f"{_curie(prop)} →")
        elif ranges and not domains:
            for range_ in ranges:
                inside.setdefault(range_, []).append(f"→ {_curie(prop)}")
        elif not domains and not ranges:
            anywhere.append(_curie(prop))
    nodes = set(own_classes) | {p for _, p in subclass_edges}
    nodes |= {d for d, _, _ in property_edges} | {r for _, r, _ in property_edges}
    nodes |= set(inside)
    lines = [
        "// Generated from the ontology by kzeu-graph model-diagram; do not edit by hand.",
        "digraph kzeu {",
        '  graph [rankdir=RL, fontname="Helvetica", fontsize=11, nodesep=0.35, ranksep=0.6,'
        " newrank=true];",
        '  node [shape=plain, fontname="Helvetica", fontsize=11];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ]
    for node in sorted(nodes, key=_curie):
        fill = "#dbe7f5" if _own(node) else "#ffffff"
        border = "#3b6ea8" if _own(node) else "#888888"
        rows = "".join(
            f'<tr><td align="left"><font point-size="9">{_dot_html(text)}</font></td></tr>'
            for text in inside.get(node, [])
        )
        label = (
            f'<<table border="1" cellborder="0" cellspacing="0" cellpadding="4" '
            f'bgcolor="{fill}" color="{border}"><tr><td><b>{_dot_html(_curie(node))}</b></td></tr>'
            f"{rows}</table>>"
        )
        lines.append(f"  {_dot_id(node)} [label={label}];")
    for child, parent in subclass_edges:
        lines.append(f"  {_dot_id(child)} -> {_dot_id(parent)} [arrowhead=empty];")
    for domain, range_, prop in property_edges:
        lines.append(
            f"  {_dot_id(domain)} -> {_dot_id(range_)} "
            f'[label="{_curie(prop)}", style=dashed, arrowhead=vee];'
        )
    if anywhere:
        note = "<br/>".join(_dot_html(text) for text in anywhere)
        lines.append(
            '  "properties of any class" [shape=note, fontsize=9, color="#888888", '
            f"label=<<b>no domain or range:</b><br/>{note}>];"
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
