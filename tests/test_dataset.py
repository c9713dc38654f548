"""The VoID + DCAT description (data/void.ttl): fresh, and every count checked independently.

The counts are recomputed here with pyoxigraph's SPARQL engine straight from data/kzeu.ttl
(not with the generator's rdflib code), and the class partitions are also checked against
numbers read off the article by hand.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Literal, URIRef, plugin
from rdflib.namespace import DCAT, DCTERMS, VOID
from rdflib.serializer import Serializer
from rdflib.term import Node

from kzeu_graph.cli.commands import main
from kzeu_graph.errors import InputError
from kzeu_graph.loading.graph import parse_file
from kzeu_graph.publish.export import EXPORT_FORMATS
from kzeu_graph.publish.void import DISTRIBUTIONS, dataset_description, describe_dataset
from paths import DATA, DATA_DIR, TINY

VOID_FILE = DATA_DIR / "void.ttl"
KZR = "https://w3id.org/kzeu/id/"
KZEU = "https://w3id.org/kzeu/ontology#"
DATASET = URIRef(KZR + "dataset")
DCAT_VERSION = URIRef("http://www.w3.org/ns/dcat#version")
REGENERATE = "run `make docs` (or: kzeu-graph describe-dataset -o data/void.ttl) and commit it"


@pytest.fixture(scope="module")
def void() -> Graph:
    return Graph().parse(VOID_FILE, format="turtle")


@pytest.fixture(scope="module")
def store() -> Any:
    """data/kzeu.ttl alone, in Oxigraph."""
    data = ox.Store()
    data.load(path=str(DATA), format=ox.RdfFormat.TURTLE)
    return data


def count(store: Any, where: str) -> int:
    (solution,) = list(store.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}"))
    return int(solution["n"].value)


def stat(void: Graph, predicate: URIRef, subject: Node = DATASET) -> int:
    values = list(void.objects(subject, predicate))
    assert len(values) == 1, (subject, predicate, values)
    value = values[0]
    assert isinstance(value, Literal)
    return int(value)


# ------------------------------------------------------------------ freshness


def test_committed_description_is_fresh() -> None:
    committed = VOID_FILE.read_text(encoding="utf-8")
    assert dataset_description() == committed, f"data/void.ttl is out of date: {REGENERATE}"


def test_command_writes_the_committed_file(tmp_path: Path) -> None:
    out = tmp_path / "void.ttl"
    result = CliRunner().invoke(main, ["describe-dataset", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == VOID_FILE.read_bytes(), f"data/void.ttl is stale: {REGENERATE}"
    assert [p.name for p in tmp_path.iterdir()] == ["void.ttl"]  # no temporary file left


# ------------------------------------------------------------------ statistics


def test_triples_and_distinct_terms(void: Graph, store: Any) -> None:
    assert stat(void, VOID.triples) == count(store, "?s ?p ?o")
    assert stat(void, VOID.distinctSubjects) == count(
        store, "SELECT DISTINCT ?s WHERE { ?s ?p ?o }"
    )
    assert stat(void, VOID.distinctObjects) == count(store, "SELECT DISTINCT ?o WHERE { ?s ?p ?o }")
    assert stat(void, VOID.properties) == count(store, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }")
    assert stat(void, VOID.classes) == count(store, "SELECT DISTINCT ?c WHERE { ?s a ?c }")
    assert stat(void, VOID.entities) == count(
        store,
        f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{KZR}")) }}',
    )


def test_counts_are_of_the_data_alone(void: Graph, store: Any) -> None:
    """The ontology is not counted: the ontology's own IRI is never a subject of the data."""
    assert count(store, f"<{KZEU[:-1]}> ?p ?o") == 0
    assert stat(void, VOID.triples) == len(Graph().parse(DATA, format="turtle"))
    comment = str(void.value(DATASET, URIRef("http://www.w3.org/2000/01/rdf-schema#comment")))
    assert "count the data alone" in comment


def test_class_partitions_match_oxigraph(void: Graph, store: Any) -> None:
    expected = {
        s["c"].value: int(s["n"].value)
        for s in store.query("SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c } GROUP BY ?c")
    }
    found = {}
    for partition in void.objects(DATASET, VOID.classPartition):
        cls = void.value(partition, VOID["class"])
        found[str(cls)] = stat(void, VOID.entities, partition)
    assert found == expected


# Read off the article: 7 numbers with their units; 3 visits (Michel, Borrell, von der
# Leyen); 9 events in all; 13 sentences that say something: 6 in quotation marks, 4 with
# "said"/"noted"/"added", 3 in the article's own voice; 4 values it implies (the 2021 trade
# volume, the 1993 establishment of relations, and January and September 2022, the ends of
# "the first nine months of 2022"); 2 partner rankings ("largest investment partner",
# "largest trading partner"); 7 claims beyond figures and events (p1, p2, p4-s4, p4-s5,
# p5, p6, p7); 15 areas named 16 times; 1 article.
FROM_THE_ARTICLE = {
    f"{KZEU}Figure": 7,
    f"{KZEU}Visit": 3,
    f"{KZEU}Briefing": 1,
    f"{KZEU}EntryIntoForce": 1,
    f"{KZEU}Anniversary": 1,
    f"{KZEU}EstablishmentOfRelations": 1,
    f"{KZEU}Withdrawal": 1,
    f"{KZEU}CooperationLaunch": 1,
    f"{KZEU}DirectQuote": 6,
    f"{KZEU}ReportedSpeech": 4,
    f"{KZEU}Narration": 3,
    f"{KZEU}DerivedValue": 4,
    f"{KZEU}Claim": 7,
    f"{KZEU}PartnerRanking": 2,
    f"{KZEU}AreaMention": 16,
    f"{KZEU}Agreement": 1,
    "http://www.w3.org/2004/02/skos/core#Concept": 15,
    "https://schema.org/NewsArticle": 1,
}


