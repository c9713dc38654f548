"""Where the product's content files live: inside the wheel or at the repository root."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

__all__ = [
    "content_root",
    "context_file",
    "data_dir",
    "default_data_files",
    "ontology_dir",
    "ontology_files",
    "queries_dir",
    "shapes_file",
    "sources_dir",
]

_PACKAGE = Path(__file__).resolve().parent


def content_root() -> Path:
    """The folder holding ``ontology/``, ``data/`` and ``queries/``.

    A wheel ships them under ``kzeu_graph/_content``; a checkout keeps them at the repo root.
    """
    return _content_root()


@lru_cache(maxsize=1)
def _content_root() -> Path:
    shipped = _PACKAGE / "_content"
    if shipped.is_dir():
        return shipped
    return _PACKAGE.parents[1]


def ontology_dir() -> Path:
    return content_root() / "ontology"


def ontology_files() -> list[Path]:
    """The ontology and the restated axioms of reused vocabularies (those that exist)."""
    folder = ontology_dir()
    return [p for p in (folder / "kzeu.ttl", folder / "reused-terms.ttl") if p.is_file()]


def context_file() -> Path:
    """The JSON-LD context of the exports (``ontology/context.jsonld``)."""
    return ontology_dir() / "context.jsonld"


def shapes_file() -> Path:
    return ontology_dir() / "shapes.ttl"


def data_dir() -> Path:
    return content_root() / "data"


def default_data_files() -> list[Path]:
    """The shipped graph."""
    return [data_dir() / "kzeu.ttl"]


def sources_dir() -> Path:
    return data_dir() / "sources"


def queries_dir() -> Path:
    return content_root() / "queries"
