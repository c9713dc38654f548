"""Shared guards: atomic writes survive kills and failures and leave no temporary files."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from kzeu_graph import atomic
from kzeu_graph.atomic import atomic_write
from kzeu_graph.errors import InputError
from kzeu_graph.loading.checks import check_file_size, set_max_bytes

OLD = "old content\n" * 1000


def leftovers(folder: Path, name: str) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != name)


@pytest.mark.parametrize("data", ["text ✓\n", b"\x00\x01bytes"])
def test_atomic_write_writes_and_leaves_no_temp_file(tmp_path: Path, data: str | bytes) -> None:
    target = tmp_path / "out.ttl"
    target.write_text(OLD)
    atomic_write(target, data)
    expected = data.encode() if isinstance(data, str) else data
    assert target.read_bytes() == expected
    assert leftovers(tmp_path, "out.ttl") == []


def test_atomic_write_failure_keeps_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.ttl"
    target.write_text(OLD)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        atomic_write(target, "new")
    assert target.read_text() == OLD
    assert leftovers(tmp_path, "out.ttl") == []


WRITER = """
import sys
from pathlib import Path
from kzeu_graph.atomic import atomic_write
target = Path(sys.argv[1])
payload = ("new content " * 400_000)
print("ready", flush=True)
while True:
    atomic_write(target, payload)
"""


@pytest.mark.slow
def test_killing_a_writer_never_leaves_a_partial_file(tmp_path: Path) -> None:
    target = tmp_path / "out.ttl"
    target.write_text(OLD)
    new = "new content " * 400_000
    src = str(Path(atomic.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    for attempt in range(8):
        child = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(target)], stdout=subprocess.PIPE, env=env
        )
        assert child.stdout is not None
        assert child.stdout.readline() == b"ready\n"
        time.sleep(0.005 * (attempt + 1))
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        content = target.read_text()
        assert content in (OLD, new), f"partial file after kill {attempt}: {len(content)} chars"
    for leftover in tmp_path.glob(
        ".out.ttl.*.tmp"
    ):  # a SIGKILL cannot clean up; the target is intact
        leftover.unlink()


def test_file_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "f.ttl"
    path.write_bytes(b"x" * 11)
    check_file_size(path, limit=11)
    with pytest.raises(
        InputError, match=r"f\.ttl: file is 11 bytes, larger than the 10-byte limit"
    ):
        check_file_size(path, limit=10)


def test_size_cap_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        set_max_bytes(0)


@pytest.mark.parametrize("start", ["run_sparql", "new_graph"])
def test_load_graphs_is_off(start: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Running a query on any graph, or making a project graph, switches it off (importing
    does not: no import has side effects, tests/test_layers.py)."""
    import rdflib.plugins.sparql
    from rdflib import Graph

    from kzeu_graph.rdf.namespaces import new_graph
    from kzeu_graph.sparql.run import run_sparql

    monkeypatch.setattr(rdflib.plugins.sparql, "SPARQL_LOAD_GRAPHS", True)
    if start == "run_sparql":
        run_sparql(Graph(), "ASK {}")
    else:
        new_graph()
    assert rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is False


def test_atomic_write_gives_the_mode_open_would(tmp_path: Path) -> None:
    """mkstemp makes 0600 files; an export must get the mode any new file would get."""
    import os

    opened = tmp_path / "opened"
    opened.write_text("x")
    target = tmp_path / "out.ttl"
    atomic_write(target, "x")
    assert target.stat().st_mode & 0o777 == opened.stat().st_mode & 0o777 != 0o600
    assert os.access(target, os.R_OK)


# ------------------------------------------------------------------ special output paths
# ``os.replace`` onto a device, FIFO or symlink replaces the node itself (as root, even
# /dev/null). Regular files and new paths are replaced atomically; a symlink's target is
# replaced (the link stays); a device or FIFO is written through.


def _read_fifo(path: Path, into: list[bytes]) -> threading.Thread:
    def read() -> None:
        with open(path, "rb") as fifo:
            into.append(fifo.read())

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("write", [atomic_write, atomic.write_output], ids=["atomic", "output"])
def test_a_fifo_is_written_through_and_stays_a_fifo(tmp_path: Path, write: Any) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    write(fifo, "through the pipe\n")
    reader.join(10)
    assert got == [b"through the pipe\n"]
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path, "pipe") == []


