"""Hostile and odd data files: one verdict (exit 2, one line naming the file) on every command.

Every command that reads data files goes through one gate (kzeu_graph.loading.datafiles). The files
are generated here; every run is a subprocess with a time limit, so an entity bomb that
expands again fails the test instead of hanging it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from paths import ROOT
from serving import recording_listener

EX = "http://example.org/"
RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"
LIMIT = 240  # seconds for one batch of runs (a bomb that expands takes for ever)

# ------------------------------------------------------------------ RDF/XML with a DTD

ENCODINGS: dict[str, tuple[str, bytes]] = {
    # name: (Python codec, byte order mark written before the text)
    "utf-8": ("utf-8", b""),
    "utf-8-bom": ("utf-8", b"\xef\xbb\xbf"),
    "utf-16le": ("utf-16-le", b""),
    "utf-16le-bom": ("utf-16-le", b"\xff\xfe"),
    "utf-16be": ("utf-16-be", b""),
    "utf-16be-bom": ("utf-16-be", b"\xfe\xff"),
    "utf-32le": ("utf-32-le", b""),
    "utf-32le-bom": ("utf-32-le", b"\xff\xfe\x00\x00"),
    "utf-32be": ("utf-32-be", b""),
    "utf-32be-bom": ("utf-32-be", b"\x00\x00\xfe\xff"),
}


def _rdfxml(doctype: str, body: str, encoding: str) -> str:
    declared = "UTF-8" if encoding.startswith("utf-8") else encoding[:6].upper()
    return (
        f'<?xml version="1.0" encoding="{declared}"?>\n{doctype}\n'
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{EX}">\n'
        f'  <rdf:Description rdf:about="{EX}s"><ex:p>{body}</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    )


def _laughs() -> str:
    levels = ['<!ENTITY l0 "ha">'] + [
        f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 11)
    ]  # 10**10 copies of "ha" when expanded
    return "<!DOCTYPE rdf:RDF [\n" + "\n".join(levels) + "\n]>"


def dtd_kinds(port: int, fifo: Path) -> dict[str, tuple[str, str]]:
    """Each way a DTD can expand or load something: (DOCTYPE text, element content)."""
    url = f"http://127.0.0.1:{port}"
    return {
        "internal-entities": (_laughs(), "&l10;"),
        "external-entity-file": (
            f'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{fifo.as_uri()}">]>',
            "&x;",
        ),
        "external-entity-http": (f'<!DOCTYPE rdf:RDF [<!ENTITY x SYSTEM "{url}/x">]>', "&x;"),
        "parameter-entity": (
            f'<!DOCTYPE rdf:RDF [<!ENTITY % pe SYSTEM "{url}/pe.dtd"> %pe;]>',
            "x",
        ),
        "external-dtd-system": (f'<!DOCTYPE rdf:RDF SYSTEM "{url}/x.dtd">', "x"),
        "external-dtd-public": (
            f'<!DOCTYPE rdf:RDF PUBLIC "-//kzeu//DTD test//EN" "{url}/x.dtd">',
            "x",
        ),
    }


def write_xml(folder: Path, kind: str, encoding: str, port: int, fifo: Path) -> Path:
    doctype, body = dtd_kinds(port, fifo)[kind]
    codec, bom = ENCODINGS[encoding]
    path = folder / f"{kind}.{encoding}.rdf"
    path.write_bytes(bom + _rdfxml(doctype, body, encoding).encode(codec))
    return path


@contextlib.contextmanager
def watched_fifo(folder: Path) -> Iterator[tuple[Path, list[str]]]:
    """A FIFO that records whether anything ever opened it for reading.

    Opening a FIFO for writing without blocking fails (ENXIO) while no reader has it
    open; a reader that opened it waits until a writer comes, so polling finds it.
    """
    fifo = folder / "secret.fifo"
    os.mkfifo(fifo)
    opened: list[str] = []
    stop = threading.Event()

    def poll() -> None:
        while not stop.is_set():
            try:
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:
                time.sleep(0.01)
                continue
            opened.append("opened for reading")
            os.close(fd)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield fifo, opened
    finally:
        stop.set()
        thread.join(2)


def run_python(code: str, payload: object) -> object:
    """Run ``code`` in a fresh interpreter with ``payload`` (JSON) on stdin; its JSON answer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "KZEU_"))} | {
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), os.environ.get("PYTHONPATH", "")])
    }
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=LIMIT,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.splitlines()[-1])


