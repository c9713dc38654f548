"""Query workers for the web server: processes that hold the graph and answer jobs.

Every piece of graph work the server does (SPARQL parsing and evaluation, saved queries,
linked-data documents, the service description) runs in a worker process, never in the
web server's own process. rdflib has no query timeout and a Python thread cannot be
stopped, so the time limit is enforced from outside: a worker that has not answered in
time is killed (SIGKILL) and replaced by a fresh one, and the client gets a one-line 503.
Each worker also caps its address space, so a query that tries to hold a huge
intermediate result fails with ``MemoryError`` instead of starving the machine.

This module imports no web framework: a worker starts in about a second.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import re
import signal
import sys
import threading
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kzeu_graph.errors import InputError, KzeuError, ParameterError, QueryError
from kzeu_graph.query.writers import NotXmlError
from kzeu_graph.rdf.formats import by_name
from kzeu_graph.rdf.prefixes import BASE_IRI

if TYPE_CHECKING:
    from rdflib import Graph

    from kzeu_graph.engines import Engine
    from kzeu_graph.query.guard import CheckedQuery
    from kzeu_graph.rdf.terms import Term

__all__ = [
    "DOCUMENT_TYPES",
    "GRAPH_TYPES",
    "RESULT_TYPES",
    "DocumentJob",
    "LookupJob",
    "QueryService",
    "Reply",
    "SavedQueryJob",
    "ServiceDescriptionJob",
    "SparqlJob",
    "WorkerConfig",
    "WorkerPool",
    "open_service_engine",
]

# media type -> serializer name, in the server's order of preference (the first is the default)
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/sparql-results+xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
    "application/json": "json",
    "application/xml": "xml",
}
# The RDF formats the server answers in (records of rdf.formats), in its order of preference.
SERVED_FORMATS = tuple(by_name(name) for name in ("turtle", "nt", "json-ld", "xml"))
GRAPH_TYPES: dict[str, str] = {f.media_type: f.name for f in SERVED_FORMATS}
# linked-data documents: URL suffix -> (format, media type)
DOCUMENT_TYPES: dict[str, tuple[str, str]] = {
    "html": ("html", "text/html"),
    **{
        f.suffix.lstrip("."): (f.name, f.media_type)
        for f in map(by_name, ("turtle", "json-ld", "nt", "xml"))
    },
}
_TEXT_TYPES = frozenset(
    t for t in (*RESULT_TYPES, *GRAPH_TYPES, "text/html") if t.startswith("text/")
)

ONTOLOGY_IRI = BASE_IRI + "ontology"
DATASET_IRI = BASE_IRI + "id/dataset"
VOID_FILE = "void.ttl"

log = logging.getLogger("kzeu_graph.serve.app")


def with_charset(media_type: str) -> str:
    """``text/*`` types get an explicit UTF-8 charset."""
    return f"{media_type}; charset=utf-8" if media_type in _TEXT_TYPES else media_type


# ------------------------------------------------------------------ messages


@dataclass(frozen=True)
class Reply:
    """What a job produced: a body and its media type, or an error (one line) and a status."""

    status: int
    media_type: str = "text/plain; charset=utf-8"
    body: bytes = b""
    error: str | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    suggestions: tuple[Mapping[str, str], ...] = ()  # "did you mean" (IRI, CURIE, label)


@dataclass(frozen=True)
class SparqlJob:
    """An ad-hoc query and the client's Accept header."""

    text: str
    accept: str | None


@dataclass(frozen=True)
class SavedQueryJob:
    """A saved query by name, its raw parameters, and the client's Accept header."""

    name: str
    params: tuple[tuple[str, str], ...]
    accept: str | None


@dataclass(frozen=True)
class DocumentJob:
    """The linked-data document of one IRI in one format (a key of DOCUMENT_TYPES' values)."""

    iri: str
    fmt: str
    base: str = ""  # the path prefix links are written under (normally empty)


@dataclass(frozen=True)
class ServiceDescriptionJob:
    """The SPARQL service description of the endpoint at ``endpoint``, in RDF format ``fmt``."""

    endpoint: str
    fmt: str


@dataclass(frozen=True)
class LookupJob:
    """Whether the store says anything about ``iri`` (200) or not (404): the server asks
    when it holds no list of the IRIs that have a page (a store in a folder or a server)."""

    iri: str


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker needs to open the store and apply the limits."""

    data: tuple[str, ...] | None = None
    inference: str = "none"
    inference_timeout: float = 60.0  # seconds the closure may take (0: no limit)
    max_rows: int = 10_000
    memory_mib: int = 1024
    allowed_services: frozenset[str] = frozenset()
    timeout: float = 10.0
    niceness: int = 0  # added to the worker's nice value (a lower CPU priority)
    store: str = "memory"  # a --store spec (kzeu_graph.engines.parse_store)
    sources: tuple[str, ...] = ()  # more folders of the articles' text files


class ResultTooLargeError(KzeuError):
    """A query's result has more rows (or triples) than the configured limit."""


# ------------------------------------------------------------------ the service


def _error(status: int, message: str, headers: Mapping[str, str] | None = None) -> Reply:
    return Reply(status=status, error=" ".join(message.split()), headers=dict(headers or {}))


_KNOWN_QUERY = (
    "SELECT DISTINCT ?n WHERE { { ?n ?p ?o } UNION { ?s ?p ?n } "
    'FILTER(isIRI(?n) && STRSTARTS(STR(?n), "' + BASE_IRI + '")) }'
)
# two queries, not a UNION: an engine may evaluate a UNION's branches before binding ?iri
_LOOKUP_QUERIES = ("ASK { ?iri ?p ?o }", "ASK { ?s ?p ?iri }")


def open_service_engine(config: WorkerConfig) -> Engine:
    """The store a worker answers from: in memory, loaded with the ontology and ``data``
    (+ closure); a folder opened read-only (every worker opens it itself, nothing is
    copied into memory); or a SPARQL endpoint."""
    from kzeu_graph.engines import open_engine, open_store, parse_store
    from kzeu_graph.loading.inference import inference_timeout

    spec = parse_store(config.store)
    if spec.persistent:
        if config.data is not None or config.inference != "none":
            raise ParameterError(
                f"store {spec.text!r} is used as loaded; --data and --inference apply to "
                "in-memory stores (use kzeu-graph load --store ... to fill it)"
            )
        return open_store(spec, read_only=True)
    data = [Path(p) for p in config.data] if config.data is not None else None
    with inference_timeout(config.inference_timeout):
        return open_engine(spec, data, config.inference)


class QueryService:
    """The store and the operations on it; runs inside a worker (or in-process in tests)."""

    def __init__(self, config: WorkerConfig) -> None:
        from kzeu_graph import resources
        from kzeu_graph.engines.rdflib_engine import RdflibEngine
        from kzeu_graph.loading.graph import parse_file
        from kzeu_graph.publish.html import LABELS
        from kzeu_graph.rdf.namespaces import new_graph
        from kzeu_graph.sparql.catalog import list_queries

        self.config = config
        self.engine = open_service_engine(config)
        self.persistent = self.engine.spec.persistent
        # the rdflib Graph itself when the store is rdflib's (None otherwise)
        self._rdflib = self.engine.graph if isinstance(self.engine, RdflibEngine) else None
        ontology_file = resources.ontology_dir() / "kzeu.ttl"
        self.ontology = parse_file(ontology_file) if ontology_file.is_file() else new_graph()
        data = [Path(p) for p in config.data] if config.data is not None else None
        data_files = data if data is not None else resources.default_data_files()
        # a store in a folder or a server is not described by the shipped data's VoID file
        void = data_files[0].parent / VOID_FILE if data_files and not self.persistent else None
        self.void = parse_file(void) if void is not None and void.is_file() else None
        self.source_dirs = [Path(p) for p in config.sources]
        self.source_dirs += [p.parent / "sources" for p in data_files] + [resources.sources_dir()]
        self.void_labels = new_graph()  # labels the VoID description gives, for the pages
        if self.void is not None:
            for predicate in LABELS:
                for triple in self.void.triples((None, predicate, None)):
                    self.void_labels.add(triple)
        self.labels = self.void_labels  # every label (rdflib store: its graph's too)
        if self._rdflib is not None:
            self.labels = new_graph() + self.void_labels
            for predicate in LABELS:
                for triple in self._rdflib.triples((None, predicate, None)):
                    self.labels.add(triple)
        self.queries = {saved.name: saved for saved in list_queries()}
        self._triples: int | None = None

    @property
    def graph(self) -> Graph:
        """The rdflib Graph of an rdflib store (``--store memory``); InputError otherwise."""
        if self._rdflib is None:
            raise InputError(f"store {self.engine.spec.text!r} is not an rdflib graph")
        return self._rdflib

    def triple_count(self) -> int:
        """How many triples the store holds (counted once)."""
        if self._triples is None:
            self._triples = self.engine.triple_count()
        return self._triples

    def info(self) -> dict[str, Any]:
        """What the web process needs to know: size and the IRIs that have a page.

        ``known`` is None for a store in a folder or a server: the web process then asks
        (:class:`LookupJob`) instead of holding a list as long as the store's IRIs.
        """
        from rdflib import URIRef

        if self.persistent:
            return {"triples": self.triple_count(), "known": None}
        if self._rdflib is not None:  # rdflib's SPARQL takes 60x longer than walking it
            nodes: Any = (n for triple in self._rdflib for n in (triple[0], triple[2]))
        else:
            nodes = (row["n"] for row in self.engine.query(_KNOWN_QUERY, checked=True).rows)
        known = {
            str(node).partition("#")[0]
            for node in nodes
            if isinstance(node, URIRef) and str(node).startswith(BASE_IRI)
        }
        known.add(ONTOLOGY_IRI)
        if self.void is not None:
            known.update(
                str(node).partition("#")[0]
                for triple in self.void
                for node in (triple[0], triple[2])
                if isinstance(node, URIRef) and str(node).startswith(BASE_IRI)
            )
        return {"triples": self.triple_count(), "known": sorted(known)}

    # ---------------------------------------------------------------- dispatch

    def handle(self, job: object) -> Reply:
        """Run one job; library errors become one-line 400 replies."""
        try:
            if isinstance(job, SparqlJob):
                return self._run(job.text, {}, job.accept)
            if isinstance(job, SavedQueryJob):
                return self._saved(job)
            if isinstance(job, DocumentJob):
                return self._document(job)
            if isinstance(job, ServiceDescriptionJob):
                return self._service_description(job)
            if isinstance(job, LookupJob):
                return self._lookup(job)
        except ResultTooLargeError as exc:
            return _error(422, str(exc))
        except NotXmlError as exc:
            return _error(406, str(exc))
        except (QueryError, ParameterError, InputError) as exc:
            return _error(400, str(exc))
        return _error(500, f"unknown job {type(job).__name__}")

    def _saved(self, job: SavedQueryJob) -> Reply:
        saved = self.queries.get(job.name)
        if saved is None:
            return _error(404, f"no saved query {job.name!r}")
        given: dict[str, str] = {}
        for key, value in job.params:
            if key in given:
                raise ParameterError(f"parameter {key!r} given twice")
            given[key] = value
        from kzeu_graph.sparql.search import UnknownIRIError, check_parameters

        try:  # an IRI that names nothing, or a name given for an IRI: 400 with suggestions
            check_parameters(self.engine, saved, given)
        except UnknownIRIError as exc:
            found = tuple(
                {"iri": m.iri, "curie": m.curie, "label": m.label} for m in exc.suggestions
            )
            return Reply(status=400, error=str(exc), suggestions=found)
        bindings = saved.bind_terms(given)  # the CLI's validation, word for word
        return self._run(saved.text, bindings, job.accept)

    def _lookup(self, job: LookupJob) -> Reply:
        from kzeu_graph.rdf.terms import Term

        if job.iri == ONTOLOGY_IRI:
            return Reply(status=200, body=b"known")
        for text in _LOOKUP_QUERIES:
            if self.engine.query(text, {"iri": Term.iri(job.iri)}, checked=True).boolean:
                return Reply(status=200, body=b"known")
        return _error(404, "not found: no resource has this IRI")

    # ---------------------------------------------------------------- queries

    def _run(self, text: str, bindings: Mapping[str, Term], accept: str | None) -> Reply:
        from kzeu_graph.query.guard import guard
        from kzeu_graph.serve.conneg import negotiate

        checked = guard(text, self.config.allowed_services)  # refuses updates, FROM, SERVICE
        kind = checked.prepared.algebra.name
        offered = GRAPH_TYPES if kind in ("ConstructQuery", "DescribeQuery") else RESULT_TYPES
        media_type = negotiate(accept, list(offered))
        if media_type is None:
            return _error(406, f"no acceptable format; this query gives: {', '.join(offered)}")
        result = self.execute(checked, bindings)
        body = self.serialize_result(result, offered[media_type])
        return Reply(status=200, media_type=with_charset(media_type), body=body)

    def _too_large(self) -> ResultTooLargeError:
        return ResultTooLargeError(
            f"the result has more than {self.config.max_rows} rows, the server's limit; "
            "narrow the query or add a LIMIT"
        )

    def execute(self, checked: CheckedQuery, bindings: Mapping[str, Term] | None = None) -> Any:
        """Evaluate a guarded query, stopping as soon as the result passes ``max_rows``.

        rdflib and Oxigraph give their rows lazily, so a huge cross product stops at row
        ``max_rows + 1``; an endpoint's answer is read whole, then checked.
        """
        from kzeu_graph.engines.oxigraph_engine import OxigraphEngine
        from kzeu_graph.engines.rdflib_engine import RdflibEngine

        try:
            if isinstance(self.engine, RdflibEngine):
                return self._execute_rdflib(self.engine, checked, bindings or {})
            if isinstance(self.engine, OxigraphEngine):
                return self._execute_oxigraph(self.engine, checked, bindings or {})
            result = self.engine.query(checked.text, bindings, checked=True)
            size = len(result.graph) if result.graph is not None else len(result.rows)
            if size > self.config.max_rows:
                raise self._too_large()
            return result
        except (KzeuError, MemoryError):
            raise
        except RecursionError:
            raise QueryError("query evaluation nested too deeply") from None
        except Exception as exc:
            raise QueryError(f"query failed: {type(exc).__name__}: {exc}") from None

    def _execute_rdflib(
        self, engine: Any, checked: CheckedQuery, bindings: Mapping[str, Term]
    ) -> Any:
        from kzeu_graph.query.results import Result
        from kzeu_graph.rdf.terms import to_rdflib

        limit = self.config.max_rows
        initial = {name: to_rdflib(term) for name, term in bindings.items()}
        raw = engine.graph.query(checked.prepared, initBindings=initial)
        if raw.type == "ASK":
            return Result(kind="ask", boolean=bool(raw.askAnswer))
        if raw.type in ("CONSTRUCT", "DESCRIBE"):
            graph = raw.graph
            if graph is not None and len(graph) > limit:
                raise self._too_large()
            return Result.from_rdflib(raw)
        variables = [str(v) for v in (raw.vars or [])]
        rows: list[dict[str, Any]] = []
        for row in raw:  # lazy: a huge cross product stops at limit + 1 rows
            if len(rows) >= limit:
                raise self._too_large()
            values = tuple(row) if isinstance(row, tuple) else (row,)
            rows.append({name: values[i] for i, name in enumerate(variables)})
        return Result(kind="select", variables=variables, rows=rows)

    def _execute_oxigraph(
        self, engine: Any, checked: CheckedQuery, bindings: Mapping[str, Term]
    ) -> Any:
        import pyoxigraph as ox

        from kzeu_graph.query.results import Result
        from kzeu_graph.rdf.namespaces import new_graph

        limit = self.config.max_rows
        rdflib_term = engine.rdflib_term  # cached
        answer = engine.solutions(checked.text, bindings)
        if isinstance(answer, ox.QueryBoolean):
            return Result(kind="ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [variable.value for variable in answer.variables]
            rows: list[dict[str, Any]] = []
            for solution in answer:  # lazy: Oxigraph computes rows as they are read
                if len(rows) >= limit:
                    raise self._too_large()
                rows.append(
                    {
                        name: None if (value := solution[i]) is None else rdflib_term(value)
                        for i, name in enumerate(variables)
                    }
                )
            return Result(kind="select", variables=variables, rows=rows)
        graph = new_graph()
        for triple in answer:
            if len(graph) >= limit:
                raise self._too_large()
            graph.add(
                (
                    rdflib_term(triple.subject),
                    rdflib_term(triple.predicate),
                    rdflib_term(triple.object),
                )
            )
        return Result.from_graph(graph)

    def serialize_result(self, result: Any, fmt: str) -> bytes:
        """A Result in a SPARQL results format (json/xml/csv/tsv) or an RDF format."""
        from kzeu_graph.publish.export import serialize

        if result.kind == "graph":
            from kzeu_graph.rdf.namespaces import new_graph

            graph = new_graph()  # the project's prefixes, not rdflib's long default list
            graph += result.graph
            return serialize(graph, fmt).encode("utf-8")
        text: str = result.serialize(fmt)  # the one writer per format (query.writers)
        return text.encode("utf-8")

    # ---------------------------------------------------------------- documents

    def _document(self, job: DocumentJob) -> Reply:
        from rdflib import URIRef

        from kzeu_graph.publish.export import serialize
        from kzeu_graph.query.results import Description
        from kzeu_graph.rdf.namespaces import new_graph
        from kzeu_graph.sparql.run import describe

        iri = URIRef(job.iri)
        if job.iri == ONTOLOGY_IRI:
            graph = self.ontology
        else:
            graph = describe(self.engine, iri)
            if self.void is not None:  # the dataset's description, and the nodes it adds
                graph = new_graph() + graph + describe(self.void, iri)
        if len(graph) == 0:
            return _error(404, f"nothing is known about <{job.iri}>")
        if job.fmt == "html":
            from kzeu_graph.serve.context import page_graph
            from kzeu_graph.serve.pages import entity_page, ontology_page

            if job.iri == ONTOLOGY_IRI:
                html = ontology_page(self.ontology, base=job.base)
            else:
                context = page_graph(self.engine, iri, graph, self.ontology)
                labels = self.labels if context is self._rdflib else context + self.void_labels
                html = entity_page(
                    context,
                    graph,
                    iri,
                    self.source_dirs,
                    base=job.base,
                    labels=labels,
                    void=self.void,
                )
            return Reply(status=200, media_type=with_charset("text/html"), body=html.encode())
        media_types = {fmt: media for fmt, media in DOCUMENT_TYPES.values()}
        if job.fmt not in media_types:
            return _error(404, f"unknown document format {job.fmt!r}")
        # a Description already has the project's prefixes (the same bytes, one copy less)
        copy = graph if isinstance(graph, Description) else new_graph() + graph
        return Reply(
            status=200,
            media_type=with_charset(media_types[job.fmt]),
            body=serialize(copy, job.fmt).encode("utf-8"),
        )

    def _service_description(self, job: ServiceDescriptionJob) -> Reply:
        from kzeu_graph.publish.export import serialize

        graph = service_description(
            job.endpoint, self.triple_count(), self.config, sorted(self.queries)
        )
        media_types = {fmt: media for fmt, media in DOCUMENT_TYPES.values()}
        return Reply(
            status=200,
            media_type=with_charset(media_types[job.fmt]),
            body=serialize(graph, job.fmt).encode("utf-8"),
        )


def service_description(
    endpoint: str, triples: int, config: WorkerConfig, saved: Sequence[str] = ()
) -> Any:
    """The SPARQL 1.1 Service Description of this server: only what it really does."""
    from rdflib import RDF, RDFS, BNode, Literal, Namespace, URIRef
    from rdflib.namespace import DCTERMS, VOID, XSD

    from kzeu_graph.rdf.namespaces import new_graph

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    formats = Namespace("http://www.w3.org/ns/formats/")
    graph = new_graph()
    graph.bind("sd", sd)
    graph.bind("formats", formats)
    service = URIRef(endpoint)
    graph.add((service, RDF.type, sd.Service))
    graph.add((service, sd.endpoint, service))
    graph.add((service, sd.supportedLanguage, sd.SPARQL11Query))
    for name in (
        "SPARQL_Results_JSON",
        "SPARQL_Results_XML",
        "SPARQL_Results_CSV",
        "SPARQL_Results_TSV",
        "Turtle",
        "N-Triples",
        "JSON-LD",
        "RDF_XML",
    ):
        graph.add((service, sd.resultFormat, formats[name]))
    if config.allowed_services:
        graph.add((service, sd.feature, sd.BasicFederatedQuery))
    dataset, default = BNode("dataset"), BNode("defaultGraph")
    graph.add((service, sd.defaultDataset, dataset))
    graph.add((dataset, RDF.type, sd.Dataset))
    graph.add((dataset, DCTERMS.source, URIRef(DATASET_IRI)))
    graph.add((dataset, sd.defaultGraph, default))
    graph.add((default, RDF.type, sd.Graph))
    graph.add((default, VOID.triples, Literal(triples, datatype=XSD.integer)))
    if config.inference == "none":
        graph.add(
            (service, sd.defaultEntailmentRegime, URIRef("http://www.w3.org/ns/entailment/Simple"))
        )
    allowed = ", ".join(sorted(config.allowed_services)) or "none"
    closure = {
        "none": "the asserted triples of the ontology and the data",
        "rdfs": "the ontology and the data with their RDFS closure (computed by owlrl, "
        "without axiomatic triples)",
        "owlrl": "the ontology and the data with their OWL 2 RL closure (computed by owlrl)",
    }.get(config.inference, config.inference)
    graph.add(
        (
            service,
            RDFS.comment,
            Literal(
                "Read-only SPARQL 1.1 query endpoint: updates and LOAD are refused; FROM, "
                "FROM NAMED, default-graph-uri and named-graph-uri are refused (one default "
                f"graph, no named graphs). SERVICE is allowed only to: {allowed}. Each query "
                f"may run {config.timeout:g} s and return {config.max_rows} rows (or triples). "
                f"The default graph holds {closure}. Saved queries are served as an API at "
                f"/api/ ({len(saved)} operations, described at /api/openapi.json).",
                lang="en",
            ),
        )
    )
    return graph


# ------------------------------------------------------------------ worker process


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this process when its parent dies (best effort).

    Linux sends the signal when the *thread* that created the process ends, so workers are
    only ever started from threads that live as long as the pool (see WorkerPool).
    """
    with contextlib.suppress(Exception):
        import ctypes

        libc = ctypes.CDLL(None)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _limit_memory(mib: int) -> None:
    """Cap this process's address space at its current size plus ``mib`` MiB."""
    import resource

    if mib <= 0:
        return
    with contextlib.suppress(OSError, ValueError):
        status = Path("/proc/self/status").read_text()
        match = re.search(r"VmSize:\s+(\d+) kB", status)
        current = int(match.group(1)) * 1024 if match else 0
        limit = current + mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _quiet_libraries() -> None:
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore")


def _tell(conn: Connection, message: object) -> bool:
    """Send ``message`` to the web process; False if it has gone (closed pipe)."""
    try:
        conn.send(message)
    except (OSError, EOFError):
        return False
    return True


def worker_main(conn: Connection, config: WorkerConfig) -> None:
    """A worker's life: load, report ready (or the error), answer jobs until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the web process's to handle
    _die_with_parent()
    _quiet_libraries()
    if config.niceness > 0:
        with contextlib.suppress(OSError):
            os.nice(config.niceness)
    try:
        service = QueryService(config)
        info = service.info()
    except KzeuError as exc:
        _tell(conn, ("error", str(exc)))
        return
    except Exception as exc:
        _tell(conn, ("error", f"cannot load the graph: {type(exc).__name__}: {exc}"))
        return
    _limit_memory(config.memory_mib)
    if not _tell(conn, ("ready", info)):
        return  # the server stopped while this worker was loading
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply = service.handle(job)
        except MemoryError:
            reply = _error(
                503,
                f"query stopped: it needed more than the {config.memory_mib} MiB memory limit",
            )
        except Exception as exc:  # logged here, never sent to the client
            print(
                f"kzeu-graph worker: internal error: {type(exc).__name__}: {exc}", file=sys.stderr
            )
            reply = _error(500, "internal error")
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(_error(503, "query stopped: its result did not fit the memory limit"))
        except (OSError, ValueError):
            return


class _Worker:
    def __init__(self, ctx: Any, config: WorkerConfig) -> None:
        parent, child = ctx.Pipe(duplex=True)
        self.conn: Connection = parent
        self.process = ctx.Process(
            target=worker_main, args=(child, config), daemon=True, name="kzeu-graph-worker"
        )
        self.process.start()
        child.close()

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        if not self.conn.poll(timeout):
            self.kill()
            raise InputError(f"a query worker did not start within {timeout:g} s")
        try:
            status, payload = self.conn.recv()
        except (EOFError, OSError):
            self.kill()
            raise InputError("a query worker stopped while loading the graph") from None
        if status != "ready":
            self.kill()
            raise InputError(str(payload))
        return dict(payload)

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        self.process.join(5)
        with contextlib.suppress(Exception):
            self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(Exception):
            self.conn.send(None)
        self.process.join(2)
        if self.process.is_alive():
            self.kill()
        with contextlib.suppress(Exception):
            self.conn.close()


class WorkerPool:
    """A fixed number of worker processes; one job at a time each, with a time limit."""

    def __init__(self, config: WorkerConfig, size: int = 2, start_timeout: float = 300.0) -> None:
        if size < 1:
            raise ValueError("a pool needs at least one worker")
        self.config = config
        self.size = size
        self.start_timeout = start_timeout
        self.info: dict[str, Any] = {}
        self.replaced = 0  # workers killed and replaced (timeouts, crashes)
        self._ctx = multiprocessing.get_context("spawn")
        self._idle: queue.SimpleQueue[_Worker] = queue.SimpleQueue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        self._launched: list[_Worker] = []
        self._starting: _Worker | None = None
        # Replacements are started by one long-lived thread: a worker is killed by Linux
        # when the thread that started it ends (PR_SET_PDEATHSIG).
        self._respawn: queue.SimpleQueue[bool] = queue.SimpleQueue()
        self._supervisor = threading.Thread(
            target=self._supervise, name="kzeu-graph-supervisor", daemon=True
        )

    def launch(self) -> None:
        """Start the worker processes, without waiting for them (``start`` waits)."""
        if not self._launched:
            self._launched = [_Worker(self._ctx, self.config) for _ in range(self.size)]

    def start(self) -> dict[str, Any]:
        """Start every worker (unless launched) and wait until each has loaded the graph.

        Raises InputError (the worker's one-line message) if the graph cannot be loaded.
        Call from a thread that lives as long as the pool (see ``_die_with_parent``).
        """
        self.launch()
        workers = self._launched
        try:
            for worker in workers:
                self.info = worker.wait_ready(self.start_timeout)
        except BaseException:
            for worker in workers:
                worker.kill()
            raise
        with self._lock:
            self._workers.update(workers)
        for worker in workers:
            self._idle.put(worker)
        self._supervisor.start()
        return self.info

    def run(self, job: object, wait: float | None = None) -> Reply:
        """Give ``job`` to an idle worker; kill and replace it if it overruns the limit."""
        timeout = self.config.timeout
        try:
            worker = self._idle.get(timeout=timeout if wait is None else wait)
        except queue.Empty:
            return _error(
                503, "the server is busy: every query worker is in use", {"Retry-After": "1"}
            )
        try:
            worker.conn.send(job)
            if not worker.conn.poll(timeout):
                self._replace(worker)
                return _error(
                    503, f"query stopped: it ran longer than the {timeout:g}-second time limit"
                )
            reply: Reply = worker.conn.recv()
        except (EOFError, OSError, ValueError):
            worker.process.join(1)
            self._replace(worker)
            if worker.process.exitcode == -signal.SIGABRT:
                # Rust code (Oxigraph) aborts the process when an allocation fails
                return _error(
                    503,
                    "query stopped: it needed more than the "
                    f"{self.config.memory_mib} MiB memory limit",
                )
            return _error(500, "the query worker stopped unexpectedly; it has been replaced")
        self._idle.put(worker)
        return reply

    def _replace(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._workers.discard(worker)
            self.replaced += 1
            if self._closed:
                return
        self._respawn.put(True)

    def _supervise(self) -> None:
        while self._respawn.get():
            self._add_worker()

    def _add_worker(self) -> None:
        for _attempt in range(3):
            with self._lock:
                if self._closed:
                    return
                worker = _Worker(self._ctx, self.config)
                self._starting = worker  # close() kills it: no half-started worker outlives us
            try:
                worker.wait_ready(self.start_timeout)
            except InputError as exc:
                with self._lock:
                    if self._closed:
                        return
                log.error("kzeu-graph: cannot start a query worker: %s", exc)
                continue
            finally:
                with self._lock:
                    self._starting = None
            with self._lock:
                if self._closed:
                    worker.stop()
                    return
                self._workers.add(worker)
            self._idle.put(worker)
            return

    def alive(self) -> int:
        """How many workers are running now."""
        with self._lock:
            return sum(1 for w in self._workers if w.process.is_alive())

    def close(self) -> None:
        """Stop every worker (idle ones politely, busy ones by force)."""
        with self._lock:
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            starting, self._starting = self._starting, None
            launched = [w for w in self._launched if w not in workers]
        self._respawn.put(False)
        if starting is not None:
            starting.kill()
        for worker in launched:  # launched but never started (the other pool failed)
            worker.kill()
        for worker in workers:
            worker.stop()
        if self._supervisor.is_alive():
            self._supervisor.join(5)


def worker_count() -> int:
    """The default number of workers: the CPUs this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)
