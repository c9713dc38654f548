"""Any SPARQL 1.1 endpoint, by URL: queries by the SPARQL 1.1 Protocol, loading by the Graph
Store Protocol (or SPARQL Update ``INSERT DATA`` where there is no GSP endpoint).

Only the standard library (``http.client``) talks to the server, over one kept-alive
connection. Files are parsed and checked locally (Oxigraph) and sent as Turtle, so the
server never fetches anything. Queries read the spec's graph (``default-graph-uri``), by
default the project graph ``https://w3id.org/kzeu/graph``: a store's other graphs (Virtuoso
keeps system graphs) stay out of the answers.

Virtuoso (found by its ``Server`` header, or ``#dialect=virtuoso`` in the spec) gets
``DEFINE sql:select-option "order"`` before each query: its optimiser spends 10-40 s
choosing a join order for a 20-pattern query such as ``figures`` (measured with
Virtuoso 7.2.5), while the order the saved queries are written in answers in
milliseconds. The pragma changes the plan, never the answer.
"""

from __future__ import annotations

import http.client
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

from kzeu_graph.engines.binding import bind_values
from kzeu_graph.errors import InputError, QueryError
from kzeu_graph.rdf.terms import RDF_LANG_STRING, XSD_STRING, Term, to_rdflib
from kzeu_graph.safety import check_query_text

if TYPE_CHECKING:
    from kzeu_graph.engines import Progress, StoreSpec
    from kzeu_graph.sparql.results import Result

__all__ = ["RemoteEngine", "default_endpoints"]

TIMEOUT = 120.0  # seconds, per request
CHUNK_BYTES = 4 * 1024 * 1024  # N-Triples per upload request
JSON_RESULTS = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
TURTLE = "text/turtle"
VIRTUOSO_PRAGMA = 'DEFINE sql:select-option "order"\n'
_QUERY_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def default_endpoints(query_url: str) -> tuple[str | None, str | None]:
    """(update URL, Graph Store URL) guessed from the query URL's conventional path.

    ``.../query`` (Oxigraph server, Fuseki): ``.../update`` and ``.../store``;
    ``.../sparql`` (Virtuoso and others): updates on the same URL, no GSP guess.
    """
    parts = urlsplit(query_url)
    path = parts.path.rstrip("/")
    if path.endswith("/query"):
        base = path[: -len("/query")]
        update = urlunsplit((parts.scheme, parts.netloc, base + "/update", "", ""))
        store = urlunsplit((parts.scheme, parts.netloc, base + "/store", "", ""))
        return update, store
    if path.endswith("/sparql"):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", "")), None
    return None, None


def _one_line(data: bytes, limit: int = 300) -> str:
    text = " ".join(data.decode("utf-8", "replace").split())
    return text[:limit] + ("…" if len(text) > limit else "")


