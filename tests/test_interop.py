"""Every export, read by tools no one here wrote: pyoxigraph, rapper (Raptor), pyld and rdflib.

Each check runs on the shipped graph, without inference and with the OWL 2 RL closure.
Numbers are compared as values where an engine may rewrite their lexical form.
"""

from __future__ import annotations

import json
import subprocess
import warnings
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.term import Node

from kzeu_graph.loading.graph import parse_file
from kzeu_graph.publish.export import ExportGraphs, build_export, serialize
from roundtrip import FORMATS, OX_FORMAT, RAPPER_INPUT, rapper, refuse_network
from roundtrip import from_oxigraph as oxigraph_to_rdflib

SUFFIX = {
    "turtle": ".ttl",
    "json-ld": ".jsonld",
    "nt": ".nt",
    "nquads": ".nq",
    "trig": ".trig",
    "xml": ".rdf",
}
GRAPH = "https://w3id.org/kzeu/graph/"
NUMERIC = {
    XSD.integer,
    XSD.decimal,
    XSD.double,
    XSD.float,
    XSD.nonNegativeInteger,
    XSD.positiveInteger,
}


@pytest.fixture(scope="module", params=["none", "owlrl"])
def exported(request: pytest.FixtureRequest) -> ExportGraphs:
    return build_export(inference=request.param)


