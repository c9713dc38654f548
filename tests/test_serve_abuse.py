"""``kzeu-graph serve`` keeps serving when a few clients misbehave (functional, not timing).

Silent and slow connections are closed after the header/body deadlines and never count
against the request limit; one client's runaway queries cannot take every query worker
and never hold up pages, documents or saved queries; a client that leaves mid-body, and a
shutdown while a worker is starting, log no traceback; redirects never echo the Host.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

from serving import Reply, Server, running_server

pytestmark = pytest.mark.slow

DEADLINE = 1.0  # the test server's header and body timeouts, seconds
OTHER_CLIENT = "127.0.0.2"  # another loopback address: another client to the server
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
TIMEOUT_408 = b"HTTP/1.1 408 Request Timeout\r\n"
# requests that never need an ad-hoc query worker: path -> Accept
CHEAP = [
    ("/id/european-union.ttl", None),
    ("/id/european-union.html", None),
    ("/id/european-union", "text/turtle"),  # 303 by content negotiation
    ("/api/figures", "application/sparql-results+json"),
    ("/api", None),
    ("/static/style.css", None),
    ("/sparql", "text/turtle"),  # the service description
]


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with running_server(
        "--workers", "2",
        "--timeout", "4",
        "--client-queries", "2",  # one client may take both query workers: the lanes are tested
        "--header-timeout", str(DEADLINE),
        "--body-timeout", str(DEADLINE),
    ) as running:  # fmt: skip
        yield running


@pytest.fixture(scope="module")
def fair() -> Iterator[Server]:
    """The default share: a client may have all query workers but one."""
    with running_server("--workers", "2", "--timeout", "4") as running:
        yield running


def connect(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=DEADLINE + 10)
    return sock


def read_until_closed(sock: socket.socket) -> tuple[bytes, float]:
    """Everything the server sends until it closes the connection, and when that happened."""
    chunks = []
    with contextlib.suppress(ConnectionResetError):
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks), time.monotonic()


def read_response(sock: socket.socket) -> bytes:
    """One whole response with a Content-Length, and nothing after it."""
    data = b""
    while b"\r\n\r\n" not in data:
        data += sock.recv(65536)
    head, _, body = data.partition(b"\r\n\r\n")
    length = int(
        next(
            line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        ).split(b":")[1]
    )
    while len(body) < length:
        body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


def no_traceback(server: Server) -> None:
    log = "\n".join(server.log)
    assert "Traceback" not in log
    assert "Exception in ASGI application" not in log


# ------------------------------------------------------------------ idle and slow connections


def test_a_silent_connection_is_closed_after_the_header_timeout(server: Server) -> None:
    with connect(server) as sock:
        opened = time.monotonic()
        data, closed = read_until_closed(sock)
    assert data == b""  # nothing came, nothing to answer
    assert DEADLINE - 0.2 <= closed - opened < DEADLINE + 5


@pytest.mark.parametrize(
    "partial",
    [b"G", b"GET /api HTTP/1.1\r\n", b"GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*"],
    ids=["one-byte", "request-line", "headers-unfinished"],
)
def test_slow_headers_get_408_and_are_closed(server: Server, partial: bytes) -> None:
    with connect(server) as sock:
        opened = time.monotonic()
        sock.sendall(partial)
        data, closed = read_until_closed(sock)
    assert data.startswith(TIMEOUT_408)
    assert DEADLINE - 0.2 <= closed - opened < DEADLINE + 5


def test_headers_dribbled_a_byte_at_a_time_are_cut_off(server: Server) -> None:
    """Each byte comes before the keep-alive timer would fire: only a deadline stops it."""
    request = b"GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\n" + b"X-Slow: " + b"a" * 200
    with connect(server) as sock:
        opened = time.monotonic()
        sent = 0
        with contextlib.suppress(OSError):
            for byte in request:
                sock.sendall(bytes([byte]))
                sent += 1
                time.sleep(0.05)
        data, closed = read_until_closed(sock)
    assert sent < len(request)  # cut off before the end
    assert data.startswith(TIMEOUT_408)
    assert closed - opened < DEADLINE + 5


def test_a_slow_body_gets_408_and_is_closed(server: Server) -> None:
    head = (
        b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
        b"Content-Length: 100\r\n\r\nSELECT"
    )
    with connect(server) as sock:
        opened = time.monotonic()
        sock.sendall(head)
        data, closed = read_until_closed(sock)
    assert data.startswith(TIMEOUT_408)
    assert DEADLINE - 0.2 <= closed - opened < DEADLINE + 5
    time.sleep(0.3)
    no_traceback(server)


def test_a_second_request_on_a_kept_alive_connection_has_its_own_deadline(
    server: Server,
) -> None:
    with connect(server) as sock:
        sock.sendall(b"GET /api HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        first = read_response(sock)
        assert first.startswith(b"HTTP/1.1 200 ")
        sock.sendall(b"GET /api HTTP/1.1\r\n")  # the next request, unfinished
        answered = time.monotonic()
        data, closed = read_until_closed(sock)
    assert data.startswith(TIMEOUT_408)
    assert DEADLINE - 0.2 <= closed - answered < DEADLINE + 5


def test_idle_connections_do_not_make_others_wait_or_fail(server: Server) -> None:
    idle = [connect(server) for _ in range(150)]  # more than the 100 requests allowed at once
    try:
        for path, accept in CHEAP[:2]:
            reply = server.get(path, accept)
            assert reply.status == 200, reply.text
        opened = time.monotonic()
        for sock in idle:  # every one is closed by the header deadline
            data, _ = read_until_closed(sock)
            assert data == b""
        assert time.monotonic() - opened < DEADLINE + 10
    finally:
        for sock in idle:
            sock.close()


# ------------------------------------------------------------------ runaway queries


def runaway(server: Server, outcome: list[Reply], source: str | None = None) -> threading.Thread:
    thread = threading.Thread(
        target=lambda: outcome.append(server.post_form({"query": RUNAWAY}, source=source)),
        daemon=True,
    )
    thread.start()
    return thread


def test_cheap_requests_are_answered_while_every_query_worker_is_busy(server: Server) -> None:
    outcome: list[Reply] = []
    attackers = [runaway(server, outcome) for _ in range(2)]
    time.sleep(1.0)  # both query workers are now in runaway queries
    for source in (None, OTHER_CLIENT):  # the attacker itself and another client
        for path, accept in CHEAP:
            asked = time.monotonic()
            reply = server.get(path, accept, source=source)
            assert reply.status in (200, 303), (path, reply.status, reply.text)
            assert time.monotonic() - asked < 3, path  # not after the 4-second query limit
    assert all(thread.is_alive() for thread in attackers)
    # an ad-hoc query of another client is refused at once (busy), not queued for seconds
    for thread in attackers:
        thread.join(30)
    assert [reply.status for reply in outcome] == [503, 503]


def test_one_client_cannot_take_every_query_worker(fair: Server) -> None:
    outcome: list[Reply] = []
    attack = runaway(fair, outcome)
    time.sleep(1.0)
    asked = time.monotonic()
    again = fair.post_form({"query": RUNAWAY})  # the same client: over its share
    assert again.status == 503
    assert again.headers["retry-after"] == "1"
    assert time.monotonic() - asked < 3  # held for the 1 s patience, not the time limit
    label = fair.post_form(
        {"query": "ASK { kzr:european-union rdfs:label ?l }"},
        accept="application/sparql-results+json",
        source=OTHER_CLIENT,
    )
    assert label.status == 200
    assert label.json()["boolean"] is True
    assert attack.is_alive()
    attack.join(30)


# ------------------------------------------------------------------ quiet logs


@pytest.mark.parametrize("sent", [0, 10, 999], ids=["no-body", "part", "all-but-one"])
def test_a_client_leaving_mid_body_logs_no_traceback(server: Server, sent: int) -> None:
    body = urlencode({"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1"}).ljust(1000, "+")
    head = (
        "POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n"
    )
    before = len(server.log)
    for _ in range(3):
        with connect(server) as sock:
            sock.sendall(head.encode() + body[:sent].encode())
            time.sleep(0.1)
    assert server.get("/api").status == 200  # still serving
    time.sleep(0.5)
    assert server.log[before:] == []


def test_a_shutdown_while_a_worker_starts_logs_no_traceback() -> None:
    with running_server("--workers", "1", "--timeout", "0.5") as running:
        reply = running.post_form({"query": RUNAWAY})
        assert reply.status == 503  # the worker was killed; its replacement is loading now
        workers = children(running.process.pid)
        running.process.send_signal(signal.SIGTERM)
        running.process.wait(30)
        deadline = time.monotonic() + 30  # a worker that outlived the server would log later
        while time.monotonic() < deadline and any(alive(pid) for pid in workers):
            time.sleep(0.1)
        time.sleep(0.5)  # the log reader has everything
        assert not [pid for pid in workers if alive(pid)]
        no_traceback(running)


def children(pid: int) -> set[int]:
    """The processes whose parent is ``pid`` (field 4 of /proc/PID/stat)."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError):
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(stat.parent.name))
    return found


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped has stopped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


