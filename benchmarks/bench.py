"""Every performance figure (issues 4 and 13), measured side by side with its baseline, in one run.

    make bench                       # or: python benchmarks/bench.py [--quick]

Writes ``benchmarks/results.md`` (the tables the README shows), ``benchmarks/results.json``
and ``benchmarks/scale.png`` (time against triples per engine, log-log), and prints each
ratio with whether it meets its target. Nothing here asserts: the numbers are reported.

What is measured (medians of repeated runs; baselines run interleaved with what they
are compared with, so machine noise hits both alike):

- cold start: ``kzeu-graph query figures`` against ``python -c "import rdflib"``, and
  ``kzeu-graph validate`` against ``python -c "import pyshacl"`` (10 fresh processes each);
- warm: a saved query through the API against the same prepared query run directly on
  the engine (rdflib; Oxigraph too when the package has ``kzeu_graph.engines``);
- corpus scale (corpora of 1e4, 1e5 and 1e6 triples from ``kzeu-graph generate``), one
  process per engine and scale: load time, p50 of every saved query, peak RSS; rdflib is
  run up to ``--rdflib-max`` triples (default 1e5: see the README for where it stops);
- load of the 1e6 corpus into an Oxigraph folder through the project against a plain
  ``pyoxigraph`` ``Store.bulk_load`` of the same file;
- validation of the 1e5 corpus, as generated and with seeded violations, against plain
  pyshacl on the same input, with the SHACL result sets compared
  (``validate_engines.py``); one run of the 1e6 corpus (time and peak RSS);
- RDFS closures of the 1e4 and 1e5 corpora and the OWL-RL closure of the 1e4 corpus against
  owlrl, closures compared, and a 300-link subclass chain (``inference_engines.py``);
and ``make bench`` then runs ``serve_store.py``: serving the 1e6 corpus from an Oxigraph
folder beside the ``oxigraph`` server binary on the same store.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import cold_start  # noqa: E402

# Generated articles giving 1e4, 1e5 and 1e6 triples with the default seed (0); the
# shipped article comes on top. The tables give the exact counts of each run.
SCALES: dict[str, int] = {"1e4": 18, "1e5": 216, "1e6": 2261}
ENGINES = ("rdflib", "oxigraph", "oxigraph-disk")
ENGINE_LABELS = {
    "rdflib": "rdflib (memory)",
    "oxigraph": "Oxigraph (memory)",
    "oxigraph-disk": "Oxigraph (folder)",
}


@dataclass
class Target:
    """One figure of the issue: what was measured, its baseline, and the bar."""

    figure: str
    measured: str
    baseline: str
    ratio: float | None
    target: str
    meets: bool | None
    note: str = ""


@dataclass
class Results:
    targets: list[Target] = field(default_factory=list)
    scale: dict[str, dict[str, Any]] = field(default_factory=dict)  # engine -> scale -> run
    corpora: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


def cli() -> str:
    return shutil.which("kzeu-graph") or str(Path(sys.executable).parent / "kzeu-graph")


def measured_run(argv: Sequence[str], timeout: float | None = None) -> tuple[float, float, int]:
    """(wall seconds, peak RSS in MB, exit code) of one child process."""
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = None if timeout is None else start + timeout
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if deadline is not None and time.perf_counter() > deadline:
            child.kill()
            pid, status, usage = os.wait4(child.pid, 0)
            return float("inf"), usage.ru_maxrss / 1024, -9
        time.sleep(0.01)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.stderr is not None:
        child.stderr.close()
    return time.perf_counter() - start, usage.ru_maxrss / 1024, child.returncode


def fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    if seconds == float("inf"):
        return "timeout"
    if seconds >= 10:
        return f"{seconds:.1f} s"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    return f"{seconds * 1000:.1f} ms" if seconds < 0.1 else f"{seconds * 1000:.0f} ms"


# ------------------------------------------------------------------ steps


def generate(work: Path, results: Results, scales: Sequence[str]) -> dict[str, Path]:
    from kzeu_graph.synth.generator import generate_corpus

    files = {}
    for scale in scales:
        start = time.perf_counter()
        stats = generate_corpus(SCALES[scale], work / f"corpus-{scale}")
        results.corpora[scale] = {
            "articles": stats.articles,
            "triples": stats.triples,
            "bytes": stats.bytes,
            "generate_s": time.perf_counter() - start,
        }
        files[scale] = stats.data_file
    return files


def cold(results: Results, runs: int) -> None:
    rdflib, pyshacl = 'python -c "import rdflib"', 'python -c "import pyshacl"'
    queries = [
        "kzeu-graph query figures",
        "kzeu-graph query figures --format csv",
        "kzeu-graph query timeline --format json",
    ]
    full = "kzeu-graph validate --engine pyshacl"
    medians = cold_start.measure(runs, [rdflib, pyshacl, *queries, "kzeu-graph validate", full])
    results.extra["cold_start"] = medians
    rdflib_s, pyshacl_s = medians[rdflib], medians[pyshacl]
    validate_s = medians["kzeu-graph validate"]
    for name in queries:
        query_s = medians[name]
        results.targets.append(
            Target(
                f"cold `{name}` (median of {runs})",
                fmt_s(query_s),
                f"`{rdflib}` {fmt_s(rdflib_s)}",
                query_s / rdflib_s,
                "< 1.0×",
                query_s < rdflib_s,
            )
        )
    results.targets.append(
        Target(
            f"cold `kzeu-graph validate`, shipped graph (median of {runs})",
            fmt_s(validate_s),
            f'`python -c "import pyshacl"` {fmt_s(pyshacl_s)}',
            validate_s / pyshacl_s,
            "≤ 1.5×",
            validate_s <= 1.5 * pyshacl_s,
            "pyshacl-turbo validates the files Oxigraph read; pyshacl is not imported",
        )
    )
    results.targets.append(
        Target(
            f"cold `{full}` (median of {runs})",
            fmt_s(medians[full]),
            f'`python -c "import pyshacl"` {fmt_s(pyshacl_s)}',
            medians[full] / pyshacl_s,
            "–",
            None,
            "the reference engine (pyshacl, with the project's SPARQL speed-ups)",
        )
    )


def warm(results: Results, rounds: int) -> None:
    """The API's own cost: ``run_query`` against the same bound query run on the engine."""
    import warm_overhead

    for spec, label in (("memory", "rdflib"), ("oxigraph:memory", "Oxigraph")):
        for name in ("figures", "statements-by-person"):
            direct, api = warm_overhead.measure(spec, name, {}, rounds, 10)
            results.targets.append(
                Target(
                    f"warm `run_query(engine, {name!r})`, {label} (median of {rounds})",
                    fmt_s(api),
                    f"the bound query run directly on the engine {fmt_s(direct)}",
                    api / direct,
                    "≤ 1.2×",
                    api <= 1.2 * direct,
                )
            )


