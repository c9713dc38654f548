"""Cold wall time of CLI commands, side by side with `python -c "import rdflib"`.

Each command runs as a fresh process, interleaved round by round so that machine
noise hits all of them alike; the table gives the median and the ratio to the
baseline, and says whether `kzeu-graph query NAME` (Oxigraph, the CLI's default store)
beats the baseline (issue 4: it must). Usage:

    python benchmarks/cold_start.py [--runs 10] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path


def commands() -> dict[str, list[str]]:
    cli = shutil.which("kzeu-graph") or str(Path(sys.executable).parent / "kzeu-graph")
    return {
        'python -c "import rdflib"': [sys.executable, "-c", "import rdflib"],
        'python -c "import pyshacl"': [sys.executable, "-c", "import pyshacl"],
        "kzeu-graph --help": [cli, "--help"],
        'python -c "import pyoxigraph"': [sys.executable, "-c", "import pyoxigraph"],
        "kzeu-graph query figures": [cli, "query", "figures"],
        "kzeu-graph query figures --format csv": [cli, "query", "figures", "--format", "csv"],
        "kzeu-graph query timeline --format json": [cli, "query", "timeline", "--format", "json"],
        "kzeu-graph query figures --store memory (rdflib)": [
            cli,
            "query",
            "figures",
            "--store",
            "memory",
        ],
        "kzeu-graph validate": [cli, "validate"],
        "kzeu-graph validate --engine pyshacl": [cli, "validate", "--engine", "pyshacl"],
        "kzeu-graph describe-dataset": [cli, "describe-dataset"],
        "kzeu-graph timeline": [cli, "timeline"],
        "kzeu-graph ontology-docs": [cli, "ontology-docs"],
        "kzeu-graph validate --format junit": [cli, "validate", "--format", "junit"],
        "kzeu-graph check-ontology": [cli, "check-ontology"],  # HermiT, Java start included
        "kzeu-graph export --format json-ld": [cli, "export", "--format", "json-ld"],
    }


def measure(runs: int, names: list[str] | None = None) -> dict[str, float]:
    """Median wall time of each command (or of the ``names`` among them) over ``runs`` rounds."""
    cmds = commands()
    if names is not None:
        cmds = {name: cmds[name] for name in names}
    return interleaved_medians(cmds, runs)


def interleaved_medians(cmds: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command over ``runs`` rounds, one of each per round (so
    machine noise hits them alike)."""
    times: dict[str, list[float]] = {name: [] for name in cmds}
    for _ in range(runs):
        for name, argv in cmds.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    medians = measure(args.runs)
    base = medians['python -c "import rdflib"']
    print(f"| command (median of {args.runs}, cold) | seconds | × import rdflib |")
    print("|---|---:|---:|")
    for name, seconds in medians.items():
        print(f"| `{name}` | {seconds:.3f} | {seconds / base:.2f} |")
    print()
    for name, seconds in medians.items():
        if name.startswith("kzeu-graph query") and "--store" not in name:
            verdict = "meets" if seconds < base else "MISSES"
            print(f"{verdict} the target (< import rdflib): {name}: {seconds / base:.2f}×")
    if args.json:
        args.json.write_text(json.dumps(medians, indent=2) + "\n")


if __name__ == "__main__":
    main()
