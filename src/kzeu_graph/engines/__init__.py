"""One interface over three kinds of store: rdflib in memory, Oxigraph, any SPARQL 1.1 endpoint.

A store is chosen by a URL-like spec (the CLI's ``--store``, or the ``KZEU_STORE``
environment variable):

=====================================  =================================================
``memory``                              rdflib, in memory (the Python API's default)
``oxigraph:memory`` (or ``oxigraph``)   Oxigraph, in memory (the CLI's default for query)
``oxigraph:PATH``                       Oxigraph, persistent in the folder PATH
``http(s)://HOST[:PORT]/PATH[#OPTS]``   a SPARQL 1.1 endpoint; OPTS are ``&``-separated
                                        ``update=URL`` (SPARQL Update endpoint),
                                        ``store=URL`` (Graph Store Protocol endpoint) and
                                        ``graph=IRI`` (the graph to load and query, or
                                        ``default``), ``dialect=virtuoso|standard``
                                        (found from the server otherwise); the
                                        fragment is never sent
=====================================  =================================================

Every engine answers :meth:`Engine.query` with the project's :class:`~kzeu_graph.sparql.results.Result`
(rdflib terms, same Python values). Parameters are never pasted into query text: rdflib
gets ``initBindings``; Oxigraph and remote endpoints get an inline VALUES row whose terms
come from a strict serializer (:mod:`kzeu_graph.engines.binding`).

This module and the Oxigraph engine import no rdflib until a Result is asked for.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, Self, runtime_checkable
from urllib.parse import urlsplit

from kzeu_graph.errors import InputError, ParameterError
from kzeu_graph.rdf.terms import Term, is_valid_iri

if TYPE_CHECKING:
    from kzeu_graph.sparql.catalog import SavedQuery
    from kzeu_graph.sparql.results import Result

__all__ = [
    "DEFAULT_GRAPH_IRI",
    "ENV_VAR",
    "Engine",
    "Progress",
    "StoreSpec",
    "fill",
    "load_store",
    "open_engine",
    "open_store",
    "parse_store",
    "run_saved",
    "store_spec_from_env",
]

ENV_VAR = "KZEU_STORE"
DEFAULT_GRAPH_IRI = "https://w3id.org/kzeu/graph"

Progress = Callable[[int], None]
"""Called with the number of triples just loaded (for a progress bar)."""

StoreKind = Literal["memory", "oxigraph", "sparql"]


@runtime_checkable
class Engine(Protocol):
    """A store that runs SPARQL and loads RDF files. Every method may raise a KzeuError."""

    spec: StoreSpec

    def query(
        self, text: str, bindings: Mapping[str, Term] | None = None, *, checked: bool = False
    ) -> Result:
        """Run a read-only query; ``bindings`` ({variable name: term}) bind its parameters.

        Every engine runs the text :func:`kzeu_graph.sparql.run.guard` checked (its canonical
        form), never the text as given. ``checked=True`` says the text has already passed
        ``guard`` (or is a shipped saved query): the rdflib parse is skipped, but the text is
        still made canonical and refused if it holds the word SERVICE.
        """
        ...

    def load(self, files: Sequence[Path], *, progress: Progress | None = None) -> int:
        """Add the triples of RDF files (parsed safely, locally); returns how many were read."""
        ...

    def load_ntriples(self, data: bytes, *, progress: Progress | None = None) -> int:
        """Add triples given as N-Triples bytes; returns how many were read."""
        ...

    def clear(self) -> None:
        """Remove every triple of the engine's graph."""
        ...

    def triple_count(self) -> int:
        """How many triples the engine's graph holds."""
        ...

    def close(self) -> None:
        """Release files and connections (the engine is unusable afterwards)."""
        ...

    def __enter__(self) -> Self:
        """``with open_engine(...) as engine:`` closes the engine at the end of the block."""
        ...

    def __exit__(self, *exc_info: object) -> None: ...