def engine_run(
    engine: str, corpus: Path, work: Path, runs: int, budget: float, timeout: float
) -> dict[str, Any]:
    """One worker process: load, every saved query, peak RSS (partial if it timed out)."""
    folder = work / f"store-{engine}-{corpus.parent.name}"
    shutil.rmtree(folder, ignore_errors=True)
    argv = [sys.executable, str(HERE / "_worker.py"), engine, str(corpus)]
    argv += ["--runs", str(runs), "--budget", str(budget), "--folder", str(folder)]
    run: dict[str, Any] = {"queries": {}, "timed_out": False}
    start = time.perf_counter()
    child = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    try:
        import selectors

        selector = selectors.DefaultSelector()
        selector.register(child.stdout, selectors.EVENT_READ)
        while True:
            left = timeout - (time.perf_counter() - start)
            if left <= 0 or not selector.select(timeout=left):
                run["timed_out"] = True
                child.kill()
                break
            line = child.stdout.readline()
            if not line:
                break
            record = json.loads(line)
            kind = record.pop("kind")
            if kind == "query":
                run["queries"][record.pop("name")] = record
            else:
                run[kind] = record
    finally:
        child.wait()
        shutil.rmtree(folder, ignore_errors=True)
    run["wall_s"] = time.perf_counter() - start
    return run


def scale_runs(
    results: Results,
    corpora: dict[str, Path],
    work: Path,
    runs: int,
    budget: float,
    rdflib_max: float,
    timeout: float,
    advance: Any,
) -> None:
    step = 0
    for scale, corpus in corpora.items():
        for engine in ENGINES:
            step += 1
            if engine == "rdflib" and results.corpora[scale]["triples"] > rdflib_max * 1.05:
                results.scale.setdefault(engine, {})[scale] = {"skipped": True}
                advance(step)
                continue
            run = engine_run(engine, corpus, work, runs, budget, timeout)
            results.scale.setdefault(engine, {})[scale] = run
            advance(step)


