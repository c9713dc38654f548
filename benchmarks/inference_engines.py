"""RDFS and OWL-RL closures of generated corpora, each engine beside owlrl, same closure?

    python benchmarks/inference_engines.py [--articles 18 216] [--runs 3] [--out FILE.md]

For each corpus (``kzeu-graph generate -n N``: 18 → ~1e4 triples, 216 → ~1e5) and each
closure, every engine runs in a process of its own (so one engine's imports cannot touch
another's), ``--runs`` times (median; once where a run takes over 30 s), and writes the
closure it found; the table gives seconds, the speed-up over owlrl and whether the closure
is the very same set of triples as owlrl's (after the project's literal filter, which drops
triples with a literal subject and literal copies that no sub-property entails).

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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SLOW = 30.0  # seconds: one run is enough past this


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
    from kzeu_graph.loading.graph import apply_inference, load_graph
    from kzeu_graph.loading.inference import closure
    from kzeu_graph.safety import set_max_bytes

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
    try:
        import owlrl_turbo  # noqa: F401

        turbo = ["owlrl-turbo"]
    except ImportError:
        turbo = []
    rows = [
        "| closure | triples | engine | seconds (median, runs) | vs owlrl | same closure |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.articles:
            folder = Path(tmp) / f"corpus-{n}"
            subprocess.run(
                [sys.executable, "-m", "kzeu_graph", "generate", "-n", str(n), "-o", str(folder)],
                check=True,
                capture_output=True,
            )
            corpus = folder / "corpus.nt"
            for inference in ("rdfs", "owlrl"):
                engines = ["owlrl", "project"] + (["kzeu-rdfs"] if inference == "rdfs" else [])
                reference: tuple[float, str] | None = None
                for engine in engines + turbo:
                    if args.engines and engine != "owlrl" and engine not in args.engines:
                        continue
                    out = Path(tmp) / f"{n}-{inference}-{engine}.nt"
                    done = subprocess.run(
                        [
                            sys.executable,
                            __file__,
                            "--runs",
                            str(args.runs),
                            "--one",
                            engine,
                            inference,
                            str(corpus),
                            str(out),
                        ],
                        capture_output=True,
                        text=True,
                        check=True,
                    )
                    got = json.loads(done.stdout.splitlines()[-1])
                    text = out.read_text(encoding="utf-8")
                    if reference is None:
                        reference = (got["seconds"], text)
                    ratio = reference[0] / got["seconds"]
                    same = "yes" if text == reference[1] else "**NO**"
                    row = (
                        f"| {inference} | {got['triples']} | {engine} | {got['seconds']:.2f} s"
                        f" ({got['runs']}) | {ratio:.1f}× | {same} (+{got['added']}) |"
                    )
                    rows.append(row)
                    print(row, flush=True)
    table = "\n".join(rows) + "\n"
    if args.out:
        args.out.write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
