"""One engine at one scale, in a process of its own (so its peak RSS is its own).

Loads the ontology and a corpus file into an engine, then runs every saved query (with its
default parameters) several times, and prints one JSON object per line: ``load``, one
``query`` per saved query, then ``done`` with the peak RSS. The parent (bench.py) reads
the lines as they come, so a killed worker still leaves what it measured.

    python benchmarks/_worker.py ENGINE CORPUS [--budget SECONDS] [--runs N] [--folder DIR]

ENGINE: ``rdflib`` (store ``memory``), ``oxigraph`` (``oxigraph:memory``) or
``oxigraph-disk`` (``oxigraph:FOLDER``: loaded by ``load_store``, closed, reopened). Every
query goes through the project's API, ``kzeu_graph.run_query(engine, name)``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def emit(**record: Any) -> None:
    print(json.dumps(record), flush=True)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def time_query(run: Callable[[], int], runs: int, budget: float) -> tuple[float, int, int]:
    """(p50 seconds, runs done, rows): up to ``runs`` runs, fewer if over ``budget`` seconds."""
    times: list[float] = []
    rows = 0
    spent = 0.0
    while len(times) < runs and (not times or spent < budget):
        start = time.perf_counter()
        rows = run()
        elapsed = time.perf_counter() - start
        times.append(elapsed)
        spent += elapsed
    return statistics.median(times), len(times), rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=["rdflib", "oxigraph", "oxigraph-disk"])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget", type=float, default=3.0)
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()

    from kzeu_graph.loading.checks import set_max_bytes
    from kzeu_graph.sparql.catalog import list_queries

    set_max_bytes(10**12)  # a corpus of 1e6 triples is larger than the default cap
    saved = list_queries()
    import kzeu_graph as kg
    from kzeu_graph import engines

    spec = {"rdflib": "memory", "oxigraph": "oxigraph:memory"}.get(args.engine)
    start = time.perf_counter()
    if spec is None:  # an Oxigraph folder: load it, close it, time its reopening
        assert args.folder is not None
        spec = f"oxigraph:{args.folder}"
        engines.load_store(spec, data=[args.corpus])
        load_s = time.perf_counter() - start
        reopen = time.perf_counter()
        engine = engines.open_store(spec)
        emit(kind="reopen", seconds=time.perf_counter() - reopen)
    else:
        engine = engines.open_engine(spec, data=[args.corpus])
        load_s = time.perf_counter() - start
    triples, method = engine.triple_count(), "kzeu_graph.run_query(engine, name)"
    runners: dict[str, Callable[[], int]] = {
        q.name: (lambda q=q: len(kg.run_query(engine, q).rows)) for q in saved
    }
    emit(kind="load", seconds=load_s, triples=triples, method=method, rss_mb=peak_rss_mb())
    for name, run in runners.items():
        p50, runs, rows = time_query(run, args.runs, args.budget)
        emit(kind="query", name=name, p50=p50, runs=runs, rows=rows)
    emit(kind="done", rss_mb=peak_rss_mb())


if __name__ == "__main__":
    sys.exit(main())
