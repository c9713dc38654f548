"""One interface over three kinds of store: rdflib in memory, Oxigraph, any SPARQL 1.1 endpoint.

A store is chosen by a URL-like spec (the CLI's ``--store``, or the ``KZEU_STORE``
environment variable):

=====================================  =================================================
``memory``                              rdflib, in memory
``oxigraph:memory`` (or ``oxigraph``)   Oxigraph, in memory (the default, CLI and API)
``oxigraph:PATH``                       Oxigraph, persistent in the folder PATH
``http(s)://HOST[:PORT]/PATH[#OPTS]``   a SPARQL 1.1 endpoint; OPTS are ``&``-separated
                                        ``update=URL`` (SPARQL Update endpoint),
                                        ``store=URL`` (Graph Store Protocol endpoint) and
                                        ``graph=IRI`` (the graph to load and query, or
                                        ``default``), ``dialect=virtuoso|standard``
                                        (found from the server otherwise); the
                                        fragment is never sent
=====================================  =================================================

Every engine answers :meth:`Engine.query` with the project's :class:`~kzeu_graph.query.results.Result`
(rdflib terms, same Python values). Parameters are never pasted into query text: rdflib
gets ``initBindings``; Oxigraph and remote endpoints get an inline VALUES row whose terms
come from a strict serializer (:mod:`kzeu_graph.engines.binding`).

Commands that need an rdflib Graph (SHACL validation, the exporters, ``describe``, the VoID
description, the timeline) get it through ONE hand-over, :func:`to_graph`: an rdflib engine
hands over its graph itself; any other engine dumps its graph as N-Triples with its own
serializer (:meth:`Engine.dump`), which the project's loader parses.

This module and the Oxigraph engine import no rdflib until a Result is asked for.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, Self, runtime_checkable
from urllib.parse import urlsplit

from kzeu_graph.errors import InputError, ParameterError
from kzeu_graph.rdf.prefixes import BASE_IRI
from kzeu_graph.rdf.terms import XSD, XSD_INTEGER_BOUNDS, XSD_INTEGERS, Term, is_valid_iri

if TYPE_CHECKING:
    from rdflib import Graph

    from kzeu_graph.query.results import Result

__all__ = [
    "DEFAULT_GRAPH_IRI",
    "DEFAULT_STORE",
    "ENV_VAR",
    "Engine",
    "Progress",
    "StoreSpec",
    "check_store_use",
    "fill",
    "graph_source",
    "load_store",
    "open_engine",
    "open_store",
    "parse_store",
    "store_spec_from_env",
    "to_graph",
]

ENV_VAR = "KZEU_STORE"
DEFAULT_STORE = "oxigraph:memory"
"""The one default store of every command and of :func:`open_engine` (docs/stores.md says why)."""
DEFAULT_GRAPH_IRI = f"{BASE_IRI}graph"

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

        Every engine runs the text :func:`kzeu_graph.query.guard.guard` checked (its canonical
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

    def dump(self) -> bytes:
        """The engine's graph as N-Triples (UTF-8), written by the engine's own serializer."""
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


def check_store_use(
    spec: str | StoreSpec, data: Sequence[Path] | None = None, inference: str = "none"
) -> StoreSpec:
    """The parsed spec, if ``data`` and ``inference`` may be used with it: a folder or a
    server is used as loaded (and a folder must exist); ParameterError/InputError if not."""
    parsed = parse_store(spec) if isinstance(spec, str) else spec
    if parsed.persistent:
        if parsed.location is not None and not parsed.location.is_dir():
            raise InputError(
                f"store {parsed.text!r}: no such folder (fill one with "
                f"kzeu-graph load --store {parsed.text})"
            )
        if data or inference != "none":
            raise ParameterError(
                f"store {parsed.text!r} is used as loaded; --data and --inference apply to "
                "in-memory stores (use kzeu-graph load --store ... to fill it)"
            )
    return parsed


def graph_source(
    spec: str | StoreSpec = DEFAULT_STORE,
    data: Sequence[Path] | None = None,
    inference: str = "none",
) -> Engine:
    """The engine a command that needs the graph itself reads (validate, export, describe,
    describe-dataset, timeline; then :func:`to_graph`).

    A folder or a server: the store as loaded. An in-memory store, whichever engine it
    names: the ontology and ``data`` read into rdflib by the project's loader, because there
    the graph *is* those files, and only that keeps their lexical forms (``10.0``) and the
    file and line of every triple; Oxigraph keeps values (``10``). Queries still run on the
    engine the spec names.
    """
    parsed = check_store_use(spec, data, inference)
    if parsed.persistent:
        return open_store(parsed)
    return open_engine(parse_store("memory"), data, inference)


def open_engine(
    spec: str | StoreSpec = DEFAULT_STORE,
    data: Sequence[Path] | None = None,
    inference: str = "none",
) -> Engine:
    """A store holding the project graph, ready to query.

    In memory: the ontology and ``data`` (default: the shipped graph) are loaded, with the
    inference closure if asked. A folder or a server is used as it is (fill it with
    ``kzeu-graph load``), so ``data`` and ``inference`` are refused there, and so is a
    folder that does not exist.
    """
    parsed = check_store_use(spec, data, inference)
    if parsed.persistent:
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


# Oxigraph keeps an integer's value, not its subtype: "5"^^xsd:positiveInteger comes back as
# "5"^^xsd:integer (the bounds of each subtype: kzeu_graph.rdf.terms.XSD_INTEGER_BOUNDS).
_XSD_INTEGER = XSD + "integer"


def _declared_integer_subtypes() -> dict[str, str]:
    """{predicate IRI: the one integer subtype the shapes (sh:datatype) or the ontology
    (rdfs:range) give its values}; predicates given two different ones are left out."""
    from rdflib import RDFS, URIRef
    from rdflib.namespace import SH

    from kzeu_graph.loading.graph import load_ontology, load_shapes

    shapes = load_shapes()
    declarations = list(load_ontology().subject_objects(RDFS.range))
    for shape, datatype in shapes.subject_objects(SH.datatype):
        declarations += [(path, datatype) for path in shapes.objects(shape, SH.path)]
    found: dict[str, set[str]] = {}
    for predicate, datatype in declarations:
        if isinstance(predicate, URIRef) and str(datatype) in XSD_INTEGERS - {_XSD_INTEGER}:
            found.setdefault(str(predicate), set()).add(str(datatype))
    return {p: next(iter(d)) for p, d in found.items() if len(d) == 1}


def _restore_integer_subtypes(graph: Graph) -> None:
    """Give an ``xsd:integer`` value back the subtype its predicate is declared with, when
    the value lies within that subtype (what a canonicalising store such as Oxigraph lost)."""
    from rdflib import Literal, URIRef

    declared = _declared_integer_subtypes()
    changes = []
    for predicate, datatype in declared.items():
        low, high = XSD_INTEGER_BOUNDS[datatype]
        for s, o in graph.subject_objects(URIRef(predicate)):
            if not isinstance(o, Literal) or str(o.datatype) != _XSD_INTEGER:
                continue
            try:
                value = int(str(o))
            except ValueError:
                continue
            if (low is None or value >= low) and (high is None or value <= high):
                retyped = Literal(str(o), datatype=URIRef(datatype), normalize=False)
                changes.append(((s, URIRef(predicate), o), (s, URIRef(predicate), retyped)))
    for old, new in changes:
        graph.remove(old)
        graph.add(new)


def to_graph(source: Engine | Graph) -> Graph:
    """THE hand-over from a store to the code that needs an rdflib Graph (pyshacl, exporters).

    An rdflib Graph is returned as it is, and so is the graph of the rdflib engine (do not
    change it). Any other engine's graph is dumped as N-Triples by the engine itself
    (:meth:`Engine.dump`) and parsed by the project's loader into a new graph with the
    project prefixes. Oxigraph keeps values, not lexical forms: ``10.0`` comes back as
    ``10`` and an integer subtype as ``xsd:integer``; the subtype is given back where the
    shapes or the ontology declare one for the predicate and the value fits it (so a value
    that was written as a plain ``xsd:integer`` there is not told apart).
    """
    from rdflib import Graph

    if isinstance(source, Graph):
        return source
    from kzeu_graph.engines.rdflib_engine import RdflibEngine

    if isinstance(source, RdflibEngine):
        return source.graph
    from kzeu_graph.loading.graph import parse_data

    graph = parse_data(source.dump(), name=f"the dump of store {source.spec.text!r}")
    _restore_integer_subtypes(graph)
    return graph
