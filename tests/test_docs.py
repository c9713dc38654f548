"""Generated documentation is fresh and right: ontology HTML, model diagram, citation, changelog."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from importlib.metadata import version
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from rdflib import OWL, RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from kzeu_graph.cli.commands import main
from kzeu_graph.publish.ontodoc import model_dot, ontology_html
from paths import ONTOLOGY, ROOT

DOCS = ROOT / "docs"
HTML = DOCS / "ontology.html"
DOT = DOCS / "model.dot"
SVG = DOCS / "model.svg"
KZEU = "https://w3id.org/kzeu/ontology#"
KZV = "https://w3id.org/kzeu/vocab/"
REGENERATE = "run `make docs` and commit the result"
GRAPH = Graph().parse(ONTOLOGY, format="turtle")


# ------------------------------------------------------------------ freshness


@pytest.mark.parametrize(
    ("path", "command"),
    [(HTML, "ontology-docs"), (DOT, "model-diagram")],
    ids=["ontology.html", "model.dot"],
)
def test_committed_file_is_fresh(path: Path, command: str, tmp_path: Path) -> None:
    out = tmp_path / path.name
    result = CliRunner().invoke(main, [command, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == path.read_bytes(), f"{path.relative_to(ROOT)} is stale: {REGENERATE}"


# ------------------------------------------------------------------ HTML


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.open: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        if found.get("id"):
            self.ids.append(str(found["id"]))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_page(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def test_html_has_a_section_for_every_term_and_concept() -> None:
    page = parse_page(HTML.read_text(encoding="utf-8"))
    terms = {
        str(s).removeprefix(KZEU)
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in GRAPH.subjects(RDF.type, kind)
    }
    concepts = {"kzv-" + str(s).removeprefix(KZV) for s in GRAPH.subjects(RDF.type, SKOS.Concept)}
    schemes = {"kzv-" + s for s in ("exactness", "event-status", "date-basis", "measures",
                                     "mention-roles", "claim-types", "name-basis")}  # fmt: skip
    assert len(terms) == 17 + 29 + 7  # classes, object properties, datatype properties
    # exactness, event status, date basis (with "vague"), measures, mention roles, claim
    # types, name basis
    assert len(concepts) == 3 + 2 + 4 + 10 + 4 + 7 + 2
    expected = terms | concepts | schemes
    assert expected <= set(page.ids)
    assert len(page.ids) == len(set(page.ids))  # every anchor is unique
    # every internal link goes to an anchor that exists
    targets = {
        str(a["href"])[1:] for t, a in page.tags if t == "a" and str(a.get("href")).startswith("#")
    }
    assert targets <= set(page.ids)


def test_html_is_self_contained() -> None:
    text = HTML.read_text(encoding="utf-8")
    page = parse_page(text)
    assert not [t for t, _ in page.tags if t in {"script", "link", "iframe", "object"}]
    sources = [str(a.get("src")) for t, a in page.tags if a.get("src")]
    assert sources == ["model.svg"]  # the diagram, next to the page
    assert "@import" not in text
    assert "url(" not in text


def test_html_escapes_what_the_graph_says() -> None:
    graph = Graph()
    hostile = URIRef(KZEU + "Evil")
    graph.add((hostile, RDF.type, OWL.Class))
    graph.add((hostile, RDFS.label, Literal('<script>alert("x")</script> & co')))
    text = ontology_html(graph, diagram=None)
    assert "<script>" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in text
    assert "<img" not in text


# ------------------------------------------------------------------ the diagram

SUBCLASS_EDGES = {
    # kzeu:X rdfs:subClassOf Y, as written in ontology/kzeu.ttl
    ("kzeu:Figure", "schema:Observation"), ("kzeu:Figure", "prov:Entity"),
    ("kzeu:DerivedValue", "prov:Entity"), ("kzeu:Statement", "prov:Entity"),
    ("kzeu:DirectQuote", "kzeu:Statement"), ("kzeu:DirectQuote", "schema:Quotation"),
    ("kzeu:ReportedSpeech", "kzeu:Statement"), ("kzeu:Narration", "kzeu:Statement"),
    ("kzeu:AreaMention", "prov:Entity"), ("kzeu:PartnerRanking", "prov:Entity"),
    ("kzeu:Agreement", "schema:CreativeWork"), ("kzeu:Agreement", "prov:Entity"),
    ("kzeu:Briefing", "schema:Event"), ("kzeu:Visit", "schema:Event"),
    ("kzeu:EntryIntoForce", "schema:Event"), ("kzeu:Anniversary", "schema:Event"),
    ("kzeu:EstablishmentOfRelations", "schema:Event"), ("kzeu:Withdrawal", "schema:Event"),
    ("kzeu:CooperationLaunch", "schema:Event"), ("kzeu:Claim", "prov:Entity"),
}  # fmt: skip
PROPERTY_EDGES = {
    # object properties with both a domain and a range
    ("schema:Event", "skos:Concept", "kzeu:eventStatus"),
    ("time:TemporalEntity", "skos:Concept", "kzeu:dateBasis"),
    ("kzeu:Visit", "schema:Person", "kzeu:visitor"),
    ("kzeu:Visit", "org:Post", "kzeu:visitorPost"),
    ("schema:Event", "schema:Place", "kzeu:impliedLocation"),
    ("kzeu:Anniversary", "schema:Event", "kzeu:anniversaryOf"),
    ("kzeu:Statement", "kzeu:Briefing", "kzeu:madeAt"),
    ("kzeu:EntryIntoForce", "kzeu:Agreement", "kzeu:agreement"),
    ("kzeu:AreaMention", "skos:Concept", "kzeu:area"),
    ("kzeu:AreaMention", "skos:Concept", "kzeu:mentionRole"),
    ("kzeu:Claim", "skos:Concept", "kzeu:claimType"),
    ("kzeu:Claim", "schema:Event", "kzeu:since"),
    ("kzeu:Claim", "schema:Event", "kzeu:claimContext"),
    ("skos:Concept", "skos:Concept", "kzeu:editorialRelated"),
}
EDGE = re.compile(r'^  "([^"]+)" -> "([^"]+)" \[(.*)\];$', re.MULTILINE)
NODE = re.compile(r'^  "([^"]+)" \[', re.MULTILINE)


def test_diagram_edges_are_the_ontologys() -> None:
    text = model_dot()
    subclass = {(a, b) for a, b, attrs in EDGE.findall(text) if "arrowhead=empty" in attrs}
    labelled = {
        (a, b, re.search(r'label="([^"]+)"', attrs).group(1))  # type: ignore[union-attr]
        for a, b, attrs in EDGE.findall(text)
        if "label=" in attrs
    }
    assert subclass == SUBCLASS_EDGES
    assert labelled == PROPERTY_EDGES


def test_diagram_lists_the_properties_without_an_edge() -> None:
    text = model_dot()
    # domain only, inside the domain's box; range only, inside the range's box
    for row in ("kzeu:party →", "kzeu:partner →", "kzeu:rankedFor →", "kzeu:reports →",
                "kzeu:mentionContext →", "kzeu:participant →", "→ kzeu:measure",
                "→ kzeu:exactness", "→ kzeu:comparisonPeriod", "kzeu:rank", "kzeu:ordinal",
                "kzeu:textFile", "kzeu:counterpart", "kzeu:statedAs",
                "kzeu:derivationMethod", "kzeu:listIsExhaustive"):  # fmt: skip
        assert row in text, row


def _svg_titles(kind: str) -> list[str]:
    root = ET.parse(SVG).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    return [str(g.findtext(f"{ns}title")) for g in root.iter(f"{ns}g") if g.get("class") == kind]


def test_svg_is_drawn_from_the_committed_dot() -> None:
    """Graphviz names each node and edge in a <title>: they must be the DOT's, one for one.

    (Rendering needs Graphviz, which CI does not install; `make docs` runs it.)
    """
    text = DOT.read_text(encoding="utf-8")
    nodes = set(NODE.findall(text))
    edges = sorted(f"{a}->{b}" for a, b, _ in EDGE.findall(text))
    assert sorted(_svg_titles("node")) == sorted(nodes), f"docs/model.svg is stale: {REGENERATE}"
    assert sorted(_svg_titles("edge")) == edges, f"docs/model.svg is stale: {REGENERATE}"
    assert len(edges) == len(SUBCLASS_EDGES) + len(PROPERTY_EDGES)


# ------------------------------------------------------------------ citation, changelog


def test_citation_file() -> None:
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title", "authors"):  # required by CFF 1.2.0
        assert cff[key], key
    assert cff["authors"] == [{"name": "kzeu-graph developers"}]
    assert cff["type"] == "dataset"
    assert str(cff["version"]) == version("kzeu-graph")
    assert cff["license"] == ["CC-BY-4.0", "MIT"]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(cff["date-released"]))
    (article,) = cff["references"]
    assert article["title"] == "Kazakhstan-EU Cooperation Developing in All Directions"
    assert (article["year"], article["month"]) == (2023, 3)


def test_changelog_names_the_version() -> None:
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    releases = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$", text, re.MULTILINE)
    assert releases, "no release heading like '## [0.1.0] - 2026-11-27'"
    assert releases[0][0] == version("kzeu-graph") == "0.1.0"
    assert "## [Unreleased]" in text
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert releases[0][1] == str(cff["date-released"])


def test_every_version_is_the_package_version() -> None:
    package = version("kzeu-graph")
    ontology_iri = URIRef(KZEU[:-1])
    assert str(GRAPH.value(ontology_iri, OWL.versionInfo)) == package
    assert str(GRAPH.value(ontology_iri, OWL.versionIRI)).endswith("/" + package)
    void = Graph().parse(ROOT / "data" / "void.ttl", format="turtle")
    dcat_version = URIRef("http://www.w3.org/ns/dcat#version")
    assert [str(v) for v in void.objects(None, dcat_version)] == [package]


def test_docs_show_the_pictures() -> None:
    text = (DOCS / "model.md").read_text(encoding="utf-8")
    assert "![model](model.svg)" in text
    assert "![timeline](timeline.svg)" in text
    assert "make docs" in (DOCS / "development.md").read_text(encoding="utf-8")


# ------------------------------------------------------------------ the API the prose shows


def _prose() -> list[tuple[str, str]]:
    """(file name, text) for the README, docs/*.md and every notebook's code cells."""
    import json

    found = [
        (path.name, path.read_text()) for path in [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]
    ]
    for path in sorted(DOCS.glob("notebooks/*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(cell["source"]) for cell in cells if cell["cell_type"] == "code")
        found.append((path.name, code))
    return found


def _imports(text: str) -> list[tuple[str, str]]:
    """(module, name) for `from kzeu_graph.x import a, b` and mkdocstrings' `::: module` + members."""
    pairs = [
        (module, name)
        for module, names in re.findall(r"from (kzeu_graph[\w.]*) import ([\w, ]+)", text)
        for name in re.findall(r"\w+", names)
    ]
    for module, members in re.findall(
        r"^::: (kzeu_graph[\w.]*)\n(?:\s+.*\n)*?\s+members: \[(.*)\]", text, re.M
    ):
        pairs += [(module, name) for name in re.findall(r"\w+", members)]
    return pairs


_FROM_IMPORTS = sorted({(where, *pair) for where, text in _prose() for pair in _imports(text)})
_KG_NAMES = sorted(
    {(where, name) for where, text in _prose() for name in re.findall(r"\bkg\.(\w+)", text)}
)


def test_the_scan_finds_the_api_the_docs_use() -> None:
    assert {name for _, name in _KG_NAMES} >= {
        "load_graph",
        "run_query",
        "validate",
        "search",
        "cite",
    }


@pytest.mark.parametrize(("where", "name"), _KG_NAMES, ids=[f"{w}:kg.{n}" for w, n in _KG_NAMES])
def test_every_kg_name_the_docs_use_is_public(where: str, name: str) -> None:
    import kzeu_graph

    assert name in kzeu_graph.__all__, f"{where} uses kg.{name}, which is not in kzeu_graph.__all__"
    assert getattr(kzeu_graph, name) is not None


@pytest.mark.parametrize(
    ("where", "module", "name"), _FROM_IMPORTS, ids=[f"{w}:{m}.{n}" for w, m, n in _FROM_IMPORTS]
)
def test_every_import_the_docs_show_works(where: str, module: str, name: str) -> None:
    import importlib

    assert hasattr(importlib.import_module(module), name), f"{where}: `from {module} import {name}`"


def test_every_public_name_resolves() -> None:
    import kzeu_graph

    assert [name for name in kzeu_graph.__all__ if not hasattr(kzeu_graph, name)] == []
