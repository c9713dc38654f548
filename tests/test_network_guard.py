"""The suite's network guard itself: it must catch an outbound connection attempt."""

from __future__ import annotations

import contextlib
import socket
import urllib.request

import pytest

from conftest import NetworkBlockedError


def test_guard_blocks_and_records_a_remote_lookup(network_violations: list[str]) -> None:
    with pytest.raises(NetworkBlockedError):
        socket.getaddrinfo("example.org", 80)
    assert network_violations == ["socket.getaddrinfo for 'example.org'"]
    network_violations.clear()  # the violation was expected here


def test_guard_records_even_when_the_caller_swallows(network_violations: list[str]) -> None:
    with contextlib.suppress(Exception):  # as code under test might do
        urllib.request.urlopen("http://192.0.2.1:9/", timeout=0.1)
    assert any("192.0.2.1" in v for v in network_violations)
    network_violations.clear()


def test_guard_allows_loopback() -> None:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    client = socket.create_connection(server.getsockname(), timeout=1)
    client.close()
    server.close()
