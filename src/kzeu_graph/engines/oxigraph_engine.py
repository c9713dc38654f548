"""The Oxigraph engine (pyoxigraph): in memory, or persistent in a folder.

Parsing and querying run in Oxigraph's Rust code; rdflib is imported only to build the
project's :class:`~kzeu_graph.query.results.Result` (the CLI's query path hands Oxigraph's
terms straight to the result writers instead, see :mod:`kzeu_graph.cli.output`). Parameters are
bound with an
inline VALUES row (:mod:`kzeu_graph.engines.binding`): pyoxigraph's ``substitutions``
binds only projected variables, and ``BOUND()`` of a substituted variable is false.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Self

import pyoxigraph as ox

from kzeu_graph.engines.binding import bind_values, with_project_prefixes
from kzeu_graph.errors import InputError, KzeuError, QueryError
from kzeu_graph.loading.datafiles import RDF_FORMATS, check_rdf_file, parse_error, rdf_format
from kzeu_graph.query.text import check_query_text
from kzeu_graph.rdf.terms import Term, TermError, rdflib_from_oxigraph

if TYPE_CHECKING:
    from kzeu_graph.engines import Progress, StoreSpec
    from kzeu_graph.query.results import Result

__all__ = ["RDF_FORMATS", "OxigraphEngine", "check_rdf_file", "rdf_format", "rdflib_term"]

BULK_THRESHOLD = 4 * 1024 * 1024  # bytes: bigger inputs go through bulk_load


class _CountingReader(io.RawIOBase):
    """A binary file that reports how many bytes have been read (for a progress bar)."""

    def __init__(self, handle: IO[bytes], progress: Progress) -> None:
        self._handle = handle
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._handle.read(len(buffer))
        buffer[: len(data)] = data
        if data:
            self._progress(len(data))
        return len(data)


class OxigraphEngine:
    """pyoxigraph's Store, in memory or in a folder (created if missing, reopened as is).

    ``read_only=True`` opens an existing folder for reading only: any number of processes
    may do so at once (the server's workers), none may write it meanwhile.
    """

    def __init__(self, spec: StoreSpec, *, read_only: bool = False) -> None:
        self.spec = spec
        self.read_only = read_only and spec.location is not None
        try:
            if spec.location is None:
                self.store = ox.Store()
            elif self.read_only:
                if not (spec.location / "CURRENT").is_file():
                    raise InputError(
                        f"store {spec.text!r}: no Oxigraph store in {str(spec.location)!r}; "
                        f"fill it first with kzeu-graph load --store {spec.text}"
                    )
                self.store = ox.Store.read_only(str(spec.location))
            else:
                spec.location.mkdir(parents=True, exist_ok=True)
                self.store = ox.Store(str(spec.location))
        except OSError as exc:
            raise InputError(f"cannot open the Oxigraph store {spec.text!r}: {exc}") from None
        except RuntimeError as exc:  # RocksDB's "Corruption: ..." and the like
            raise InputError(
                f"cannot open the Oxigraph store {spec.text!r}: the folder is damaged or not "
                f"an Oxigraph store ({' '.join(str(exc).split())})"
            ) from None
        self._graph = ox.DefaultGraph() if spec.graph is None else ox.NamedNode(spec.graph)
        self._to_rdflib: dict[Any, Any] = {}

    # ------------------------------------------------------------ query

    def solutions(self, text: str, bindings: Mapping[str, Term] | None = None) -> Any:
        """Oxigraph's own answer: QuerySolutions, QueryBoolean or QueryTriples.

        Oxigraph runs only the canonical text (:func:`kzeu_graph.query.text.check_query_text`):
        no escape, no CR and no word SERVICE, whoever checked the query before; the
        project's prefixes are predeclared, as on rdflib.
        """
        bound = bind_values(with_project_prefixes(check_query_text(text)), bindings or {})
        try:
            return self.store.query(bound, default_graph=self._graph)
        except SyntaxError as exc:
            raise QueryError(f"malformed SPARQL: {' '.join(str(exc).split())}") from None
        except RecursionError:
            raise QueryError("query nested too deeply") from None
        except (OSError, RuntimeError, ValueError) as exc:
            raise QueryError(f"query failed: {' '.join(str(exc).split())}") from None

    def query(
        self, text: str, bindings: Mapping[str, Term] | None = None, *, checked: bool = False
    ) -> Result:
        if not checked:
            from kzeu_graph.query.guard import guard

            text = guard(text).text  # refuses updates, FROM, SERVICE, malformed (cached)
        return self.to_result(self.solutions(text, bindings))

    def rdflib_term(self, term: Any) -> Any:
        """A pyoxigraph term as an rdflib term (:func:`rdflib_term`), from a bounded cache."""
        cache = self._to_rdflib
        found = cache.get(term)
        if found is None:
            if len(cache) > 200_000:
                cache.clear()
            found = cache[term] = rdflib_term(term)
        return found

    def to_result(self, answer: Any) -> Result:
        """Oxigraph's answer (see :meth:`solutions`) as the project's Result."""
        from kzeu_graph.query.results import Result

        if isinstance(answer, ox.QueryBoolean):
            return Result(kind="ask", boolean=bool(answer))
        if isinstance(answer, ox.QuerySolutions):
            variables = [variable.value for variable in answer.variables]
            convert = self.rdflib_term
            rows = [
                {
                    name: None if (value := solution[index]) is None else convert(value)
                    for index, name in enumerate(variables)
                }
                for solution in answer
            ]
            return Result(kind="select", variables=variables, rows=rows)
        from kzeu_graph.rdf.namespaces import new_graph

        graph = new_graph()
        for triple in answer:
            graph.add(
                (
                    self.rdflib_term(triple.subject),
                    self.rdflib_term(triple.predicate),
                    self.rdflib_term(triple.object),
                )
            )
        return Result.from_graph(graph)

    # ------------------------------------------------------------ load

    def load(self, files: Sequence[Path], *, progress: Progress | None = None) -> int:
        before = self.triple_count()
        for path in files:
            path = Path(path)
            fmt = check_rdf_file(path)
            with path.open("rb") as handle:
                source: IO[bytes] = handle
                if progress is not None:
                    source = io.BufferedReader(_CountingReader(handle, progress))
                self._load_stream(source, fmt, path, base_iri=path.resolve().as_uri())
        return self.triple_count() - before

    def load_ntriples(self, data: bytes, *, progress: Progress | None = None) -> int:
        before = self.triple_count()
        source: IO[bytes] = io.BytesIO(data)
        if progress is not None:
            source = io.BufferedReader(_CountingReader(source, progress))
        self._load_stream(source, ox.RdfFormat.N_TRIPLES, "<N-Triples>", base_iri=None)
        return self.triple_count() - before

    def _load_stream(
        self, source: IO[bytes], fmt: ox.RdfFormat, name: Path | str, base_iri: str | None
    ) -> None:
        try:
            if fmt.supports_datasets:
                # named graphs are flattened into the engine's graph, as rdflib's loader does
                self.store.extend(self._flattened(source, fmt, base_iri))
            elif self.spec.location is not None:
                self.store.bulk_load(source, fmt, base_iri=base_iri, to_graph=self._graph)
            else:
                self.store.load(source, fmt, base_iri=base_iri, to_graph=self._graph)
        except KzeuError:
            raise
        except (SyntaxError, MemoryError, RecursionError, OSError, ValueError, RuntimeError) as exc:
            raise parse_error(name, exc) from None

    def _flattened(
        self, source: IO[bytes], fmt: ox.RdfFormat, base_iri: str | None
    ) -> Iterator[ox.Quad]:
        for quad in ox.parse(source, fmt, base_iri=base_iri):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, self._graph)

    def clear(self) -> None:
        try:
            if isinstance(self._graph, ox.DefaultGraph):
                self.store.clear_graph(self._graph)
            else:
                self.store.remove_graph(self._graph)
        except (OSError, RuntimeError) as exc:
            raise InputError(f"cannot clear the Oxigraph store: {exc}") from None

    def dump(self) -> bytes:
        data = self.store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=self._graph)
        assert data is not None  # no output file given: the bytes are returned
        return data

    def triple_count(self) -> int:
        answer = self.store.query(
            "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", default_graph=self._graph
        )
        assert isinstance(answer, ox.QuerySolutions)
        solution = next(iter(answer))
        return int(solution[0].value)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Flush a persistent store and let go of it."""
        if self.spec.location is not None and not self.read_only:
            with contextlib.suppress(OSError):
                self.store.flush()
        del self.store


def rdflib_term(term: Any) -> Any:
    """A pyoxigraph term as the rdflib term that rdflib's own parser gives for it."""
    try:  # as Oxigraph wrote it (rdflib's normalising is lossy: it turns a dateTime's "Z"
        # into "+00:00" and drops a date's time zone)
        return rdflib_from_oxigraph(term, normalize=False)
    except TermError:
        raise QueryError(f"unsupported term in a result: {term!r}") from None
