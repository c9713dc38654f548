"""``kzeu-graph serve``: a read-only SPARQL 1.1 endpoint, linked-data pages and the saved-query API.

The web process (Starlette on uvicorn) parses requests, negotiates formats and enforces
request limits; it never touches the graph. Every query and every page is computed by a
:class:`~kzeu_graph.serve.workers.WorkerPool` process, which the web process kills and replaces
when it overruns the time limit. Two pools, two lanes (see :class:`Lane`): ad-hoc SPARQL
runs in the query pool (at a lower CPU priority, at most ``--client-queries`` per client
address), pages, documents, saved queries and the service description in the page pool,
whose successful replies the web process keeps (``--cache``); so runaway queries never
hold up a page. Slow and silent connections are closed by deadlines
(:mod:`kzeu_graph.serve.connections`) and never count as requests in progress.

Routes:

- ``/`` and ``/sparql`` (for a browser): the query page (static HTML + script, no CDN)
- ``/sparql``: SPARQL 1.1 Protocol query operation (GET ``query=``, POST form or
  ``application/sparql-query``); without a query, the service description
- ``/api``, ``/api/openapi.json``, ``/api/{name}``: the saved queries as an API
- ``/id/...``, ``/vocab/...``, ``/ontology``: the project's IRIs, dereferenced (303 See
  Other to ``.html``/``.ttl``/``.jsonld``/``.nt``/``.rdf`` documents, ``Vary: Accept``)
- ``/static/...``: the package's own assets, from a fixed list
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import mimetypes
import re
import socket
import sys
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from kzeu_graph.errors import InputError, ParameterError
from kzeu_graph.serve.conneg import negotiate
from kzeu_graph.serve.openapi import api_index, openapi_document
from kzeu_graph.serve.pages import BASE_IRI, document_path
from kzeu_graph.serve.workers import (
    DOCUMENT_TYPES,
    GRAPH_TYPES,
    ONTOLOGY_IRI,
    RESULT_TYPES,
    DocumentJob,
    LookupJob,
    Reply,
    SavedQueryJob,
    ServiceDescriptionJob,
    SparqlJob,
    WorkerConfig,
    WorkerPool,
    worker_count,
)
from kzeu_graph.sparql.catalog import SavedQuery, is_valid_iri, list_queries

try:
    import anyio
    import anyio.to_thread
    from starlette.applications import Starlette
    from starlette.datastructures import MutableHeaders
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import ClientDisconnect, Request
    from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Match, Route
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from kzeu_graph.serve.connections import guarded_protocol
except ImportError:  # pragma: no cover - the [serve] extra is missing
    raise InputError(
        "the web server needs the 'serve' extra: pip install 'kzeu-graph[serve]'"
    ) from None

__all__ = ["ServerSettings", "create_app", "serve"]

STATIC_DIR = Path(__file__).resolve().parent / "static"
HTML = "text/html"
FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
# Every format a query or the service description can give, then the page for browsers:
# HTML comes last, so a tie (``*/*``) gives data and only a client that prefers HTML gets it.
ENDPOINT_TYPES = [*RESULT_TYPES, *GRAPH_TYPES, HTML]
DOCUMENT_MEDIA = {media: ext for ext, (_, media) in DOCUMENT_TYPES.items() if ext != "html"}
DOCUMENT_MEDIA[HTML] = "html"
DATASET_PARAMS = ("default-graph-uri", "named-graph-uri")
READ_ONLY = "this endpoint is read-only: SPARQL Update (and LOAD) is refused"
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
KNOWN_CACHE = 100_000  # IRIs found by LookupJob that the web process remembers
QUERY_NICENESS = 10  # added to the ad-hoc query workers' nice value
# sent with a 413: the rest of the body is not read, so the connection cannot be reused
CLOSE = {"Connection": "close"}
_HOST = re.compile(r"(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


@dataclass(frozen=True)
class ServerSettings:
    """The options of ``kzeu-graph serve``."""

    host: str = "127.0.0.1"
    port: int = 8000
    data: tuple[str, ...] | None = None
    inference: str = "none"
    inference_timeout: float = 60.0
    workers: int = 0  # 0: one per CPU
    timeout: float = 10.0
    max_rows: int = 10_000
    max_body: int = 1024 * 1024
    memory_mib: int = 1024
    cors_origins: tuple[str, ...] = ()
    allowed_services: tuple[str, ...] = ()
    max_connections: int = 100  # requests in progress at once (idle connections do not count)
    quiet: bool = False
    page_workers: int = 1  # the lane for pages, documents, saved queries
    client_queries: int = 0  # ad-hoc queries one client may have running or waiting (0: auto)
    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_open: int = 1024  # open connections; past it, the longest-idle one is closed
    cache_mib: int = 64  # pages, documents and saved-query results kept by the web process
    store: str = "memory"  # --store: memory, oxigraph:memory, oxigraph:FOLDER or a URL
    sources: tuple[str, ...] = ()  # folders of the articles' texts (besides --data's)

    def worker_config(self, niceness: int = 0) -> WorkerConfig:
        return WorkerConfig(
            data=self.data,
            inference=self.inference,
            inference_timeout=self.inference_timeout,
            max_rows=self.max_rows,
            memory_mib=self.memory_mib,
            allowed_services=frozenset(self.allowed_services),
            timeout=self.timeout,
            niceness=niceness,
            store=self.store,
            sources=self.sources,
        )

    def per_client(self, workers: int) -> int:
        """Ad-hoc queries one client may have at once: given, or all workers but one."""
        return self.client_queries or max(1, workers - 1)


class Problem(Exception):
    """A request the server answers with an error status and one line."""

    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = " ".join(message.split())
        self.headers = dict(headers or {})


# ------------------------------------------------------------------ middleware


class SecurityHeaders:
    """Headers every response carries: no sniffing, no framing, no referrer; CSP on HTML."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                headers["Referrer-Policy"] = "no-referrer"
                headers["X-Frame-Options"] = "DENY"
                headers["Content-Security-Policy"] = CSP
            await send(message)

        await self.app(scope, receive, send_with_headers)