@dataclass(frozen=True)
class StoreSpec:
    """A parsed ``--store`` spec."""

    kind: StoreKind
    text: str
    location: Path | None = None  # Oxigraph folder (None: in memory)
    query_url: str | None = None
    update_url: str | None = None
    store_url: str | None = None  # Graph Store Protocol endpoint
    graph: str | None = DEFAULT_GRAPH_IRI  # None: the store's default graph
    options: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def persistent(self) -> bool:
        """Whether the store outlives the process (a folder or a server)."""
        return self.kind == "sparql" or self.location is not None


_URL = re.compile(r"https?://[^\s#]+(#.*)?", re.IGNORECASE)
_OPTIONS = ("update", "store", "graph", "dialect")


def _check_url(text: str, url: str, what: str = "the endpoint URL") -> None:
    """Refuse an http(s) URL that no HTTP client could use: bad host, port or IPv6 literal."""
    try:
        parts = urlsplit(url)
        port = parts.port  # ValueError for a port that is not a number in 0-65535
        host = parts.hostname
        if parts.netloc.startswith("[") or (host and ":" in host):
            ipaddress.IPv6Address((host or "").partition("%")[0])
    except ValueError as exc:
        raise InputError(f"store {text!r}: {what} {url!r} is malformed ({exc})") from None
    if not host:
        raise InputError(f"store {text!r}: {what} {url!r} has no host")
    if port == 0:
        raise InputError(f"store {text!r}: {what} {url!r} has port 0")


def _remote_spec(text: str) -> StoreSpec:
    url, _, fragment = text.partition("#")
    _check_url(text, url)
    options: dict[str, str] = {}
    for part in filter(None, fragment.split("&")):
        key, sep, value = part.partition("=")
        if not sep or key not in _OPTIONS:
            raise InputError(
                f"store {text!r}: unknown option {part!r} "
                "(use update=URL, store=URL, graph=IRI, dialect=virtuoso|standard)"
            )
        options[key] = value
    for key in ("update", "store"):
        if key in options:
            if not _URL.fullmatch(options[key]) or "#" in options[key]:
                raise InputError(f"store {text!r}: {key}= needs an http(s) URL")
            _check_url(text, options[key], f"{key}=")
    if options.get("dialect", "standard") not in ("standard", "virtuoso"):
        raise InputError(f"store {text!r}: dialect= is 'standard' or 'virtuoso'")
    graph: str | None = options.get("graph", DEFAULT_GRAPH_IRI)
    if graph == "default":
        graph = None
    elif graph is not None and not is_valid_iri(graph):
        raise InputError(f"store {text!r}: graph= needs an absolute IRI or 'default'")
    return StoreSpec(
        kind="sparql",
        text=text,
        query_url=url,
        update_url=options.get("update"),
        store_url=options.get("store"),
        graph=graph,
        options=options,
    )


def parse_store(spec: str) -> StoreSpec:
    """Parse a store spec (see the module docstring); InputError for anything else."""
    text = spec.strip()
    lowered = text.lower()
    if lowered in ("memory", "rdflib", "rdflib:memory"):
        return StoreSpec(kind="memory", text="memory", graph=None)
    if lowered in ("oxigraph", "oxigraph:memory"):
        return StoreSpec(kind="oxigraph", text="oxigraph:memory", graph=None)
    if lowered.startswith("oxigraph:"):
        folder = text[len("oxigraph:") :]
        if not folder.strip():
            raise InputError(
                f"store {spec!r}: give a folder after 'oxigraph:' (or write oxigraph:memory)"
            )
        if folder.startswith("//"):
            raise InputError(f"store {spec!r}: write oxigraph:/absolute/path or oxigraph:relative")
        return StoreSpec(kind="oxigraph", text=text, location=Path(folder), graph=None)
    if _URL.fullmatch(text):
        return _remote_spec(text)
    raise InputError(
        f"unknown store {spec!r} (use memory, oxigraph:memory, oxigraph:FOLDER "
        "or an http(s):// SPARQL endpoint URL)"
    )