# ------------------------------------------------------------------ redirects


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/api/", "/api"),
        ("/api/?x=1", "/api?x=1"),
        ("/api/figures/", "/api/figures"),
        ("/sparql/", "/sparql"),
        ("/api/openapi.json/", "/api/openapi.json"),
    ],
)
@pytest.mark.parametrize("host", ["evil.example", "evil.example:8080", "127.0.0.1:1"])
def test_the_slash_redirect_is_relative_and_never_echoes_the_host(
    server: Server, path: str, location: str, host: str
) -> None:
    reply = server.get(path, headers={"Host": host})
    assert reply.status == 307
    assert reply.headers["location"] == location


@pytest.mark.parametrize("path", ["//evil.example/", "//evil.example", "/nothing/"])
def test_no_redirect_to_another_host_or_to_nothing(server: Server, path: str) -> None:
    reply = server.get(path, headers={"Host": "evil.example"})
    assert reply.status == 404
    assert "location" not in reply.headers


def test_a_client_that_stops_reading_is_cut_off(server: Server) -> None:
    # 10,000 rows of 6 bindings: several MB, more than the kernel's socket buffers hold
    query = urlencode({"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 10000"})
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # before connect: a small window
    sock.settimeout(DEADLINE + 10)
    with sock:
        sock.connect(("127.0.0.1", server.port))
        sock.sendall(
            f"GET /sparql?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: application/sparql-results+json\r\n\r\n".encode()
        )
        time.sleep(DEADLINE + 2.5)  # read nothing: the server's send buffer fills, then waits
        data, _ = read_until_closed(sock)
    head, _, body = data.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    length = int(
        next(
            line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")
        ).split(b":")[1]
    )
    assert 0 < len(body) < length  # the rest was dropped
    assert server.get("/api").status == 200
    no_traceback(server)