@dataclass
class Load:
    """How many requests are in progress, shared by RequestLimit and the lanes."""

    limit: int
    active: int = 0


class RequestLimit:
    """At most ``load.limit`` requests in progress; past it, 503 at once.

    Connections are not requests: an idle connection never counts. A request waiting in a
    lane for room (see Lane) does not count either while it waits.
    """

    def __init__(self, app: ASGIApp, load: Load) -> None:
        self.app = app
        self.load = load

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.load.active >= self.load.limit:
            response = PlainTextResponse(
                "the server is busy: too many requests at once; retry\n",
                status_code=503,
                headers={"Retry-After": "1", **CLOSE},
            )
            await response(scope, receive, send)
            return
        self.load.active += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.load.active -= 1


# ------------------------------------------------------------------ lanes


class ReplyCache:
    """Successful replies by job, up to ``limit`` bytes of bodies (least recently used first out).

    The graph does not change while the server runs, so a page, a document or a saved
    query's result, once computed, is answered again by the web process itself.
    """

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.replies: OrderedDict[object, Reply] = OrderedDict()

    def get(self, job: object) -> Reply | None:
        reply = self.replies.get(job)
        if reply is not None:
            self.replies.move_to_end(job)
        return reply

    def put(self, job: object, reply: Reply) -> None:
        if reply.status != 200 or reply.error is not None or len(reply.body) > self.limit // 8:
            return
        old = self.replies.pop(job, None)
        if old is not None:
            self.size -= len(old.body)
        self.replies[job] = reply
        self.size += len(reply.body)
        while self.size > self.limit:
            _, dropped = self.replies.popitem(last=False)
            self.size -= len(dropped.body)


