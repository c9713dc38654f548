"""Suite-wide fixtures: a network guard for every test, and the library's tiny fixture graphs."""

from __future__ import annotations

import ipaddress
import socket
import sys
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
from rdflib import Graph

from paths import FIXTURE_CONTENT, FIXTURE_DATA, FIXTURE_ONTOLOGY, FIXTURE_SHAPES, TINY

pytest_plugins = ["servers"]  # SPARQL servers on loopback (tests/servers.py)

# ------------------------------------------------------------------ network guard

NETWORK_VIOLATIONS: list[str] = []


class NetworkBlockedError(RuntimeError):
    """Raised (and recorded) when code under test reaches for the network."""


def _is_loopback(host: Any) -> bool:
    if host is None:
        return True  # getaddrinfo(None, port) resolves the local host
    if isinstance(host, bytes):
        host = host.decode("ascii", "replace")
    name = str(host).strip("[]").lower()
    if name in ("localhost", "localhost.localdomain", ""):
        return True
    try:
        return ipaddress.ip_address(name.split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _audit(event: str, args: tuple[Any, ...]) -> None:
    problem = None
    if event == "socket.connect":
        address = args[1]
        if isinstance(address, tuple) and not _is_loopback(address[0]):
            problem = f"socket.connect to {address!r}"
    elif event == "socket.getaddrinfo":
        if not _is_loopback(args[0]):
            problem = f"socket.getaddrinfo for {args[0]!r}"
    elif event == "urllib.Request":
        host = urllib.parse.urlsplit(str(args[0])).hostname  # None for file: and the like
        if host is None or not _is_loopback(host):
            problem = f"urllib.Request to {args[0]!r}"
    if problem is not None:
        # Exceptions raised here can be swallowed by the code under test: record them too.
        NETWORK_VIOLATIONS.append(problem)
        raise NetworkBlockedError(f"network access in a test: {problem}")


sys.addaudithook(_audit)


@pytest.fixture(autouse=True)
def _no_network() -> Iterator[None]:
    NETWORK_VIOLATIONS.clear()
    yield
    found = list(NETWORK_VIOLATIONS)
    NETWORK_VIOLATIONS.clear()
    assert not found, f"the test reached for the network: {found}"


@pytest.fixture
def network_violations() -> list[str]:
    """The live list of recorded violations (a test of the guard may clear it)."""
    return NETWORK_VIOLATIONS


# ------------------------------------------------------------------ content


@pytest.fixture
def fixture_content(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the library use tests/fixtures/content as its ontology/, data/ and queries/."""
    from kzeu_graph import resources

    monkeypatch.setattr(resources, "content_root", lambda: FIXTURE_CONTENT)


@pytest.fixture(scope="session")
def mini_graph() -> Graph:
    """The fixture ontology + data (read-only: copy before changing)."""
    from kzeu_graph.loading.graph import parse_file

    graph = parse_file(FIXTURE_ONTOLOGY)
    return parse_file(FIXTURE_DATA, into=graph)


@pytest.fixture(scope="session")
def mini_shapes() -> Graph:
    from kzeu_graph.loading.graph import parse_file

    return parse_file(FIXTURE_SHAPES)


@pytest.fixture(scope="session")
def tiny_graph() -> Graph:
    from kzeu_graph.loading.graph import parse_file

    return parse_file(TINY)


def copy_graph(graph: Graph) -> Graph:
    """A mutable copy with the same prefixes."""
    from kzeu_graph.rdf.namespaces import new_graph

    out = new_graph()
    out += graph
    return out


__all__ = ["NetworkBlockedError", "copy_graph", "socket"]