class RemoteEngine:
    """A SPARQL 1.1 endpoint; ``load`` replaces nothing by itself (``clear`` first)."""

    def __init__(self, spec: StoreSpec) -> None:
        self.spec = spec
        assert spec.query_url is not None
        guessed_update, guessed_store = default_endpoints(spec.query_url)
        self.query_url = spec.query_url
        self.update_url = spec.update_url or guessed_update
        self.store_url = spec.store_url or guessed_store
        self.graph = spec.graph
        dialect = spec.options.get("dialect")
        self._virtuoso: bool | None = None if dialect is None else dialect == "virtuoso"
        self._connections: dict[tuple[str, str], http.client.HTTPConnection] = {}

    # ------------------------------------------------------------ HTTP

    def _request(
        self,
        method: str,
        url: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        ok: tuple[int, ...] = (200, 201, 204),
    ) -> bytes:
        parts = urlsplit(url)
        key = (parts.scheme.lower(), parts.netloc)
        target = parts.path or "/"
        if parts.query:
            target += "?" + parts.query
        for attempt in (0, 1):  # a kept-alive connection the server closed: retry once
            connection = self._connections.get(key)
            if connection is None:
                kind = (
                    http.client.HTTPSConnection if key[0] == "https" else http.client.HTTPConnection
                )
                connection = kind(parts.netloc, timeout=TIMEOUT)
                self._connections[key] = connection
            try:
                connection.request(method, target, body=body, headers=dict(headers or {}))
                response = connection.getresponse()
                data = response.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                connection.close()
                del self._connections[key]
                if attempt:
                    raise InputError(f"{url}: the server closed the connection") from None
                continue
            except OSError as exc:
                connection.close()
                del self._connections[key]
                raise InputError(f"cannot reach {url}: {exc.strerror or exc}") from None
            except http.client.HTTPException as exc:
                connection.close()
                del self._connections[key]
                raise InputError(f"{url}: bad HTTP answer: {exc}") from None
            if self._virtuoso is None:
                self._virtuoso = "virtuoso" in (response.getheader("Server") or "").lower()
            if response.status not in ok:
                raise QueryError(f"{url} answered {response.status}: {_one_line(data)}")
            return data
        raise AssertionError("unreachable")

    def _graph_params(self) -> list[tuple[str, str]]:
        return [] if self.graph is None else [("default-graph-uri", self.graph)]

    def raw_query(self, text: str, accept: str) -> bytes:
        """POST a query (SPARQL 1.1 Protocol, form-encoded) and return the answer's bytes."""
        if self._virtuoso is None:
            self._request("GET", self.query_url, ok=tuple(range(100, 600)))  # learn the server
        if self._virtuoso:
            text = VIRTUOSO_PRAGMA + text
        body = urlencode([("query", text), *self._graph_params()]).encode("utf-8")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": accept,
        }
        return self._request("POST", self.query_url, body, headers)

    def update(self, text: str) -> None:
        """Run a SPARQL Update request (used by ``clear`` and the INSERT DATA fallback)."""
        if self.update_url is None:
            raise InputError(
                f"store {self.spec.text!r} has no update endpoint: add #update=URL to the spec"
            )
        body = urlencode([("update", text)]).encode("utf-8")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        self._request("POST", self.update_url, body, headers)

    # ------------------------------------------------------------ query

    def query(
        self, text: str, bindings: Mapping[str, Term] | None = None, *, checked: bool = False
    ) -> Result:
        form = None
        if not checked:
            from kzeu_graph.sparql.run import guard

            accepted = guard(text)  # refuses updates, FROM, SERVICE, malformed (cached)
            text, form = accepted.text, accepted.form
        text = check_query_text(text)  # the canonical text, without the word SERVICE
        if form is None:
            match = _QUERY_FORM.search(text)
            form = match.group(1).upper() if match else "SELECT"
        bound = _prologue() + bind_values(text, bindings or {})
        if form in ("CONSTRUCT", "DESCRIBE"):
            return self._graph_result(self.raw_query(bound, N_TRIPLES))
        return self._json_result(self.raw_query(bound, JSON_RESULTS))

    def _json_result(self, data: bytes) -> Result:
        from kzeu_graph.sparql.results import Result

        try:
            document = json.loads(data)
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise QueryError(
                f"{self.query_url}: not SPARQL JSON results: {_one_line(data)}"
            ) from None
        if "boolean" in document:
            return Result(kind="ask", boolean=bool(document["boolean"]))
        variables = list(document.get("head", {}).get("vars", []))
        rows = [
            {name: _json_term(binding.get(name)) for name in variables}
            for binding in document.get("results", {}).get("bindings", [])
        ]
        return Result(kind="select", variables=variables, rows=rows)

    def _graph_result(self, data: bytes) -> Result:
        import pyoxigraph as ox

        from kzeu_graph.engines.oxigraph_engine import rdflib_term
        from kzeu_graph.rdf.namespaces import new_graph
        from kzeu_graph.sparql.results import Result

        graph = new_graph()
        try:
            for triple in ox.parse(data, ox.RdfFormat.N_TRIPLES):
                graph.add(
                    (
                        rdflib_term(triple.subject),
                        rdflib_term(triple.predicate),
                        rdflib_term(triple.object),
                    )
                )
        except SyntaxError as exc:
            raise QueryError(f"{self.query_url}: not N-Triples: {exc}") from None
        return Result.from_graph(graph)

    # ------------------------------------------------------------ load

    def load(self, files: Sequence[Path], *, progress: Progress | None = None) -> int:
        import pyoxigraph as ox

        from kzeu_graph.engines.oxigraph_engine import check_rdf_file

        total = 0
        for path in files:
            path = Path(path)
            fmt = check_rdf_file(path)
            try:
                quads = list(ox.parse(path=str(path), format=fmt, base_iri=path.resolve().as_uri()))
            except (SyntaxError, MemoryError, RecursionError, ValueError, OSError) as exc:
                from kzeu_graph.loading.datafiles import parse_error

                raise parse_error(path, exc) from None
            # every quad's graph is dropped: files are flattened, as rdflib's loader does
            triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
            total += self._upload(triples, progress)
        return total

    def load_ntriples(self, data: bytes, *, progress: Progress | None = None) -> int:
        import pyoxigraph as ox

        triples = list(ox.parse(data, ox.RdfFormat.N_TRIPLES))
        return self._upload(triples, progress)

    def _upload(self, triples: list[Any], progress: Progress | None) -> int:
        for body in _chunks(triples):
            if self.store_url is not None:
                self._request("POST", self._store_target(), body, {"Content-Type": TURTLE})
            else:
                inner = body.decode("utf-8")
                if self.graph is not None:
                    inner = f"GRAPH <{self.graph}> {{\n{inner}}}"
                self.update(f"INSERT DATA {{\n{inner}\n}}")
            if progress is not None:
                progress(len(body))
        return len(triples)

    def _store_target(self) -> str:
        assert self.store_url is not None
        parts = urlsplit(self.store_url)
        graph = "default" if self.graph is None else "graph=" + quote(self.graph, safe="")
        query = f"{parts.query}&{graph}" if parts.query else graph
        return urlunsplit((parts.scheme, parts.netloc, parts.path, query, ""))

    def clear(self) -> None:
        if self.store_url is not None:
            self._request("DELETE", self._store_target(), ok=(200, 201, 204, 404))
        elif self.graph is None:
            self.update("CLEAR SILENT DEFAULT")
        else:
            self.update(f"DROP SILENT GRAPH <{self.graph}>")

    def triple_count(self) -> int:
        result = self._json_result(
            self.raw_query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }", JSON_RESULTS)
        )
        value = result.rows[0]["n"] if result.rows else None
        return int(str(value)) if value is not None else 0

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        for connection in self._connections.values():
            connection.close()
        self._connections.clear()


