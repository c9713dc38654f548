"""``kzeu-graph validate`` (pyshacl-turbo) against plain pyshacl on the same corpus.

    python benchmarks/validate_engines.py [--articles 216] [--runs 3] [--big 2261]

Whole processes, medians of ``--runs`` (interleaved, so machine noise hits all alike), on a
corpus from ``kzeu-graph generate`` (216 articles: about 1e5 triples) as generated
(conforming) and with seeded violations (every 400th triple dropped, every 997th literal
object replaced by a string). Each input is run by:

- ``kzeu-graph validate --format json --data CORPUS``: the default engine (pyshacl-turbo);
- ``kzeu-graph validate --format json --engine pyshacl --data CORPUS``: the reference engine
  through the project (with its SPARQL speed-ups);
- plain pyshacl: a process that parses the ontology and the corpus with rdflib and calls
  ``pyshacl.validate`` with the project's shapes (advanced mode, no inference).

The reports are compared: the SHACL results as (focus node, path, value, source shape,
constraint component, severity) must be the same set for all three; the project's two
JSON reports must be equal but for the engine's name. With ``--big N``, one run of
``kzeu-graph validate`` on an N-article corpus (2261: about 1e6 triples), time and peak RSS.
Prints a Markdown table; nothing asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PLAIN_PYSHACL = """
import json, sys
from rdflib import Graph
from pyshacl import validate
from kzeu_graph import resources
from kzeu_graph.validation.report import _findings_from_report

graph = Graph()
for path in [*resources.ontology_files(), sys.argv[1]]:
    graph.parse(path)
shapes = Graph().parse(resources.shapes_file())
conforms, report, _ = validate(graph, shacl_graph=shapes, inference="none", advanced=True,
    allow_warnings=True, allow_infos=True, do_owl_imports=False, meta_shacl=False)
