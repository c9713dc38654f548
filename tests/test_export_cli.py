"""`kzeu-graph export` and `kzeu-graph format` on the shipped content: files, exit codes,
refusals, interrupted writes, and the same bytes whatever the hash seed."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kzeu_graph.cli.commands import main
from kzeu_graph.loading.graph import load_graph, parse_file
from kzeu_graph.publish.export import build_export
from paths import BLANK_NODES, BROKEN_TURTLE, CANONICAL, DATA, NOT_CANONICAL, REMOTE_CONTEXT

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def assert_error(result: Result, message: str, code: int = 2) -> None:
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"kzeu-graph: error: {message}"), result.stderr
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ export


def test_export_to_a_file_says_how_many_triples(tmp_path: Path) -> None:
    path = tmp_path / "kzeu.nt"
    result = run("export", "--format", "nt", "-o", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    total = len(load_graph())
    assert result.stderr == f"kzeu-graph: wrote {total} triples to {path}\n"
    assert len(path.read_text(encoding="utf-8").splitlines()) == total


def test_export_to_stdout_is_the_file(tmp_path: Path) -> None:
    path = tmp_path / "kzeu.trig"
    assert run("export", "--format", "trig", "-o", str(path)).exit_code == 0
    result = run("export", "--format", "trig")
    assert result.exit_code == 0
    assert result.stdout == path.read_text(encoding="utf-8")


def test_export_chosen_graphs(tmp_path: Path) -> None:
    path = tmp_path / "data.nq"
    result = run("export", "--format", "nquads", "--graphs", "data,derived", "-o", str(path))
    assert result.exit_code == 0, result.output
    graphs = {line.rsplit(" ", 2)[-2] for line in path.read_text().splitlines()}
    assert {g for g in graphs if g.startswith("<https://w3id.org/kzeu/graph/")} == {
        "<https://w3id.org/kzeu/graph/data>",
        "<https://w3id.org/kzeu/graph/derived>",
    }
    again = run("export", "--format", "nquads", "--graphs", "derived", "--graphs", "data")
    assert again.stdout == path.read_text()


def test_export_with_inference_adds_the_inferred_graph() -> None:
    result = run("export", "--format", "nquads", "--inference", "rdfs", "--graphs", "inferred")
    assert result.exit_code == 0, result.output
    inferred = build_export(inference="rdfs").parts["inferred"]
    lines = [line for line in result.stdout.splitlines() if line.endswith("/inferred> .")]
    assert len(lines) == len(inferred)


def test_export_refuses_unknown_or_impossible_graphs() -> None:
    assert_error(
        run("export", "--format", "nt", "--graphs", "data,facts"),
        "unknown graph 'facts' (use one or more of data, derived, ontology, inferred)",
    )
    assert_error(
        run("export", "--format", "nt", "--graphs", "inferred"),
        "the inferred graph needs --inference rdfs or owlrl",
    )


def test_jsonld_with_a_remote_context_is_refused() -> None:
    assert_error(
        run("export", "--format", "nt", "--data", str(REMOTE_CONTEXT)),
        f"{REMOTE_CONTEXT}: JSON-LD @context 'https://schema.org/' is refused (only inline contexts)",
    )


def test_the_jsonld_export_loads_back_as_data(tmp_path: Path) -> None:
    path = tmp_path / "kzeu.jsonld"
    assert (
        run("export", "--format", "json-ld", "--graphs", "data,derived", "-o", str(path)).exit_code
        == 0
    )
    result = run("export", "--format", "turtle", "--data", str(path), "--graphs", "data,derived")
    assert result.exit_code == 0, result.output
    assert result.stdout == run("export", "--format", "turtle", "--graphs", "data,derived").stdout


def test_export_into_a_missing_folder(tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "x.ttl"
    assert_error(run("export", "--format", "turtle", "-o", str(target)), f"{target}: cannot write")


# ------------------------------------------------------------------ format


def test_format_check_passes_on_the_shipped_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(DATA.parents[1])
    result = run("format", "--check")
    assert result.exit_code == 0, result.output
    assert result.stdout == "canonical: data/kzeu.ttl\n"
    monkeypatch.chdir(tmp_path)  # outside the repository: the path as it is
    assert run("format", "--check").stdout == f"canonical: {DATA}\n"


def test_format_check_fails_on_a_non_canonical_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("format", "--check", str(NOT_CANONICAL), str(CANONICAL))
    assert result.exit_code == 1
    assert result.stdout == (
        f"not canonical: {NOT_CANONICAL} (first difference at line 1); "
        f"run: kzeu-graph format {NOT_CANONICAL}\n"
        f"canonical: {CANONICAL}\n"
    )


def test_format_rewrites_in_place(tmp_path: Path) -> None:
    path = tmp_path / "x.ttl"
    path.write_bytes(NOT_CANONICAL.read_bytes())
    result = run("format", str(path))
    assert result.exit_code == 0
    assert result.stdout == f"reformatted: {path}\n"
    assert path.read_bytes() == CANONICAL.read_bytes()
    assert run("format", "--check", str(path)).exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.ttl"]


def test_format_check_on_malformed_input_exits_2() -> None:
    assert_error(run("format", "--check", str(BROKEN_TURTLE)), f"{BROKEN_TURTLE}:4: bad syntax")


def test_format_of_a_missing_file_exits_2(tmp_path: Path) -> None:
    assert_error(
        run("format", str(tmp_path / "none.ttl")), f"{tmp_path / 'none.ttl'}: no such file"
    )


# ------------------------------------------------------------------ interrupted exports

# The child runs the real CLI with fsync slowed down (a slow disk), so that the signal
# lands while the new file is being written: after the temp file exists, before the rename.
SLOW_DISK = """
import os, sys, time
real_fsync = os.fsync
def slow_fsync(fd):
    print("writing", flush=True)
    time.sleep(60)
    real_fsync(fd)