LIBRARY_DRIVER = """
import json, sys
from pathlib import Path
from kzeu_graph.loading.datafiles import check_rdf_file, read_data_file
from kzeu_graph.errors import InputError
from kzeu_graph.loading.graph import parse_file
answers = {}
for name in json.loads(sys.stdin.read()):
    verdicts = []
    for read in (check_rdf_file, read_data_file, parse_file):
        try:
            read(Path(name))
            verdicts.append("accepted")
        except InputError as exc:
            verdicts.append(str(exc))
    answers[name] = verdicts
print(json.dumps(answers))
"""


def test_rdfxml_with_a_dtd_is_refused_in_every_encoding(tmp_path: Path) -> None:
    """Every kind of DTD x every encoding: refused by every reader, nothing fetched or read."""
    with recording_listener() as (port, received), watched_fifo(tmp_path) as (fifo, opened):
        files = [
            write_xml(tmp_path, kind, encoding, port, fifo)
            for kind in dtd_kinds(port, fifo)
            for encoding in ENCODINGS
        ]
        answers = run_python(LIBRARY_DRIVER, [str(p) for p in files])
        time.sleep(0.1)
    assert isinstance(answers, dict)
    assert len(answers) == len(ENCODINGS) * 6
    for name, verdicts in answers.items():
        for verdict in verdicts:
            assert verdict.startswith(f"{name}:"), (name, verdict)
            assert "\n" not in verdict
            # UTF-32 is not an encoding expat reads: refused as not well-formed instead
            if "utf-32" not in name:
                assert "RDF/XML with <!DOCTYPE is refused" in verdict, (name, verdict)
    assert received == []
    assert opened == []


# ------------------------------------------------------------------ every command


def _deep(opening: str, closing: str, depth: int) -> str:
    return f"<{EX}s> <{EX}p> " + opening * depth + f"<{EX}o>" + closing * depth + " .\n"


