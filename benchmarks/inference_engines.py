"""RDFS and OWL-RL closures of generated corpora, each engine beside owlrl, same closure?

    python benchmarks/inference_engines.py [--articles 18 216] [--runs 3] [--out FILE.md]

For each corpus (``kzeu-graph generate -n N``: 18 → ~1e4 triples, 216 → ~1e5) and each
closure, every engine runs in a process of its own per run (so one engine's imports cannot
touch another's), ``--runs`` rounds with the engines interleaved (median; once where a run
takes over 10 s), and writes the closure it found; the table gives seconds, the speed-up
over owlrl and whether the closure is the very same set of triples as owlrl's (after the
project's literal filter, which drops triples with a literal subject and literal copies
that no sub-property entails).

Engines: ``owlrl`` (the reference: owlrl in process, then the filter, as the project ran it
before), ``kzeu-rdfs`` (the project's own RDFS engine) and ``project`` (all of
``apply_inference`` now: kzeu-rdfs for RDFS, owlrl in a killable child for OWL-RL, and the
triples added to the graph),
and ``owlrl-turbo`` when it is importable. Only the closure is timed (not the load).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SLOW = 10.0  # seconds: one run is enough past this


def _reference(graph: Any, inference: str) -> list[Any]:
    from owlrl import DeductiveClosure, OWLRL_Semantics, RDFS_Semantics
    from rdflib import RDFS

    from kzeu_graph.loading.inference import keep_only_entailed

    asserted = set(graph)
    semantics = RDFS_Semantics if inference == "rdfs" else OWLRL_Semantics
    DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    added = [t for t in graph if t not in asserted]
    return keep_only_entailed(asserted, added, lambda q, p: (q, RDFS.subPropertyOf, p) in graph)


def _turbo(graph: Any, inference: str) -> list[Any]:
    import owlrl_turbo
    from rdflib import RDFS

    from kzeu_graph.loading.inference import keep_only_entailed

    asserted = set(graph)
    closure = set(owlrl_turbo.expand(graph, inference=inference))
    added = [t for t in closure if t not in asserted]
    return keep_only_entailed(asserted, added, lambda q, p: (q, RDFS.subPropertyOf, p) in closure)


def one(engine: str, inference: str, corpus: Path, runs: int, out: Path) -> None:
    """Time one engine (in this process) and write its closure as sorted N-Triples lines."""
    from kzeu_graph.loading.checks import set_max_bytes
    from kzeu_graph.loading.graph import apply_inference, load_graph
    from kzeu_graph.loading.inference import closure

    set_max_bytes(2**31)
    base = load_graph([corpus])
    triples = len(base)
    times: list[float] = []
    added: list[Any] = []
    while len(times) < runs and (not times or times[-1] < SLOW):
        graph = load_graph([corpus]) if times else base
        before = set(graph)
        start = time.perf_counter()
        if engine == "owlrl":
            added = _reference(graph, inference)
        elif engine == "kzeu-rdfs":  # the engine and the filter, nothing added to the graph
            added = closure(graph, inference, 0)[0]
        elif engine == "owlrl-turbo":
            added = _turbo(graph, inference)
        else:  # the whole of apply_inference: the triples end up in the graph
            apply_inference(graph, inference, timeout=0)  # type: ignore[arg-type]
        times.append(time.perf_counter() - start)
        if engine == "project":
            added = [t for t in graph if t not in before]
    lines = sorted(f"{s.n3()} {p.n3()} {o.n3()} ." for s, p, o in added)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {
                "seconds": statistics.median(times),
                "runs": len(times),
                "added": len(lines),
                "triples": triples,
            }
        )
    )


HEADER = (
    "| closure | triples | engine | seconds (median, runs) | vs owlrl | same closure |\n"
    "|---|---|---|---|---|---|"
)


def compare(
    corpora: Sequence[Path],
    runs: int,
    engines: Sequence[str] | None = None,
    closures: Sequence[tuple[str, int]] | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """Rows of the table and one record per (closure, corpus, engine).

    ``closures`` limits which (closure, corpus index) pairs run (default: both closures on
    every corpus); ``engines`` which engines run beside owlrl (default: every one available).
    """
    try:
        import owlrl_turbo  # noqa: F401

        turbo = ["owlrl-turbo"]
    except ImportError:
        turbo = []
    rows: list[str] = []
    records: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        for index, corpus in enumerate(corpora):
            for inference in ("rdfs", "owlrl"):
                if closures is not None and (inference, index) not in closures:
                    continue
                candidates = ["owlrl", "project"] + (["kzeu-rdfs"] if inference == "rdfs" else [])
                chosen = [
                    e for e in candidates + turbo if not engines or e == "owlrl" or e in engines
                ]
                # Rounds interleave the engines (one process per run), so that machine noise
                # hits the baseline and the others alike; past SLOW seconds one run is enough.
                times: dict[str, list[float]] = {e: [] for e in chosen}
                got: dict[str, dict[str, Any]] = {}
                for _ in range(runs):
                    for engine in chosen:
                        if times[engine] and times[engine][-1] > SLOW:
                            continue
                        out = Path(tmp) / f"{index}-{inference}-{engine}.nt"
                        argv = [sys.executable, __file__, "--runs", "1", "--one"]
                        argv += [engine, inference, str(corpus), str(out)]
                        done = subprocess.run(argv, capture_output=True, text=True, check=True)
                        got[engine] = json.loads(done.stdout.splitlines()[-1])
                        times[engine].append(got[engine]["seconds"])
                texts = {
                    e: (Path(tmp) / f"{index}-{inference}-{e}.nt").read_text(encoding="utf-8")
                    for e in chosen
                }
                base = statistics.median(times["owlrl"])
                for engine in chosen:
                    seconds = statistics.median(times[engine])
                    same = texts[engine] == texts["owlrl"]
                    ratio = base / seconds
                    record = got[engine] | {"seconds": seconds, "runs": len(times[engine])}
                    row = (
                        f"| {inference} | {record['triples']:,} | {engine} | {seconds:.2f} s"
                        f" ({record['runs']}) | {ratio:.1f}× | {'yes' if same else '**NO**'} "
                        f"(+{record['added']:,}) |"
                    )
                    rows.append(row)
                    print(row, file=sys.stderr, flush=True)
                    records.append(
                        {"closure": inference, "engine": engine, "ratio": ratio, "same": same}
                        | record
                    )
    return rows, records


def chain_seconds(links: int = 300) -> tuple[float, int]:
    """``kzeu-graph query --inference rdfs`` on a ``links``-long rdfs:subClassOf chain (one
    process, wall seconds, exit code): the closure is quadratic in the chain's length."""
    lines = ["@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> ."]
    lines += [f"<urn:c{i}> rdfs:subClassOf <urn:c{i + 1}> ." for i in range(links)]
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "chain.ttl"
        data.write_text("\n".join(lines) + "\n", encoding="utf-8")
        cli = str(Path(sys.executable).parent / "kzeu-graph")
        argv = [cli, "sparql", "--store", "memory", "--inference", "rdfs", "--data", str(data), "-"]
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?a rdfs:subClassOf ?b }"
        start = time.perf_counter()
        done = subprocess.run(argv, input=query, capture_output=True, text=True)
        return time.perf_counter() - start, done.returncode


def generate(articles: int, folder: Path) -> Path:
    """A corpus of ``articles`` generated articles in ``folder``; its N-Triples file."""
    from kzeu_graph.synth.generator import generate_corpus

    corpus = folder / "corpus.nt"
    if not corpus.exists():
        generate_corpus(articles, folder)
    return corpus


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, nargs="+", default=[18, 216])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, help="also write the table here (Markdown)")
    parser.add_argument(
        "--engines", nargs="+", help="only these beside owlrl (default: every one available)"
    )
    parser.add_argument("--one", nargs=4, metavar=("ENGINE", "INFERENCE", "CORPUS", "OUT"))
    args = parser.parse_args()
    if args.one:
        engine, inference, corpus, out = args.one
        one(engine, inference, Path(corpus), args.runs, Path(out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        corpora = [generate(n, Path(tmp) / f"corpus-{n}") for n in args.articles]
        rows, _ = compare(corpora, args.runs, args.engines)
    seconds, code = chain_seconds()
    table = HEADER + "\n" + "\n".join(rows) + "\n"
    table += (
        f"\n300-link rdfs:subClassOf chain, `--inference rdfs`: {seconds:.2f} s (exit {code})\n"
    )
    print(table)
    if args.out:
        args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
