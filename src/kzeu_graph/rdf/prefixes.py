"""The project's prefixes and IRI base as plain strings (no rdflib: the query path imports this)."""

from __future__ import annotations

import re

__all__ = ["BASE_IRI", "PREFIX_IRIS", "compact_iri"]

BASE_IRI = "https://w3id.org/kzeu/"
"""Every IRI the project mints starts with this (ontology, vocabulary, resources, graphs)."""

# THE prefix table (rdf.namespaces makes rdflib Namespaces of it; nothing else lists prefixes)
PREFIX_IRIS: dict[str, str] = {
    "kzeu": f"{BASE_IRI}ontology#",
    "kzv": f"{BASE_IRI}vocab/",
    "kzr": f"{BASE_IRI}id/",
    "schema": "https://schema.org/",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "sh": "http://www.w3.org/ns/shacl#",
    "wd": "http://www.wikidata.org/entity/",
    "void": "http://rdfs.org/ns/void#",
    "dcat": "http://www.w3.org/ns/dcat#",
}

_LOCAL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*(?<!\.)")


def compact_iri(iri: str, prefixes: dict[str, str] | None = None) -> str:
    """``kzr:x`` for an IRI in a known namespace whose rest is a plain local name; else the IRI."""
    table = PREFIX_IRIS if prefixes is None else prefixes
    best: tuple[int, str] | None = None
    for prefix, namespace in table.items():
        fits = iri.startswith(namespace) and _LOCAL_NAME.fullmatch(iri[len(namespace) :])
        if fits and (best is None or len(namespace) > best[0]):
            best = (len(namespace), prefix)
    if best is None:
        return iri
    return f"{best[1]}:{iri[best[0] :]}"
