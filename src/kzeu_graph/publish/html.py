"""HTML building blocks shared by the published documents and the server's pages.

Escaping, links to the server's own paths, labels, the page frame and the source texts
(read by bare file name only). The server (:mod:`kzeu_graph.serve.pages`) and the coverage
map (:mod:`kzeu_graph.publish.coverage`) both build on these; nothing here imports the
server.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from rdflib import Graph, Literal
from rdflib.namespace import DCTERMS, RDFS, SKOS
from rdflib.term import Node

from kzeu_graph.rdf.namespaces import SCHEMA
from kzeu_graph.rdf.prefixes import BASE_IRI

__all__ = [
    "BASE_IRI",
    "LABELS",
    "esc",
    "href_of",
    "label_of",
    "local_path",
    "page",
    "source_text",
]

_SAFE_PATH = "/-._~!$&'()*+,;=:@#"
_SOURCE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_MAX_SOURCE_BYTES = 5 * 1024 * 1024
LABELS = (RDFS.label, SKOS.prefLabel, SCHEMA.name, DCTERMS.title)


def esc(text: object) -> str:
    """Text made safe for HTML content and quoted attribute values."""
    return html.escape(str(text), quote=True)


def local_path(iri: str) -> str | None:
    """The server path of a project IRI (``https://w3id.org/kzeu/id/x`` -> ``/id/x``)."""
    if not iri.startswith(BASE_IRI):
        return None
    return "/" + quote(iri[len(BASE_IRI) :], safe=_SAFE_PATH)


def href_of(iri: str, base: str = "") -> str | None:
    """Where a link to ``iri`` points: the local page, the IRI itself (http/https), or nowhere."""
    path = local_path(iri)
    if path is not None:
        return base + path
    if re.match(r"https?://", iri, re.IGNORECASE):
        return iri
    return None


def label_of(graph: Graph, node: Node) -> str | None:
    """The node's label: English first, then untagged, then any; rdfs:label before others."""
    for predicate in LABELS:
        values = [o for o in graph.objects(node, predicate) if isinstance(o, Literal)]
        if not values:
            continue
        for wanted in ("en", None):
            for value in sorted(values):
                if value.language == wanted:
                    return str(value)
        return str(sorted(values)[0])
    return None


def page(title: str, body: str, base: str = "", alternates: str = "") -> str:
    """A whole HTML document around ``body`` (already escaped HTML)."""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{esc(title)} · kzeu-graph</title>
<link rel="stylesheet" href="{esc(base)}/static/style.css">
<link rel="icon" href="{esc(base)}/static/favicon.svg" type="image/svg+xml">
{alternates}
</head>
<body>
<header class="site"><a class="brand" href="{esc(base)}/">kzeu-graph</a>
<nav><a href="{esc(base)}/sparql">SPARQL</a> <a href="{esc(base)}/api">API</a>
<a href="{esc(base)}/ontology">Ontology</a> <a href="{esc(base)}/id/dataset">Dataset</a></nav></header>
<main>
{body}
</main>
<footer class="site">EU–Kazakhstan cooperation, from one news article · graph and ontology CC BY 4.0</footer>
</body>
</html>
"""


@lru_cache(maxsize=8)
def _read_source(path: Path) -> str | None:
    try:
        if path.stat().st_size > _MAX_SOURCE_BYTES:
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def source_text(name: str, folders: Sequence[Path]) -> str | None:
    """The text of the source file called ``name`` (a bare file name) in the first folder."""
    if not _SOURCE_NAME.fullmatch(name) or ".." in name:
        return None
    for folder in folders:
        path = Path(folder) / name
        if path.is_file():
            return _read_source(path.resolve())
    return None
