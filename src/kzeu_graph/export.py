"""Serialise graphs to the RDF formats we ship, and write them atomically."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import InputError

if TYPE_CHECKING:
    from rdflib import Graph

# rdflib is imported inside the functions: the package imports this module eagerly
# (so that ``kzeu_graph.export`` is the function, not this module) and must stay light.

__all__ = ["EXPORT_FORMATS", "export", "serialize"]

# user-facing name -> rdflib serializer name
EXPORT_FORMATS: dict[str, str] = {
    "turtle": "turtle",
    "json-ld": "json-ld",
    "nt": "nt",
    "nquads": "nquads",
    "trig": "trig",
    "xml": "xml",
}


def serialize(graph: Graph, fmt: str) -> str:
    """The graph as text in ``fmt`` (turtle, json-ld, nt, nquads, trig, xml).

    JSON-LD is written expanded-with-prefixes via an inline context (never a remote one);
    N-Quads and TriG put the triples in the default graph.
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (use one of {', '.join(EXPORT_FORMATS)})")
    from rdflib import Dataset

    from .namespaces import bind_prefixes

    rdflib_format = EXPORT_FORMATS[fmt]
    if fmt in ("nquads", "trig"):
        with warnings.catch_warnings():  # rdflib's own Dataset code uses deprecated names
            warnings.simplefilter("ignore", DeprecationWarning)
            dataset = Dataset()
            bind_prefixes(dataset)
            for triple in graph:
                dataset.add(triple)
            return dataset.serialize(format=rdflib_format)
    if fmt == "json-ld":
        return graph.serialize(format="json-ld", auto_compact=True, indent=2)
    if fmt in ("turtle",):
        bind_prefixes(graph)
    return graph.serialize(format=rdflib_format)


def export(graph: Graph, fmt: str, destination: Path | None = None) -> str:
    """Serialise ``graph``; if ``destination`` is given, write it atomically. Returns the text."""
    from .safety import atomic_write

    text = serialize(graph, fmt)
    if destination is not None:
        try:
            atomic_write(Path(destination), text)
        except OSError as exc:
            raise InputError(f"{destination}: cannot write: {exc.strerror}") from None
    return text
