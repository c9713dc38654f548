"""Shared guards: atomic writes survive kills and failures and leave no temporary files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kzeu_graph import safety
from kzeu_graph.errors import InputError
from kzeu_graph.safety import atomic_write, check_file_size

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
from kzeu_graph.safety import atomic_write
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
    src = str(Path(safety.__file__).resolve().parents[1])
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
        safety.set_max_bytes(0)


def test_load_graphs_is_off() -> None:
    import rdflib.plugins.sparql

    import kzeu_graph.queries  # noqa: F401  (importing the SPARQL runner switches it off)

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