def load_comparison(results: Results, corpus: Path, work: Path, runs: int) -> None:
    """``kzeu-graph load`` of the 1e6 corpus into an Oxigraph folder against a plain
    ``Store.bulk_load`` of the same file; both are whole processes, run in turns."""
    folder = work / "load-compare"
    plain = (
        "import sys, pyoxigraph as ox\n"
        "s = ox.Store(sys.argv[1])\n"
        "s.bulk_load(path=sys.argv[2], format=ox.RdfFormat.N_TRIPLES)\n"
        "s.flush()\n"
    )
    baseline_argv = [sys.executable, "-c", plain, str(folder), str(corpus)]
    project_argv = [cli(), "--max-bytes", "4G", "load", "--store", f"oxigraph:{folder}"]
    project_argv += ["--data", str(corpus)]
    ours: list[float] = []
    base: list[float] = []
    for _ in range(runs):
        for argv, bucket in ((project_argv, ours), (baseline_argv, base)):
            shutil.rmtree(folder, ignore_errors=True)
            seconds, _, code = measured_run(argv)
            bucket.append(seconds if code == 0 else float("inf"))
    shutil.rmtree(folder, ignore_errors=True)
    o, b = statistics.median(ours), statistics.median(base)
    results.extra["load_1e6"] = {"project": ours, "bulk_load": base}
    results.targets.append(
        Target(
            f"`kzeu-graph load --store oxigraph:DIR` of the 1e6 corpus (median of {runs})",
            fmt_s(o),
            f"`Store.bulk_load` of the same file {fmt_s(b)}",
            o / b,
            "≤ 1.3×",
            o <= 1.3 * b,
            "whole processes, same disk; the project also loads the ontology",
        )
    )


def validation(results: Results, corpora: dict[str, Path], quick: bool) -> None:
    """The project's ``validate`` against plain pyshacl (benchmarks/validate_engines.py) at
    1e5 (1e4 with ``--quick``), conforming and with seeded violations; one 1e6 run."""
    import validate_engines

    scale = "1e4" if quick or "1e5" not in corpora else "1e5"
    runs, baseline_runs = (2, 1) if quick else (3, 1)
    rows, figures = validate_engines.compare(corpora[scale], runs, baseline_runs, reference=False)
    results.extra["validation_table"] = (
        f"{results.corpora[scale]['triples']:,}-triple corpus ({scale}), whole processes; "
        f"`kzeu-graph validate` median of {runs}, plain pyshacl {baseline_runs} run:\n\n"
        + validate_engines.HEADER
        + "\n"
        + "\n".join(rows)
    )
    for name, got in figures.items():
        ratio = got["baseline_s"] / got["seconds"]
        results.targets.append(
            Target(
                f"`kzeu-graph validate`, {scale} corpus, {name} ({got['results']} SHACL results, "
                f"engine {got['engine']})",
                fmt_s(got["seconds"]),
                f"plain pyshacl {fmt_s(got['baseline_s'])}",
                ratio,
                "≥ 20× faster, identical results",
                ratio >= 20 and got["identical"],
                f"SHACL result sets identical: {got['identical']}",
            )
        )
    if "1e6" in corpora:
        big = validate_engines.big_run(corpora["1e6"])
        results.extra["validate_1e6"] = big
        results.targets.append(
            Target(
                f"`kzeu-graph validate` of the 1e6 corpus ({results.corpora['1e6']['triples']:,} "
                f"triples), engine {big['engine']}",
                f"{fmt_s(big['seconds'])}, peak RSS {big['rss_mb']:,.0f} MB",
                "–",
                None,
                "≤ 60 s and ≤ 2 GB",
                big["exit"] == 0 and big["seconds"] <= 60 and big["rss_mb"] <= 2048,
                f"exit {big['exit']}",
            )
        )


def inference(results: Results, corpora: dict[str, Path], quick: bool) -> None:
    """Closures beside owlrl (benchmarks/inference_engines.py): RDFS at 1e4 and 1e5, OWL-RL
    at 1e4 (OWL-RL runs on owlrl itself, so 1e5 would only time owlrl twice); the chain."""
    import inference_engines

    scales = [s for s in ("1e4", "1e5") if s in corpora and not (quick and s == "1e5")]
    closures = [("rdfs", i) for i in range(len(scales))] + [("owlrl", 0)]
    rows, records = inference_engines.compare(
        [corpora[s] for s in scales], 3, ["project"], closures
    )
    results.extra["inference_table"] = (
        "Closure only, each engine in its own process, median of 3 (1 run past 10 s):\n\n"
        + inference_engines.HEADER
        + "\n"
        + "\n".join(rows)
    )
    for record in records:
        if record["engine"] != "project":
            continue
        rdfs = record["closure"] == "rdfs"
        target = "≥ 8× faster, same closure" if rdfs else "≥ 1.0× (noise ±10 %), same closure"
        meets = record["ratio"] >= (8.0 if rdfs else 0.9) and record["same"]
        results.targets.append(
            Target(
                f"`--inference {record['closure']}` closure, {record['triples']:,} triples",
                fmt_s(record["seconds"]),
                "owlrl + the project's literal filter",
                record["ratio"],
                target,
                meets,
                f"same closure: {record['same']}",
            )
        )
    seconds, code = inference_engines.chain_seconds(300)
    results.targets.append(
        Target(
            "300-link `rdfs:subClassOf` chain, `kzeu-graph sparql --inference rdfs` (process)",
            fmt_s(seconds),
            "owlrl: over 60 s",
            None,
            "< 5 s",
            code == 0 and seconds < 5,
            f"exit {code}",
        )
    )


