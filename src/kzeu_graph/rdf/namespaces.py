"""Namespaces of the project and of the vocabularies it reuses, and their prefixes."""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import DCAT, DCTERMS, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, TIME, VOID, XSD

KZEU = Namespace("https://w3id.org/kzeu/ontology#")
KZV = Namespace("https://w3id.org/kzeu/vocab/")
KZR = Namespace("https://w3id.org/kzeu/id/")
SCHEMA = Namespace("https://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
WD = Namespace("http://www.wikidata.org/entity/")
KZEU_CHECK = Namespace("https://w3id.org/kzeu/check#")

PREFIXES: dict[str, Namespace] = {
    "kzeu": KZEU,
    "kzv": KZV,
    "kzr": KZR,
    "schema": SCHEMA,
    "prov": Namespace(str(PROV)),
    "oa": OA,
    "org": Namespace(str(ORG)),
    "time": Namespace(str(TIME)),
    "skos": Namespace(str(SKOS)),
    "dcterms": Namespace(str(DCTERMS)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
    "sh": Namespace(str(SH)),
    "wd": WD,
    "void": Namespace(str(VOID)),
    "dcat": Namespace(str(DCAT)),
}

__all__ = [
    "KZEU",
    "KZEU_CHECK",
    "KZR",
    "KZV",
    "OA",
    "PREFIXES",
    "SCHEMA",
    "WD",
    "bind_prefixes",
    "new_graph",
]


def bind_prefixes(graph: Graph) -> Graph:
    """Bind every project prefix on ``graph`` (replacing rdflib's defaults) and return it."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    return graph


def new_graph() -> Graph:
    """A fresh in-memory graph with the project prefixes bound."""
    return bind_prefixes(Graph(bind_namespaces="core"))
