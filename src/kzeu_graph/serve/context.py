"""The small graph an entity page needs, read from any store by a few SPARQL queries.

The page renderers (:mod:`kzeu_graph.serve.pages`) and the citation
(:mod:`kzeu_graph.publish.cite`) walk an rdflib Graph. On a store of a million triples that
Graph cannot be the whole store, so the worker builds, per page, a graph that holds every
triple those walks read about the page's node:

- its description (:func:`kzeu_graph.sparql.run.describe`: outgoing with blank nodes,
  incoming, its annotations with their targets and selectors);
- the node's annotations, their targets, selectors, sources (the article) and the
  sources' publishers (the evidence and the citation); when these give no supporting
  text, the same for the values it is derived from, and then for every node that links to
  it (the renderers' own fallbacks, in their order);
- the labels of every IRI in all that, and the dataset's own triples (title, version).

Each part is a CONSTRUCT of one group with the node bound as a parameter (the engines'
strict binding), or, for the labels, a VALUES list written by the strict term serializer
from the IRIs the store itself returned. No UNION: an engine evaluates a UNION's branches
before joining them with the parameters, which on a large store means scanning it.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from rdflib import RDF, Graph, URIRef
from rdflib.namespace import PROV

from kzeu_graph.publish.html import LABELS
from kzeu_graph.rdf.namespaces import KZEU, KZR, new_graph
from kzeu_graph.rdf.terms import Term, sparql_term
from kzeu_graph.sparql.run import closure_query, construct_triples, describe

if TYPE_CHECKING:
    from kzeu_graph.engines import Engine

__all__ = ["EVIDENCE_DEPTH", "LABEL_BATCH", "page_graph"]

EVIDENCE_DEPTH = 1  # blank nodes followed from an annotation, target, selector or source
LABEL_BATCH = 500  # IRIs per labels query

_TARGET = "?_a oa:hasBody ?node . ?_a oa:hasTarget ?_t ."
# What the evidence and the citation read about one fact ?node (besides its own triples)
_EVIDENCE_QUERIES = [
    closure_query(root, EVIDENCE_DEPTH)
    for root in (
        "?node oa:hasSelector ?r .",  # the fact may be a target itself
        "?node oa:hasSource ?r .",
        "?node oa:hasSource ?_src . ?_src schema:publisher ?r .",
        "?r oa:hasBody ?node .",  # its annotations
        "?_a oa:hasBody ?node . ?_a oa:hasTarget ?r .",
        f"{_TARGET} ?_t oa:hasSelector ?r .",
        f"{_TARGET} ?_t oa:hasSource ?r .",
        f"{_TARGET} ?_t oa:hasSource ?_src . ?_src schema:publisher ?r .",
    )
]
_OWN_QUERY = closure_query("", EVIDENCE_DEPTH, start="?node")
# what the citation reads about the dataset: its title and version
_DATASET_QUERY = (
    "CONSTRUCT { ?node ?p ?o } WHERE { ?node ?p ?o . FILTER(?p IN (dcterms:title, dcat:version)) }"
)


def _construct(engine: Engine, text: str, bindings: dict[str, Term], into: Graph) -> None:
    for triple in construct_triples(engine, text, bindings):
        into.add(triple)


def _evidence(engine: Engine, fact: URIRef, into: Graph, own: bool = True) -> None:
    bound = {"node": Term.iri(str(fact))}
    for text in [_OWN_QUERY, *_EVIDENCE_QUERIES] if own else _EVIDENCE_QUERIES:
        _construct(engine, text, bound, into)


def _mentions_service(iri: str) -> bool:
    return "service" in unicodedata.normalize("NFKC", iri).casefold()


def _labels(engine: Engine, iris: list[str], into: Graph) -> None:
    """The label triples (every predicate of LABELS) of ``iris``.

    Engines that run query text refuse the word SERVICE anywhere in it, so an IRI that
    holds it (``kzr:central-communications-service``) is bound as a parameter instead.
    """
    # a FILTER, not a VALUES list of predicates: Oxigraph joined that one with every triple
    predicates = ", ".join(f"<{p}>" for p in LABELS)
    bound_query = f"CONSTRUCT {{ ?x ?p ?l }} WHERE {{ ?x ?p ?l . FILTER(?p IN ({predicates})) }}"
    listed = [iri for iri in iris if not _mentions_service(iri)]
    for iri in iris:
        if _mentions_service(iri):
            _construct(engine, bound_query, {"x": Term.iri(iri)}, into)
    for start in range(0, len(listed), LABEL_BATCH):
        values = " ".join(sparql_term(Term.iri(iri)) for iri in listed[start : start + LABEL_BATCH])
        text = (
            f"CONSTRUCT {{ ?x ?p ?l }} WHERE {{ VALUES ?x {{ {values} }} "
            f"?x ?p ?l . FILTER(?p IN ({predicates})) }}"
        )
        _construct(engine, text, {}, into)


def page_graph(
    engine: Engine, node: URIRef, described: Graph, prefixes: Graph | None = None
) -> Graph:
    """The graph the page of ``node`` and its citation read, from ``engine``.

    ``described`` is what the page shows (the node's description, and anything added to
    it, such as the VoID description's part); the labels of every IRI in it are fetched.
    ``prefixes``: a graph whose prefix bindings the page graph takes too (the ontology's).
    An rdflib engine's own Graph is returned as it is: the renderers walk it directly.
    """
    from kzeu_graph.engines.rdflib_engine import RdflibEngine
    from kzeu_graph.serve.pages import evidence_spans

    if isinstance(engine, RdflibEngine):
        return engine.graph
    context = new_graph()
    if prefixes is not None:
        for prefix, namespace in prefixes.namespaces():
            context.bind(prefix, namespace, override=False)
    context += describe(engine, node)
    _evidence(engine, node, context, own=False)
    if not evidence_spans(context, node):  # the page's fallbacks, in the renderer's order
        derived = (node, RDF.type, KZEU.DerivedValue) in context
        inputs = [o for o in context.objects(node, PROV.wasDerivedFrom)] if derived else []
        for source in inputs:
            if isinstance(source, URIRef):
                _evidence(engine, source, context)
        if not evidence_spans(context, node):
            facts = {s for s in context.subjects(None, node) if isinstance(s, URIRef)}
            for fact in sorted(facts):
                _evidence(engine, fact, context, own=False)
    _construct(engine, _DATASET_QUERY, {"node": Term.iri(str(KZR.dataset))}, context)
    iris = {
        str(n)
        for graph in (context, described)
        for triple in graph
        for n in (triple[0], triple[2])
        if isinstance(n, URIRef)
    }
    _labels(engine, sorted(iris), context)
    return context
