"""``kzeu-graph serve`` under abuse, on loopback: do point lookups and entity pages keep going?

Starts the server on a free 127.0.0.1 port and measures two cheap requests (a point lookup,
``/id/european-union.ttl``, and an entity page, ``/id/european-union.html``), each from its
own client process sending requests back to back on one keep-alive connection:

1. alone, for SECONDS;
2. while RUNAWAY clients (each from its own loopback address 127.0.0.x) send a query that
   runs until the time limit, retrying as soon as they are answered (503 included: they
   ignore Retry-After), and IDLE connections send no bytes at all (reopened as soon as the
   server closes one), for SECONDS after a short settling time.

Reports p50/p95/p99/max latency and errors (anything but 200, or no answer) per phase, what
the runaway clients got, and how many silent connections the server closed. Bounded: at
most 60 s per phase, at most 200 runaway clients and 1000 idle connections; loopback only.

    python benchmarks/serve_abuse.py [--seconds 15] [--runaway 50] [--idle 100] [--workers 2]
"""

from __future__ import annotations

import argparse
import collections
import http.client
import json
import multiprocessing
import re
import selectors
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # never anything else
MAX_SECONDS = 60.0
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
CHEAP = {
    "point lookup /id/european-union.ttl": "/id/european-union.ttl",
    "entity page /id/european-union.html": "/id/european-union.html",
}


def measure(args: tuple[int, str, float]) -> tuple[list[float], int, dict[int, int]]:
    """Back-to-back GETs until the deadline: (latencies of 200s in s, errors, statuses)."""
    port, path, deadline = args
    latencies: list[float] = []
    errors = 0
    statuses: collections.Counter[int] = collections.Counter()
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    while time.time() < deadline:
        start = time.perf_counter()
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            response.read()
            statuses[response.status] += 1
            if response.status == 200:
                latencies.append(time.perf_counter() - start)
            else:
                errors += 1
        except (OSError, http.client.HTTPException):
            errors += 1
            statuses[0] += 1
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
    connection.close()
    return latencies, errors, dict(statuses)


def runaway(args: tuple[int, int, float]) -> dict[int, int]:
    """COUNT clients, each from 127.0.0.(2+i), posting the runaway query until the deadline."""
    port, count, deadline = args
    statuses: collections.Counter[int] = collections.Counter()
    lock = threading.Lock()
    body = urlencode({"query": RUNAWAY_QUERY})
    headers = {"Content-Type": "application/x-www-form-urlencoded"}

    def client(index: int) -> None:
        source = (f"127.0.0.{2 + index % 250}", 0)
        while time.time() < deadline:
            connection = http.client.HTTPConnection(
                HOST, port, timeout=max(1.0, deadline - time.time()), source_address=source
            )
            try:
                connection.request("POST", "/sparql", body=body, headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                status = 0
                time.sleep(0.05)
            finally:
                connection.close()
            with lock:
                statuses[status] += 1

    threads = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.time()) + 35)
    return dict(statuses)


def idle(args: tuple[int, int, float]) -> tuple[int, int]:
    """Keep COUNT connections open that send nothing; (opened, closed by the server)."""
    port, count, deadline = args
    selector = selectors.DefaultSelector()
    opened = closed = 0

    def open_one() -> None:
        nonlocal opened
        try:
            sock = socket.create_connection((HOST, port), timeout=5)
        except OSError:
            time.sleep(0.05)
            return
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ)
        opened += 1

    for _ in range(count):
        open_one()
    while time.time() < deadline:
        for key, _ in selector.select(timeout=0.2):
            sock = key.fileobj
            assert isinstance(sock, socket.socket)
            try:
                data = sock.recv(4096)
            except OSError:
                data = b""
            if not data:  # closed by the server: open another
                selector.unregister(sock)
                sock.close()
                closed += 1
        while len(selector.get_map()) < count and time.time() < deadline:
            open_one()
    for key in list(selector.get_map().values()):
        sock = key.fileobj
        assert isinstance(sock, socket.socket)
        sock.close()
    return opened, closed


def start_server(workers: int, extra: list[str]) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kzeu_graph", "serve", "--host", HOST, "--port", "0", "--quiet",
         "--workers", str(workers), *extra],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    line = ""
    for line in process.stderr:
        match = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
        if match:
            threading.Thread(target=process.stderr.read, daemon=True).start()  # keep draining
            return process, int(match.group(1))
        if time.monotonic() > deadline:
            break
    process.kill()
    raise SystemExit(f"the server did not start: {line.strip()}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase")
    parser.add_argument("--runaway", type=int, default=50, help="clients sending runaway queries")
    parser.add_argument("--idle", type=int, default=100, help="connections that send nothing")
    parser.add_argument("--workers", type=int, default=2, help="the server's query workers")
    parser.add_argument(
        "--no-cache", action="store_true", help="serve --cache 0: every page from a worker"
    )
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    seconds = min(max(args.seconds, 1.0), MAX_SECONDS)
    runaway_count = min(max(args.runaway, 0), 200)
    idle_count = min(max(args.idle, 0), 1000)
    process, port = start_server(args.workers, ["--cache", "0"] if args.no_cache else [])
    rows = []
    abuse: dict[str, object] = {}
    try:
        with multiprocessing.get_context("spawn").Pool(len(CHEAP) + 2) as pool:
            for phase in ("alone", "under abuse"):
                attackers = []
                settle = 0.0
                if phase == "under abuse":
                    settle = 3.0  # the runaway queries fill the workers; the idle ones connect
                    end = time.time() + settle + seconds
                    attackers = [
                        pool.apply_async(runaway, ((port, runaway_count, end),)),
                        pool.apply_async(idle, ((port, idle_count, end),)),
                    ]
                start = time.time() + settle
                deadline = start + seconds
                if settle:
                    time.sleep(settle)
                jobs = {
                    name: pool.apply_async(measure, ((port, path, deadline),))
                    for name, path in CHEAP.items()
                }
                for name, job in jobs.items():
                    latencies, errors, statuses = job.get(timeout=seconds + 120)
                    rows.append(
                        {
                            "phase": phase,
                            "target": name,
                            "requests": len(latencies) + errors,
                            "p50_ms": percentile(latencies, 0.50) * 1000,
                            "p95_ms": percentile(latencies, 0.95) * 1000,
                            "p99_ms": percentile(latencies, 0.99) * 1000,
                            "max_ms": max(latencies, default=float("nan")) * 1000,
                            "errors": errors,
                            "statuses": statuses,
                        }
                    )
                if attackers:
                    abuse["runaway statuses"] = attackers[0].get(timeout=seconds + 120)
                    opened, closed = attackers[1].get(timeout=seconds + 120)
                    abuse["idle connections opened"] = opened
                    abuse["idle connections closed by the server"] = closed
    finally:
        process.terminate()
        process.wait(30)
    print(
        f"{args.workers} query worker(s); abuse: {runaway_count} runaway-query clients, "
        f"{idle_count} silent connections; {seconds:g} s per phase; {HOST}"
        + ("; no reply cache" if args.no_cache else "")
    )
    print("| phase | target | requests | p50 ms | p95 ms | p99 ms | max ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['phase']} | {row['target']} | {row['requests']} | {row['p50_ms']:.1f} | "
            f"{row['p95_ms']:.1f} | {row['p99_ms']:.1f} | {row['max_ms']:.1f} | {row['errors']} |"
        )
    for key, value in abuse.items():
        print(f"{key}: {value}")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "abuse": abuse}, indent=2) + "\n")


if __name__ == "__main__":
    main()