def store_spec_from_env(default: str) -> str:
    """``$KZEU_STORE`` if set and not empty, else ``default``."""
    return os.environ.get(ENV_VAR, "").strip() or default


def open_store(spec: str | StoreSpec, *, read_only: bool = False) -> Engine:
    """Open the store as it is: empty in memory, or the folder's / server's triples.

    ``read_only=True`` opens an Oxigraph folder for reading (several processes may, at once;
    the folder must exist and hold a store).
    """
    parsed = parse_store(spec) if isinstance(spec, str) else spec
    if parsed.kind == "memory":
        from kzeu_graph.engines.rdflib_engine import RdflibEngine

        return RdflibEngine(spec=parsed)
    if parsed.kind == "oxigraph":
        from kzeu_graph.engines.oxigraph_engine import OxigraphEngine

        return OxigraphEngine(parsed, read_only=read_only)
    from kzeu_graph.engines.remote import RemoteEngine

    return RemoteEngine(parsed)


def open_engine(
    spec: str | StoreSpec = "memory",
    data: Sequence[Path] | None = None,
    inference: str = "none",
) -> Engine:
    """A store holding the project graph, ready to query.

    In memory: the ontology and ``data`` (default: the shipped graph) are loaded, with the
    inference closure if asked. A folder or a server is used as it is (fill it with
    ``kzeu-graph load``), so ``data`` and ``inference`` are refused there.
    """
    parsed = parse_store(spec) if isinstance(spec, str) else spec
    if parsed.persistent:
        if data or inference != "none":
            raise ParameterError(
                f"store {parsed.text!r} is used as loaded; --data and --inference apply to "
                "in-memory stores (use kzeu-graph load --store ... to fill it)"
            )
        return open_store(parsed)
    engine = open_store(parsed)
    try:
        fill(engine, data, inference)
    except BaseException:
        engine.close()
        raise
    return engine


def graph_files(data: Sequence[Path] | None = None) -> list[Path]:
    """The ontology files, then ``data`` (default: the shipped graph)."""
    from kzeu_graph import resources

    files = resources.default_data_files() if data is None else [Path(p) for p in data]
    return [*resources.ontology_files(), *files]


def fill(
    engine: Engine,
    data: Sequence[Path] | None = None,
    inference: str = "none",
    progress: Progress | None = None,
) -> int:
    """Load the ontology and data (+ closure) into ``engine``; returns the triples read."""
    if inference == "none":
        return engine.load(graph_files(data), progress=progress)
    from kzeu_graph.loading.graph import load_graph

    graph = load_graph(data, inference=inference)  # type: ignore[arg-type]
    return engine.load_ntriples(graph.serialize(format="nt", encoding="utf-8"), progress=progress)


def load_store(
    spec: str | StoreSpec,
    data: Sequence[Path] | None = None,
    inference: str = "none",
    progress: Progress | None = None,
) -> int:
    """Fill a store with the ontology and ``data`` (default: the shipped graph) [+ closure].

    Idempotent: the engine's graph is cleared first, so loading twice leaves the same
    triples. Returns how many triples the graph holds afterwards.
    """
    engine = open_store(spec)
    try:
        engine.clear()
        fill(engine, data, inference, progress)
        return engine.triple_count()
    finally:
        engine.close()


def run_saved(
    engine: Engine,
    name: str | SavedQuery,
    params: Mapping[str, Any] | None = None,
    directory: Path | None = None,
) -> Result:
    """Run a saved query on ``engine`` with typed parameters (strings are converted by kind)."""
    from kzeu_graph.sparql.catalog import get_query

    saved = name if not isinstance(name, str) else get_query(name, directory)
    return engine.query(saved.text, saved.bind_terms(params))
