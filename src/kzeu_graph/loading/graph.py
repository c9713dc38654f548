"""Parse RDF files safely, one at a time, and assemble the project graph (with optional inference)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, get_args
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import BNode, Graph
from rdflib.term import Node

from kzeu_graph import resources
from kzeu_graph.errors import InputError
from kzeu_graph.loading.datafiles import parse_error, read_data_file
from kzeu_graph.rdf.formats import FORMATS
from kzeu_graph.rdf.namespaces import new_graph
from kzeu_graph.rdf.terms import rdflib_from_oxigraph

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Inference",
    "apply_inference",
    "load_graph",
    "load_ontology",
    "load_shapes",
    "merge",
    "parse_data",
    "parse_file",
]

Inference = TypingLiteral["none", "rdfs", "owlrl"]
INFERENCE_CHOICES: tuple[str, ...] = get_args(Inference)

# suffix -> rdflib format name, from the one table of formats
SUPPORTED_SUFFIXES: dict[str, str] = {
    suffix: record.rdflib for record in FORMATS for suffix in record.suffixes
}


def _rdflib_terms(quads: Iterable[ox.Quad]) -> Iterator[tuple[Node, Node, Node]]:
    """Oxigraph's quads as rdflib triples: named graphs flattened, each blank node a fresh
    one (two files' ``_:b1`` are not the same node), every literal exactly as written."""
    nodes: dict[Any, Node] = {}
    blank: dict[str, BNode] = {}

    def term(value: Any) -> Node:
        found = nodes.get(value)
        if found is not None:
            return found
        if isinstance(value, ox.BlankNode):
            found = blank.setdefault(value.value, BNode())
        else:
            found = rdflib_from_oxigraph(value, normalize=False)
        nodes[value] = found
        return found

    for quad in quads:
        yield term(quad.subject), term(quad.predicate), term(quad.object)


def parse_file(path: Path, into: Graph | None = None) -> Graph:
    """Read ONE file into a fresh graph; if ``into`` is given, merge into it only on success.

    The file passes :func:`kzeu_graph.loading.datafiles.read_data_file`, the gate every command
    and engine uses, whose Oxigraph parse gives the triples: every literal keeps the
    lexical form it is written with (rdflib's parsers rewrite ``007`` as ``7``), named
    graphs are flattened into one. Raises InputError naming the file (and line when known)
    for a missing, oversized, unknown-format, malformed, hostile (DTD, remote JSON-LD
    context) or too-deep file.
    """
    checked = read_data_file(Path(path))
    graph = new_graph()
    graph.addN((s, p, o, graph) for s, p, o in _rdflib_terms(checked.quads))
    for prefix, namespace in checked.prefixes.items():
        graph.bind(prefix, namespace)
    if into is not None:
        merge(into, graph)
        return into
    return graph


def parse_data(
    data: bytes, fmt: ox.RdfFormat = ox.RdfFormat.N_TRIPLES, name: str = "<N-Triples>"
) -> Graph:
    """RDF the project made itself (an inference closure, a canonical form) as a graph,
    read as :func:`parse_file` reads files; InputError naming ``name`` if it does not parse."""
    try:
        quads = list(ox.parse(data, fmt))
    except (SyntaxError, MemoryError, ValueError) as exc:
        raise parse_error(name, exc) from None
    graph = new_graph()
    graph.addN((s, p, o, graph) for s, p, o in _rdflib_terms(quads))
    return graph


def merge(into: Graph, graph: Graph) -> Graph:
    """Add ``graph``'s triples to ``into``, with its prefixes that do not clash."""
    into += graph
    prefixes = {p for p, _ in into.namespaces()}
    namespaces = {n for _, n in into.namespaces()}
    for prefix, namespace in graph.namespaces():
        if prefix and prefix not in prefixes and namespace not in namespaces:
            into.bind(prefix, namespace)
    return into


@lru_cache(maxsize=1)
def _ontology_cached(paths: tuple[Path, ...]) -> Graph:
    graph = new_graph()
    for path in paths:
        parse_file(path, into=graph)
    return graph


@lru_cache(maxsize=1)
def _shapes_cached(path: Path) -> Graph:
    return parse_file(path)


def load_ontology() -> Graph:
    """The ontology plus the restated axioms of reused vocabularies (a fresh copy)."""
    return merge(new_graph(), _ontology_cached(tuple(resources.ontology_files())))


def load_shapes() -> Graph:
    """The project's SHACL shapes graph (a fresh copy)."""
    return merge(new_graph(), _shapes_cached(resources.shapes_file()))


def apply_inference(graph: Graph, inference: Inference, timeout: float | None = None) -> Graph:
    """Expand ``graph`` in place with the RDFS or OWL-RL closure, keeping it valid and true.

    The closure is :func:`kzeu_graph.loading.inference.closure`: the project's own RDFS engine, or
    owlrl for OWL 2 RL. Triples with a literal subject (invalid RDF) and copies of a value
    under another term that compares equal (owlrl's literal proxies: ``30.0`` beside
    ``"30"^^xsd:positiveInteger``) are not added: an inferred triple with a literal object is
    kept only when an asserted triple of a sub-property carries the very same literal for the
    same subject. ``timeout``: seconds (default: the CLI's ``--inference-timeout``, 60 s);
    raises :class:`kzeu_graph.loading.inference.InferenceTimeout` when the closure takes longer.
    """
    if inference == "none":
        return graph
    if inference not in INFERENCE_CHOICES:
        raise InputError(
            f"unknown inference {inference!r} (use one of {', '.join(INFERENCE_CHOICES)})"
        )
    from kzeu_graph.loading.inference import closure

    added, _ = closure(graph, inference, timeout)
    graph.addN((s, p, o, graph) for s, p, o in added)
    return graph


def load_graph(data: Sequence[Path] | None = None, inference: Inference = "none") -> Graph:
    """Ontology files + the given data files (default: the shipped graph) [+ closure]."""
    graph = load_ontology()
    files = resources.default_data_files() if data is None else [Path(p) for p in data]
    for path in files:
        parse_file(path, into=graph)
    return apply_inference(graph, inference)
