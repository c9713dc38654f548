"""``kzeu-graph serve --store oxigraph:DIR`` beside the ``oxigraph serve-read-only`` binary.

Generates a corpus (``kzeu-graph generate``), loads it into an Oxigraph folder
(``kzeu-graph load``), then measures, on loopback, for each server in turn on the same
folder:

(a) start: seconds from starting the process to the first successful point lookup;
(b) 8 concurrent clients (one kept-alive connection each, back to back) for a fixed time:
    requests/s, p50 and p95 latency of
    - a point lookup: ``/id/<entity>.ttl`` (kzeu-graph), ``DESCRIBE <entity>`` as Turtle
      (the binary);
    - a saved query with a small answer, ``/api/epca``, and the saved point lookup
      ``/api/entity?entity=<entity>`` (kzeu-graph); the same query text, with the same
      VALUES row the engine runs, POSTed to ``/query`` (the binary).

Every request names another entity (visits and figures of the corpus, in a fixed shuffled
order, each client its own slice). kzeu-graph runs twice: with ``--cache 0`` (every
answer computed, as by the binary, which has no cache) and with its default reply cache
after one untimed pass over WARM entities (what repeated lookups get). kzeu-graph gets as
many query and page workers as the machine has CPUs (point lookups and saved queries run
in the page lane).

    python benchmarks/serve_store.py [--articles 2261] [--seconds 10] [--clients 8]
                                     [--work DIR] [--json FILE]

``--articles 2261`` is the 1e6-triple corpus (1,000,042 triples); 216 gives 1e5, 18 1e4.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from serve_load import timed_request  # benchmarks/ is the script's folder

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"  # never anything else
MAX_SECONDS = 60.0
WARM = 500  # entities the cached run asks for (each once before measuring)
ENTITY_QUERY = (
    "SELECT ?s WHERE { { ?s a kzeu:Visit } UNION { ?s a kzeu:Figure } } ORDER BY ?s LIMIT 5000"
)


def cli() -> list[str]:
    return [sys.executable, "-m", "kzeu_graph"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def prepare(work: Path, articles: int) -> tuple[Path, int]:
    """The corpus and its Oxigraph folder (made once per work folder and size)."""
    corpus = work / f"corpus-{articles}"
    store = work / f"store-{articles}"
    marker = store / ".kzeu-loaded"
    if not marker.is_file():
        shutil.rmtree(store, ignore_errors=True)
        if not (corpus / "corpus.nt").is_file():
            subprocess.run([*cli(), "generate", "-n", str(articles), "-o", str(corpus)], check=True)
        started = time.monotonic()
        subprocess.run(
            [
                *cli(),
                "--max-bytes",
                "4G",
                "load",
                "--store",
                f"oxigraph:{store}",
                "--data",
                str(corpus / "corpus.nt"),
            ],
            check=True,
        )
        marker.write_text(f"{time.monotonic() - started:.1f} s to load\n")
    import pyoxigraph as ox

    count = ox.Store.read_only(str(store)).query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert isinstance(count, ox.QuerySolutions)
    triples = int(next(iter(count))[0].value)
    return store, triples


def entities(store: Path) -> list[str]:
    import pyoxigraph as ox

    from kzeu_graph.rdf.prefixes import PREFIX_IRIS

    rows = ox.Store.read_only(str(store)).query(ENTITY_QUERY, prefixes=PREFIX_IRIS)
    assert isinstance(rows, ox.QuerySolutions)
    found = [row[0].value for row in rows]
    random.Random(0).shuffle(found)  # noqa: S311 - a fixed order, not a secret
    return found


def saved_text(name: str, params: dict[str, str]) -> str:
    """The text the engine runs for ``/api/NAME?params``: the project's prefixes, then the
    saved query with its VALUES row."""
    from kzeu_graph.engines.binding import bind_values
    from kzeu_graph.query.guard import guard
    from kzeu_graph.query.text import check_query_text
    from kzeu_graph.rdf.prefixes import PREFIX_IRIS
    from kzeu_graph.sparql.catalog import get_query

    saved = get_query(name)
    text = check_query_text(guard(saved.text).text)
    prologue = "".join(f"PREFIX {prefix}: <{ns}>\n" for prefix, ns in PREFIX_IRIS.items())
    return prologue + bind_values(text, saved.bind_terms(params))


KINDS = {
    "point": "point lookup (`/id/E.ttl`; binary: `DESCRIBE <E>`)",
    "epca": "saved query `/api/epca` (binary: the same text)",
    "entity": "saved query `/api/entity?entity=E` (binary: the same bound text)",
}


def requests_for(kind: str, server: str, iri: str) -> tuple[str, str, str | None, dict[str, str]]:
    """(method, path, body, headers) of one request."""
    results = {"Accept": "application/sparql-results+json"}
    if server.startswith("kzeu-graph"):
        local = iri.removeprefix("https://w3id.org/kzeu/")
        if kind == "point":
            return "GET", f"/{quote(local)}.ttl", None, {}
        if kind == "epca":
            return "GET", "/api/epca", None, results
        return "GET", "/api/entity?" + urlencode({"entity": iri}), None, results
    if kind == "point":
        query = urlencode({"query": f"DESCRIBE <{iri}>"})
        return "GET", f"/query?{query}", None, {"Accept": "text/turtle"}
    text = saved_text("epca", {}) if kind == "epca" else saved_text("entity", {"entity": iri})
    form = {**results, "Content-Type": "application/x-www-form-urlencoded"}
    return "POST", "/query", urlencode({"query": text}), form


def client(args: tuple[int, list[Any], float]) -> tuple[list[float], int]:
    """One client: its requests back to back until the deadline; (latencies in s, errors)."""
    port, requests, deadline = args
    latencies: list[float] = []
    errors = 0
    connection = http.client.HTTPConnection(HOST, port, timeout=30)
    index = 0
    while time.monotonic() < deadline:
        method, path, body, headers = requests[index % len(requests)]
        index += 1
        connection, seconds = timed_request(connection, port, method, path, body, headers)
        if seconds is None:
            errors += 1
        else:
            latencies.append(seconds)
    connection.close()
    return latencies, errors


def wait_first(port: int, request: tuple[str, str, str | None, dict[str, str]]) -> None:
    method, path, body, headers = request
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=30)
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"no successful answer on port {port} within 300 s")


def start(server: str, store: Path, port: int) -> subprocess.Popen[bytes]:
    if server.startswith("kzeu-graph"):
        workers = str(len(os.sched_getaffinity(0)))
        cache = "64" if server.endswith("(cache)") else "0"
        command = [
            *cli(), "serve", "--store", f"oxigraph:{store}", "--host", HOST, "--port", str(port),
            "--quiet", "--cache", cache, "--workers", workers, "--page-workers", workers,
        ]  # fmt: skip
    else:
        binary = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
        command = [binary, "serve-read-only", "--location", str(store), "--bind", f"{HOST}:{port}"]
    return subprocess.Popen(
        command, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip


def percentile(values: list[float], share: float) -> float | None:
    """The value below which ``share`` of ``values`` lie (None: no values)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else None


