"""Warm cost of the API's run_query against the same query run directly on each engine.

For each engine the same saved query, already bound, runs N times directly (rdflib:
``graph.query(prepared, initBindings=...)``; Oxigraph: ``store.query(bound_text)``), and N
times through ``kzeu_graph.run_query`` (catalog lookup, parameter checks, binding, and
the project's Result with rdflib terms). Both sides materialise every row and value.
Runs alternate in rounds; the table gives medians per call and the ratio (target: at
most 1.2, i.e. the wrapper's own overhead at most 20%). Usage:

    python benchmarks/warm_overhead.py [--rounds 30] [--query figures]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import kzeu_graph as kg
from kzeu_graph.engines import open_engine
from kzeu_graph.engines.binding import bind_values
from kzeu_graph.engines.oxigraph_engine import OxigraphEngine
from kzeu_graph.engines.rdflib_engine import RdflibEngine
from kzeu_graph.query.guard import prepare
from kzeu_graph.sparql.catalog import get_query


def timed(call: Callable[[], Any], repeat: int) -> float:
    start = time.perf_counter()
    for _ in range(repeat):
        call()
    return (time.perf_counter() - start) / repeat


def direct_rdflib(engine: RdflibEngine, name: str, params: dict[str, str]) -> Callable[[], Any]:
    saved = get_query(name)
    prepared = prepare(saved.text)
    bindings = saved.bind(params)

    def run() -> Any:
        result = engine.graph.query(prepared, initBindings=bindings)  # type: ignore[arg-type]
        return [tuple(row) for row in result]  # type: ignore[arg-type]

    return run


def direct_oxigraph(engine: OxigraphEngine, name: str, params: dict[str, str]) -> Callable[[], Any]:
    saved = get_query(name)
    text = bind_values(saved.text, saved.bind_terms(params))

    def run() -> Any:
        return [list(solution) for solution in engine.store.query(text)]  # type: ignore[union-attr]

    return run


def measure(
    spec: str, query: str, params: dict[str, str], rounds: int = 30, repeat: int = 20
) -> tuple[float, float]:
    """(direct, run_query): median seconds per call of the query on the engine ``spec``."""
    engine = open_engine(spec)
    try:
        if isinstance(engine, RdflibEngine):
            direct = direct_rdflib(engine, query, params)
        else:
            assert isinstance(engine, OxigraphEngine)
            direct = direct_oxigraph(engine, query, params)

        def api() -> Any:
            return kg.run_query(engine, query, params).rows

        api()
        direct()  # warm both (prepared-query and term caches)
        ours, theirs = [], []
        for _ in range(rounds):
            theirs.append(timed(direct, repeat))
            ours.append(timed(api, repeat))
        return statistics.median(theirs), statistics.median(ours)
    finally:
        engine.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=20, help="calls per round")
    parser.add_argument("--query", default="figures")
    parser.add_argument("--param", action="append", default=[], metavar="KEY=VALUE")
    args = parser.parse_args()
    params = dict(p.split("=", 1) for p in args.param)
    print(
        f"| engine (`{args.query}`, median of {args.rounds}) | direct ms | run_query ms | ratio |"
    )
    print("|---|---:|---:|---:|")
    verdicts = []
    for spec in ("memory", "oxigraph:memory"):
        a, b = measure(spec, args.query, params, args.rounds, args.repeat)
        print(f"| {spec} | {a * 1e3:.3f} | {b * 1e3:.3f} | {b / a:.2f} |")
        verdicts.append(f"{'meets' if b / a <= 1.2 else 'MISSES'} ≤ 1.2: {spec} {b / a:.2f}×")
    print()
    print("\n".join(verdicts))


if __name__ == "__main__":
    main()