os.fsync = slow_fsync
from kzeu_graph.cli.commands import main
main(sys.argv[1:])
"""


def start_slow_export(target: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    child = subprocess.Popen(
        [sys.executable, "-c", SLOW_DISK, "export", "--format", "turtle", "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    assert child.stdout is not None
    assert child.stdout.readline() == b"writing\n"
    temps = list(target.parent.glob(f".{target.name}.*.tmp"))
    assert len(temps) == 1
    assert temps[0].stat().st_size > 1000  # the whole text is in the temp file, not the target
    return child


@pytest.mark.slow
@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_an_interrupted_export_leaves_the_old_file(tmp_path: Path, sig: signal.Signals) -> None:
    target = tmp_path / "kzeu.ttl"
    target.write_text("# the previous export\n")
    child = start_slow_export(target)
    child.send_signal(sig)
    _, err = child.communicate(timeout=60)
    assert target.read_text() == "# the previous export\n"
    leftovers = sorted(p.name for p in tmp_path.iterdir() if p != target)
    if sig == signal.SIGTERM:  # caught: the temp file is removed, no traceback
        assert child.returncode == 128 + signal.SIGTERM
        assert leftovers == []
        assert b"Traceback" not in err
    else:  # nothing can run after SIGKILL: a hidden temp file may stay, the target is whole
        assert child.returncode == -signal.SIGKILL
        assert all(n.startswith(".kzeu.ttl.") and n.endswith(".tmp") for n in leftovers)


@pytest.mark.slow
def test_an_export_never_leaves_a_partial_file_wherever_it_is_killed(tmp_path: Path) -> None:
    """Unslowed: kill the real export at several moments; the file is old or whole."""
    target = tmp_path / "kzeu.nt"
    whole = run("export", "--format", "nt").stdout
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    argv = [sys.executable, "-m", "kzeu_graph", "export", "--format", "nt", "-o", str(target)]
    start = time.perf_counter()
    subprocess.run(argv, env=env, check=True, capture_output=True)
    duration = time.perf_counter() - start
    for step in range(1, 9):
        target.write_text("old\n")
        child = subprocess.Popen(
            argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(duration * step / 8)
        child.kill()
        child.wait()
        assert target.read_text(encoding="utf-8") in ("old\n", whole), step


# ------------------------------------------------------------------ hash seeds

DIGESTS = """
import hashlib, json, sys
from kzeu_graph.publish.export import build_export, serialize
from kzeu_graph.loading.graph import parse_file
sources = {
    "shipped": build_export(),
    "owlrl": build_export(inference="owlrl"),
    "blank-nodes": parse_file(sys.argv[1]),
}
print(json.dumps({
    f"{name}/{fmt}": hashlib.sha256(serialize(source, fmt).encode()).hexdigest()
    for name, source in sources.items()
    for fmt in ("turtle", "json-ld", "nt", "nquads", "trig", "xml")
}))
"""


@pytest.mark.slow
def test_the_same_bytes_whatever_the_hash_seed() -> None:
    """Two child processes with fixed hash seeds, and this one (a random seed unless set)."""
    env = {**os.environ, "PYTHONPATH": SRC + os.pathsep + os.environ.get("PYTHONPATH", "")}
    namespace: dict[str, object] = {}
    runs = []
    for seed in ("0", "1"):
        done = subprocess.run(
            [sys.executable, "-W", "ignore", "-c", DIGESTS, str(BLANK_NODES)],
            env={**env, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        )
        runs.append(json.loads(done.stdout))
    sys_argv = sys.argv
    try:
        sys.argv = ["digests", str(BLANK_NODES)]
        output = io.StringIO()
        with contextlib.redirect_stdout(output):
            exec(DIGESTS, namespace)  # same code, this process's hash seed
    finally:
        sys.argv = sys_argv
    runs.append(json.loads(output.getvalue()))
    assert len(runs[0]) == 18
    assert runs[0] == runs[1] == runs[2]
    assert len(parse_file(BLANK_NODES)) == 11  # counted off the file by hand


def test_quad_export_to_a_file_counts_graphs_and_their_descriptions(tmp_path: Path) -> None:
    path = tmp_path / "kzeu.nq"
    result = run("export", "--format", "nquads", "--graphs", "derived", "-o", str(path))
    assert result.exit_code == 0, result.output
    # 50 derived triples (tests/test_export.py); the derived graph is described by 6 triples:
    # type, title, description, isPartOf, wasDerivedFrom, wasGeneratedBy
    assert result.stderr == (
        f"kzeu-graph: wrote 50 triples in 1 named graph(s), and 6 describing them, to {path}\n"
    )
    assert len(path.read_text().splitlines()) == 50 + 6