@lru_cache(maxsize=1)
def _prologue() -> str:
    """PREFIX lines of the project's prefixes: predeclared, as rdflib's ``initNs`` does (a
    query's own declaration of the same name comes later and wins)."""
    from kzeu_graph.rdf.prefixes import PREFIX_IRIS

    return "".join(f"PREFIX {name}: <{namespace}>\n" for name, namespace in PREFIX_IRIS.items())


def _json_term(value: Mapping[str, str] | None) -> Any:
    """An rdflib term from one SPARQL JSON results binding (``typed-literal`` too)."""
    if value is None:
        return None
    kind = value.get("type")
    text = value.get("value", "")
    if kind == "uri":
        return to_rdflib(Term("iri", text))
    if kind == "bnode":
        return to_rdflib(Term("bnode", text))
    if kind in ("literal", "typed-literal"):
        language = value.get("xml:lang")
        if language:
            return to_rdflib(Term("literal", text, RDF_LANG_STRING, language.lower()))
        return to_rdflib(Term("literal", text, value.get("datatype") or XSD_STRING))
    raise QueryError(f"unknown term type in SPARQL JSON results: {kind!r}")


def _chunks(triples: list[Any]) -> Iterator[bytes]:
    """Turtle documents of about CHUNK_BYTES, keeping every blank node's triples in one
    document (a blank node label means one node only within one document).

    Turtle, not N-Triples: Virtuoso 7.2 stores ``"160000000000"^^xsd:integer`` as an
    xsd:decimal, but a bare ``160000000000`` as the integer it is (Oxigraph's Turtle
    writer uses the bare forms)."""
    import pyoxigraph as ox

    parent: dict[str, str] = {}

    def find(label: str) -> str:
        while parent.setdefault(label, label) != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for triple in triples:
        labels = [t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)]
        if len(labels) == 2:
            parent[find(labels[0])] = find(labels[1])
        elif labels:
            find(labels[0])
    groups: dict[str, list[tuple[Any, str]]] = {}
    plain: list[tuple[Any, str]] = []
    for triple in triples:
        line = (triple, f"{triple.subject} {triple.predicate} {triple.object} .\n")
        label = next(
            (t.value for t in (triple.subject, triple.object) if isinstance(t, ox.BlankNode)),
            None,
        )
        if label is None:
            plain.append(line)
        else:
            groups.setdefault(find(label), []).append(line)
    chunk: list[Any] = []
    size = 0
    for lines in [*groups.values(), *([line] for line in plain)]:
        if chunk and size + sum(len(line[1]) for line in lines) > CHUNK_BYTES:
            yield _turtle(chunk)
            chunk, size = [], 0
        chunk.extend(triple for triple, _ in lines)
        size += sum(len(line[1]) for line in lines)
    if chunk:
        yield _turtle(chunk)


def _turtle(triples: list[Any]) -> bytes:
    import pyoxigraph as ox

    data = ox.serialize(triples, format=ox.RdfFormat.TURTLE)
    assert data is not None  # no output file given: the bytes are returned
    return data
