"""Load test of ``kzeu-graph serve`` on loopback: requests/s, p50/p99 latency and errors.

Starts the server on a free 127.0.0.1 port, then, for each target, runs CLIENTS concurrent
client processes (one keep-alive connection each) for a fixed time, and stops the server.
A static file served by the same server is the baseline: the ratio column says how
much of the static throughput each kind of request keeps. Targets are interleaved over
ROUNDS rounds so that machine noise hits them alike. Bounded: at most 60 s per target
and round, at most MAX_REQUESTS per client and target; loopback only.

    python benchmarks/serve_load.py [--clients 8] [--seconds 10] [--rounds 2] [--workers 2]
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # never anything else
MAX_SECONDS = 60.0
MAX_REQUESTS = 200_000
QUERY = "SELECT ?label WHERE { kzr:european-union rdfs:label ?label }"

# name -> (method, path, body, headers)
TARGETS: dict[str, tuple[str, str, str | None, dict[str, str]]] = {
    "static file /static/style.css (baseline)": ("GET", "/static/style.css", None, {}),
    "saved query /api/figures (JSON)": (
        "GET",
        "/api/figures",
        None,
        {"Accept": "application/sparql-results+json"},
    ),
    "entity page /id/european-union.html": ("GET", "/id/european-union.html", None, {}),
    "entity data /id/european-union.ttl": ("GET", "/id/european-union.ttl", None, {}),
    "ad-hoc query POST /sparql (JSON)": (
        "POST",
        "/sparql",
        urlencode({"query": QUERY}),
        {"Content-Type": "application/x-www-form-urlencoded"},
    ),
}


def client(
    args: tuple[int, str, str, str | None, dict[str, str], float],
) -> tuple[list[float], int]:
    """One client: requests back to back until the deadline; (latencies in s, errors)."""
    port, method, path, body, headers, deadline = args
    latencies: list[float] = []
    errors = 0
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    while time.monotonic() < deadline and len(latencies) + errors < MAX_REQUESTS:
        connection, seconds = timed_request(connection, port, method, path, body, headers)
        if seconds is None:
            errors += 1
        else:
            latencies.append(seconds)
    connection.close()
    return latencies, errors


def timed_request(
    connection: http.client.HTTPConnection,
    port: int,
    method: str,
    path: str,
    body: str | None,
    headers: dict[str, str],
) -> tuple[http.client.HTTPConnection, float | None]:
    """One request on a kept-alive connection: (the connection to use next, seconds to a
    200 reply, or None for any other status or a broken connection, which is reopened)."""
    start = time.perf_counter()
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException):
        connection.close()
        return http.client.HTTPConnection(HOST, port, timeout=30), None
    return connection, (time.perf_counter() - start if response.status == 200 else None)


def start_server(workers: int) -> tuple[subprocess.Popen[str], int]:
    process = subprocess.Popen(
        [sys.executable, "-m", "kzeu_graph", "serve", "--host", HOST, "--port", "0", "--quiet",
         "--workers", str(workers)],
        cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    for line in process.stderr:
        match = re.search(r"serving http://127\.0\.0\.1:(\d+)/", line)
        if match:
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
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="per target and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="the server's query workers")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    seconds = min(max(args.seconds, 0.5), MAX_SECONDS)
    clients = min(max(args.clients, 1), 64)
    process, port = start_server(args.workers)
    latencies: dict[str, list[float]] = {name: [] for name in TARGETS}
    errors = dict.fromkeys(TARGETS, 0)
    elapsed = dict.fromkeys(TARGETS, 0.0)
    try:
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            for _ in range(max(1, args.rounds)):
                for name, (method, path, body, headers) in TARGETS.items():
                    started = time.monotonic()
                    deadline = started + seconds
                    jobs = [(port, method, path, body, headers, deadline)] * clients
                    for times, failed in pool.map(client, jobs):
                        latencies[name].extend(times)
                        errors[name] += failed
                    elapsed[name] += time.monotonic() - started
    finally:
        process.terminate()
        process.wait(20)
    rows = []
    for name in TARGETS:
        done = latencies[name]
        rows.append(
            {
                "target": name,
                "requests": len(done),
                "per_second": len(done) / elapsed[name],
                "p50_ms": percentile(done, 0.50) * 1000,
                "p99_ms": percentile(done, 0.99) * 1000,
                "errors": errors[name],
            }
        )
    base = rows[0]["per_second"]
    print(
        f"{clients} clients, {seconds:g} s per target x {args.rounds} round(s), "
        f"{args.workers} query worker(s), {HOST}"
    )
    print("| target | requests | req/s | p50 ms | p99 ms | errors | × static req/s |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(
            f"| {row['target']} | {row['requests']} | {row['per_second']:.0f} | "
            f"{row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['errors']} | "
            f"{row['per_second'] / base:.2f} |"
        )
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2) + "\n")


if __name__ == "__main__":
    main()
