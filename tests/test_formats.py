"""The one table of RDF formats (kzeu_graph.rdf.formats): each record's names work.

A small graph (an IRI, a language string, a typed literal, a blank node) is written and
read back under each record's rdflib name and pyoxigraph format, across the two libraries.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from kzeu_graph.loading.datafiles import RDF_FORMATS
from kzeu_graph.loading.graph import SUPPORTED_SUFFIXES
from kzeu_graph.publish.export import EXPORT_FORMATS, QUAD_FORMATS
from kzeu_graph.rdf.formats import FORMATS, by_media_type, by_name, by_suffix
from kzeu_graph.rdf.terms import oxigraph_from_rdflib, rdflib_from_oxigraph

EX = "http://example.org/"
NAMES = [record.name for record in FORMATS]


def small_graph() -> Graph:
    graph = Graph()
    node = BNode()
    graph.add((URIRef(EX + "a"), URIRef(EX + "p"), Literal("Astana", lang="en")))
    graph.add((URIRef(EX + "a"), URIRef(EX + "n"), Literal("5", datatype=XSD.integer)))
    graph.add((URIRef(EX + "a"), URIRef(EX + "q"), node))
    graph.add((node, URIRef(EX + "p"), Literal('a "quoted"\nline')))
    return graph


def test_the_table_is_the_expected_one() -> None:
    """Worked out from the W3C and IANA registrations, not read from the table."""
    assert {(f.name, f.suffix, f.media_type, f.rdflib, f.quads) for f in FORMATS} == {
        ("turtle", ".ttl", "text/turtle", "turtle", False),
        ("json-ld", ".jsonld", "application/ld+json", "json-ld", False),
        ("nt", ".nt", "application/n-triples", "nt", False),
        ("nquads", ".nq", "application/n-quads", "nquads", True),
        ("trig", ".trig", "application/trig", "trig", True),
        ("xml", ".rdf", "application/rdf+xml", "xml", False),
    }
    assert {f.name for f in FORMATS if f.datasets} == {"json-ld", "nquads", "trig"}


def test_every_table_is_derived_from_it() -> None:
    suffixes = {s: f for f in FORMATS for s in f.suffixes}
    assert {s: f.oxigraph for s, f in suffixes.items()} == RDF_FORMATS
    assert {s: f.rdflib for s, f in suffixes.items()} == SUPPORTED_SUFFIXES
    assert {f.name: f.rdflib for f in FORMATS} == EXPORT_FORMATS
    assert {"nquads", "trig"} == QUAD_FORMATS


@pytest.mark.parametrize("name", NAMES)
def test_lookups(name: str) -> None:
    record = by_name(name)
    assert by_suffix(record.suffix.upper()) is record
    assert by_media_type(f"{record.media_type}; charset=utf-8") is record
    assert record.oxigraph.media_type == record.media_type


@pytest.mark.parametrize("name", NAMES)
def test_rdflib_writes_oxigraph_reads(name: str) -> None:
    record = by_name(name)
    graph = small_graph()
    source: Graph = graph
    if record.quads:  # written as a named graph
        source = Dataset()
        source.graph(URIRef(EX + "g")).__iadd__(graph)
    data = source.serialize(format=record.rdflib, encoding="utf-8")
    quads = list(ox.parse(data, record.oxigraph, base_iri=EX))
    assert {str(q.graph_name) for q in quads} == ({f"<{EX}g>"} if record.quads else {"DEFAULT"})
    back = Graph()
    for quad in quads:
        s, p, o = (rdflib_from_oxigraph(t) for t in (quad.subject, quad.predicate, quad.object))
        back.add((s, p, o))
    assert isomorphic(back, graph)


@pytest.mark.parametrize("name", NAMES)
def test_oxigraph_writes_rdflib_reads(name: str) -> None:
    record = by_name(name)
    graph = small_graph()
    triples = [ox.Triple(*(oxigraph_from_rdflib(t) for t in triple)) for triple in graph]
    if record.datasets:
        data = ox.serialize(
            [ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=record.oxigraph
        )
    else:
        data = ox.serialize(triples, format=record.oxigraph)
    assert data is not None
    back = Dataset()
    back.parse(data=data, format=record.rdflib, publicID=EX)
    union = Graph()
    for s, p, o, _ in back.quads((None, None, None, None)):
        union.add((s, p, o))
    assert isomorphic(union, graph)


def test_unknown_name() -> None:
    with pytest.raises(KeyError):
        by_name("n3")
    assert by_suffix(".txt") is None
    assert by_media_type("text/plain") is None