class Lane:
    """The way to one worker pool: a bounded queue, and at most ``per_client`` jobs per client.

    Admission is decided in the event loop, before any thread or worker is taken. A job
    past the lane's capacity (its workers plus ``waiting``), or past its client's share,
    waits in the event loop (no thread, not counted as a request in progress) for up to
    ``patience`` seconds for room, and then gets a 503 with Retry-After: a client that
    retries at once, ignoring Retry-After, cannot turn refusals into a flood. At most
    ``max_patient`` jobs wait so; past that, the 503 comes at once. The threads that wait
    for workers come from the lane's own limiter, so a full lane never holds up another.
    """

    def __init__(
        self,
        run: Callable[[object], Reply],
        workers: int,
        waiting: int,
        per_client: int = 0,
        cache: ReplyCache | None = None,
        load: Load | None = None,
        patience: float = 1.0,
        max_patient: int = 256,
    ) -> None:
        self.run = run
        self.cache = cache
        self.capacity = workers + waiting
        self.per_client = per_client
        self.load = load
        self.patience = patience
        self.max_patient = max_patient
        self.active = 0
        self.patient = 0
        self.held: dict[str, int] = {}
        self.limiter = anyio.CapacityLimiter(self.capacity)
        self._room = asyncio.Event()  # set (and replaced) whenever a job leaves the lane

    def _refusal(self, client: str) -> Reply | None:
        """Why ``client`` cannot have a job in the lane now (None: it can)."""
        held = self.held.get(client, 0)
        if self.per_client and held >= self.per_client:
            return Reply(
                status=503,
                error=f"too many queries from this client at once: {held} running or waiting "
                "(the limit); retry when one has finished",
                headers={"Retry-After": "1"},
            )
        if self.active >= self.capacity:
            return Reply(
                status=503,
                error="the server is busy: every query worker is in use",
                headers={"Retry-After": "1"},
            )
        return None

    async def _wait_for_room(self, client: str) -> Reply | None:
        refusal = self._refusal(client)
        if refusal is None or self.patience <= 0 or self.patient >= self.max_patient:
            return refusal
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.patience
        self.patient += 1
        if self.load is not None:
            self.load.active -= 1
        try:
            while refusal is not None and (left := deadline - loop.time()) > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._room.wait(), left)
                refusal = self._refusal(client)
            return refusal
        finally:
            self.patient -= 1
            if self.load is not None:
                self.load.active += 1

    async def __call__(self, job: object, client: str) -> Reply:
        if self.cache is not None:
            cached = self.cache.get(job)
            if cached is not None:
                return cached
        refusal = await self._wait_for_room(client)
        if refusal is not None:
            return refusal
        self.active += 1  # no await since the check: nobody else took the room
        self.held[client] = self.held.get(client, 0) + 1
        try:
            reply = await anyio.to_thread.run_sync(self.run, job, limiter=self.limiter)
            if self.cache is not None and not isinstance(job, LookupJob):
                self.cache.put(job, reply)
            return reply
        finally:
            self.active -= 1
            left = self.held[client] - 1
            if left:
                self.held[client] = left
            else:
                del self.held[client]
            room, self._room = self._room, asyncio.Event()
            room.set()


# ------------------------------------------------------------------ helpers


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def error_response(
    request: Request,
    status: int,
    message: str,
    headers: Mapping[str, str],
    suggestions: Sequence[Mapping[str, str]] = (),
) -> Response:
    """One line: JSON ``{"error": ...}`` under /api (with ``suggestions`` when there are
    some: the things a wrong IRI may have meant), plain text elsewhere."""
    if _is_api(request):
        content: dict[str, Any] = {"error": message}
        if suggestions:
            content["suggestions"] = [dict(s) for s in suggestions]
        return JSONResponse(content, status_code=status, headers=dict(headers))
    return PlainTextResponse(message + "\n", status_code=status, headers=dict(headers))


def reply_response(request: Request, reply: Reply, vary: bool = True) -> Response:
    headers = dict(reply.headers)
    if vary:
        headers["Vary"] = "Accept"
    if reply.error is not None:
        return error_response(request, reply.status, reply.error, headers, reply.suggestions)
    return Response(
        reply.body,
        status_code=reply.status,
        media_type=None,
        headers={**headers, "Content-Type": reply.media_type},
    )


async def read_body(request: Request, limit: int) -> bytes:
    """The request body, refused with 413 as soon as it is known to pass ``limit`` bytes."""
    length = request.headers.get("content-length")
    if length is not None:
        if not length.strip().isdigit():
            raise Problem(400, "malformed Content-Length")
        if int(length) > limit:
            raise Problem(
                413, f"request body of {int(length)} bytes is over the {limit}-byte limit", CLOSE
            )
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, f"request body is over the {limit}-byte limit", CLOSE)
        chunks.append(chunk)
    return b"".join(chunks)


def _decode(body: bytes, what: str) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise Problem(400, f"{what} is not valid UTF-8") from None