@pytest.mark.parametrize("via_link", [False, True], ids=["direct", "symlink"])
def test_dev_null_stays_a_character_device(tmp_path: Path, via_link: bool) -> None:
    target = Path(os.devnull)
    before = os.stat(target)
    if via_link:
        link = tmp_path / "null-link"
        link.symlink_to(target)
        target = link
    atomic_write(target, "discarded")
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode)
    assert (after.st_ino, after.st_rdev) == (before.st_ino, before.st_rdev)
    if via_link:
        assert target.is_symlink()
        assert os.readlink(target) == os.devnull
        assert leftovers(tmp_path, "null-link") == []


@pytest.mark.parametrize("existing", [True, False], ids=["to-a-file", "dangling"])
def test_a_symlink_keeps_its_link_and_its_target_is_replaced(
    tmp_path: Path, existing: bool
) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "out.ttl"
    if existing:
        target.write_text(OLD)
    link = tmp_path / "link.ttl"
    link.symlink_to(target)
    atomic_write(link, "new\n")
    assert link.is_symlink()
    assert Path(os.readlink(link)) == target
    assert target.read_text() == "new\n"
    assert not target.is_symlink()
    assert leftovers(tmp_path, "link.ttl") == ["real"]
    assert leftovers(tmp_path / "real", "out.ttl") == []


def test_a_failed_write_through_a_symlink_keeps_the_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.ttl"
    target.write_text(OLD)
    link = tmp_path / "link.ttl"
    link.symlink_to(target)

    def broken_replace(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(InputError, match=r"link\.ttl: cannot write: No space left"):
        atomic.write_output(link, "new")
    assert target.read_text() == OLD
    assert link.is_symlink()
    assert leftovers(tmp_path, "out.ttl") == ["link.ttl"]


def test_a_symlink_loop_is_an_input_error(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match=r"loop: cannot write: Too many levels"):
        atomic.write_output(loop, "x")
    assert loop.is_symlink()


# every command with -o FILE, and a file name it accepts
OUTPUT_COMMANDS = [
    ("export", ["export", "--format", "nt"], "out.nt"),
    ("describe-dataset", ["describe-dataset"], "out.ttl"),
    ("ontology-docs", ["ontology-docs"], "out.html"),
    ("model-diagram", ["model-diagram"], "out.dot"),
    ("timeline", ["timeline"], "out.svg"),
]


@pytest.mark.parametrize(("args", "name"), [c[1:] for c in OUTPUT_COMMANDS],
                         ids=[c[0] for c in OUTPUT_COMMANDS])  # fmt: skip
def test_every_output_option_writes_through_a_fifo_and_a_device_link(
    tmp_path: Path, args: list[str], name: str
) -> None:
    from click.testing import CliRunner

    from kzeu_graph.cli.commands import main

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    via_fifo = tmp_path / f"fifo-{name}"
    via_fifo.symlink_to(fifo)
    got: list[bytes] = []
    reader = _read_fifo(fifo, got)
    result = CliRunner().invoke(main, [*args, "-o", str(via_fifo)])
    reader.join(30)
    assert result.exit_code == 0, result.output
    assert len(got) == 1
    assert len(got[0]) > 100
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert via_fifo.is_symlink()
    null = tmp_path / f"null-{name}"
    null.symlink_to(os.devnull)
    result = CliRunner().invoke(main, [*args, "-o", str(null)])
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)
    assert null.is_symlink()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["fifo", via_fifo.name, null.name])


def _unix_socket(path: Path) -> None:
    import socket

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.close()  # the node stays


@pytest.mark.parametrize(
    ("make", "check", "error"),
    [
        (_unix_socket, stat.S_ISSOCK, "No such device or address"),
        (lambda path: path.mkdir(), stat.S_ISDIR, "Is a directory"),
    ],
    ids=["unix-socket", "directory"],
)
def test_a_node_that_cannot_take_a_file_is_an_input_error_and_stays(
    tmp_path: Path, make: Any, check: Any, error: str
) -> None:
    node = tmp_path / "node"
    make(node)
    for target in (node, tmp_path / "link"):
        if target.name == "link":
            target.symlink_to(node)
        with pytest.raises(InputError, match=f"{target.name}: cannot write: {error}"):
            atomic.write_output(target, "x")
        assert check(os.lstat(node).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link", "node"]