def every_query_answers(results: Results) -> None:
    from kzeu_graph.sparql.catalog import list_queries

    names = [q.name for q in list_queries()]
    for engine in ("oxigraph", "oxigraph-disk"):
        run = results.scale.get(engine, {}).get("1e6")
        if not run or run.get("skipped"):
            continue
        answered = [n for n in names if n in run["queries"]]
        worst = max((run["queries"][n]["p50"] for n in answered), default=0.0)
        results.targets.append(
            Target(
                f"every saved query answers at 1e6, {ENGINE_LABELS[engine]}",
                f"{len(answered)}/{len(names)} (slowest p50 {fmt_s(worst)})",
                "–",
                None,
                f"{len(names)}/{len(names)}",
                len(answered) == len(names),
            )
        )


# ------------------------------------------------------------------ output


def markdown(results: Results, args: argparse.Namespace) -> str:
    lines = [
        f"Measured on {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{time.strftime('%Y-%m-%d')}; `make bench` took {fmt_s(results.extra.get('total_s'))}.",
        "",
        "| figure | measured | baseline | ratio | target | meets |",
        "|---|---|---|---:|---|:---:|",
    ]
    for t in results.targets:
        ratio = "–" if t.ratio is None else f"{t.ratio:.2f}×"
        meets = {True: "yes", False: "**no**", None: "–"}[t.meets]
        note = f" ({t.note})" if t.note else ""
        lines.append(
            f"| {t.figure} | {t.measured} | {t.baseline} | {ratio} | {t.target} | {meets}{note} |"
        )
    scales = list(results.corpora)
    lines += [
        "",
        "Corpora (`kzeu-graph generate -n N`; the shipped article comes on top of the N):",
        "",
        "| scale | generated articles | triples | N-Triples size | generated in |",
        "|---|---:|---:|---:|---:|",
    ]
    for scale in scales:
        c = results.corpora[scale]
        lines.append(
            f"| {scale} | {c['articles']:,} | {c['triples']:,} | {c['bytes'] / 1e6:,.1f} MB "
            f"| {fmt_s(c['generate_s'])} |"
        )
    columns = [(e, s) for e in ENGINES for s in scales]
    header = " | ".join(f"{ENGINE_LABELS[e]} {s}" for e, s in columns)
    lines += [
        "",
        "Load, peak RSS and p50 of every saved query (default parameters), per engine and scale "
        f"(up to {args.runs} runs, fewer past {args.budget:g} s; one process per column):",
        "",
        f"| | {header} |",
        "|---" + "|---:" * len(columns) + "|",
    ]

    def cell(engine: str, scale: str, what: str) -> str:
        run = results.scale.get(engine, {}).get(scale)
        if run is None:
            return "–"
        if run.get("skipped"):
            return "not run"
        if what == "load":
            load = run.get("load")
            return fmt_s(load["seconds"]) if load else "timeout"
        if what == "reopen":
            reopen = run.get("reopen")
            return fmt_s(reopen["seconds"]) if reopen else "–"
        if what == "rss":
            done = run.get("done") or run.get("load")
            return f"{done['rss_mb']:,.0f} MB" if done else "–"
        query = run["queries"].get(what)
        if query is None:
            return "timeout" if run.get("timed_out") else "–"
        return fmt_s(query["p50"])

    from kzeu_graph.sparql.catalog import list_queries

    rows = [("load", "load"), ("reopen (folder)", "reopen"), ("peak RSS", "rss")]
    rows += [(f"`{q.name}`", q.name) for q in list_queries()]
    for label, what in rows:
        lines.append(f"| {label} | " + " | ".join(cell(e, s, what) for e, s in columns) + " |")
    methods = {
        run["load"]["method"]
        for runs in results.scale.values()
        for run in runs.values()
        if run.get("load")
    }
    lines += ["", f"Engines driven through: {', '.join(sorted(methods))}."]
    for key, title in (
        ("validation_table", "Validation beside plain pyshacl"),
        ("inference_table", "Inference beside owlrl"),
    ):
        if key in results.extra:
            lines += ["", f"**{title}.** " + results.extra[key]]
    return "\n".join(lines) + "\n"


