"""The RDF formats the project reads and writes: ONE record per format.

Every table of formats elsewhere (the loader's suffixes, the exporter's names, the VoID
distributions, the Oxigraph engine's dataset formats) is derived from :data:`FORMATS`.
No rdflib here: the query path imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

__all__ = [
    "FORMATS",
    "W3C_FORMATS",
    "RdfFormatRecord",
    "by_media_type",
    "by_name",
    "by_suffix",
]

W3C_FORMATS = "http://www.w3.org/ns/formats/"


@dataclass(frozen=True)
class RdfFormatRecord:
    """One RDF format: its names in the project, rdflib and Oxigraph, suffixes, media types."""

    name: str  # the project's name (``kzeu-graph export --format NAME``)
    title: str  # for people: "Turtle", "RDF/XML"
    suffixes: tuple[str, ...]  # file suffixes read as this format; the first is written
    media_types: tuple[str, ...]  # the first is the IANA type the project sends
    rdflib: str  # rdflib's parser and serializer name
    oxigraph: ox.RdfFormat  # pyoxigraph's format
    quads: bool  # the project writes named graphs in it (N-Quads, TriG)
    w3c: str  # local name in http://www.w3.org/ns/formats/

    @property
    def suffix(self) -> str:
        """The suffix a file of this format is written with."""
        return self.suffixes[0]

    @property
    def media_type(self) -> str:
        """The media type the project sends this format with."""
        return self.media_types[0]

    @property
    def datasets(self) -> bool:
        """Whether the syntax can hold named graphs (JSON-LD can, though written as one)."""
        return bool(self.oxigraph.supports_datasets)


FORMATS: tuple[RdfFormatRecord, ...] = (
    RdfFormatRecord(
        "turtle", "Turtle", (".ttl",), ("text/turtle",), "turtle", ox.RdfFormat.TURTLE, False,
        "Turtle",
    ),
    RdfFormatRecord(
        "json-ld", "JSON-LD", (".jsonld", ".json"), ("application/ld+json",), "json-ld",
        ox.RdfFormat.JSON_LD, False, "JSON-LD",
    ),
    RdfFormatRecord(
        "nt", "N-Triples", (".nt",), ("application/n-triples",), "nt", ox.RdfFormat.N_TRIPLES,
        False, "N-Triples",
    ),
    RdfFormatRecord(
        "nquads", "N-Quads", (".nq",), ("application/n-quads",), "nquads", ox.RdfFormat.N_QUADS,
        True, "N-Quads",
    ),
    RdfFormatRecord(
        "trig", "TriG", (".trig",), ("application/trig",), "trig", ox.RdfFormat.TRIG, True,
        "TriG",
    ),
    RdfFormatRecord(
        "xml", "RDF/XML", (".rdf", ".owl"), ("application/rdf+xml",), "xml",
        ox.RdfFormat.RDF_XML, False, "RDF_XML",
    ),
)  # fmt: skip


def by_name(name: str) -> RdfFormatRecord:
    """The format the project calls ``name`` (``turtle``, ``json-ld``, ``nt``, ...);
    KeyError for a name that is none of them."""
    found = next((f for f in FORMATS if f.name == name), None)
    if found is None:
        raise KeyError(name)
    return found


def by_suffix(suffix: str) -> RdfFormatRecord | None:
    """The format of a file suffix (``.ttl``; case-insensitive)."""
    lowered = suffix.lower()
    return next((f for f in FORMATS if lowered in f.suffixes), None)


def by_media_type(media_type: str) -> RdfFormatRecord | None:
    """The format sent with ``media_type`` (parameters such as ``charset`` ignored)."""
    bare = media_type.partition(";")[0].strip().lower()
    return next((f for f in FORMATS if bare in f.media_types), None)
