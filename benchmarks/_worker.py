"""One engine at one scale, in a process of its own (so its peak RSS is its own).

Loads the ontology and a corpus file into an engine, then runs every saved query (with its
default parameters) several times, and prints one JSON object per line: ``load``, one
``query`` per saved query, then ``done`` with the peak RSS. The parent (bench.py) reads
the lines as they come, so a killed worker still leaves what it measured.

    python benchmarks/_worker.py ENGINE CORPUS [--budget SECONDS] [--runs N] [--folder DIR]

ENGINE: ``rdflib`` (the project's in-memory rdflib path: ``load_graph`` + ``run_query``),
``oxigraph`` (Oxigraph in memory) or ``oxigraph-disk`` (an Oxigraph folder, loaded, closed
and reopened). Oxigraph goes through ``kzeu_graph.engines`` when the package has it,
else straight to pyoxigraph (the method is part of the output).
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


def with_values(text: str, variable: str, iri: str) -> str:
    """The query with an inline ``VALUES`` row for one parameter (a constant of ours)."""
    where = text.index("WHERE {") + len("WHERE {")
    return f"{text[:where]} VALUES ?{variable} {{ <{iri}> }} {text[where:]}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("engine", choices=["rdflib", "oxigraph", "oxigraph-disk"])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--budget", type=float, default=3.0)
    parser.add_argument("--folder", type=Path)
    args = parser.parse_args()

    from kzeu_graph import resources
    from kzeu_graph.catalog import list_queries
    from kzeu_graph.safety import set_max_bytes

    set_max_bytes(10**12)  # a corpus of 1e6 triples is larger than the default cap
    saved = list_queries()
    try:
        from kzeu_graph import engines  # type: ignore[attr-defined]
    except ImportError:
        engines = None

    runners: dict[str, Callable[[], int]] = {}
    start = time.perf_counter()
    if args.engine == "rdflib":
        from kzeu_graph.loading import load_graph
        from kzeu_graph.queries import run_query

        graph = load_graph([args.corpus])
        load_s, triples, method = time.perf_counter() - start, len(graph), "kzeu_graph API"
        for q in saved:
            runners[q.name] = lambda q=q: len(run_query(graph, q).rows)
    elif engines is not None:
        spec = "oxigraph:memory"
        if args.engine == "oxigraph-disk":
            assert args.folder is not None
            spec = f"oxigraph:{args.folder}"
            if hasattr(engines, "load_store"):
                engines.load_store(spec, data=[args.corpus])
            else:  # the first version of the engine layer: the same steps
                engine = engines.open_store(spec)
                engines.fill(engine, [args.corpus])
                engine.close()
            load_s = time.perf_counter() - start
            reopen = time.perf_counter()
            engine = engines.open_store(spec)
            emit(kind="reopen", seconds=time.perf_counter() - reopen)
        else:
            engine = engines.open_engine(spec, data=[args.corpus])
            load_s = time.perf_counter() - start
        triples, method = engine.triple_count(), "kzeu_graph.engines"
        for q in saved:
            runners[q.name] = lambda q=q: len(engines.run_saved(engine, q).rows)
    else:
        import pyoxigraph as ox

        def fill(store: Any) -> None:
            for path in resources.ontology_files():
                store.bulk_load(path=str(path), format=ox.RdfFormat.TURTLE)
            store.bulk_load(path=str(args.corpus), format=ox.RdfFormat.N_TRIPLES)

        if args.engine == "oxigraph-disk":
            assert args.folder is not None
            store = ox.Store(str(args.folder))
            fill(store)
            store.flush()
            del store
            load_s = time.perf_counter() - start
            reopen = time.perf_counter()
            store = ox.Store(str(args.folder))
            emit(kind="reopen", seconds=time.perf_counter() - reopen)
        else:
            store = ox.Store()
            fill(store)
            load_s = time.perf_counter() - start
        triples, method = len(store), "pyoxigraph (direct)"
        for q in saved:
            text = q.text
            for p in q.parameters:
                if p.default is not None:
                    text = with_values(text, str(p.variable), p.default)
            runners[q.name] = lambda text=text: sum(1 for _ in store.query(text))
    emit(kind="load", seconds=load_s, triples=triples, method=method, rss_mb=peak_rss_mb())
    for name, run in runners.items():
        p50, runs, rows = time_query(run, args.runs, args.budget)
        emit(kind="query", name=name, p50=p50, runs=runs, rows=rows)
    emit(kind="done", rss_mb=peak_rss_mb())


if __name__ == "__main__":
    sys.exit(main())
