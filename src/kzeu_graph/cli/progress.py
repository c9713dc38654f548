"""Progress bars for long operations: shown on a terminal (rich), silent otherwise."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console

__all__ = ["Advance", "progress"]

# advance(completed, **fields): set the count done so far (and extra fields such as triples)
Advance = Callable[..., None]


def _noop(completed: int, **fields: Any) -> None:
    return None


@contextlib.contextmanager
def progress(
    description: str,
    total: int | None,
    unit: str,
    *,
    extra: str | None = None,
    console: Console | None = None,
) -> Iterator[Advance]:
    """A bar with the count done, the total, the rate in ``unit``/s and the time elapsed.

    Yields ``advance(completed, **fields)``. ``extra`` names a numeric field shown beside
    the count (e.g. ``"triples"``). Without ``console``, the bar goes to standard error
    and only when that is a terminal: piped or redirected output gets nothing extra.
    """
    if console is None:
        if not sys.stderr.isatty():
            yield _noop
            return
        from rich.console import Console

        console = Console(stderr=True)
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        Task,
        TextColumn,
        TimeElapsedColumn,
    )
    from rich.text import Text

    class _Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("" if speed is None else f"{speed:,.0f}/s", style="progress.data.speed")

    columns: list[ProgressColumn | str] = [
        TextColumn("[progress.description]{task.description}"),
        BarColumn(bar_width=20),
        MofNCompleteColumn(),
        TextColumn(unit),
        _Rate(),
    ]
    if extra is not None:
        columns.append(TextColumn(f"{{task.fields[{extra}]:,}} {extra}"))
    columns.append(TimeElapsedColumn())
    fields: dict[str, Any] = {extra: 0} if extra is not None else {}
    with Progress(*columns, console=console, transient=False) as bar:
        task = bar.add_task(description, total=total, **fields)

        def advance(completed: int, **values: Any) -> None:
            bar.update(task, completed=completed, **values)

        yield advance