def _media_type(request: Request) -> tuple[str, dict[str, str]]:
    raw = request.headers.get("content-type", "")
    media, _, rest = raw.partition(";")
    params = {}
    for item in rest.split(";"):
        key, sep, value = item.partition("=")
        if sep:
            params[key.strip().lower()] = value.strip().strip('"').lower()
    return media.strip().lower(), params


def _base_url(request: Request) -> str:
    """``scheme://host[:port]`` of this request; a malformed Host header is not echoed."""
    host = request.headers.get("host", "")
    if not _HOST.fullmatch(host):
        server = request.scope.get("server") or ("127.0.0.1", 0)
        host = f"{server[0]}:{server[1]}"
    return f"{request.url.scheme}://{host}"


def _slash_redirect(request: Request, routes: Sequence[Route]) -> str | None:
    """The same path with its trailing slash added or removed, if a route takes that.

    Host-independent: a path-absolute reference (``/api?x=1``), never ``scheme://host``,
    and never a path that starts ``//`` (which a browser would read as another host).
    """
    path = request.url.path
    if path == "/":
        return None
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    if not other.startswith("/") or other.startswith("//"):
        return None
    scope = {**request.scope, "path": other}
    if not any(route.matches(scope)[0] is not Match.NONE for route in routes):
        return None
    query = request.url.query
    return quote(other, safe="/:@!$&'()*+,;=~") + (f"?{query}" if query else "")


