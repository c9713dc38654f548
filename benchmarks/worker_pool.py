"""The server's worker pool against pebble's ProcessPool doing the same jobs.

    python benchmarks/worker_pool.py [--rounds 200] [--kills 5]

Issue 10 asks whether a well-kept library (pebble: a process pool with a per-task timeout
that kills and restarts the worker) can replace ``kzeu_graph.serve.workers.WorkerPool``
while keeping its behaviour. Both pools get two spawned workers that load the shipped graph
through the same ``QueryService`` and answer the same jobs:

- round trip of a saved query (``figures``, JSON results): p50 and p95 over ``--rounds``;
- a runaway query past a 1-second limit: time to the 503, then time until a job is answered
  again (the killed worker reloads the graph);
- what each keeps without extra code: refusing when every worker is busy (``WorkerPool``
  answers 503 after its wait; pebble queues), workers dying with the server (``WorkerPool``
  asks Linux for SIGKILL on the parent's death; pebble's workers are only daemonic).

Prints a Markdown table; nothing asserts.
"""

from __future__ import annotations

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
ACCEPT = "application/sparql-results+json"
_service: Any = None  # one per pebble worker


def _init(config: Any) -> None:
    global _service
    from kzeu_graph.serve.workers import QueryService

    _service = QueryService(config)


def _handle(job: object) -> Any:
    return _service.handle(job)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def ours(rounds: int, kills: int) -> dict[str, float]:
    from kzeu_graph.serve.workers import SavedQueryJob, SparqlJob, WorkerConfig, WorkerPool

    config = WorkerConfig(timeout=1.0)
    start = time.perf_counter()
    pool = WorkerPool(config, size=2)
    pool.start()
    ready = time.perf_counter() - start
    job = SavedQueryJob("figures", (), ACCEPT)
    trips = []
    for _ in range(rounds):
        t = time.perf_counter()
        assert pool.run(job).status == 200
        trips.append(time.perf_counter() - t)
    stops, recoveries = [], []
    for _ in range(kills):
        t = time.perf_counter()
        assert pool.run(SparqlJob(RUNAWAY, ACCEPT)).status == 503
        stops.append(time.perf_counter() - t)
        t = time.perf_counter()
        while pool.alive() < 2:  # both workers answering again
            time.sleep(0.01)
        assert pool.run(job).status == 200
        recoveries.append(time.perf_counter() - t)
    pool.close()
    return {
        "ready": ready,
        "p50": statistics.median(trips),
        "p95": _percentile(trips, 0.95),
        "stop": statistics.median(stops),
        "recover": statistics.median(recoveries),
    }


def theirs(rounds: int, kills: int) -> dict[str, float]:
    import multiprocessing

    from pebble import ProcessPool

    from kzeu_graph.serve.workers import SavedQueryJob, SparqlJob, WorkerConfig

    config = WorkerConfig(timeout=1.0)
    start = time.perf_counter()
    pool = ProcessPool(
        max_workers=2,
        initializer=_init,
        initargs=(config,),
        context=multiprocessing.get_context("spawn"),
    )
    job = SavedQueryJob("figures", (), ACCEPT)
    # pebble starts workers lazily: the first two jobs include the load.
    for future in [pool.schedule(_handle, args=(job,)) for _ in range(2)]:
        assert future.result().status == 200
    ready = time.perf_counter() - start
    trips = []
    for _ in range(rounds):
        t = time.perf_counter()
        assert pool.schedule(_handle, args=(job,), timeout=1.0).result().status == 200
        trips.append(time.perf_counter() - t)
    stops, recoveries = [], []
    for _ in range(kills):
        t = time.perf_counter()
        try:
            pool.schedule(_handle, args=(SparqlJob(RUNAWAY, ACCEPT),), timeout=1.0).result()
            raise AssertionError("the runaway query finished")
        except FutureTimeout:
            stops.append(time.perf_counter() - t)
        t = time.perf_counter()
        futures = [pool.schedule(_handle, args=(job,), timeout=60.0) for _ in range(2)]
        assert all(f.result().status == 200 for f in futures)
        recoveries.append(time.perf_counter() - t)
    pool.close()
    pool.join()
    return {
        "ready": ready,
        "p50": statistics.median(trips),
        "p95": _percentile(trips, 0.95),
        "stop": statistics.median(stops),
        "recover": statistics.median(recoveries),
    }


ORPHAN_CHECK = """
import os, sys, time, multiprocessing
sys.path.insert(0, sys.argv[2])
import worker_pool
if sys.argv[1] == "ours":
    from kzeu_graph.serve.workers import WorkerConfig, WorkerPool
    pool = WorkerPool(WorkerConfig(), size=1)
    pool.start()
else:
    from pebble import ProcessPool
    from kzeu_graph.serve.workers import SavedQueryJob, WorkerConfig
    pool = ProcessPool(max_workers=1, initializer=worker_pool._init, initargs=(WorkerConfig(),),
                       context=multiprocessing.get_context("spawn"))
    pool.schedule(worker_pool._handle, args=(SavedQueryJob("figures", (), None),)).result()
print(" ".join(str(c.pid) for c in multiprocessing.active_children()), flush=True)
time.sleep(60)
"""


def orphans(which: str) -> int:
    """Workers still alive 2 s after their server process was SIGKILLed."""
    here = os.path.dirname(os.path.abspath(__file__))
    child = subprocess.Popen(
        [sys.executable, "-c", ORPHAN_CHECK, which, here], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    pids = [int(p) for p in child.stdout.readline().split()]
    child.send_signal(signal.SIGKILL)
    child.wait()
    time.sleep(2)
    alive = 0
    for pid in pids:
        try:
            os.kill(pid, 0)
            alive += 1
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    return alive


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    a = ours(args.rounds, args.kills)
    b = theirs(args.rounds, args.kills)
    ms = 1000.0
    print("| | WorkerPool (the project's) | pebble ProcessPool | pebble / ours |")
    print("|---|---:|---:|---:|")
    rows = [
        ("both workers loaded", "ready", 1.0, "s"),
        ("saved query round trip, p50", "p50", ms, "ms"),
        ("saved query round trip, p95", "p95", ms, "ms"),
        ("runaway query: 503 after", "stop", 1.0, "s"),
        ("after the kill: both workers answer again", "recover", 1.0, "s"),
    ]
    for label, key, scale, unit in rows:
        print(
            f"| {label} | {a[key] * scale:.2f} {unit} | {b[key] * scale:.2f} {unit} "
            f"| {b[key] / a[key]:.2f}× |"
        )
    print(
        f"| workers alive 2 s after the server is SIGKILLed | {orphans('ours')} | "
        f"{orphans('pebble')} | |"
    )
    print("| every worker busy | 503 + Retry-After after the wait | queued (no refusal) | |")


if __name__ == "__main__":
    main()
