"""Namespaces of the project and of the vocabularies it reuses, and their prefixes."""

from __future__ import annotations

from rdflib import Graph, Namespace

from kzeu_graph.rdf.prefixes import BASE_IRI, PREFIX_IRIS

PREFIXES: dict[str, Namespace] = {prefix: Namespace(iri) for prefix, iri in PREFIX_IRIS.items()}
KZEU = PREFIXES["kzeu"]
KZV = PREFIXES["kzv"]
KZR = PREFIXES["kzr"]
SCHEMA = PREFIXES["schema"]
OA = PREFIXES["oa"]
WD = PREFIXES["wd"]
KZEU_CHECK = Namespace(f"{BASE_IRI}check#")

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
    """A fresh in-memory graph with the project prefixes bound (and rdflib's SPARQL told
    never to fetch or read a graph for ``FROM``/``LOAD``)."""
    forbid_sparql_loading()
    return bind_prefixes(Graph(bind_namespaces="core"))


def forbid_sparql_loading() -> None:
    """Make rdflib's SPARQL never fetch or read a graph for ``FROM <...>`` or ``LOAD``.

    Called before rdflib SPARQL runs (every project graph is made by
    :func:`kzeu_graph.rdf.namespaces.new_graph`, and :func:`kzeu_graph.query.guard.execute_prepared`
    calls it too), never at import.
    """
    import rdflib.plugins.sparql

    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False