@pytest.fixture(scope="module")
def files(exported: ExportGraphs, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp(f"export-{exported.inference}")
    paths = {}
    for fmt in FORMATS:
        paths[fmt] = folder / f"kzeu{SUFFIX[fmt]}"
        paths[fmt].write_text(serialize(exported, fmt), encoding="utf-8")
    return paths


def expected_statements(exported: ExportGraphs, fmt: str) -> int:
    """Triple formats hold the union; quad formats add the provenance in the default graph."""
    extra = len(exported.provenance()) if fmt in ("nquads", "trig") else 0
    return len(exported) + extra


def expected_graph(exported: ExportGraphs, fmt: str) -> Graph:
    graph = exported.union()
    if fmt in ("nquads", "trig"):
        graph += exported.provenance()
    return graph


def value_key(term: Node) -> tuple[str, ...]:
    """A term as a value: numbers by their decimal value, everything else as it is written
    (a simple literal and an ``xsd:string`` are one and the same in RDF 1.1)."""
    if isinstance(term, Literal) and term.datatype in NUMERIC:
        try:
            return ("number", str(term.datatype), str(Decimal(str(term)).normalize()))
        except InvalidOperation:
            pass
    if isinstance(term, Literal):
        datatype = "" if term.datatype in (None, XSD.string) else str(term.datatype)
        return ("literal", str(term), datatype, term.language or "")
    return (type(term).__name__, str(term))


def by_value(triples: Iterable[tuple[Node, Node, Node]]) -> set[tuple[tuple[str, ...], ...]]:
    return {tuple(value_key(t) for t in triple) for triple in triples}


# ------------------------------------------------------------------ pyoxigraph


@pytest.mark.parametrize("fmt", FORMATS)
def test_pyoxigraph_reads_every_statement(
    exported: ExportGraphs, files: dict[str, Path], fmt: str
) -> None:
    ox = pytest.importorskip("pyoxigraph")
    quads = list(ox.parse(path=str(files[fmt]), format=getattr(ox.RdfFormat, OX_FORMAT[fmt])))
    assert len(quads) == expected_statements(exported, fmt)
    triples = [
        tuple(oxigraph_to_rdflib(t) for t in (q.subject, q.predicate, q.object)) for q in quads
    ]
    assert by_value(triples) == by_value(expected_graph(exported, fmt))  # type: ignore[arg-type]
    names = {
        str(q.graph_name.value) for q in quads if not isinstance(q.graph_name, ox.DefaultGraph)
    }
    if fmt in ("nquads", "trig"):
        assert names == {GRAPH + name for name in exported.parts}
        for name, part in exported.parts.items():
            inside = [
                tuple(oxigraph_to_rdflib(t) for t in (q.subject, q.predicate, q.object))
                for q in quads
                if not isinstance(q.graph_name, ox.DefaultGraph)
                and q.graph_name.value == GRAPH + name
            ]
            assert by_value(inside) == by_value(part), name  # type: ignore[arg-type]
    else:
        assert names == set()


def test_oxigraph_store_answers_with_the_same_values(
    exported: ExportGraphs, files: dict[str, Path]
) -> None:
    """Oxigraph's store rewrites numbers canonically; the values must still be ours."""
    ox = pytest.importorskip("pyoxigraph")
    store = ox.Store()
    store.bulk_load(path=str(files["nquads"]), format=ox.RdfFormat.N_QUADS)
    assert len(store) == expected_statements(exported, "nquads")
    rows = store.query(
        "SELECT ?s ?v WHERE { GRAPH <https://w3id.org/kzeu/graph/data> "
        "{ ?s <https://schema.org/value> ?v } }"
    )
    theirs = {(r["s"].value, Decimal(r["v"].value)) for r in rows}
    ours = {
        (str(s), Decimal(str(v)))
        for s, v in exported.parts["data"].subject_objects(URIRef("https://schema.org/value"))
    }
    assert theirs == ours
    assert (
        "https://w3id.org/kzeu/id/figure-eu-trade-volume-growth-2022",
        Decimal("27.6"),
    ) in theirs


# ------------------------------------------------------------------ rapper (Raptor 2)


@pytest.mark.parametrize("fmt", sorted(RAPPER_INPUT))
def test_rapper_reads_every_statement(
    exported: ExportGraphs, files: dict[str, Path], fmt: str
) -> None:
    output = "nquads" if fmt in ("nquads", "trig") else "ntriples"
    done = subprocess.run(
        [rapper(), "-q", "-i", RAPPER_INPUT[fmt], "-o", output, str(files[fmt])],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert len(lines) == expected_statements(exported, fmt)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = Dataset()
        dataset.parse(data=done.stdout, format="nquads")
    triples = [(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))]
    assert by_value(triples) == by_value(expected_graph(exported, fmt))
    if fmt in ("nquads", "trig"):
        named = {str(g.identifier) for g in dataset.graphs() if len(g)}
        assert named - {str(DATASET_DEFAULT_GRAPH_ID)} == {GRAPH + n for n in exported.parts}


def test_rapper_counts_what_it_parses(exported: ExportGraphs, files: dict[str, Path]) -> None:
    done = subprocess.run(
        [rapper(), "-i", "turtle", "-c", str(files["turtle"])],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert f"Parsing returned {len(exported)} triples" in done.stderr


# ------------------------------------------------------------------ pyld


def test_pyld_expands_the_jsonld_to_the_turtle_graph(files: dict[str, Path]) -> None:
    jsonld = pytest.importorskip("pyld.jsonld")
    document = json.loads(files["json-ld"].read_text(encoding="utf-8"))
    options = {"documentLoader": refuse_network}
    expanded = jsonld.expand(document, options)
    assert all(key.startswith(("@", "http")) for node in expanded for key in node)
    nquads = jsonld.to_rdf(expanded, {**options, "format": "application/n-quads"})
    from_jsonld = Graph().parse(data=nquads, format="nt")
    turtle = Graph().parse(files["turtle"], format="turtle")
    assert len(from_jsonld) == len(turtle)
    assert isomorphic(from_jsonld, turtle)


# ------------------------------------------------------------------ rdflib round trip


@pytest.mark.parametrize("fmt", FORMATS)
def test_rdflib_reads_back_the_source_graph(
    exported: ExportGraphs, files: dict[str, Path], fmt: str
) -> None:
    back = parse_file(files[fmt])  # the project's own loader: all graphs, flattened
    assert isomorphic(back, expected_graph(exported, fmt))


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_rdflib_reads_back_each_named_graph(
    exported: ExportGraphs, files: dict[str, Path], fmt: str
) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = Dataset()
        dataset.parse(files[fmt], format=fmt)
    graphs = {str(g.identifier): g for g in dataset.graphs() if len(g)}
    assert isomorphic(graphs.pop(str(DATASET_DEFAULT_GRAPH_ID)), exported.provenance())
    assert sorted(graphs) == sorted(GRAPH + name for name in exported.parts)
    for name, part in exported.parts.items():
        assert isomorphic(graphs[GRAPH + name], part), name