def test_class_partitions_match_the_article(void: Graph) -> None:
    found = {
        str(void.value(p, VOID["class"])): stat(void, VOID.entities, p)
        for p in void.objects(DATASET, VOID.classPartition)
    }
    assert {k: found.get(k) for k in FROM_THE_ARTICLE} == FROM_THE_ARTICLE
    events = [k for k in FROM_THE_ARTICLE if k.removeprefix(KZEU) in {
        "Visit", "Briefing", "EntryIntoForce", "Anniversary", "EstablishmentOfRelations",
        "Withdrawal", "CooperationLaunch"}]  # fmt: skip
    assert sum(found[k] for k in events) == 9


def test_vocabularies_are_the_namespaces_used(void: Graph, store: Any) -> None:
    used = {
        s["ns"].value
        for s in store.query(
            "SELECT DISTINCT ?ns WHERE { { ?s ?t ?o } UNION { ?s a ?t } "
            'BIND(REPLACE(STR(?t), "[^/#]*$", "") AS ?ns) }'
        )
    }
    used.add("https://w3id.org/kzeu/vocab/")  # values of kzeu:exactness, kzeu:eventStatus, ...
    assert {str(v) for v in void.objects(DATASET, VOID.vocabulary)} == used
    assert "http://rdfs.org/ns/void#" in used
    assert "https://schema.org/" in used


def test_example_resources_are_in_the_data(void: Graph, store: Any) -> None:
    examples = list(void.objects(DATASET, VOID.exampleResource))
    assert 3 <= len(examples) <= 6
    for example in examples:
        assert count(store, f"<{example}> ?p ?o") > 0, example
    assert URIRef(KZR + "article") in examples


# ------------------------------------------------------------------ metadata


def test_metadata(void: Graph) -> None:
    assert (DATASET, RDF.type, DCAT.Dataset) in void
    assert (DATASET, RDF.type, VOID.Dataset) in void
    assert void.value(DATASET, DCTERMS.license) == URIRef(
        "https://creativecommons.org/licenses/by/4.0/"
    )
    assert void.value(DATASET, DCTERMS.source) == URIRef(KZR + "article")
    assert void.value(DATASET, DCTERMS.conformsTo) == URIRef(KZEU[:-1])
    assert str(void.value(DATASET, DCTERMS.title)).startswith("kzeu-graph:")
    assert void.value(DATASET, DCAT_VERSION) == Literal("0.1.0")
    publisher = void.value(DATASET, DCTERMS.publisher)
    assert publisher is not None
    assert str(void.value(publisher, URIRef("http://xmlns.com/foaf/0.1/name"))) == (
        "kzeu-graph developers"
    )
    assert void.value(DATASET, VOID.uriSpace) == Literal(KZR)
    # no server runs, so no endpoint is claimed
    assert void.value(DATASET, VOID.sparqlEndpoint) is None


def test_version_has_one_source() -> None:
    """The package version; the data no longer states one of its own."""
    assert version("kzeu-graph") == "0.1.0"
    data = Graph().parse(DATA, format="turtle")
    assert list(data.objects(DATASET, DCAT_VERSION)) == []


def test_one_distribution_per_export_format(void: Graph) -> None:
    distributions = list(void.objects(DATASET, DCAT.distribution))
    assert len(distributions) == len(EXPORT_FORMATS) == 6
    media = {str(void.value(d, DCAT.mediaType)) for d in distributions}
    iana = "https://www.iana.org/assignments/media-types/"
    assert media == {
        iana + "text/turtle", iana + "application/ld+json", iana + "application/n-triples",
        iana + "application/n-quads", iana + "application/trig", iana + "application/rdf+xml",
    }  # fmt: skip
    dumps = {str(void.value(d, DCAT.downloadURL)) for d in distributions}
    assert dumps == {str(u) for u in void.objects(DATASET, VOID.dataDump)}
    for d in distributions:
        assert (d, RDF.type, DCAT.Distribution) in void
        assert void.value(d, DCTERMS["format"]) is not None
        assert "kzeu-graph export --format" in str(void.value(d, DCTERMS.description))


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_media_type_is_the_one_rdflib_serializes(fmt: str) -> None:
    """rdflib registers the same serializer under the media type as under the format."""
    by_name = {p.name: (p.module_path, p.class_name) for p in plugin.plugins(kind=Serializer)}
    assert by_name[DISTRIBUTIONS[fmt].media_type] == by_name[EXPORT_FORMATS[fmt]]


def test_description_passes_the_shapes_with_the_data() -> None:
    from kzeu_graph import load_graph, validate

    report = validate(load_graph([DATA, VOID_FILE]))
    assert report.conforms, report.text()


# ------------------------------------------------------------------ errors


def test_data_without_a_dataset_node_is_refused() -> None:
    with pytest.raises(InputError, match=re.escape("no <https://w3id.org/kzeu/id/dataset> node")):
        describe_dataset(parse_file(TINY))


def test_cli_error_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["describe-dataset", "--data", str(TINY)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "kzeu-graph: error: the data has no <https://w3id.org/kzeu/id/dataset> node with a "
        "dcterms:title to describe\n"
    )
    missing = tmp_path / "no" / "void.ttl"
    result = CliRunner().invoke(main, ["describe-dataset", "-o", str(missing)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr == f"kzeu-graph: error: {missing}: cannot write: No such file or directory\n"
    )
    assert not missing.parent.exists()
