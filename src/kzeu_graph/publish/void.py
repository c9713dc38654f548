"""A VoID + DCAT description of the dataset, computed from the data itself.

The authored part of the description (title, description, licence, source, conformance)
lives on the ``kzr:dataset`` node of the data, where the SHACL shapes check it. This module
copies that node and adds what is computed: the version and publisher (from the package
metadata, the one place they are written), the VoID statistics of the data, the class
partitions, the vocabularies used, example resources, and one DCAT distribution per
format that ``kzeu-graph export`` writes.

Every count is of the data alone (``data/kzeu.ttl``, or the files given), without the
ontology: it is what a consumer who loads the dataset's triples will find.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib.metadata import PackageNotFoundError, metadata
from pathlib import Path
from typing import TYPE_CHECKING

from rdflib import RDF, RDFS, XSD, BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, SKOS, VOID

from kzeu_graph.errors import InputError, KzeuError
from kzeu_graph.loading.graph import load_ontology, parse_file
from kzeu_graph.publish.export import EXPORT_FORMATS
from kzeu_graph.rdf.formats import FORMATS, W3C_FORMATS, RdfFormatRecord
from kzeu_graph.rdf.namespaces import KZR, PREFIXES, new_graph
from kzeu_graph.rdf.prefixes import BASE_IRI

if TYPE_CHECKING:
    from kzeu_graph.engines import Engine

__all__ = [
    "DATASET",
    "DISTRIBUTIONS",
    "URI_SPACE",
    "dataset_description",
    "describe_dataset",
    "namespace_of",
]

DATASET = KZR["dataset"]
DCAT_VERSION = URIRef(f"{DCAT}version")  # DCAT 3; rdflib's DCAT namespace is DCAT 2
URI_SPACE = str(KZR)
PUBLISHER = KZR["kzeu-graph-developers"]
DUMP_BASE = f"{BASE_IRI}dump/"
IANA = "https://www.iana.org/assignments/media-types/"

# Copied from the data's kzr:dataset node: what its authors wrote (and SHACL checks).
AUTHORED = (RDF.type, DCTERMS.title, DCTERMS.description, DCTERMS.license, DCTERMS.source,
            DCTERMS.conformsTo)  # fmt: skip

# A few resources that show the graph's range (those present in the data are listed).
EXAMPLES = tuple(
    KZR[local]
    for local in (
        "article",
        "figure-eu-trade-volume-2022",
        "derived-eu-trade-volume-2021",
        "visit-ursula-von-der-leyen",
        "european-union",
    )
)


# How each ``kzeu-graph export`` format is published: its record in the one table of formats
DISTRIBUTIONS: dict[str, RdfFormatRecord] = {record.name: record for record in FORMATS}


def namespace_of(iri: str) -> str:
    """The namespace of an IRI: everything up to and including its last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1] if cut >= 0 else iri


def _package() -> tuple[str, str, list[str]]:
    """Version, author and keywords, from the installed package's metadata."""
    try:
        meta = metadata("kzeu-graph")
    except PackageNotFoundError:
        raise KzeuError(
            "kzeu-graph is not installed, so its version is unknown: pip install -e ."
        ) from None
    keywords = [k.strip() for line in meta.get_all("Keywords") or [] for k in line.split(",")]
    return (
        meta["Version"],
        meta["Author"] or "kzeu-graph developers",
        sorted(filter(None, keywords)),
    )


