"""Deadlines for the web server's connections: a slow or silent client cannot hold one forever.

uvicorn's h11 protocol times out only the wait *between* requests (``timeout_keep_alive``):
a connection that sends nothing, or dribbles its headers or body a byte at a time, stays
open for ever, and with ``limit_concurrency`` such connections make every other request
503. :func:`guarded_protocol` makes an h11 protocol class with three more rules:

- the request head (line and headers) must arrive within ``header_timeout`` seconds of the
  connection's start or of the previous response; otherwise the connection is closed (with
  ``408 Request Timeout`` if part of a request had come);
- the request body must arrive within ``body_timeout`` seconds of its head; otherwise the
  client gets 408 (if nothing was answered yet) and the connection is closed, and the
  application sees a disconnect;
- a response the client stops reading (the send buffer stays full) for ``body_timeout``
  seconds is dropped and the connection aborted, so a slow reader cannot hold a request;
- at most ``max_open`` connections stay open: past that, the one that has waited longest
  without a request in progress is closed to make room.

How many *requests* run at once is limited by the application, not here, so idle
connections never count against it.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

__all__ = ["guarded_protocol"]

TIMEOUT_RESPONSE = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"connection: close\r\ncontent-length: 42\r\n\r\n"
    b"the request did not arrive in time; retry\n"
)


class _GuardedH11Protocol(H11Protocol):
    """uvicorn's h11 protocol with a header deadline, a body deadline and a connection cap."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0
    max_open: int = 1024

    _timer: asyncio.TimerHandle | None = None
    _write_timer: asyncio.TimerHandle | None = None
    _idle_since: float = 0.0

    # -------------------------------------------------------------- deadlines

    def _arm(self, delay: float, callback: Any, cycle: Any) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self.loop.call_later(delay, callback, cycle)

    def _busy(self) -> bool:
        """A request is in progress (its head has come; its response is not complete)."""
        return self.cycle is not None and not self.cycle.response_complete

    def _header_expired(self, cycle: Any) -> None:
        self._timer = None
        if self.transport.is_closing() or self.cycle is not cycle or self._busy():
            return
        if self.conn.trailing_data[0]:  # part of a request head came, not the rest
            self.transport.write(TIMEOUT_RESPONSE)
        self.transport.close()

    def _body_expired(self, cycle: Any) -> None:
        self._timer = None
        if self.transport.is_closing() or self.cycle is not cycle:
            return
        if not cycle.more_body or cycle.response_complete:
            return
        if not cycle.response_started:
            self.transport.write(TIMEOUT_RESPONSE)
        cycle.disconnected = True  # the application's next receive() says so
        cycle.message_event.set()
        self.transport.close()

    # -------------------------------------------------------------- protocol events

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._idle_since = self.loop.time()
        self._arm(self.header_timeout, self._header_expired, self.cycle)
        if len(self.connections) > self.max_open:
            self._make_room()

    def handle_events(self) -> None:
        before = self.cycle
        super().handle_events()
        if self.cycle is not before and self._busy():
            self._arm(self.body_timeout, self._body_expired, self.cycle)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self._busy():
            self._idle_since = self.loop.time()
            self._arm(self.header_timeout, self._header_expired, self.cycle)

    def pause_writing(self) -> None:
        super().pause_writing()
        if self._write_timer is None:
            self._write_timer = self.loop.call_later(self.body_timeout, self._write_expired)

    def resume_writing(self) -> None:
        super().resume_writing()
        if self._write_timer is not None:
            self._write_timer.cancel()
            self._write_timer = None

    def _write_expired(self) -> None:
        """The client has not read for ``body_timeout`` seconds: drop what is left to send."""
        self._write_timer = None
        self.transport.abort()  # close() would wait for the buffer to drain: never

    def connection_lost(self, exc: Exception | None) -> None:
        for timer in (self._timer, self._write_timer):
            if timer is not None:
                timer.cancel()
        self._timer = self._write_timer = None
        super().connection_lost(exc)

    def _make_room(self) -> None:
        """Close the connection that has waited longest without a request in progress."""
        idle = [
            other
            for other in self.connections
            if isinstance(other, _GuardedH11Protocol)
            and not other._busy()
            and not other.transport.is_closing()
        ]
        if idle:
            oldest = min(idle, key=lambda other: other._idle_since)
            with contextlib.suppress(Exception):
                oldest.transport.close()


def guarded_protocol(
    header_timeout: float, body_timeout: float, max_open: int
) -> type[H11Protocol]:
    """An h11 protocol class for ``uvicorn.Config(http=...)`` with these limits."""
    return type(
        "GuardedH11Protocol",
        (_GuardedH11Protocol,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout, "max_open": max_open},
    )