findings = [f.to_json() for f in _findings_from_report(report)]
json.dump({"conforms": bool(conforms), "results": findings}, sys.stdout)
"""


def measured(argv: Sequence[str]) -> tuple[float, float, float, int, str]:
    """(wall seconds, CPU seconds, peak RSS in MB, exit code, stdout) of one child process."""
    start = time.perf_counter()
    with tempfile.TemporaryFile() as out:
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        text = out.read().decode("utf-8")
    cpu = usage.ru_utime + usage.ru_stime
    return seconds, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), text


def shacl_set(report: dict[str, Any]) -> set[tuple[Any, ...]]:
    """The SHACL results (not the project's Python checks) as comparable tuples."""
    return {
        (
            r["focus_node"] if not str(r["focus_node"]).startswith("_:") else "[]",
            *(r["path"], r["value"], r["source"], r["component"], r["severity"]),
        )
        for r in report["results"]
        if not r["source"].startswith("kzeu-check:")
    }


def seed_violations(corpus: Path, out: Path) -> None:
    lines = corpus.read_text(encoding="utf-8").splitlines()
    broken = []
    for i, line in enumerate(lines):
        if i % 400 == 399:
            continue
        parts = line.split(" ", 2)
        if i % 997 == 996 and len(parts) == 3 and parts[2].startswith('"'):
            line = " ".join(parts[:2]) + ' "seeded" .'
        broken.append(line)
    out.parent.mkdir(parents=True, exist_ok=True)
    (out.parent / "sources").mkdir(exist_ok=True)
    for text in (corpus.parent / "sources").iterdir():
        target = out.parent / "sources" / text.name
        if not target.exists():
            target.symlink_to(text)
    out.write_text("\n".join(broken) + "\n", encoding="utf-8")


def compare(
    corpus: Path, runs: int, baseline_runs: int | None = None, reference: bool = True
) -> tuple[list[str], dict[str, Any]]:
    """Table rows and figures for ``corpus`` as generated and with seeded violations.

    ``reference=False`` leaves out ``kzeu-graph validate --engine pyshacl`` (make bench: it
    takes minutes at 1e5 and is compared with pyshacl finding for finding in the tests).
    """
    cli = str(Path(sys.executable).parent / "kzeu-graph")
    broken = corpus.parent.with_name(corpus.parent.name + "-broken") / corpus.name
    if not broken.exists():
        seed_violations(corpus, broken)
    baseline_runs = runs if baseline_runs is None else baseline_runs
    rows: list[str] = []
    figures: dict[str, Any] = {}
    for name, data in (("conforming", corpus), ("seeded violations", broken)):
        commands = {
            "kzeu-graph validate": [cli, "validate", "--format", "json", "--data", str(data)],
            "kzeu-graph validate --engine pyshacl": [
                *[cli, "validate", "--format", "json", "--engine", "pyshacl"],
                *["--data", str(data)],
            ],
            "plain pyshacl": [sys.executable, "-c", PLAIN_PYSHACL, str(data)],
        }
        if not reference:
            del commands["kzeu-graph validate --engine pyshacl"]
        times: dict[str, list[float]] = {k: [] for k in commands}
        cpus: dict[str, list[float]] = {k: [] for k in commands}
        rss: dict[str, float] = {}
        reports: dict[str, dict[str, Any]] = {}
        for run in range(runs):
            for key, command in commands.items():
                if run >= baseline_runs and key != "kzeu-graph validate":
                    continue
                seconds, cpu, peak, code, out = measured(command)
                times[key].append(seconds)
                cpus[key].append(cpu)
                rss[key] = max(rss.get(key, 0.0), peak)
                reports[key] = json.loads(out)
                print(
                    f"{name}: {key}: {seconds:.2f} s (CPU {cpu:.2f} s), exit {code}",
                    file=sys.stderr,
                )
        sets = {k: shacl_set(r) for k, r in reports.items()}
        fast = reports["kzeu-graph validate"]
        same_json = True
        if reference:
            project_ref = reports["kzeu-graph validate --engine pyshacl"]
            same_json = {**fast, "engine": None} == {**project_ref, "engine": None}
        identical = len({frozenset(s) for s in sets.values()}) == 1
        base = statistics.median(times["plain pyshacl"])
        base_cpu = statistics.median(cpus["plain pyshacl"])
        for key in commands:
            median, cpu = statistics.median(times[key]), statistics.median(cpus[key])
            rows.append(
                f"| {name} | {key} | {median:.2f} s | {base / median:.1f}× | {cpu:.2f} s "
                f"| {base_cpu / cpu:.1f}× | {rss[key]:,.0f} MB | {len(sets[key])} |"
            )
        rows.append(
            f"| {name} | reports | SHACL result sets identical: {identical}"
            + (f"; project JSON equal but for the engine: {same_json}" if reference else "")
            + f"; engine of the default run: {fast['engine']} | | | | | |"
        )
        figures[name] = {
            "seconds": statistics.median(times["kzeu-graph validate"]),
            "baseline_s": base,
            "identical": identical and same_json,
            "results": len(sets["kzeu-graph validate"]),
            "engine": fast["engine"],
        }
    return rows, figures


def big_run(corpus: Path) -> dict[str, Any]:
    """One ``kzeu-graph validate`` of a large corpus: wall seconds, peak RSS, exit, engine."""
    cli = str(Path(sys.executable).parent / "kzeu-graph")
    argv = [cli, "--max-bytes", "4G", "validate", "--format", "json", "--data", str(corpus)]
    seconds, _, peak, code, out = measured(argv)
    engine = json.loads(out)["engine"] if out.strip() else "?"
    return {"seconds": seconds, "rss_mb": peak, "exit": code, "engine": engine}


HEADER = (
    "| input | command | wall (median) | vs plain pyshacl | CPU (median) | vs plain pyshacl "
    "| peak RSS | SHACL results |\n|---|---|---|---|---|---|---|---|"
)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=216)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--baseline-runs",
        type=int,
        default=None,
        help="runs of the two pyshacl commands (default: --runs; each takes minutes at 1e5)",
    )
    parser.add_argument("--big", type=int, default=0, help="articles of the one big run (0: none)")
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)
    from kzeu_graph.synth.generator import generate_corpus

    work = args.work or Path(tempfile.mkdtemp(prefix="kzeu-validate-"))
    corpus = work / f"corpus-{args.articles}" / "corpus.nt"
    if not corpus.exists():
        stats = generate_corpus(args.articles, corpus.parent)
        print(f"generated {stats.triples:,} triples in {corpus}", file=sys.stderr)
    triples = sum(1 for _ in corpus.open(encoding="utf-8"))
    rows, _ = compare(corpus, args.runs, args.baseline_runs)
    print(
        f"\n{triples:,} triples (+ the ontology), whole processes, medians of {args.runs} "
        f"runs ({args.baseline_runs or args.runs} of each pyshacl command)\n"
    )
    print(HEADER)
    print("\n".join(rows))
    if args.big:
        big = work / f"corpus-{args.big}" / "corpus.nt"
        if not big.exists():
            generate_corpus(args.big, big.parent)
        count = sum(1 for _ in big.open(encoding="utf-8"))
        run = big_run(big)
        print(
            f"\nkzeu-graph validate, {count:,} triples: {run['seconds']:.1f} s, peak RSS "
            f"{run['rss_mb']:,.0f} MB, exit {run['exit']}, engine {run['engine']}"
        )


if __name__ == "__main__":
    main()
