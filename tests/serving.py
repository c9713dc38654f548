"""Start ``kzeu-graph serve`` on a free loopback port in a subprocess, and talk to it raw."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from paths import ROOT

STARTED = re.compile(r"serving (http://127\.0\.0\.1:(\d+))/")


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def media_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip()


@dataclass
class Server:
    base: str
    port: int
    process: subprocess.Popen[str]
    log: list[str] = field(default_factory=list)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | str | None = None,
        headers: Mapping[str, str] | None = None,
        timeout: float = 60,
        source: str | None = None,
    ) -> Reply:
        """One request, the path sent exactly as given (no normalisation, no redirects).

        ``source``: the client's own address (another loopback address is another client).
        """
        connection = http.client.HTTPConnection(
            "127.0.0.1",
            self.port,
            timeout=timeout,
            source_address=(source, 0) if source else None,
        )
        try:
            payload = body.encode("utf-8") if isinstance(body, str) else body
            connection.request(method, path, body=payload, headers=dict(headers or {}))
            response = connection.getresponse()
            data = response.read()
            return Reply(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
        finally:
            connection.close()

    def get(self, path: str, accept: str | None = None, **kw: Any) -> Reply:
        headers = dict(kw.pop("headers", {}))
        if accept is not None:
            headers["Accept"] = accept
        return self.request("GET", path, headers=headers, **kw)

    def post_form(
        self, fields: Mapping[str, str], accept: str | None = None, source: str | None = None
    ) -> Reply:
        from urllib.parse import urlencode

        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        if accept is not None:
            headers["Accept"] = accept
        return self.request("POST", "/sparql", urlencode(fields), headers, source=source)

    def raw(self, data: bytes, read_timeout: float = 30) -> bytes:
        """Send bytes on a fresh socket; return whatever comes back until the server closes."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=read_timeout) as sock:
            with contextlib.suppress(OSError):
                sock.sendall(data)
            chunks = []
            with contextlib.suppress(OSError):
                while True:
                    chunk = sock.recv(65536)
                    if not chunk:
                        break
                    chunks.append(chunk)
            return b"".join(chunks)


@contextlib.contextmanager
def running_server(*args: str, startup: float = 120) -> Iterator[Server]:
    """``python -m kzeu_graph serve --port 0 --quiet ARGS``; stopped (SIGTERM) afterwards."""
    command = [sys.executable, "-m", "kzeu_graph", "serve", "--port", "0", "--quiet", *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    log: list[str] = []
    found = threading.Event()
    address: list[tuple[str, int]] = []

    def drain() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            log.append(line.rstrip("\n"))
            match = STARTED.search(line)
            if match and not found.is_set():
                address.append((match.group(1), int(match.group(2))))
                found.set()
        found.set()

    threading.Thread(target=drain, daemon=True).start()
    deadline = time.monotonic() + startup
    while not found.wait(0.1):
        if time.monotonic() > deadline:
            break
    if not address:
        process.kill()
        process.wait(10)
        raise RuntimeError(f"the server did not start: {' | '.join(log)}")
    server = Server(address[0][0], address[0][1], process, log)
    try:
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


@contextlib.contextmanager
def recording_listener() -> Iterator[tuple[int, list[bytes]]]:
    """A loopback TCP port that records the first bytes of every connection it accepts."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(16)
    listener.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            with connection:
                connection.settimeout(2)
                try:
                    received.append(connection.recv(4096) or b"(connected, sent nothing)")
                except OSError:
                    received.append(b"(connected)")
                with contextlib.suppress(OSError):
                    connection.sendall(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                        b"Connection: close\r\n\r\n"
                        b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":'
                        b'{"type":"literal","value":"from the remote"}}]}}'
                    )

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], received
    finally:
        stop.set()
        thread.join(2)
        listener.close()