TEXT_FILES: dict[str, str | bytes] = {
    "deep-blank-nodes.ttl": _deep(f"[ <{EX}p> ", " ]", 10_000),
    "deep-lists.ttl": _deep("( ", " )", 1_000),
    "deep-blank-nodes.trig": "{ " + _deep(f"[ <{EX}p> ", " ]", 500) + "}\n",
    "deep.jsonld": '{"@id": "http://example.org/s", "http://example.org/p": ' * 200
    + '"x"'
    + "}" * 200,
    "deep.rdf": (
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{EX}">'
        + f'<rdf:Description rdf:about="{EX}s"><ex:p rdf:parseType="Resource">' * 300
        + "</ex:p></rdf:Description>" * 300
        + "</rdf:RDF>\n"
    ),
    "base-javascript.ttl": f"@base <javascript:alert(1)//> .\n<a> <{EX}p> <b> .\n",
    "base-urn.trig": f"BASE <urn:x:y>\n<a> <{EX}p> <b> .\n",
    "base-javascript.rdf": (
        f'<rdf:RDF xmlns:rdf="{RDF_NS}" xmlns:ex="{EX}" xml:base="javascript:alert(1)//">'
        '<rdf:Description rdf:about="a"><ex:p rdf:resource="b"/></rdf:Description></rdf:RDF>\n'
    ),
    "base-javascript.jsonld": json.dumps(
        {"@context": {"@base": "javascript:alert(1)//"}, "@id": "a", EX + "p": {"@id": "b"}}
    ),
    "surrogate.ttl": f'<{EX}s> <{EX}p> "\\uD800" .\n',
    "surrogate.nt": f'<{EX}s> <{EX}p> "a\\U0000DFFFb" .\n',
    "surrogate.nq": f'<{EX}s> <{EX}p> "\\uDBFF" <{EX}g> .\n',
    "surrogate.trig": f'<{EX}g> {{ <{EX}s> <{EX}p> """\\uDC00""" . }}\n',
    "surrogate-iri.ttl": f"<{EX}s\\uD800> <{EX}p> <{EX}o> .\n",
    "iri-quote.ttl": f'<{EX}s\\u0022x> <{EX}p> "o" .\n',
    "iri-less-than.nt": f"<{EX}s> <{EX}p> <{EX}o\\u003Cx> .\n",
    "iri-greater-than.ttl": f"<{EX}s> <{EX}p\\U0000003E> <{EX}o> .\n",
    "iri-space.ttl": f"<{EX}s> <{EX}p> <{EX}o\\u0020x> .\n",
    "iri-brace.trig": f"<{EX}g> {{ <{EX}s> <{EX}p> <{EX}o\\u007Bx> . }}\n",
    "iri-backslash.ttl": f"<{EX}s> <{EX}p> <{EX}o\\u005Cx> .\n",
    "iri-control.nt": f"<{EX}s> <{EX}p> <{EX}o\\u0001x> .\n",
    "json-number.json": "123",
    "json-string.jsonld": '"http://example.org/s"',
    "json-null.jsonld": "null",
    "json-duplicate-key.jsonld": (
        '{"@id": "http://example.org/s",\n "http://example.org/p": "a",\n'
        ' "http://example.org/p": "b"}'
    ),
    "json-duplicate-id.jsonld": (
        '{"@id": "http://example.org/s",\n "@id": "http://example.org/t",\n'
        ' "http://example.org/p": "a"}'
    ),
    "not-utf8.ttl": f'<{EX}s> <{EX}p> "caf'.encode() + b'\xe9" .\n',
}
HUGE = 20 * 1024 * 1024  # one literal above Oxigraph's 16 MiB token buffer, under the cap


def write_text_files(folder: Path) -> list[Path]:
    paths = []
    for name, content in TEXT_FILES.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        paths.append(path)
    for name in ("huge-literal.nt", "huge-literal.ttl"):
        path = folder / name
        with path.open("w", encoding="utf-8") as handle:
            handle.write(f'<{EX}s> <{EX}p> "')
            handle.write("x" * HUGE)
            handle.write('" .\n')
        paths.append(path)
    return paths


CLI_DRIVER = """
import json, sys
from click.testing import CliRunner
from kzeu_graph.cli.commands import main
answers = []
for args in json.loads(sys.stdin.read()):
    result = CliRunner().invoke(main, args)
    answers.append([result.exit_code, result.stdout, result.stderr])
print(json.dumps(answers))
"""

COMMANDS: dict[str, Callable[[Path, Path], list[str]]] = {
    "validate": lambda f, d: ["validate", "--data", str(f)],
    "validate-pyshacl": lambda f, d: ["validate", "--engine", "pyshacl", "--data", str(f)],
    "query": lambda f, d: ["query", "figures", "--data", str(f), "--format", "csv"],
    "sparql-oxigraph": lambda f, d: [
        "sparql",
        "--store",
        "oxigraph:memory",
        "--data",
        str(f),
        str(d / "q.rq"),
    ],
    "sparql-rdflib": lambda f, d: [
        "sparql",
        "--store",
        "memory",
        "--data",
        str(f),
        str(d / "q.rq"),
    ],
    "export": lambda f, d: ["export", "--data", str(f), "--format", "nt"],
    "describe": lambda f, d: ["describe", "--data", str(f), EX + "s"],
    "load": lambda f, d: ["load", "--store", f"oxigraph:{d / 'store'}", "--data", str(f)],
    "describe-dataset": lambda f, d: ["describe-dataset", "--data", str(f)],
    "timeline": lambda f, d: ["timeline", "--data", str(f)],
}
CASES = [
    *sorted(TEXT_FILES),
    "huge-literal.nt",
    "huge-literal.ttl",
    "bomb.utf-16le.rdf",
    "bomb.utf-8.rdf",
    "bomb.utf-32be.rdf",
    "external-entity-http.utf-16be.rdf",
    "parameter-entity.utf-8-bom.rdf",
    "external-dtd-public.utf-16le-bom.rdf",
]


