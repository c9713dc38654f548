"""Writing files atomically: a temporary file beside the target, then a rename, so no
reader ever sees half a file (FIFOs and devices are written through; a symlink's target
is replaced)."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from kzeu_graph.errors import InputError

__all__ = ["atomic_open", "atomic_write", "write_output"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _file_mode() -> int:
    """What open() would give a new file, not mkstemp's 0600 (read at write time: importing
    this module must not touch the process's umask)."""
    return 0o666 & ~_umask()


def _replaced_file(path: Path) -> Path | None:
    """The regular file an output to ``path`` replaces, or None to write through ``path``.

    A regular file or a new path is replaced atomically. A symlink is followed: the file
    it resolves to is replaced and the link is kept. Any other node (device, FIFO, also
    through a symlink such as ``/dev/stdout``) must never be replaced by a regular file: it
    is opened and written through (a socket or a directory then fails to open: OSError).
    """
    try:
        info = os.stat(path)  # follows symlinks
    except FileNotFoundError:
        info = None  # a new path, or a symlink to a file not yet made
    if info is not None and not stat.S_ISREG(info.st_mode):
        return None
    if os.path.islink(path):
        return Path(os.path.realpath(path))
    return path


@contextlib.contextmanager
def atomic_open(path: Path, *, fsync: bool = True) -> Iterator[IO[bytes]]:
    """A binary file that replaces ``path`` only when the block succeeds.

    Writes go to a temporary file in the same folder (with the mode ``open()`` would
    give), which is fsynced (unless ``fsync`` is false) and renamed over ``path``; on any
    failure, or a kill, ``path`` is untouched and the temporary file is removed if possible.
    A symlink's target is replaced (the link stays); a device or FIFO is opened and
    written through, as a shell's ``>`` would (so ``/dev/null`` stays a device).
    """
    target = _replaced_file(Path(path))
    if target is None:
        with open(path, "wb") as through:
            yield through
        return
    folder = target.parent if str(target.parent) else Path(".")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp_name, _file_mode())
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            if fsync:
                os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    if fsync:
        with contextlib.suppress(OSError):
            dir_fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)


def atomic_write(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` so that readers see either the old file or the new one."""
    with atomic_open(path) as handle:
        handle.write(data.encode("utf-8") if isinstance(data, str) else data)


def write_output(path: Path, data: bytes | str) -> None:
    """``atomic_write``, with a failure reported as an InputError naming ``path``."""
    try:
        atomic_write(Path(path), data)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None
