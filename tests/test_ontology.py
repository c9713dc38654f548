"""The ontology documents itself: metadata, and a label and definition for every term."""

from __future__ import annotations

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, SKOS

from paths import ONTOLOGY

ONTOLOGY_IRI = URIRef("https://w3id.org/kzeu/ontology")
KZEU = "https://w3id.org/kzeu/ontology#"
KZV = "https://w3id.org/kzeu/vocab/"

GRAPH = Graph().parse(ONTOLOGY, format="turtle")
TERMS = sorted(
    s
    for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    for s in GRAPH.subjects(RDF.type, kind)
    if isinstance(s, URIRef)
)
CONCEPTS = sorted(s for s in GRAPH.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef))


def test_ontology_metadata() -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in GRAPH
    assert GRAPH.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert GRAPH.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef(str(ONTOLOGY_IRI) + "/0.1.0")
    assert GRAPH.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert not list(GRAPH.objects(None, OWL.imports))  # nothing is ever fetched


def test_ontology_defines_what_the_data_uses() -> None:
    names = {str(t).removeprefix(KZEU) for t in TERMS}
    counts = [
        len(set(GRAPH.subjects(RDF.type, k)))
        for k in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
    ]
    assert counts == [17, 29, 7]  # counted by hand in ontology/kzeu.ttl
    assert {"Figure", "DerivedValue", "DirectQuote", "Visit", "exactness", "dateBasis"} <= names


@pytest.mark.parametrize("term", TERMS, ids=lambda t: str(t).removeprefix(KZEU))
def test_every_term_has_label_definition_and_home(term: URIRef) -> None:
    assert str(term).startswith(KZEU)
    assert GRAPH.value(term, RDFS.label) is not None
    assert GRAPH.value(term, SKOS.definition) is not None
    assert GRAPH.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI


@pytest.mark.parametrize("concept", CONCEPTS, ids=lambda t: str(t).removeprefix(KZV))
def test_every_vocabulary_concept_has_label_definition_and_scheme(concept: URIRef) -> None:
    assert GRAPH.value(concept, SKOS.prefLabel) is not None
    assert GRAPH.value(concept, SKOS.definition) is not None
    scheme = GRAPH.value(concept, SKOS.inScheme)
    assert (scheme, RDF.type, SKOS.ConceptScheme) in GRAPH


def test_own_classes_are_tied_to_standard_ones() -> None:
    for cls in GRAPH.subjects(RDF.type, OWL.Class):
        parents = set(GRAPH.objects(cls, RDFS.subClassOf))
        assert parents, cls
        assert any(not str(p).startswith(KZEU) for p in parents) or parents <= {
            URIRef(KZEU + "Statement")
        }, cls
