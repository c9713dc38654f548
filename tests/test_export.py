"""Export: every format reads back to the same graph, and files are written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from conftest import copy_graph
from kzeu_graph import export, serialize
from kzeu_graph.errors import InputError
from kzeu_graph.loading import parse_file

SUFFIX = {
    "turtle": ".ttl",
    "json-ld": ".jsonld",
    "nt": ".nt",
    "nquads": ".nq",
    "trig": ".trig",
    "xml": ".rdf",
}


@pytest.fixture(scope="module")
def rich_graph(mini_graph: Graph) -> Graph:
    """The fixture graph plus a blank node, a language tag, a decimal and awkward text."""
    graph = copy_graph(mini_graph)
    node = BNode()
    alice = URIRef("https://w3id.org/kzeu/id/alice")
    graph.add((alice, URIRef("http://example.org/address"), node))
    graph.add((node, URIRef("http://example.org/city"), Literal("Астана", lang="kk")))
    graph.add((alice, URIRef("http://example.org/share"), Literal("30.0", datatype=XSD.decimal)))
    graph.add((alice, URIRef("http://example.org/note"), Literal('tab\t"q" \\ \n end')))
    return graph


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_every_format_reads_back_isomorphic(rich_graph: Graph, fmt: str, tmp_path: Path) -> None:
    path = tmp_path / f"out{SUFFIX[fmt]}"
    text = export(rich_graph, fmt, path)
    assert path.read_text(encoding="utf-8") == text
    assert isomorphic(parse_file(path), rich_graph)


@pytest.mark.parametrize("fmt", sorted(SUFFIX))
def test_every_format_reads_back_with_oxigraph(rich_graph: Graph, fmt: str) -> None:
    """A second, independent parser (rdflib normalises literals on the way in)."""
    pyoxigraph = pytest.importorskip("pyoxigraph")
    mime = {
        "turtle": pyoxigraph.RdfFormat.TURTLE,
        "json-ld": pyoxigraph.RdfFormat.JSON_LD,
        "nt": pyoxigraph.RdfFormat.N_TRIPLES,
        "nquads": pyoxigraph.RdfFormat.N_QUADS,
        "trig": pyoxigraph.RdfFormat.TRIG,
        "xml": pyoxigraph.RdfFormat.RDF_XML,
    }[fmt]
    quads = list(pyoxigraph.parse(serialize(rich_graph, fmt).encode("utf-8"), format=mime))
    assert len(quads) == len(rich_graph)
    assert all(isinstance(q.graph_name, pyoxigraph.DefaultGraph) for q in quads)


def test_jsonld_has_no_remote_context(rich_graph: Graph) -> None:
    document = json.loads(serialize(rich_graph, "json-ld"))
    context = document.get("@context", {})
    assert isinstance(context, dict)


def test_turtle_uses_project_prefixes(mini_graph: Graph) -> None:
    text = serialize(copy_graph(mini_graph), "turtle")
    assert "@prefix kzr: <https://w3id.org/kzeu/id/> ." in text
    assert "kzr:statement-1" in text


def test_unknown_format(mini_graph: Graph) -> None:
    with pytest.raises(InputError, match="unknown export format 'n3x'"):
        serialize(mini_graph, "n3x")


def test_unwritable_destination(mini_graph: Graph, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot write"):
        export(mini_graph, "nt", tmp_path / "no" / "such" / "dir.nt")


def test_export_replaces_an_existing_file(mini_graph: Graph, tmp_path: Path) -> None:
    path = tmp_path / "out.nt"
    path.write_text("old")
    export(mini_graph, "nt", path)
    assert len(parse_file(path)) == len(mini_graph)
    assert [p.name for p in tmp_path.iterdir()] == ["out.nt"]