@pytest.fixture(scope="module")
def verdicts(
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[tuple[str, str], list[object]]:
    """(file, command) -> [exit code, stdout, stderr, path] for every case and a good file.

    (describe-dataset refuses the good file too: it has no dataset node to describe.)
    """
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "q.rq").write_text("SELECT * WHERE { ?s ?p ?o } LIMIT 1\n", encoding="utf-8")
    with recording_listener() as (port, received), watched_fifo(folder) as (fifo, opened):
        files = write_text_files(folder)
        for name in CASES:
            if name.endswith(".rdf") and name not in TEXT_FILES:
                kind, encoding, _ = name.split(".")
                kind = "internal-entities" if kind == "bomb" else kind
                path = write_xml(folder, kind, encoding, port, fifo)
                files.append(path.rename(folder / name))
        good = folder / "good.ttl"
        good.write_text(
            f'<{EX}s> <{EX}p> "007"^^<{XSD}integer>, "1"^^<{XSD}boolean> .\n', encoding="utf-8"
        )
        files.append(good)
        found: dict[tuple[str, str], list[object]] = {}
        for command, arguments in COMMANDS.items():
            runs = [arguments(path, folder) for path in files]
            answers = run_python(CLI_DRIVER, runs)
            assert isinstance(answers, list)
            for path, answer in zip(files, answers, strict=True):
                found[path.name, command] = [*answer, str(path)]
        time.sleep(0.1)
        found["(network)", "(all)"] = [received, opened]
    return found


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("name", CASES)
def test_every_command_refuses_the_file_in_one_line(
    verdicts: dict[tuple[str, str], list[object]], name: str, command: str
) -> None:
    code, stdout, stderr, path = verdicts[name, command]
    assert code == 2, (stdout, stderr)
    assert isinstance(stderr, str)
    assert stderr.count("\n") == 1, stderr
    assert stderr.startswith(f"kzeu-graph: error: {path}"), stderr
    assert stdout == ""


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"describe-dataset"}))
def test_the_same_commands_accept_a_plain_file(
    verdicts: dict[tuple[str, str], list[object]], command: str
) -> None:
    code, _stdout, stderr, _path = verdicts["good.ttl", command]
    assert code == 0, stderr


def test_nothing_was_fetched_or_read(verdicts: dict[tuple[str, str], list[object]]) -> None:
    assert verdicts["(network)", "(all)"] == [[], []]


def test_serve_refuses_to_start(tmp_path: Path) -> None:
    """One case per class: the server exits 2 with one line before it serves anything."""
    with recording_listener() as (port, received), watched_fifo(tmp_path) as (fifo, opened):
        write_text_files(tmp_path)
        bomb = write_xml(tmp_path, "internal-entities", "utf-16le", port, fifo)
        names = [
            "deep-blank-nodes.ttl",
            "base-javascript.ttl",
            "surrogate.ttl",
            "iri-quote.ttl",
            "json-duplicate-key.jsonld",
            "huge-literal.nt",
        ]
        for path in [bomb, *(tmp_path / n for n in names)]:
            done = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "kzeu_graph",
                    "serve",
                    "--port",
                    "0",
                    "--quiet",
                    "--workers",
                    "1",
                    "--data",
                    str(path),
                ],
                capture_output=True,
                text=True,
                timeout=LIMIT,
                cwd=ROOT,
                check=False,
                env={k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")},
            )
            assert done.returncode == 2, done.stderr
            assert done.stderr.count("\n") == 1, done.stderr
            assert done.stderr.startswith(f"kzeu-graph: error: {path.resolve()}"), done.stderr
    assert received == []
    assert opened == []