def _static_files() -> dict[str, tuple[bytes, str]]:
    """Every file shipped in ``static/`` (one level): name -> (bytes, media type)."""
    files: dict[str, tuple[bytes, str]] = {}
    if STATIC_DIR.is_dir():
        for path in sorted(STATIC_DIR.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
                if media.startswith("text/") or media in ("application/javascript",):
                    media += "; charset=utf-8"
                files[path.name] = (path.read_bytes(), media)
    return files


# ------------------------------------------------------------------ the application


class Endpoint:
    """The request handlers, around one worker pool."""

    def __init__(
        self,
        queries_lane: Lane,
        pages_lane: Lane,
        settings: ServerSettings,
        info: Mapping[str, Any],
        queries: Sequence[SavedQuery],
        version: str,
    ) -> None:
        self.queries_lane = queries_lane
        self.pages_lane = pages_lane
        self.settings = settings
        # the IRIs that have a page; None: ask a worker (a store in a folder or a server)
        known = info.get("known", ())
        self.known = None if known is None else frozenset(known)
        self.found: OrderedDict[str, bool] = OrderedDict()  # IRIs a worker said are known
        self.queries = {saved.name: saved for saved in queries}
        self.openapi_json = json.dumps(openapi_document(queries, version), indent=2).encode()
        self.index = json.dumps(api_index(queries), indent=2, ensure_ascii=False).encode()
        self.static = _static_files()
        page = self.static.get("index.html")
        self.page = page[0] if page else b"<!DOCTYPE html><title>kzeu-graph</title>"

    async def _is_known(self, request: Request, iri: str) -> bool:
        """Whether ``iri`` has a page: from the list, or asked of a worker (cached)."""
        if self.known is not None:
            return iri in self.known
        if iri in self.found:
            self.found.move_to_end(iri)
            return True
        client = request.client.host if request.client else ""
        reply = await self.pages_lane(LookupJob(iri), client)
        if reply.status == 200:
            self.found[iri] = True
            if len(self.found) > KNOWN_CACHE:
                self.found.popitem(last=False)
        if reply.status in (200, 404):
            return reply.status == 200
        raise Problem(reply.status, reply.error or "error", reply.headers)

    async def _dispatch(self, request: Request, job: object, vary: bool = True) -> Response:
        """Ad-hoc SPARQL goes to the query lane; everything else to the pages lane."""
        lane = self.queries_lane if isinstance(job, SparqlJob) else self.pages_lane
        client = request.client.host if request.client else ""
        reply = await lane(job, client)
        return reply_response(request, reply, vary)

    def _html_page(self) -> Response:
        return Response(
            self.page, media_type="text/html; charset=utf-8", headers={"Vary": "Accept"}
        )

    # ---------------------------------------------------------------- /sparql

    async def sparql(self, request: Request) -> Response:
        accept = request.headers.get("accept")
        if request.method == "POST":
            text, dataset = await self._post_query(request)
        else:
            params = request.query_params.multi_items()
            names = {name for name, _ in params}
            if "update" in names:
                raise Problem(403, READ_ONLY)
            queries = [value for name, value in params if name == "query"]
            if not queries:
                if names:
                    raise Problem(400, "no query: give query=... (the SPARQL query text)")
                return await self._service_description(request, accept)
            if len(queries) > 1:
                raise Problem(400, "give exactly one query parameter")
            text = queries[0]
            dataset = [name for name in names if name in DATASET_PARAMS]
            if negotiate(accept, ENDPOINT_TYPES) == HTML:
                return self._html_page()  # the page runs the query itself
        if dataset:
            raise Problem(
                400,
                f"{', '.join(sorted(set(dataset)))} is not supported: this endpoint has one "
                "default graph and no named graphs",
            )
        if not text.strip():
            raise Problem(400, "the query is empty")
        return await self._dispatch(request, SparqlJob(text, accept))

    async def _post_query(self, request: Request) -> tuple[str, list[str]]:
        media, params = _media_type(request)
        if media == SPARQL_UPDATE:
            raise Problem(403, READ_ONLY)
        if media == FORM:
            body = _decode(await read_body(request, self.settings.max_body), "the form")
            try:
                form = parse_qsl(body, keep_blank_values=True, max_num_fields=100)
            except ValueError:
                raise Problem(400, "malformed form: too many fields") from None
            names = {name for name, _ in form}
            if "update" in names:
                raise Problem(403, READ_ONLY)
            queries = [value for name, value in form if name == "query"]
            if len(queries) != 1:
                raise Problem(400, "give exactly one query parameter in the form")
            url_names = {name for name, _ in request.query_params.multi_items()}
            return queries[0], [n for n in names | url_names if n in DATASET_PARAMS]
        if media == SPARQL_QUERY:
            charset = params.get("charset", "utf-8")
            if charset not in ("utf-8", "utf8"):
                raise Problem(415, "the query must be UTF-8 (charset=utf-8)")
            text = _decode(await read_body(request, self.settings.max_body), "the query")
            names = {name for name, _ in request.query_params.multi_items()}
            return text, [n for n in names if n in DATASET_PARAMS]
        raise Problem(
            415,
            f"unsupported Content-Type {media or '(none)'!r}: use {FORM} or {SPARQL_QUERY}",
        )

    async def _service_description(self, request: Request, accept: str | None) -> Response:
        media = negotiate(accept, [*GRAPH_TYPES, HTML])
        if media == HTML:
            return self._html_page()
        if media is None:
            raise Problem(
                406,
                f"no acceptable format; the service description is in: {', '.join(GRAPH_TYPES)}",
                {"Vary": "Accept"},
            )
        job = ServiceDescriptionJob(_base_url(request) + "/sparql", GRAPH_TYPES[media])
        return await self._dispatch(request, job)

    # ---------------------------------------------------------------- /api

    async def api_index(self, request: Request) -> Response:
        return Response(self.index, media_type="application/json")

    async def openapi(self, request: Request) -> Response:
        return Response(self.openapi_json, media_type="application/json")

    async def saved_query(self, request: Request) -> Response:
        name = request.path_params["name"]
        saved = self.queries.get(name)
        if saved is None:
            raise Problem(404, f"no saved query {name!r}; the list is at /api")
        params = request.query_params.multi_items()
        try:
            given: dict[str, str] = {}
            for key, value in params:
                if key in given:
                    raise ParameterError(f"parameter {key!r} given twice")
                given[key] = value
            saved.bind(given)  # fail fast, without a worker: the CLI's own checks
        except ParameterError as exc:
            from kzeu_graph.sparql.search import names_instead_of_iris

            if not names_instead_of_iris(saved, given):  # else the worker suggests IRIs
                raise Problem(400, str(exc)) from None
        return await self._dispatch(
            request, SavedQueryJob(name, tuple(params), request.headers.get("accept"))
        )

    # ---------------------------------------------------------------- linked data

    async def linked_data(self, request: Request) -> Response:
        path: str = request.scope["path"]
        for ext, (fmt, _) in DOCUMENT_TYPES.items():
            if path.endswith("." + ext):
                stem = path[: -len(ext) - 1]
                iri = BASE_IRI + (stem[:-5] if stem.endswith("/index") else stem).lstrip("/")
                if stem.endswith("/index") and not await self._is_known(request, iri):
                    iri = BASE_IRI + stem.lstrip("/")
                if await self._is_known(request, iri):
                    return await self._dispatch(request, DocumentJob(iri, fmt), vary=False)
        iri = BASE_IRI + path.lstrip("/")
        version = BASE_IRI + "ontology/"
        target = iri
        known = await self._is_known(request, iri)
        if iri.startswith(version) and known:
            target = ONTOLOGY_IRI  # a version IRI of the ontology: the current version's document
        if not known:
            raise Problem(404, "not found: no resource has this IRI", {"Vary": "Accept"})
        media = negotiate(request.headers.get("accept"), list(DOCUMENT_MEDIA))
        if media is None:
            raise Problem(
                406,
                f"no acceptable format; offered: {', '.join(DOCUMENT_MEDIA)}",
                {"Vary": "Accept"},
            )
        location = document_path(target, DOCUMENT_MEDIA[media]) or "/"
        return RedirectResponse(location, status_code=303, headers={"Vary": "Accept"})

    # ---------------------------------------------------------------- static

    async def static_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        found = self.static.get(name)  # only names listed at start-up; no path is ever built
        if found is None:
            raise Problem(404, "not found")
        body, media = found
        return Response(body, media_type=media, headers={"Cache-Control": "max-age=300"})

    async def home(self, request: Request) -> Response:
        return Response(self.page, media_type="text/html; charset=utf-8")


def create_app(
    run: Callable[[object], Reply],
    settings: ServerSettings,
    info: Mapping[str, Any],
    queries: Sequence[SavedQuery] | None = None,
    run_pages: Callable[[object], Reply] | None = None,
    workers: tuple[int, int] = (1, 1),
) -> Starlette:
    """The ASGI application.

    ``run`` executes an ad-hoc SPARQL job (normally ``WorkerPool.run`` of the query pool),
    ``run_pages`` every other job (pages, documents, saved queries; default: ``run``);
    ``workers`` are the sizes of the two pools.
    """
    from kzeu_graph import __version__

    query_workers, page_workers = workers
    load = Load(settings.max_connections)
    queries_lane = Lane(
        run,
        query_workers,
        2 * query_workers,
        per_client=settings.per_client(query_workers),
        load=load,
    )
    pages_lane = Lane(
        run_pages or run,
        page_workers,
        max(16, settings.max_connections // 2),
        cache=ReplyCache(settings.cache_mib * 1024 * 1024) if settings.cache_mib else None,
        load=load,
    )
    endpoint = Endpoint(
        queries_lane,
        pages_lane,
        settings,
        info,
        list_queries() if queries is None else queries,
        __version__,
    )

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return error_response(request, exc.status, exc.message, exc.headers)

    async def http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            location = _slash_redirect(request, routes)
            if location is not None:
                return RedirectResponse(location, status_code=307)
        message = {404: "not found", 405: "method not allowed"}.get(exc.status_code, "error")
        return error_response(request, exc.status_code, message, exc.headers or {})

    async def disconnected(request: Request, exc: Exception) -> Response:
        # the client left (or was cut off) mid-body: nobody will read this, nothing to log
        return Response(b"", status_code=400, headers=CLOSE)

    async def internal(request: Request, exc: Exception) -> Response:
        print(f"kzeu-graph: internal error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return error_response(request, 500, "internal error", {})

    routes = [
        Route("/", endpoint.home, methods=["GET"]),
        Route("/sparql", endpoint.sparql, methods=["GET", "POST"]),
        Route("/api", endpoint.api_index, methods=["GET"]),
        Route("/api/openapi.json", endpoint.openapi, methods=["GET"]),
        Route("/api/{name}", endpoint.saved_query, methods=["GET"]),
        Route("/static/{name}", endpoint.static_file, methods=["GET"]),
        Route("/ontology", endpoint.linked_data, methods=["GET"]),
        Route("/ontology.{ext}", endpoint.linked_data, methods=["GET"]),
        Route("/ontology/{rest:path}", endpoint.linked_data, methods=["GET"]),
        Route("/id/{rest:path}", endpoint.linked_data, methods=["GET"]),
        Route("/vocab/{rest:path}", endpoint.linked_data, methods=["GET"]),
    ]
    middleware = [Middleware(RequestLimit, load=load)]
    middleware.append(Middleware(SecurityHeaders))
    if settings.cors_origins:
        middleware.append(
            Middleware(
                CORSMiddleware,
                allow_origins=list(settings.cors_origins),
                allow_methods=["GET", "POST"],
                allow_headers=["Accept", "Content-Type"],
                max_age=600,
            )
        )
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            Problem: problem,
            HTTPException: http_exception,
            ClientDisconnect: disconnected,
            Exception: internal,
        },
    )
    # Starlette's own slash redirect writes the client's Host header into Location
    app.router.redirect_slashes = False
    return app


# ------------------------------------------------------------------ running


def check_settings(settings: ServerSettings) -> None:
    """Refuse option values that cannot work (one-line ParameterError or InputError)."""
    from kzeu_graph.engines import parse_store

    spec = parse_store(settings.store)  # InputError for a spec that names no store
    if spec.persistent and (settings.data is not None or settings.inference != "none"):
        raise ParameterError(
            f"store {spec.text!r} is used as loaded; --data and --inference apply to "
            "in-memory stores (use kzeu-graph load --store ... to fill it)"
        )
    if spec.kind != "memory" and settings.allowed_services:
        raise ParameterError(
            "--allow-service needs --store memory: Oxigraph and endpoints run the query "
            "text, and the word SERVICE is refused there"
        )
    if spec.location is not None and not (spec.location / "CURRENT").is_file():
        raise InputError(
            f"store {spec.text!r}: no Oxigraph store in {str(spec.location)!r}; "
            f"fill it first with kzeu-graph load --store {spec.text}"
        )
    for url in settings.allowed_services:
        if not (is_valid_iri(url) and re.match(r"https?://", url)):
            raise ParameterError(f"--allow-service needs an absolute http(s) IRI, got {url!r}")
    for origin in settings.cors_origins:
        if origin != "*" and not re.fullmatch(r"https?://[^/\s]+", origin):
            raise ParameterError(
                f"--cors-origin needs '*' or scheme://host[:port] (no path), got {origin!r}"
            )


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket with TCP_NODELAY (inherited by every accepted connection).

    asyncio turns Nagle's algorithm off only for sockets whose ``proto`` is IPPROTO_TCP;
    a socket made with proto 0 would keep it on, and every response on a kept-alive
    connection would wait ~40 ms for the client's delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    return sock


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def serve(settings: ServerSettings, announce: Callable[[str], None] | None = None) -> None:
    """Bind, start the workers, serve until interrupted, then stop the workers."""
    import uvicorn

    check_settings(settings)
    say = announce or (lambda line: print(line, file=sys.stderr, flush=True))
    sock = _listen(settings.host, settings.port)
    size = settings.workers or worker_count()
    # ad-hoc queries run at a lower CPU priority: a runaway query cannot slow the pages
    pool = WorkerPool(settings.worker_config(niceness=QUERY_NICENESS), size)
    pages = WorkerPool(settings.worker_config(), max(1, settings.page_workers))
    try:
        pool.launch()  # both pools load the graph at the same time
        pages.launch()
        info = pool.start()
        pages.start()
        app = create_app(
            pool.run, settings, info, run_pages=pages.run, workers=(pool.size, pages.size)
        )
        config = uvicorn.Config(
            app,
            log_level="warning" if settings.quiet else "info",
            access_log=not settings.quiet,
            server_header=False,
            proxy_headers=False,
            timeout_keep_alive=5,
            # idle connections must not count: requests are limited by RequestLimit, and
            # slow or silent connections are closed by the guarded protocol's deadlines
            http=guarded_protocol(
                settings.header_timeout, settings.body_timeout, settings.max_open
            ),
            lifespan="off",
            h11_max_incomplete_event_size=16 * 1024,
        )
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        say(
            f"kzeu-graph: serving http://{shown}:{port}/ ({info.get('triples', 0)} triples"
            f"{'' if settings.store == 'memory' else ' in ' + settings.store}, "
            f"{pool.size} query worker(s), {pages.size} page worker(s)); SPARQL endpoint "
            "/sparql; press Ctrl-C to stop"
        )
        if not _is_loopback(settings.host):
            say(
                f"kzeu-graph: warning: {settings.host} is not a loopback address; "
                "anyone who can reach it can query the server"
            )
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        pool.close()
        pages.close()
        sock.close()
