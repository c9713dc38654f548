"""Export: canonical and deterministic output, named graphs, JSON-LD context, canonical Turtle.

Every format reads back to the same graph, and files are written atomically.
"""

from __future__ import annotations

import difflib
import json
import warnings
from pathlib import Path
from typing import Any

import pytest
from rdflib import RDF, RDFS, BNode, Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, PROV, TIME, XSD

from conftest import copy_graph
from kzeu_graph import export, serialize
from kzeu_graph.errors import InputError, KzeuError
from kzeu_graph.loading.graph import load_graph, load_ontology, parse_file
from kzeu_graph.publish.export import (
    CANONICAL_HEADER,
    PART_NAMES,
    ExportGraphs,
    FormatResult,
    build_export,
    canonical_quads,
    derived_nodes,
    format_file,
    partition,
)
from kzeu_graph.rdf.namespaces import KZEU, KZR, SCHEMA
from paths import (
    BLANK_NODES,
    BLANK_NODES_RELABELLED,
    BROKEN_TURTLE,
    CANONICAL,
    CONTEXT,
    DATA,
    NOT_CANONICAL,
    REMOTE_CONTEXT,
)
from roundtrip import refuse_network

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


# ====================================================================== the shipped export

FORMATS = ["turtle", "json-ld", "nt", "nquads", "trig", "xml"]
GRAPH = "https://w3id.org/kzeu/graph/"
DATA_TRIPLES = 1406  # data/kzeu.ttl (README said 1040 before issue 11)
# The derived graph, counted off data/kzeu.ttl by hand: derived-eu-trade-volume-2021 has 16
# triples (type, label, value, min and max value, unit code and text, measure, about,
# counterpart, period, exactness, two inputs, activity, method),
# date-establishment-of-diplomatic-relations 10 (two types, label, year, unit, basis, two
# inputs, activity, method), January and September 2022 9 each (two types, label,
# year-month, unit, basis, input, activity, method), the derivation activity 3 (type,
# label, comment); the stated event links to the derived date once and the nine months
# to their two derived months.
DERIVED_TRIPLES = 16 + 10 + 9 + 9 + 3 + 1 + 2
DERIVED_SUBJECTS = {
    KZR["derived-eu-trade-volume-2021"],
    KZR["date-establishment-of-diplomatic-relations"],
    KZR["derivation"],
    KZR["establishment-of-diplomatic-relations"],
    KZR["month-2022-01"],
    KZR["month-2022-09"],
    KZR["period-2022-first-nine-months"],
}


@pytest.fixture(scope="module")
def shipped() -> ExportGraphs:
    return build_export()


@pytest.fixture(scope="module")
def shipped_owlrl() -> ExportGraphs:
    return build_export(inference="owlrl")


def with_prefixes_of(graph: Graph) -> Graph:
    """A mutable copy with all of ``graph``'s prefixes (vann: comes from the ontology file)."""
    copy = copy_graph(graph)
    for prefix, namespace in graph.namespaces():
        copy.bind(prefix, namespace, override=False)
    return copy


