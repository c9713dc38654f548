"""Every console example in the README and the docs runs against the real CLI and prints what it shows.

A fenced block marked ``console`` is a terminal session: lines starting with ``$ `` are commands,
the lines after one are its expected output (stdout and stderr together). A line ``...`` stands
for any number of lines. Commands run in bash, in a scratch folder that mirrors the repository
(so ``-o FILE`` writes nowhere that matters), with the installed ``kzeu-graph`` first on PATH.
``echo $?`` shows the exit code of the command before it.

Blocks marked ``pycon`` are Python sessions, run with doctest (``...`` elides output there too).
Blocks marked ``sh``, ``text`` or ``python`` are not run. To refresh the expected outputs after a
deliberate change, run ``KZEU_UPDATE_EXAMPLES=1 pytest tests/test_doc_examples.py`` and review the
diff: the lines kept around each ``...`` are refreshed, the ``...`` stays.
"""

from __future__ import annotations

import doctest
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from paths import ROOT

DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
UPDATE = os.environ.get("KZEU_UPDATE_EXAMPLES") == "1"
FENCE = re.compile(r"^```console\n(.*?)^```$", re.DOTALL | re.MULTILINE)
ELLIPSIS = "..."
MARKER = "@@kzeu-example-end@@"


@dataclass(frozen=True)
class Step:
    command: str
    expected: list[str]


@dataclass(frozen=True)
class Example:
    document: Path
    line: int  # 1-based line of the opening fence
    body: str  # the block's text between the fences, as found
    steps: list[Step]

    @property
    def id(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"


def _steps(body: str) -> list[Step]:
    steps: list[Step] = []
    for line in body.splitlines():
        if line.startswith("$ "):
            steps.append(Step(line[2:], []))
        elif steps:
            steps[-1].expected.append(line.rstrip())
        elif line.strip():
            raise ValueError(f"console block starts with output, not a command: {line!r}")
    for step in steps:
        while step.expected and not step.expected[-1]:
            step.expected.pop()
    return steps


def _examples() -> list[Example]:
    found: list[Example] = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Example(document, line, match.group(1), _steps(match.group(1))))
    return found


EXAMPLES = _examples()


def _scratch(tmp_path: Path) -> Path:
    """A folder that mirrors the repository's top level through symlinks."""
    for entry in ROOT.iterdir():
        if entry.name in {".git", ".venv", "site"}:
            continue
        (tmp_path / entry.name).symlink_to(entry)
    return tmp_path


def _run(steps: list[Step], cwd: Path) -> list[list[str]]:
    lines = ["__rc=0"]
    for step in steps:
        lines.append(f"( exit $__rc ); {step.command} 2>&1; __rc=$?; printf '\\n{MARKER}\\n'")
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.pop("KZEU_STORE", None)
    env["COLUMNS"] = "100"
    completed = subprocess.run(
        ["bash", "-c", "\n".join(lines)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    chunks = completed.stdout.split(f"\n{MARKER}\n")
    outputs = []
    for chunk in chunks[: len(steps)]:
        out = [line.rstrip() for line in chunk.splitlines()]
        while out and not out[-1]:
            out.pop()
        outputs.append(out)
    assert len(outputs) == len(steps), completed.stderr
    return outputs


def _matches(expected: list[str], actual: list[str]) -> bool:
    """Whether ``actual`` is ``expected`` with each ``...`` standing for any run of lines."""
    if not expected:
        return not actual
    head, *rest = expected
    if head == ELLIPSIS:
        return any(_matches(rest, actual[i:]) for i in range(len(actual) + 1))
    return bool(actual) and actual[0] == head and _matches(rest, actual[1:])


def _refreshed(expected: list[str], actual: list[str]) -> list[str]:
    if ELLIPSIS not in expected:
        return actual
    cut = expected.index(ELLIPSIS)
    tail = len(expected) - cut - 1
    return [*actual[:cut], ELLIPSIS, *(actual[len(actual) - tail :] if tail else [])]


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_console_example(example: Example, tmp_path: Path) -> None:
    outputs = _run(example.steps, _scratch(tmp_path))
    if UPDATE:
        _rewrite(example, outputs)
        return
    for step, actual in zip(example.steps, outputs, strict=True):
        assert _matches(step.expected, actual), (
            f"{example.id}: `{step.command}` printed:\n" + "\n".join(actual)
        )


def _rewrite(example: Example, outputs: list[list[str]]) -> None:
    # Each block is found again by its original body: earlier rewrites move the offsets.
    text = example.document.read_text(encoding="utf-8")
    lines: list[str] = []
    for step, actual in zip(example.steps, outputs, strict=True):
        lines.append(f"$ {step.command}")
        lines.extend(_refreshed(step.expected, actual))
        lines.append("")
    new_body = "\n".join(lines).rstrip("\n") + "\n"
    fence = f"```console\n{example.body}```"
    assert fence in text, f"{example.id}: the block changed during the update"
    example.document.write_text(
        text.replace(fence, f"```console\n{new_body}```", 1), encoding="utf-8"
    )


def test_examples_are_found() -> None:
    """The README shows at least three runnable examples; every docs page's examples are found."""
    in_readme = [e for e in EXAMPLES if e.document.name == "README.md"]
    assert len(in_readme) >= 3
    assert all(e.steps for e in EXAMPLES)


PYCON = re.compile(r"^```pycon\n(.*?)^```$", re.DOTALL | re.MULTILINE)
SESSIONS = [
    (document, text.count("\n", 0, match.start()) + 1, match.group(1))
    for document in DOCUMENTS
    for text in [document.read_text(encoding="utf-8")]
    for match in PYCON.finditer(text)
]


@pytest.mark.parametrize(
    ("document", "line", "body"),
    SESSIONS,
    ids=[f"{d.relative_to(ROOT)}:{n}" for d, n, _ in SESSIONS],
)
def test_python_session(document: Path, line: int, body: str) -> None:
    name = f"{document.relative_to(ROOT)}:{line}"
    test = doctest.DocTestParser().get_doctest(body, {}, name, str(document), line)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)


@pytest.mark.parametrize(
    ("expected", "actual", "verdict"),
    [
        (["a", "b"], ["a", "b"], True),
        (["a", "b"], ["a", "c"], False),
        (["a", "...", "z"], ["a", "b", "c", "z"], True),
        (["a", "...", "z"], ["a", "z"], True),
        (["a", "...", "z"], ["a", "b"], False),
        (["..."], [], True),
        ([], ["x"], False),
    ],
)
def test_ellipsis_matching(expected: list[str], actual: list[str], verdict: bool) -> None:
    assert _matches(expected, actual) is verdict