def plot(results: Results, path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    for engine in ENGINES:
        xs, loads, totals = [], [], []
        for run in results.scale.get(engine, {}).values():
            if run.get("skipped") or not run.get("load"):
                continue
            xs.append(run["load"]["triples"])
            loads.append(run["load"]["seconds"])
            totals.append(sum(q["p50"] for q in run["queries"].values()))
        if xs:
            left.plot(xs, loads, marker="o", label=ENGINE_LABELS[engine])
            right.plot(xs, totals, marker="o", label=ENGINE_LABELS[engine])
    for axis, title in (
        (left, "load (ontology + corpus)"),
        (right, "all saved queries once (sum of p50s)"),
    ):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("triples")
        axis.set_ylabel("seconds")
        axis.set_title(title)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


README_START = "<!-- bench:start (written by make bench) -->"
README_END = "<!-- bench:end -->"


def update_readme(path: Path, table: str) -> bool:
    """Put the tables between the README's bench markers (if it has them)."""
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8")
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        return False
    text = text[: start + len(README_START)] + "\n" + table + text[end:]
    path.write_text(text, encoding="utf-8")
    return True


def summary(results: Results) -> str:
    lines = []
    for t in results.targets:
        ratio = "" if t.ratio is None else f" = {t.ratio:.2f}×"
        verdict = {True: "meets", False: "MISSES", None: "n/a"}[t.meets]
        lines.append(
            f"{verdict:7} {t.figure}: {t.measured} vs {t.baseline}{ratio} (target {t.target})"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="1e4 and 1e5 only, fewer runs")
    parser.add_argument("--runs", type=int, default=5, help="runs per query (p50)")
    parser.add_argument(
        "--budget", type=float, default=3.0, help="seconds per query before stopping"
    )
    parser.add_argument("--cold-runs", type=int, default=10)
    parser.add_argument("--rdflib-max", type=float, default=1.2e5, help="largest corpus for rdflib")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per engine process")
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one)")
    parser.add_argument(
        "--readme", type=Path, help="also put the tables in this README, between its bench markers"
    )
    args = parser.parse_args(argv)
    scales = ["1e4", "1e5"] if args.quick else list(SCALES)
    if args.quick:
        args.runs, args.cold_runs = min(args.runs, 3), min(args.cold_runs, 5)

    from kzeu_graph.cli.progress import progress

    started = time.perf_counter()
    results = Results()
    work_context = tempfile.TemporaryDirectory(prefix="kzeu-bench-") if args.work is None else None
    work = Path(work_context.name) if work_context else args.work
    work.mkdir(parents=True, exist_ok=True)
    steps = 5 + len(scales) * len(ENGINES)
    try:
        with progress("benchmarks", steps, "steps") as advance:
            corpora = generate(work, results, scales)
            advance(1)
            cold(results, args.cold_runs)
            advance(2)
            warm(results, 20)
            advance(3)
            scale_runs(
                results,
                corpora,
                work,
                args.runs,
                args.budget,
                args.rdflib_max,
                args.timeout,
                lambda done: advance(3 + done),
            )
            every_query_answers(results)
            if "1e6" in corpora:
                load_comparison(results, corpora["1e6"], work, 3)
            advance(steps - 1)
            validation(results, corpora, args.quick)
            inference(results, corpora, args.quick)
            advance(steps)
    finally:
        if work_context is not None:
            work_context.cleanup()
    results.extra["total_s"] = time.perf_counter() - started
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.md").write_text(markdown(results, args), encoding="utf-8")
    (args.out / "results.json").write_text(
        json.dumps(
            {
                "targets": [t.__dict__ for t in results.targets],
                "corpora": results.corpora,
                "scale": results.scale,
                "extra": results.extra,
            },
            indent=2,
            default=str,
        )
        + "\n",
        encoding="utf-8",
    )
    plotted = plot(results, args.out / "scale.png")
    if args.readme is not None:
        update_readme(args.readme, markdown(results, args))
    print(summary(results))
    print(f"wrote {args.out / 'results.md'}, results.json" + (", scale.png" if plotted else ""))


if __name__ == "__main__":
    main()
