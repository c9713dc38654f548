"""``kzeu-graph serve``: a read-only SPARQL 1.1 endpoint, linked-data pages and the saved-query API.

The web process (Starlette on uvicorn) parses requests, negotiates formats and enforces
request limits; it never touches the graph. Every query and every page is computed by a
:class:`~kzeu_graph.workers.WorkerPool` process, which the web process kills and replaces
when it overruns the time limit.

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

import json
import mimetypes
import re
import socket
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from .catalog import SavedQuery, is_valid_iri, list_queries
from .conneg import negotiate
from .errors import InputError, ParameterError
from .openapi import api_index, openapi_document
from .pages import BASE_IRI, document_path
from .workers import (
    DOCUMENT_TYPES,
    GRAPH_TYPES,
    ONTOLOGY_IRI,
    RESULT_TYPES,
    DocumentJob,
    Reply,
    SavedQueryJob,
    ServiceDescriptionJob,
    SparqlJob,
    WorkerConfig,
    WorkerPool,
    worker_count,
)

try:
    from starlette.applications import Starlette
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import MutableHeaders
    from starlette.exceptions import HTTPException
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.requests import Request
    from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
    from starlette.routing import Route
    from starlette.types import ASGIApp, Message, Receive, Scope, Send
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
    max_connections: int = 100
    quiet: bool = False

    def worker_config(self) -> WorkerConfig:
        return WorkerConfig(
            data=self.data,
            inference=self.inference,
            inference_timeout=self.inference_timeout,
            max_rows=self.max_rows,
            memory_mib=self.memory_mib,
            allowed_services=frozenset(self.allowed_services),
            timeout=self.timeout,
        )


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


# ------------------------------------------------------------------ helpers


def _is_api(request: Request) -> bool:
    return request.url.path == "/api" or request.url.path.startswith("/api/")


def error_response(
    request: Request, status: int, message: str, headers: Mapping[str, str]
) -> Response:
    """One line: JSON ``{"error": ...}`` under /api, plain text elsewhere."""
    if _is_api(request):
        return JSONResponse({"error": message}, status_code=status, headers=dict(headers))
    return PlainTextResponse(message + "\n", status_code=status, headers=dict(headers))


def reply_response(request: Request, reply: Reply, vary: bool = True) -> Response:
    headers = dict(reply.headers)
    if vary:
        headers["Vary"] = "Accept"
    if reply.error is not None:
        return error_response(request, reply.status, reply.error, headers)
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
        run: Callable[[object], Reply],
        settings: ServerSettings,
        info: Mapping[str, Any],
        queries: Sequence[SavedQuery],
        version: str,
    ) -> None:
        self.run = run
        self.settings = settings
        self.known = frozenset(info.get("known", ()))
        self.queries = {saved.name: saved for saved in queries}
        self.openapi_json = json.dumps(openapi_document(queries, version), indent=2).encode()
        self.index = json.dumps(api_index(queries), indent=2, ensure_ascii=False).encode()
        self.static = _static_files()
        page = self.static.get("index.html")
        self.page = page[0] if page else b"<!DOCTYPE html><title>kzeu-graph</title>"

    async def _dispatch(self, request: Request, job: object, vary: bool = True) -> Response:
        reply = await run_in_threadpool(self.run, job)
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
                if stem.endswith("/index") and iri not in self.known:
                    iri = BASE_IRI + stem.lstrip("/")
                if iri in self.known:
                    return await self._dispatch(request, DocumentJob(iri, fmt), vary=False)
        iri = BASE_IRI + path.lstrip("/")
        version = BASE_IRI + "ontology/"
        target = iri
        if iri.startswith(version) and iri in self.known:
            target = ONTOLOGY_IRI  # a version IRI of the ontology: the current version's document
        if iri not in self.known:
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
) -> Starlette:
    """The ASGI application; ``run`` executes one job (normally ``WorkerPool.run``)."""
    from . import __version__

    endpoint = Endpoint(
        run, settings, info, list_queries() if queries is None else queries, __version__
    )

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, Problem)
        return error_response(request, exc.status, exc.message, exc.headers)

    async def http_exception(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        message = {404: "not found", 405: "method not allowed"}.get(exc.status_code, "error")
        return error_response(request, exc.status_code, message, exc.headers or {})

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
    middleware = [Middleware(SecurityHeaders)]
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
    return Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={Problem: problem, HTTPException: http_exception, Exception: internal},
    )


# ------------------------------------------------------------------ running


def check_settings(settings: ServerSettings) -> None:
    """Refuse option values that cannot work (one-line ParameterError)."""
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
    pool = WorkerPool(settings.worker_config(), settings.workers or worker_count())
    try:
        info = pool.start()
        app = create_app(pool.run, settings, info)
        config = uvicorn.Config(
            app,
            log_level="warning" if settings.quiet else "info",
            access_log=not settings.quiet,
            server_header=False,
            proxy_headers=False,
            timeout_keep_alive=5,
            limit_concurrency=settings.max_connections,
            lifespan="off",
            h11_max_incomplete_event_size=16 * 1024,
        )
        host, port = sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        say(
            f"kzeu-graph: serving http://{shown}:{port}/ ({info.get('triples', 0)} triples, "
            f"{pool.size} worker(s)); SPARQL endpoint /sparql; press Ctrl-C to stop"
        )
        if not _is_loopback(settings.host):
            say(
                f"kzeu-graph: warning: {settings.host} is not a loopback address; "
                "anyone who can reach it can query the server"
            )
        uvicorn.Server(config).run(sockets=[sock])
    finally:
        pool.close()
        sock.close()