def _partition_iri(cls: URIRef) -> URIRef:
    """A stable IRI for the partition of one class: ``kzr:dataset-class-schema-Person``."""
    text = str(cls)
    for prefix, namespace in PREFIXES.items():
        local = text.removeprefix(str(namespace))
        if local != text and local.replace("_", "").replace("-", "").isalnum():
            return KZR[f"dataset-class-{prefix}-{local}"]
    return KZR["dataset-class-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]]


def _vocabularies(data: Graph, ontology: Graph) -> set[str]:
    """Namespaces of every property, every class and every controlled-vocabulary value used."""
    used: set[str] = {str(p) for p in data.predicates()}
    used |= {str(c) for c in data.objects(None, RDF.type) if isinstance(c, URIRef)}
    used |= {
        str(o)
        for o in data.objects()
        if isinstance(o, URIRef) and (o, RDF.type, SKOS.Concept) in ontology
    }
    return {namespace_of(iri) for iri in used} - {URI_SPACE}


def describe_dataset(
    data: Graph, ontology: Graph | None = None, version: str | None = None
) -> Graph:
    """The VoID + DCAT description of ``data`` (the data alone, without the ontology).

    ``data`` must hold a ``kzr:dataset`` node with a title (as the shipped data does);
    ``ontology`` (default: the project's) tells which values are controlled-vocabulary
    concepts; ``version`` defaults to the package version.
    """
    if (DATASET, DCTERMS.title, None) not in data:
        raise InputError(f"the data has no <{DATASET}> node with a dcterms:title to describe")
    ontology = load_ontology() if ontology is None else ontology
    package_version, author, keywords = _package()
    out = new_graph()
    out.bind("foaf", FOAF)
    for p, o in data.predicate_objects(DATASET):
        if p in AUTHORED:
            out.add((DATASET, p, o))
    out.add((DATASET, RDF.type, DCAT.Dataset))
    out.add((DATASET, RDF.type, VOID.Dataset))
    out.add((DATASET, DCAT_VERSION, Literal(version or package_version)))
    out.add((DATASET, DCTERMS.publisher, PUBLISHER))
    out.add((PUBLISHER, RDF.type, FOAF.Agent))
    out.add((PUBLISHER, FOAF.name, Literal(author)))
    for keyword in keywords:
        out.add((DATASET, DCAT.keyword, Literal(keyword)))

    # statistics of the data
    subjects = set(data.subjects())
    out.add((DATASET, VOID.uriSpace, Literal(URI_SPACE)))
    out.add((DATASET, VOID.triples, Literal(len(data), datatype=XSD.integer)))
    entities = {s for s in subjects if isinstance(s, URIRef) and str(s).startswith(URI_SPACE)}
    out.add((DATASET, VOID.entities, Literal(len(entities), datatype=XSD.integer)))
    classes = {c for c in data.objects(None, RDF.type) if isinstance(c, URIRef)}
    out.add((DATASET, VOID.classes, Literal(len(classes), datatype=XSD.integer)))
    properties = set(data.predicates())
    out.add((DATASET, VOID.properties, Literal(len(properties), datatype=XSD.integer)))
    out.add((DATASET, VOID.distinctSubjects, Literal(len(subjects), datatype=XSD.integer)))
    objects = set(data.objects())
    out.add((DATASET, VOID.distinctObjects, Literal(len(objects), datatype=XSD.integer)))
    out.add(
        (
            DATASET,
            RDFS.comment,
            Literal(
                "The VoID statistics count the data alone (the triples of data/kzeu.ttl, this "
                "dataset's own description there included), not the kzeu ontology that the "
                "exports add; void:entities counts the IRIs in the void:uriSpace that are "
                "subjects. Generated by: kzeu-graph describe-dataset.",
                lang="en",
            ),
        )
    )
    for cls in sorted(classes):
        partition = _partition_iri(cls)
        members = set(data.subjects(RDF.type, cls))
        out.add((DATASET, VOID.classPartition, partition))
        out.add((partition, VOID["class"], cls))
        out.add((partition, VOID.entities, Literal(len(members), datatype=XSD.integer)))
    for example in EXAMPLES:
        if (example, None, None) in data:
            out.add((DATASET, VOID.exampleResource, example))
    for namespace in sorted(_vocabularies(data, ontology)):
        out.add((DATASET, VOID.vocabulary, URIRef(namespace)))

    # one distribution per export format (void:sparqlEndpoint: none is served)
    for fmt in EXPORT_FORMATS:
        if fmt not in DISTRIBUTIONS:
            raise KzeuError(f"the export format {fmt!r} has no media type in dataset.py")
        spec = DISTRIBUTIONS[fmt]
        dump = URIRef(f"{DUMP_BASE}kzeu{spec.suffix}")
        node = KZR[f"dataset-{fmt}"]
        out.add((DATASET, VOID.dataDump, dump))
        out.add((DATASET, DCAT.distribution, node))
        out.add((node, RDF.type, DCAT.Distribution))
        out.add((node, DCTERMS.title, Literal(f"kzeu-graph in {spec.title}", lang="en")))
        out.add(
            (
                node,
                DCTERMS.description,
                Literal(
                    f"The dataset with the kzeu ontology it conforms to, as written by "
                    f"`kzeu-graph export --format {fmt}`. The download IRI is in the "
                    f"project's w3id namespace; until that redirect is registered, "
                    f"make the file with the command.",
                    lang="en",
                ),
            )
        )
        out.add((node, DCAT.mediaType, URIRef(IANA + spec.media_type)))
        out.add((node, DCTERMS["format"], URIRef(W3C_FORMATS + spec.w3c)))
        out.add((node, DCAT.downloadURL, dump))
        for licence in data.objects(DATASET, DCTERMS.license):
            out.add((node, DCTERMS.license, licence))
    if any(isinstance(term, BNode) for triple in out for term in triple):
        raise KzeuError("the dataset description must not contain blank nodes")
    return out


def dataset_description(
    data_files: Sequence[Path] | None = None, source: Engine | Graph | None = None
) -> str:
    """The description of the shipped data (or of ``data_files``, or of the data in the
    store ``source``: its triples that are not ontology triples) as Turtle text."""
    from kzeu_graph import resources
    from kzeu_graph.publish.export import serialize

    data = new_graph()
    if source is not None:
        from kzeu_graph.engines import to_graph

        if data_files:
            raise InputError("give the data files or a store to describe, not both")
        ontology = load_ontology()
        data.addN((s, p, o, data) for s, p, o in to_graph(source) if (s, p, o) not in ontology)
        return serialize(describe_dataset(data, ontology), "turtle")
    files = resources.default_data_files() if not data_files else [Path(p) for p in data_files]
    for path in files:
        parse_file(path, into=data)
    return serialize(describe_dataset(data), "turtle")