def ms(seconds: float | None) -> float | None:
    return None if seconds is None else seconds * 1000


def shown(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def measure(
    server: str, store: Path, iris: list[str], clients: int, seconds: float
) -> dict[str, Any]:
    """One server's figures. ``kzeu-graph (cache)``: the default reply cache, warmed by one
    untimed pass over the entities first (point lookups and epca only)."""
    port = free_port()
    started = time.monotonic()
    process = start(server, store, port)
    out: dict[str, Any] = {"server": server}
    cached = server.endswith("(cache)")
    kinds = [k for k in KINDS if not (cached and k == "entity")]
    try:
        wait_first(port, requests_for("point", server, iris[0]))
        out["start_s"] = time.monotonic() - started
        if cached:
            iris = iris[:WARM]
            for kind in kinds:
                for iri in iris:
                    wait_first(port, requests_for(kind, server, iri))
        slices = [iris[i::clients] for i in range(clients)]
        with multiprocessing.get_context("spawn").Pool(clients) as pool:
            for kind in kinds:
                jobs = [
                    (port, [requests_for(kind, server, iri) for iri in part], 0.0)
                    for part in slices
                ]
                begun = time.monotonic()
                deadline = begun + seconds
                results = pool.map(client, [(p, r, deadline) for p, r, _ in jobs])
                elapsed = time.monotonic() - begun
                done = [t for times, _ in results for t in times]
                out[kind] = {
                    "requests": len(done),
                    "per_second": len(done) / elapsed,
                    "p50_ms": ms(percentile(done, 0.50)),
                    "p95_ms": ms(percentile(done, 0.95)),
                    "errors": sum(failed for _, failed in results),
                }
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=2261, help="2261: 1e6 triples")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0, help="per target and server")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kzeu-serve-store-bench"))  # noqa: S108
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    seconds = min(max(args.seconds, 0.5), MAX_SECONDS)
    clients = min(max(args.clients, 1), 64)
    args.work.mkdir(parents=True, exist_ok=True)
    store, triples = prepare(args.work, args.articles)
    iris = entities(store)
    servers = ("kzeu-graph", "kzeu-graph (cache)", "oxigraph")
    runs = [measure(server, store, iris, clients, seconds) for server in servers]
    mine, warm, theirs = runs
    load = (store / ".kzeu-loaded").read_text().strip()
    print(
        f"{triples} triples in an Oxigraph folder ({load}); {clients} clients, {seconds:g} s "
        f"per target; {len(iris)} entities, each request another one; loopback"
    )
    print(f"start to first answer: kzeu-graph {mine['start_s']:.2f} s, "
          f"oxigraph {theirs['start_s']:.2f} s; kzeu-graph (cache): {WARM} entities, "
          "each asked for once before measuring")  # fmt: skip
    print("| request | server | requests | req/s | p50 ms | p95 ms | errors | × oxigraph req/s |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for kind, name in KINDS.items():
        for run in runs:
            row = run.get(kind)
            if row is None:
                continue
            base = theirs[kind]["per_second"]
            ratio = f"{row['per_second'] / base:.2f}" if base else "–"
            print(
                f"| {name} | {run['server']} | {row['requests']} | "
                f"{row['per_second']:.1f} | {shown(row['p50_ms'])} | {shown(row['p95_ms'])} | "
                f"{row['errors']} | {ratio} |"
            )
    targets = [("start < 5 s", mine["start_s"] < 5, f"{mine['start_s']:.2f} s")]
    for run in (mine, warm):
        for kind in KINDS:
            if kind not in run:
                continue
            p95 = run[kind]["p95_ms"]
            label = f"{run['server']}: {kind}"
            ok = p95 is not None and p95 < 50
            targets.append((f"{label} p95 < 50 ms", ok, f"{shown(p95)} ms"))
            if not theirs[kind]["per_second"]:
                continue  # the binary answered nothing in time: no ratio
            ratio = theirs[kind]["per_second"] / max(run[kind]["per_second"], 1e-9)
            targets.append((f"{label} req/s within 2× of oxigraph", ratio <= 2, f"{ratio:.2f}×"))
    for name, ok, figure in targets:
        print(f"{'meets' if ok else 'MISSES'} the target ({name}): {figure}")
    if args.json:
        args.json.write_text(json.dumps({"triples": triples, "runs": runs}, indent=2) + "\n")


if __name__ == "__main__":
    main()
