"""Which store should `query` and `sparql` share by default? Cold start and per-query time.

Cold: each command as a fresh process, interleaved round by round, median of ``--runs``.
Warm: in one process, the store opened and loaded once, every saved query run five times
(median each), summed. docs/stores.md ("One default store") quotes the output. Usage:

    python benchmarks/default_store.py [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from cold_start import interleaved_medians  # benchmarks/ is the script's folder

STORES = ("oxigraph:memory", "memory")
AD_HOC = (
    "SELECT ?figure ?value WHERE { ?figure a kzeu:Figure ; schema:value ?value } ORDER BY ?figure\n"
)


def cold(runs: int) -> dict[str, float]:
    cli = shutil.which("kzeu-graph") or str(Path(sys.executable).parent / "kzeu-graph")
    query_file = Path(tempfile.mkdtemp()) / "q.rq"
    query_file.write_text(AD_HOC)
    commands: dict[str, list[str]] = {}
    for store in STORES:
        commands[f"query figures --format csv --store {store}"] = [
            *(cli, "query", "figures", "--format", "csv", "--store", store)
        ]
        commands[f"sparql q.rq --format csv --store {store}"] = [
            *(cli, "sparql", str(query_file), "--format", "csv", "--store", store)
        ]
    commands['python -c "import rdflib"'] = [sys.executable, "-c", "import rdflib"]
    return interleaved_medians(commands, runs)


def warm() -> dict[str, tuple[float, float, str, float]]:
    """Per store: (open + load, all saved queries, slowest query's name and time)."""
    from kzeu_graph.engines import open_engine
    from kzeu_graph.sparql.catalog import list_queries

    found = {}
    for store in STORES:
        start = time.perf_counter()
        engine = open_engine(store)
        load = time.perf_counter() - start
        each: dict[str, float] = {}
        for saved in list_queries():
            bindings = saved.bind_terms({})
            engine.query(saved.text, bindings, checked=True)  # prepared once, as a session would
            samples = []
            for _ in range(5):
                start = time.perf_counter()
                engine.query(saved.text, bindings, checked=True)
                samples.append(time.perf_counter() - start)
            each[saved.name] = statistics.median(samples)
        slowest = max(each, key=lambda name: each[name])
        found[store] = (load, sum(each.values()), slowest, each[slowest])
        engine.close()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    print(f"| cold command (median of {args.runs}) | seconds |\n|---|---:|")
    for name, seconds in cold(args.runs).items():
        print(f"| `kzeu-graph {name}` | {seconds:.3f} |".replace("`kzeu-graph python", "`python"))
    print("\n| store | open + load (s) | all saved queries, warm (s) | slowest query (s) |")
    print("|---|---:|---:|---|")
    for store, (load, total, slowest, seconds) in warm().items():
        print(f"| {store} | {load:.3f} | {total:.3f} | {slowest} {seconds:.3f} |")


if __name__ == "__main__":
    main()
