"""The server's lanes and reply cache, in-process: who is admitted, who waits, who gets 503.

A job here is a name; ``run`` blocks until the test releases that name, as a worker busy
with a runaway query would.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable, Callable

from kzeu_graph.serve.app import Lane, Load, ReplyCache
from kzeu_graph.serve.workers import Reply

SHARE = (
    "too many queries from this client at once: 1 running or waiting (the limit); "
    "retry when one has finished"
)
BUSY = "the server is busy: every query worker is in use"


class Jobs:
    """A ``run`` for a Lane: each job blocks until released; the calls are recorded."""

    def __init__(self) -> None:
        self.gates: dict[str, threading.Event] = {}
        self.calls: list[str] = []
        self.lock = threading.Lock()

    def gate(self, name: str) -> threading.Event:
        with self.lock:
            return self.gates.setdefault(name, threading.Event())

    def run(self, job: object) -> Reply:
        name = str(job)
        with self.lock:
            self.calls.append(name)
        self.gate(name).wait(10)
        return Reply(status=200, body=name.encode())

    def release(self, name: str) -> None:
        self.gate(name).set()


def timed(coroutine: Awaitable[Reply]) -> Callable[[], Awaitable[tuple[Reply, float]]]:
    async def run() -> tuple[Reply, float]:
        started = time.monotonic()
        reply = await coroutine
        return reply, time.monotonic() - started

    return run


def outcome(reply: Reply) -> tuple[int, str | None, str | None]:
    return reply.status, reply.error, reply.headers.get("Retry-After")


def test_a_client_past_its_share_waits_then_gets_503_and_others_get_in() -> None:
    jobs = Jobs()

    async def scenario() -> None:
        lane = Lane(jobs.run, workers=2, waiting=2, per_client=1, patience=0.3)
        first = asyncio.create_task(lane("a1", "10.0.0.1"))
        await asyncio.sleep(0.1)
        second, waited = await timed(lane("a2", "10.0.0.1"))()
        assert outcome(second) == (503, SHARE, "1")
        assert 0.25 <= waited < 2  # held for the patience, then refused
        other = asyncio.create_task(lane("b1", "10.0.0.2"))
        await asyncio.sleep(0.1)
        assert jobs.calls == ["a1", "b1"]  # a2 never reached a worker
        jobs.release("a1")
        jobs.release("b1")
        assert (await first).body == b"a1"
        assert (await other).body == b"b1"
        assert lane.held == {}
        assert lane.active == 0

    asyncio.run(scenario())


def test_a_waiting_job_gets_the_room_a_finished_one_leaves() -> None:
    jobs = Jobs()
    load = Load(limit=100, active=2)  # the two requests below are in progress

    async def scenario() -> None:
        lane = Lane(jobs.run, workers=1, waiting=0, load=load, patience=5)
        first = asyncio.create_task(lane("a1", "10.0.0.1"))
        await asyncio.sleep(0.1)
        second = asyncio.create_task(lane("b1", "10.0.0.2"))
        await asyncio.sleep(0.1)
        assert (lane.patient, load.active) == (1, 1)  # waiting in the lane: not counted
        jobs.release("a1")
        jobs.release("b1")
        assert (await first).status == 200
        assert (await second).status == 200  # served, well before its 5 s patience ran out
        assert (lane.patient, load.active) == (0, 2)

    asyncio.run(scenario())


def test_when_enough_jobs_wait_the_next_is_refused_at_once() -> None:
    jobs = Jobs()

    async def scenario() -> None:
        lane = Lane(jobs.run, workers=1, waiting=0, patience=5, max_patient=1)
        first = asyncio.create_task(lane("a1", "10.0.0.1"))
        await asyncio.sleep(0.1)
        patient = asyncio.create_task(lane("b1", "10.0.0.2"))
        await asyncio.sleep(0.1)
        refused, waited = await timed(lane("c1", "10.0.0.3"))()
        assert outcome(refused) == (503, BUSY, "1")
        assert waited < 0.5
        jobs.release("a1")
        jobs.release("b1")
        assert [(await first).status, (await patient).status] == [200, 200]

    asyncio.run(scenario())


def test_a_cached_reply_is_answered_without_a_worker() -> None:
    jobs = Jobs()
    for name in ("page", "other"):
        jobs.release(name)

    async def scenario() -> None:
        lane = Lane(jobs.run, workers=1, waiting=0, cache=ReplyCache(1024))
        assert (await lane("page", "10.0.0.1")).body == b"page"
        assert (await lane("page", "10.0.0.2")).body == b"page"
        assert (await lane("other", "10.0.0.1")).body == b"other"
        assert jobs.calls == ["page", "other"]

    asyncio.run(scenario())


def test_the_cache_keeps_successes_within_its_size_least_recently_used_out() -> None:
    cache = ReplyCache(limit=80)  # a body may be up to 80 // 8 = 10 bytes
    ok = {name: Reply(status=200, body=name.encode() * 10) for name in "abcdefghi"}
    cache.put("error", Reply(status=503, error="busy"))
    cache.put("big", Reply(status=200, body=b"x" * 11))  # over a eighth of the cache
    for name in "abcdefgh":  # 80 bytes: full
        cache.put(name, ok[name])
    assert cache.get("error") is None
    assert cache.get("big") is None
    assert cache.get("a") is ok["a"]  # now the most recently used
    cache.put("i", ok["i"])  # 90 bytes: "b", the least recently used, goes
    assert [name for name in "abcdefghi" if cache.get(name) is None] == ["b"]
    assert cache.size == 80
