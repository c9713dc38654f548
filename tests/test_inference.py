"""Inference with owlrl adds the standard view of our own terms, and nothing false."""

from __future__ import annotations

import pytest
from rdflib import RDF, RDFS, Graph, Literal, Namespace
from rdflib.namespace import ORG, PROV, TIME, XSD
from rdflib.term import Node

from kzeu_graph.loading import Inference, apply_inference, load_graph
from kzeu_graph.namespaces import KZEU, KZR, KZV, OA, SCHEMA
from kzeu_graph.validation import validate

Triple = tuple[Node, Node, Node]


@pytest.fixture(scope="session")
def plain() -> Graph:
    return load_graph(inference="none")


@pytest.fixture(scope="session")
def rdfs_closure() -> Graph:
    return load_graph(inference="rdfs")


@pytest.fixture(scope="session")
def owlrl_closure() -> Graph:
    return load_graph(inference="owlrl")


# What the subclass and subproperty axioms of ontology/kzeu.ttl and
# ontology/reused-terms.ttl must add, worked out from those axioms.
RDFS_ENTAILED: list[Triple] = [
    (KZR["figure-eu-investment-stock"], RDF.type, SCHEMA.Observation),  # Figure ⊑ Observation
    (KZR["figure-eu-investment-stock"], RDF.type, PROV.Entity),  # Figure ⊑ prov:Entity
    (KZR["figure-eu-trade-volume-2022"], SCHEMA.variableMeasured, KZV["trade-volume"]),
    (KZR["statement-p4-s1"], RDF.type, SCHEMA.Quotation),  # DirectQuote ⊑ Quotation
    (KZR["statement-p4-s1"], RDF.type, KZEU.Statement),
    (KZR["statement-p4-s1"], RDF.type, SCHEMA.CreativeWork),  # Quotation ⊑ CreativeWork
    (KZR["statement-p7"], RDF.type, KZEU.Statement),  # Narration ⊑ Statement
    (KZR["visit-charles-michel"], RDF.type, SCHEMA.Event),  # Visit ⊑ Event
    (KZR["visit-charles-michel"], SCHEMA.attendee, KZR["charles-michel"]),  # visitor ⊑ attendee
    (KZR.brexit, SCHEMA.actor, KZR["united-kingdom"]),  # participant ⊑ actor
    (KZR.briefing, RDF.type, SCHEMA.Event),
    (KZR.epca, RDF.type, SCHEMA.CreativeWork),  # Agreement ⊑ CreativeWork
    (KZR.astana, RDF.type, SCHEMA.Place),  # City ⊑ AdministrativeArea ⊑ Place
    (KZR["roman-vassilenko"], RDF.type, PROV.Agent),  # prov:Person ⊑ prov:Agent
    (KZR["european-union"], RDF.type, ORG.Organization),  # FormalOrganization ⊑ Organization
    (KZR.article, RDF.type, SCHEMA.CreativeWork),  # NewsArticle ⊑ Article ⊑ CreativeWork
    (KZR["period-2022-first-nine-months"], RDF.type, TIME.TemporalEntity),
    (KZR["sentence-p1-quote"], RDF.type, OA.Selector),
]

# OWL-RL adds what RDFS cannot: the inverse properties of W3C ORG.
OWLRL_ONLY: list[Triple] = [
    (KZR["roman-vassilenko"], ORG.holds, KZR["post-deputy-foreign-minister-of-kazakhstan"]),
    (KZR["european-council"], ORG.hasPost, KZR["post-president-of-the-european-council"]),
]

# Things inference must never conclude.
NEVER: list[Triple] = [
    # an implied place is not a stated place
    (KZR["visit-josep-borrell"], SCHEMA.location, KZR.astana),
    (KZR["visit-ursula-von-der-leyen"], SCHEMA.location, KZR.kazakhstan),
    # a derived value is not a stated figure
    (KZR["derived-eu-trade-volume-2021"], RDF.type, KZEU.Figure),
]


@pytest.mark.parametrize("triple", RDFS_ENTAILED, ids=lambda t: f"{t[0].n3()} {t[2].n3()}")
def test_rdfs_adds_the_standard_view(plain: Graph, rdfs_closure: Graph, triple: Triple) -> None:
    assert triple not in plain
    assert triple in rdfs_closure


@pytest.mark.parametrize("triple", RDFS_ENTAILED + OWLRL_ONLY, ids=lambda t: t[0].n3())
def test_owlrl_adds_rdfs_and_inverses(owlrl_closure: Graph, triple: Triple) -> None:
    assert triple in owlrl_closure


@pytest.mark.parametrize("triple", OWLRL_ONLY, ids=lambda t: t[0].n3())
def test_inverses_need_owlrl(rdfs_closure: Graph, triple: Triple) -> None:
    assert triple not in rdfs_closure


@pytest.mark.parametrize("triple", NEVER, ids=lambda t: f"{t[0].n3()} {t[1].n3()}")
def test_inference_does_not_invent(
    rdfs_closure: Graph, owlrl_closure: Graph, triple: Triple
) -> None:
    assert triple not in rdfs_closure
    assert triple not in owlrl_closure


@pytest.mark.parametrize("closure", ["rdfs_closure", "owlrl_closure"])
def test_closure_is_valid_rdf(request: pytest.FixtureRequest, closure: str) -> None:
    """owlrl adds triples with literal subjects; the loader drops them."""
    graph: Graph = request.getfixturevalue(closure)
    assert not [s for s in graph.subjects() if isinstance(s, Literal)]


def test_plain_graph_is_ontology_plus_data(plain: Graph) -> None:
    assert (KZR["figure-eu-investment-stock"], RDF.type, KZEU.Figure) in plain
    assert (KZEU.Figure, None, None) in plain


@pytest.mark.parametrize("closure", ["rdfs_closure", "owlrl_closure"])
def test_closure_keeps_every_value_as_written(
    request: pytest.FixtureRequest, plain: Graph, closure: str
) -> None:
    """owlrl's literal proxies would add 30.0 beside "30"^^xsd:positiveInteger, and an @en
    copy of every plain name; none of that is entailed, and the loader drops it."""
    graph: Graph = request.getfixturevalue(closure)
    added = [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and (s, p, o) not in plain]
    assert added == []
    assert set(graph.objects(KZR["anniversary-30-diplomatic-relations"], KZEU.ordinal)) == {
        Literal("30", datatype=XSD.positiveInteger)
    }


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_closure_still_conforms(inference: Inference) -> None:
    assert validate(load_graph(inference=inference)).conforms


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_sub_property_literals_are_entailed(inference: Inference) -> None:
    """The one way a closure may add a literal: through a sub-property."""
    ex = Namespace("http://example.org/")
    graph = Graph()
    graph.add((ex.nick, RDFS.subPropertyOf, ex.name))
    graph.add((ex.a, ex.nick, Literal("Al")))
    graph.add((ex.a, ex.age, Literal("30", datatype=XSD.positiveInteger)))
    apply_inference(graph, inference)
    assert (ex.a, ex.name, Literal("Al")) in graph
    assert set(graph.objects(ex.a, ex.age)) == {Literal("30", datatype=XSD.positiveInteger)}