@pytest.mark.parametrize("fmt", FORMATS)
def test_exporting_twice_gives_the_same_bytes(shipped: ExportGraphs, fmt: str) -> None:
    assert serialize(shipped, fmt) == serialize(build_export(), fmt)


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_more_triple_is_a_one_line_diff(shipped: ExportGraphs, fmt: str) -> None:
    """Adding a name to Astana adds one line, in place, in every format."""
    before = shipped.union()
    after = with_prefixes_of(before)
    after.add((KZR.astana, SCHEMA.alternateName, Literal("test-only name")))
    old, new = serialize(before, fmt).splitlines(), serialize(after, fmt).splitlines()
    diff = [
        line
        for line in difflib.unified_diff(old, new, lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    assert len(diff) == 1, diff
    assert diff[0].startswith("+")
    assert "test-only name" in diff[0]


def test_one_triple_less_is_one_line_less_in_n_triples(shipped: ExportGraphs) -> None:
    before = shipped.union()
    after = with_prefixes_of(before)
    after.remove((KZR.astana, SCHEMA.name, Literal("Astana")))
    old, new = serialize(before, "nt").splitlines(), serialize(after, "nt").splitlines()
    assert set(old) - set(new) == {
        '<https://w3id.org/kzeu/id/astana> <https://schema.org/name> "Astana" .'
    }
    assert set(new) <= set(old)


def test_n_triples_and_n_quads_are_sorted_lines(shipped: ExportGraphs) -> None:
    for fmt in ("nt", "nquads"):
        lines = serialize(shipped, fmt).splitlines()
        assert lines == sorted(set(lines))
        assert all(line.endswith(" .") and "  ." not in line[-4:] for line in lines)


def test_turtle_subjects_in_sorted_order(shipped: ExportGraphs) -> None:
    text = serialize(shipped.union(), "turtle")
    subjects = [line.split(" ", 1)[0] for line in text.splitlines() if line[:1] not in " @#"]
    subjects = [s for s in subjects if s]
    manager = shipped.union().namespace_manager
    expanded = [s[1:-1] if s.startswith("<") else str(manager.expand_curie(s)) for s in subjects]
    assert len(expanded) == len(set(shipped.union().subjects()))
    assert expanded == sorted(expanded)


# ---------------------------------------------------------------------- the named graphs


def test_partition_of_the_shipped_graph(shipped: ExportGraphs) -> None:
    parts = shipped.parts
    assert list(parts) == ["data", "derived", "ontology"]
    assert len(parts["derived"]) == DERIVED_TRIPLES
    assert set(parts["derived"].subjects()) == DERIVED_SUBJECTS
    assert set(
        parts["derived"].triples((KZR["establishment-of-diplomatic-relations"], None, None))
    ) == {
        (
            KZR["establishment-of-diplomatic-relations"],
            TIME.hasTime,
            KZR["date-establishment-of-diplomatic-relations"],
        )
    }
    assert len(parts["data"]) == DATA_TRIPLES - DERIVED_TRIPLES
    assert (KZR["figure-eu-trade-volume-2022"], SCHEMA.value, Literal(40000000000)) in parts["data"]
    assert (
        KZR["establishment-of-diplomatic-relations"],
        RDF.type,
        KZEU.EstablishmentOfRelations,
    ) in parts["data"]
    assert set(parts["ontology"]) == set(load_ontology())


def test_the_parts_are_disjoint_and_make_up_the_graph(shipped: ExportGraphs) -> None:
    parts = [set(g) for g in shipped.parts.values()]
    assert sum(len(p) for p in parts) == len(set().union(*parts))
    assert set().union(*parts) == set(load_graph())
    assert len(shipped) == len(load_graph())


def test_inferred_graph_holds_what_inference_added(
    shipped: ExportGraphs, shipped_owlrl: ExportGraphs
) -> None:
    parts = shipped_owlrl.parts
    assert list(parts) == ["data", "derived", "ontology", "inferred"]
    for name in ("data", "derived", "ontology"):
        assert set(parts[name]) == set(shipped.parts[name])
    everything = [set(g) for g in parts.values()]
    assert sum(len(p) for p in everything) == len(set().union(*everything))
    assert set().union(*everything) == set(load_graph(inference="owlrl"))
    # kzeu:Figure ⊑ schema:Observation; kzeu:DerivedValue ⊑ prov:Entity
    assert (KZR["figure-eu-trade-volume-2022"], RDF.type, SCHEMA.Observation) in parts["inferred"]
    assert (KZR["derived-eu-trade-volume-2021"], RDF.type, PROV.Entity) in parts["inferred"]


def test_derived_nodes_follow_sub_classes(tmp_path: Path) -> None:
    ontology = Graph()
    ontology.add((URIRef("urn:x:Special"), RDFS.subClassOf, KZEU.DerivedValue))
    data = Graph()
    data.add((URIRef("urn:x:v"), RDF.type, URIRef("urn:x:Special")))
    data.add((URIRef("urn:x:v"), PROV.wasGeneratedBy, URIRef("urn:x:act")))
    data.add((URIRef("urn:x:w"), RDF.type, KZEU.Figure))
    assert derived_nodes(data, ontology) == {URIRef("urn:x:v"), URIRef("urn:x:act")}
    parts = partition(ontology, data)
    assert len(parts["derived"]) == 2
    assert set(parts["data"]) == {(URIRef("urn:x:w"), RDF.type, KZEU.Figure)}
    assert len(parts["inferred"]) == 0


def test_a_data_triple_repeated_from_the_ontology_stays_in_the_ontology_graph() -> None:
    triple = (KZEU.Figure, RDFS.label, Literal("figure", lang="en"))
    ontology, data = Graph(), Graph()
    ontology.add(triple)
    data.add(triple)
    parts = partition(ontology, data)
    assert triple in parts["ontology"]
    assert triple not in parts["data"]


def test_choosing_graphs(shipped_owlrl: ExportGraphs) -> None:
    only = build_export(graphs=["derived", "data"])
    assert list(only.parts) == ["data", "derived"]
    assert len(only) == DATA_TRIPLES
    inferred = build_export(inference="owlrl", graphs=["inferred"])
    assert set(inferred.union()) == set(shipped_owlrl.parts["inferred"])


def test_choosing_unknown_or_impossible_graphs() -> None:
    with pytest.raises(
        InputError,
        match=r"unknown graph 'facts' \(use one or more of data, derived, ontology, inferred\)",
    ):
        build_export(graphs=["facts"])
    with pytest.raises(InputError, match="the inferred graph needs --inference rdfs or owlrl"):
        build_export(graphs=["inferred"])


def parse_dataset(text: str, fmt: str) -> Dataset:
    with warnings.catch_warnings():  # rdflib's own Dataset code uses deprecated names
        warnings.simplefilter("ignore", DeprecationWarning)
        dataset = Dataset()
        dataset.parse(data=text, format=fmt)
    return dataset


def test_quad_export_keeps_each_part_in_its_named_graph(shipped: ExportGraphs) -> None:
    for fmt in ("trig", "nquads"):
        dataset = parse_dataset(serialize(shipped, fmt), fmt)
        named = {str(g.identifier): g for g in dataset.graphs() if len(g)}
        default = named.pop(str(DATASET_DEFAULT_GRAPH_ID))
        assert sorted(named) == [GRAPH + "data", GRAPH + "derived", GRAPH + "ontology"]
        for name, graph in shipped.parts.items():
            assert isomorphic(named[GRAPH + name], graph), name
        assert isomorphic(default, shipped.provenance())


def test_provenance_of_each_named_graph(shipped_owlrl: ExportGraphs) -> None:
    prov = shipped_owlrl.provenance()
    data, derived, ontology, inferred = (URIRef(GRAPH + n) for n in PART_NAMES)
    activity = URIRef(GRAPH + "inference/owlrl")
    for graph in (data, derived, ontology, inferred):
        assert (graph, RDF.type, PROV.Entity) in prov
        assert len(list(prov.objects(graph, DCTERMS.title))) == 1
        assert len(list(prov.objects(graph, DCTERMS.description))) == 1
        assert (graph, DCTERMS.isPartOf, KZR.dataset) in prov
    assert set(prov.objects(data, PROV.wasDerivedFrom)) == {KZR.article}
    assert set(prov.objects(derived, PROV.wasDerivedFrom)) == {data}
    assert set(prov.objects(derived, PROV.wasGeneratedBy)) == {KZR.derivation}
    assert set(prov.objects(ontology, PROV.wasDerivedFrom)) == {
        URIRef("https://w3id.org/kzeu/ontology")
    }
    assert set(prov.objects(inferred, PROV.wasDerivedFrom)) == {data, derived, ontology}
    assert set(prov.objects(inferred, PROV.wasGeneratedBy)) == {activity}
    assert (activity, RDF.type, PROV.Activity) in prov
    assert (activity, RDFS.label, Literal("OWL 2 RL closure (owlrl)", lang="en")) in prov
    assert set(prov.objects(activity, PROV.used)) == {data, derived, ontology}
    assert (data, DCTERMS.title, Literal("What the article states", lang="en")) in prov
    rdfs = build_export(inference="rdfs").provenance()
    assert (
        URIRef(GRAPH + "inference/rdfs"),
        RDFS.label,
        Literal("RDFS closure (owlrl)", lang="en"),
    ) in rdfs


def test_a_plain_graph_goes_to_the_default_graph(rich_graph: Graph) -> None:
    dataset = parse_dataset(serialize(rich_graph, "trig"), "trig")
    assert [str(g.identifier) for g in dataset.graphs() if len(g)] == [
        str(DATASET_DEFAULT_GRAPH_ID)
    ]


# ---------------------------------------------------------------------- blank nodes


@pytest.mark.parametrize("fmt", FORMATS)
def test_blank_node_labels_do_not_depend_on_the_input(fmt: str) -> None:
    one, other = parse_file(BLANK_NODES), parse_file(BLANK_NODES_RELABELLED)
    assert serialize(one, fmt) == serialize(other, fmt)


def test_blank_node_labels_are_the_standard_canonical_ones() -> None:
    """Our RDFC-1.0 labels (pyoxigraph) are pyld's URDNA2015 labels (the algorithm RDFC-1.0
    standardised), quad for quad."""
    pyoxigraph = pytest.importorskip("pyoxigraph")
    jsonld = pytest.importorskip("pyld.jsonld")
    ours = serialize(parse_file(BLANK_NODES), "nquads")
    assert "_:c14n0" in ours
    theirs = jsonld.normalize(
        ours,
        {
            "algorithm": "URDNA2015",
            "inputFormat": "application/n-quads",
            "format": "application/n-quads",
            "documentLoader": refuse_network,
        },
    )

    def quads(text: str) -> set[str]:
        return {
            str(q) for q in pyoxigraph.parse(text.encode(), format=pyoxigraph.RdfFormat.N_QUADS)
        }

    assert quads(ours) == quads(theirs)


def test_canonical_quads_keep_lexical_forms() -> None:
    value = Literal("2066.30", datatype=XSD.decimal, normalize=False)
    quads = canonical_quads([(BNode("x"), URIRef("urn:x:p"), value, None)])
    assert quads == [(BNode("c14n0"), URIRef("urn:x:p"), value, None)]
    assert str(quads[0][2]) == "2066.30"


# ---------------------------------------------------------------------- JSON-LD


def node(document: dict[str, Any], iri: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [n for n in document["@graph"] if n["@id"] == iri]
    assert len(found) == 1, iri
    return found[0]


@pytest.fixture(scope="module")
def jsonld_document(shipped: ExportGraphs) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(serialize(shipped, "json-ld"))
    return document


def test_jsonld_context_is_the_shipped_file_inline(jsonld_document: dict[str, Any]) -> None:
    shipped_context = json.loads(CONTEXT.read_text(encoding="utf-8"))["@context"]
    assert jsonld_document["@context"] == shipped_context


def test_jsonld_context_has_a_short_key_for_every_term_the_data_uses() -> None:
    jsonld = pytest.importorskip("pyld.jsonld")
    context = json.loads(CONTEXT.read_text(encoding="utf-8"))
    keys = [
        k
        for k, v in context["@context"].items()
        if isinstance(v, dict) or (":" in v and not v.startswith("http"))
    ]
    probe = {**context, "@id": "urn:x:probe", **dict.fromkeys(keys, "x")}
    expanded = jsonld.expand(probe, {"documentLoader": refuse_network})[0]
    covered = set(expanded) - {"@id"}
    data = parse_file(DATA)
    used = {str(p) for p in data.predicates()} - {str(RDF.type)}
    assert used <= covered, sorted(used - covered)
    assert all(":" not in k and "/" not in k for k in keys)


def test_jsonld_nodes_use_short_keys_coerced_values(jsonld_document: dict[str, Any]) -> None:
    assert node(jsonld_document, "kzr:post-president-of-the-european-council") == {
        "@id": "kzr:post-president-of-the-european-council",
        "@type": "org:Post",
        "heldBy": "kzr:charles-michel",
        "label": "President of the European Council",
        "postIn": "kzr:european-council",
        "wasDerivedFrom": "kzr:article",
    }
    assert node(jsonld_document, "kzr:date-visit-charles-michel") == {
        "@id": "kzr:date-visit-charles-michel",
        "@type": "time:Instant",
        "comment": "The month is stated; the year is the last October before the briefing of March 2023.",
        "dateBasis": "kzv:resolved-from-article-date",
        "inXSDgYearMonth": "2022-10",
        "label": "October 2022",
        "statedAs": "in October",
        "unitType": "time:unitMonth",
    }
    assert node(jsonld_document, "kzr:words-batteries-p8-position") == {
        "@id": "kzr:words-batteries-p8-position",
        "@type": "oa:TextPositionSelector",
        "end": "2096",
        "start": "2087",
    }
    ranking = node(jsonld_document, "kzr:ranking-eu-largest-investment-partner")
    assert ranking["rank"] == "1"
    assert node(jsonld_document, "kzr:epca")["listIsExhaustive"] is False
    assert node(jsonld_document, "kzr:figure-eu-trade-volume-2022")["value"] == 40000000000
    assert node(jsonld_document, "kzr:figure-eu-trade-volume-growth-2022")["value"] == {
        "@type": "xsd:decimal",
        "@value": "27.6",
    }


def test_jsonld_data_nodes_have_no_long_keys(shipped: ExportGraphs) -> None:
    data_only = build_export(graphs=["data", "derived"])
    document = json.loads(serialize(data_only, "json-ld"))
    keys = {k for n in document["@graph"] for k in n}
    assert not [k for k in keys if ":" in k], sorted(keys)


def test_jsonld_values_without_the_context_language_keep_their_own(rich_graph: Graph) -> None:
    """A label in Kazakh or with no language cannot use the @en ``label`` key."""
    jsonld = pytest.importorskip("pyld.jsonld")
    graph = copy_graph(rich_graph)
    graph.add((KZR.astana, RDFS.label, Literal("Астана", lang="kk")))
    graph.add((KZR.astana, RDFS.label, Literal("Astana")))
    graph.add((KZR.astana, RDFS.label, Literal("Astana", lang="en")))
    document = json.loads(serialize(graph, "json-ld"))
    astana = node(document, "kzr:astana")
    assert astana["label"] == "Astana"
    assert sorted(astana["rdfs:label"], key=str) == sorted(
        ["Astana", {"@language": "kk", "@value": "Астана"}], key=str
    )
    quads = jsonld.to_rdf(
        document, {"format": "application/n-quads", "documentLoader": refuse_network}
    )
    assert isomorphic(Graph().parse(data=quads, format="nt"), graph)


def test_jsonld_context_missing_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, tiny_graph: Graph
) -> None:
    from kzeu_graph import resources

    monkeypatch.setattr(resources, "context_file", lambda: tmp_path / "context.jsonld")
    with pytest.raises(KzeuError, match="cannot read the JSON-LD context"):
        serialize(tiny_graph, "json-ld")
    (tmp_path / "context.jsonld").write_text('{"@context": "https://schema.org/"}')
    with pytest.raises(KzeuError, match="must be an object whose @context is an inline object"):
        serialize(tiny_graph, "json-ld")


# ---------------------------------------------------------------------- canonical Turtle files


def test_the_shipped_data_file_is_canonical() -> None:
    assert format_file(DATA, check=True) == FormatResult(DATA, canonical=True)
    assert DATA.read_text(encoding="utf-8").startswith(CANONICAL_HEADER)


def test_canonical_form_by_hand(tmp_path: Path) -> None:
    path = tmp_path / "file.ttl"
    path.write_bytes(NOT_CANONICAL.read_bytes())
    result = format_file(path, check=True)
    assert result == FormatResult(path, canonical=False, first_difference=1, rewritten=False)
    assert path.read_bytes() == NOT_CANONICAL.read_bytes()
    assert format_file(path) == FormatResult(
        path, canonical=False, first_difference=1, rewritten=True
    )
    assert path.read_text(encoding="utf-8") == CANONICAL.read_text(encoding="utf-8")
    assert format_file(path, check=True).canonical
    assert format_file(CANONICAL, check=True).canonical


def test_canonical_form_keeps_every_triple_and_lexical_form(tmp_path: Path) -> None:
    pyoxigraph = pytest.importorskip("pyoxigraph")
    path = tmp_path / "kzeu.ttl"
    path.write_text(
        DATA.read_text(encoding="utf-8").replace(CANONICAL_HEADER, "# edited\n"), encoding="utf-8"
    )
    assert format_file(path).rewritten

    def lexical(p: Path) -> set[str]:
        return {str(q) for q in pyoxigraph.parse(path=str(p), format=pyoxigraph.RdfFormat.TURTLE)}

    assert lexical(path) == lexical(DATA)
    assert len(lexical(path)) == DATA_TRIPLES


def test_first_difference_is_the_first_changed_line(tmp_path: Path) -> None:
    path = tmp_path / "file.ttl"
    lines = CANONICAL.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[12] = lines[12].replace(" ;", " ; ")
    path.write_text("".join(lines), encoding="utf-8")
    assert format_file(path, check=True).first_difference == 13


def test_format_refuses_what_it_cannot_keep(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"only Turtle \(\.ttl\) files have a canonical form"):
        format_file(REMOTE_CONTEXT)
    relative = tmp_path / "relative.ttl"
    relative.write_text("<thing> <urn:x:p> 1 .\n")
    with pytest.raises(InputError, match=r"relative IRI <file:///.*/thing> cannot be kept"):
        format_file(relative)
    with pytest.raises(InputError, match=r"broken\.ttl:4: bad syntax"):
        format_file(BROKEN_TURTLE)
