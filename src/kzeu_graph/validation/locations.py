"""Where a validation finding comes from: the file, and the line where its triple is written.

The data files are parsed by rdflib (``kzeu_graph.loading.graph``), which keeps no positions. This
module reads the text of each line-based file again with a small scanner of its own that
knows the Turtle family's tokens (IRIs, prefixed names, strings of every quoting, numbers,
blank nodes, collections, comments) and its statement structure (subject, predicate, object
lists, ``;`` and ``,``, nested ``[ ]``, TriG graph blocks, the graph term of N-Quads). It
records, for every triple whose subject it can name, the line of the subject, of the
predicate and of the object. A finding is then placed:

- on the line of the object when the finding names a value written in the file
  (``kzr:x schema:value "lots"`` → the line of ``"lots"``);
- else on the line of the predicate of its path in the focus node's block (a ``sh:maxCount``
  breach is reported where the first of the values is written);
- for an inverse path ``^p``, on the line of the triple ``value p focus``;
- else (a missing property, a node-level constraint) on the line where the focus node is
  written as a subject, or, failing that, where it first appears as an object.

Limits: blank nodes are matched through the one triple that points at them (``[ ]`` nested in
an IRI's block, or ``_:b`` used once as an object); a blank node that is the object of several
triples with the same subject and predicate, or the top-level subject of a statement, gets
the line of its parent or none. Values are matched by their lexical form. JSON-LD and RDF/XML
carry no usable lines: findings there name the file (when the subject is in it) and the
triple. When several files hold the same triple, the first file given wins.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node
from rdflib.util import guess_format

from kzeu_graph.errors import InputError
from kzeu_graph.rdf.terms import XSD_NUMBERS
from kzeu_graph.validation.report import (
    VALIDATION_ENGINES,
    Finding,
    ValidationEngine,
    ValidationReport,
)

if TYPE_CHECKING:
    from kzeu_graph.engines import StoreSpec
    from kzeu_graph.loading.graph import Inference

__all__ = [
    "LINE_FORMATS",
    "VALIDATION_ENGINES",
    "SourceIndex",
    "ValidationEngine",
    "locate_report",
    "shown_name",
    "validate_files",
]

LINE_FORMATS = frozenset({"turtle", "trig", "nt", "nquads"})

_STOP = r"\s<>\"'(){}\[\],;#\\^@"
_TOKEN = re.compile(
    rf"""
    (?P<nl>\n)
  | (?P<ws>[ \t\r\f]+)
  | (?P<comment>\#[^\n]*)
  | (?P<iri><(?:[^<>"{{}}|^`\\\x00-\x20]|\\[uU][0-9A-Fa-f]{{4,8}})*>)
  | (?P<long>\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"|'''(?:[^'\\]|\\.|'(?!''))*''')
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<at>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)
  | (?P<dt>\^\^)
  | (?P<bnode>_:[^{_STOP}]+)
  | (?P<pname>(?:[A-Za-z\u00c0-\U000effff][^{_STOP}:]*)?:(?:[^{_STOP}]|\\[^\s])*)
  | (?P<number>[+-]?(?:[0-9]+\.[0-9]*[eE][+-]?[0-9]+|\.?[0-9]+[eE][+-]?[0-9]+|[0-9]*\.[0-9]+|[0-9]+))
  | (?P<punct>[.;,\[\](){{}}])
  | (?P<word>[A-Za-z][A-Za-z0-9_-]*)
    """,
    re.VERBOSE,
)
_ECHAR = {"t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\"}
_ESCAPE = re.compile(r"\\(u[0-9A-Fa-f]{4}|U[0-9A-Fa-f]{8}|.)", re.DOTALL)
_LOCAL_ESCAPE = re.compile(r"\\(.)")
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_TERMS = frozenset({"iri", "pname", "bnode"})


class ScanError(ValueError):
    """The scanner met text it does not understand (the file then gets no line numbers)."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    line: int


def _literal_key(lexical: str, language: str | None = None, datatype: str | None = None) -> str:
    """``"lexical"@lang`` / ``"lexical"^^dt`` / ``"lexical"`` (xsd:string is no datatype)."""
    if language:
        return f'"{lexical}"@{language.lower()}'
    if datatype and datatype != str(XSD.string):
        return f'"{lexical}"^^{datatype}'
    return f'"{lexical}"'


def _lexical_part(key: str) -> str:
    return key[: key.rindex('"') + 1] if key.startswith('"') else key


def _number(key: str) -> float | None:
    """The value of a numeric literal key (rdflib may rewrite ``3.1e10`` as ``31000000000.0``)."""
    lexical, _, datatype = key.rpartition('"^^')
    if datatype not in XSD_NUMBERS:
        return None
    try:
        return float(lexical[1:])
    except ValueError:
        return None


def _number_type(text: str) -> str:
    if "e" in text.lower():
        return str(XSD.double)
    return str(XSD.decimal if "." in text else XSD.integer)


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ECHAR.get(code, code)

    return _ESCAPE.sub(one, text)


def _tokens(text: str) -> Iterator[_Token]:
    line, pos, end = 1, 0, len(text)
    while pos < end:
        match = _TOKEN.match(text, pos)
        if match is None:
            raise ScanError(f"line {line}: unexpected {text[pos]!r}")
        kind = match.lastgroup or ""
        value = match.group()
        if kind in ("pname", "bnode"):
            # A local name cannot end with '.': that dot ends the statement.
            while value.endswith(".") and not value.endswith("\\."):
                value = value[:-1]
            if kind == "bnode" and value == "_:":
                raise ScanError(f"line {line}: empty blank node label")
        pos = match.start() + len(value)
        if kind == "nl":
            line += 1
            continue
        if kind not in ("ws", "comment"):
            yield _Token(kind, value, line)
        line += value.count("\n") if kind == "long" else 0


@dataclass
class _Hit:
    file: str
    predicate_line: int | None
    obj: str | None
    object_line: int | None


@dataclass
class _Index:
    triples: dict[tuple[str, str], list[_Hit]] = field(default_factory=dict)
    subjects: dict[str, list[tuple[str, int | None]]] = field(default_factory=dict)
    objects: dict[str, list[tuple[str, int | None]]] = field(default_factory=dict)


class _Scanner:
    """Walks one document's tokens and records every triple with its lines."""

    def __init__(self, text: str, base: str, file: str, index: _Index, quads: bool) -> None:
        self.tokens = list(_tokens(text))
        self.i = 0
        self.base = base
        self.file = file
        self.index = index
        self.quads = quads
        self.prefixes: dict[str, str] = {}
        self.anon = 0

    # ---------------------------------------------------------------- tokens

    def peek(self, offset: int = 0) -> _Token | None:
        j = self.i + offset
        return self.tokens[j] if j < len(self.tokens) else None

    def next(self) -> _Token:
        token = self.peek()
        if token is None:
            raise ScanError("unexpected end of file")
        self.i += 1
        return token

    def is_punct(self, text: str, offset: int = 0) -> bool:
        token = self.peek(offset)
        return token is not None and token.kind == "punct" and token.text == text

    def expect(self, text: str) -> None:
        token = self.next()
        if token.kind != "punct" or token.text != text:
            raise ScanError(f"line {token.line}: expected {text!r}, found {token.text!r}")

    # ---------------------------------------------------------------- terms

    def iri(self, token: _Token) -> str:
        if token.kind == "iri":
            raw = _unescape(token.text[1:-1])
            return raw if _SCHEME.match(raw) else urljoin(self.base, raw)
        if token.kind == "pname":
            prefix, _, local = token.text.partition(":")
            if prefix not in self.prefixes:
                raise ScanError(f"line {token.line}: undeclared prefix {prefix!r}")
            return self.prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local)
        if token.kind == "word" and token.text == "a":
            return str(RDF.type)
        raise ScanError(f"line {token.line}: expected an IRI, found {token.text!r}")

    def bnode_key(self, label: str) -> str:
        return f"_:{self.file}:{label}"

    def new_anon(self) -> str:
        self.anon += 1
        return f"[{self.file}:{self.anon}]"

    # ---------------------------------------------------------------- record

    def add(self, subject: str, pred: str, pred_line: int, obj: str | None, line: int) -> None:
        hit = _Hit(self.file, pred_line, obj, line)
        self.index.triples.setdefault((subject, pred), []).append(hit)
        if obj is not None and not obj.startswith('"'):
            self.index.objects.setdefault(obj, []).append((self.file, line))

    # ---------------------------------------------------------------- grammar

    def document(self) -> None:
        while self.peek() is not None:
            self.statement()

    def statement(self) -> None:
        token = self.peek()
        assert token is not None
        lowered = token.text.lower()
        if token.kind == "at" and lowered in ("@prefix", "@base"):
            self.next()
            self.directive(lowered[1:])
            self.expect(".")
        elif token.kind == "word" and lowered in ("prefix", "base"):
            self.next()
            self.directive(lowered)
        elif token.kind == "word" and lowered == "graph":
            self.next()
            self.next()  # the graph's name
            self.graph_block()
        elif self.is_punct("{"):
            self.graph_block()
        elif token.kind in _TERMS and self.is_punct("{", 1):
            self.next()
            self.graph_block()
        else:
            self.triples()
            self.expect(".")

    def directive(self, kind: str) -> None:
        if kind == "prefix":
            name = self.next()
            if name.kind != "pname" or not name.text.endswith(":"):
                raise ScanError(f"line {name.line}: expected a prefix name, found {name.text!r}")
            self.prefixes[name.text[:-1]] = self.iri(self.next())
        else:
            self.base = self.iri(self.next())

    def graph_block(self) -> None:
        self.expect("{")
        while not self.is_punct("}"):
            self.triples()
            if self.is_punct("."):
                self.next()
            elif not self.is_punct("}"):
                token = self.next()
                raise ScanError(f"line {token.line}: expected '.' or '}}', found {token.text!r}")
        self.expect("}")

    def triples(self) -> None:
        token = self.next()
        if token.kind == "punct" and token.text == "[":
            subject = self.property_list(token.line)
            if not (self.is_punct(".") or self.is_punct("}")):
                self.predicate_objects(subject, token.line)
            return
        if token.kind == "punct" and token.text == "(":
            self.collection()
            subject = self.new_anon()  # a list as subject: its triples are not tracked
        elif token.kind == "bnode":
            subject = self.bnode_key(token.text[2:])
        else:
            subject = f"<{self.iri(token)}>"
        self.predicate_objects(subject, token.line)

    def predicate_objects(self, subject: str, subject_line: int) -> None:
        self.index.subjects.setdefault(subject, []).append((self.file, subject_line))
        while True:
            verb = self.next()
            pred = self.iri(verb)
            while True:
                obj, line = self.object()
                self.add(subject, pred, verb.line, obj, line)
                after = self.peek()
                if self.quads and after is not None and after.kind in _TERMS:
                    self.next()  # the graph term of an N-Quads line
                if not self.is_punct(","):
                    break
                self.next()
            if not self.is_punct(";"):
                return
            while self.is_punct(";"):
                self.next()
            if self.is_punct(".") or self.is_punct("]") or self.is_punct("}"):
                return

    def object(self) -> tuple[str | None, int]:
        token = self.next()
        obj: str | None
        if token.kind == "punct" and token.text == "[":
            obj = self.property_list(token.line)
        elif token.kind == "punct" and token.text == "(":
            self.collection()
            obj = None
        elif token.kind == "bnode":
            obj = self.bnode_key(token.text[2:])
        elif token.kind in ("string", "long"):
            quote = 3 if token.kind == "long" else 1
            lexical = _unescape(token.text[quote:-quote])
            after = self.peek()
            if after is not None and after.kind == "at":
                obj = _literal_key(lexical, language=self.next().text[1:])
            elif after is not None and after.kind == "dt":
                self.next()
                obj = _literal_key(lexical, datatype=self.iri(self.next()))
            else:
                obj = _literal_key(lexical)
        elif token.kind == "number":
            obj = _literal_key(token.text, datatype=_number_type(token.text))
        elif token.kind == "word" and token.text in ("true", "false"):
            obj = _literal_key(token.text, datatype=str(XSD.boolean))
        else:
            obj = f"<{self.iri(token)}>"
        return obj, token.line

    def property_list(self, line: int) -> str:
        """``[ p o ; ... ]``: a fresh blank node, with its own triples."""
        node = self.new_anon()
        if self.is_punct("]"):
            self.index.subjects.setdefault(node, []).append((self.file, line))
        else:
            self.predicate_objects(node, line)
        self.expect("]")
        return node

    def collection(self) -> None:
        """``( ... )``: the members are read (nested blocks recorded), the list is not."""
        while not self.is_punct(")"):
            self.object()
        self.expect(")")


def shown_name(path: Path) -> str:
    """How a file is named in reports: relative to the working folder when it is inside it."""
    try:
        resolved = path.resolve()
        cwd = Path.cwd().resolve()
    except OSError:
        return str(path)
    if not path.is_absolute():
        return str(path)
    try:
        return str(resolved.relative_to(cwd))
    except ValueError:
        return os.fspath(path)


_IRI = re.compile(r"<[^<>\s]*>")
_ESCAPED_IRI = re.compile(r"<[^<>\s]*\\[uU]")


def _lines_naming(text: str, iris: frozenset[str]) -> str:
    """``text`` with every line that names none of ``iris`` emptied (all of it when an IRI
    is written with an escape, which the plain search would miss)."""
    if _ESCAPED_IRI.search(text):
        return text
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if iris.isdisjoint(_IRI.findall(line)):
            lines[i] = ""
    return "\n".join(lines)


class SourceIndex:
    """Every triple of some files, with the line each subject, predicate and object is on."""

    def __init__(self) -> None:
        self._index = _Index()
        self._by_subject: dict[str, set[tuple[str, str | None]]] | None = None
        self.unscanned: dict[str, str] = {}  # file -> why it has no line numbers

    @classmethod
    def from_files(cls, files: Sequence[Path]) -> SourceIndex:
        """Index ``files`` (already known to parse); lines for the Turtle family only."""
        index = cls()
        for path in files:
            index.add_file(Path(path))
        return index

    def add_file(
        self, path: Path, name: str | None = None, only: frozenset[str] | None = None
    ) -> None:
        """Index one file, named ``name`` (default: :func:`shown_name`) in the locations.

        ``only``: IRIs (as ``<iri>``); in an N-Triples or N-Quads file, just the lines that
        name one of them are indexed (the others are left out, their numbers kept). A line
        with an escaped IRI keeps the whole file indexed."""
        shown = name or shown_name(path)
        fmt = guess_format(str(path)) or ""
        if fmt in LINE_FORMATS:
            try:
                text = path.read_text(encoding="utf-8")
                if only is not None and fmt in ("nt", "nquads"):
                    text = _lines_naming(text, only)
                partial = _Index()
                scanner = _Scanner(
                    text, path.resolve().as_uri(), shown, partial, quads=fmt == "nquads"
                )
                scanner.document()
            except (ScanError, OSError, UnicodeDecodeError, RecursionError) as exc:
                self.unscanned[shown] = str(exc)
            else:
                self._merge(partial)
                return
        self._add_without_lines(path, shown)

    def _merge(self, other: _Index) -> None:
        self._by_subject = None
        for key, hits in other.triples.items():
            self._index.triples.setdefault(key, []).extend(hits)
        for skey, places in other.subjects.items():
            self._index.subjects.setdefault(skey, []).extend(places)
        for okey, places in other.objects.items():
            self._index.objects.setdefault(okey, []).extend(places)

    def _add_without_lines(self, path: Path, shown: str) -> None:
        """JSON-LD, RDF/XML (or a file the scanner gave up on): which subjects it holds."""
        from kzeu_graph.errors import InputError
        from kzeu_graph.loading.graph import parse_file

        try:
            graph = parse_file(path)
        except InputError:
            return
        for s, p, o in graph:
            if isinstance(s, URIRef):
                key = f"<{s}>"
                self._index.subjects.setdefault(key, []).append((shown, None))
                obj = _object_key(o)
                hit = _Hit(shown, None, obj, None)
                self._index.triples.setdefault((key, str(p)), []).append(hit)

    # ---------------------------------------------------------------- lookup

    def _key(self, node: Node | None, graph: Graph | None, depth: int = 0) -> str | None:
        """The index key of a graph node; a blank node through the one triple pointing at it."""
        if isinstance(node, URIRef):
            return f"<{node}>"
        if not isinstance(node, BNode) or graph is None or depth > 8:
            return None
        parents = list(graph.subject_predicates(node))
        if len(parents) != 1:
            return None
        parent, pred = parents[0]
        parent_key = self._key(parent, graph, depth + 1)
        if parent_key is None:
            return None
        hits = self._index.triples.get((parent_key, str(pred)), [])
        blanks = [h.obj for h in hits if h.obj is not None and h.obj[0] in "_["]
        if len(blanks) > 1:  # several: the one whose own triples (to IRIs, literals) match
            own = {(str(p), _object_key(o)) for p, o in graph.predicate_objects(node)} - {
                (str(p), None) for p in graph.predicates(node)
            }
            blanks = [b for b in blanks if self._own_triples(b) == own]
        return blanks[0] if len(blanks) == 1 else None

    def _own_triples(self, key: str) -> set[tuple[str, str | None]]:
        if self._by_subject is None:
            self._by_subject = {}
            for (subject, pred), hits in self._index.triples.items():
                mine = self._by_subject.setdefault(subject, set())
                mine.update((pred, h.obj) for h in hits if h.obj and h.obj[0] not in "_[")
        return self._by_subject.get(key, set())

    def _subject_place(self, key: str) -> tuple[str, int | None] | None:
        places = self._index.subjects.get(key) or self._index.objects.get(key)
        return places[0] if places else None

    def _triple_place(
        self, subject: str, pred: str, obj: str | None
    ) -> tuple[str, int | None] | None:
        hits = self._index.triples.get((subject, pred), [])
        if not hits:
            return None
        if obj is not None:
            number = _number(obj)
            for same in (
                lambda k: k == obj,
                lambda k: number is not None and _number(k) == number,
                lambda k: _lexical_part(k) == _lexical_part(obj),
            ):
                for hit in hits:
                    if hit.obj is not None and same(hit.obj):
                        return hit.file, hit.object_line
        return hits[0].file, hits[0].predicate_line

    def locate(
        self, finding: Finding, graph: Graph | None = None, report_graph: Graph | None = None
    ) -> tuple[str, int | None] | None:
        """``(file, line)`` of the triple behind ``finding`` (line None: the file has no lines).

        ``graph`` (the validated data) lets blank nodes be found; ``report_graph`` (the SHACL
        report) lets an inverse path be read.
        """
        focus = self._key(finding.focus_node, graph)
        if focus is None:
            return None
        value = _object_key(finding.value, lambda n: self._key(n, graph))
        path = finding.path
        place: tuple[str, int | None] | None = None
        if isinstance(path, URIRef):
            place = self._triple_place(focus, str(path), value)
        elif isinstance(path, BNode) and report_graph is not None:
            inverse = report_graph.value(path, SH.inversePath)
            if isinstance(inverse, URIRef) and value is not None:
                place = self._triple_place(value, str(inverse), focus)
        elif path is None and isinstance(finding.value, URIRef):
            place = self._triple_place(focus, str(finding.value), None)  # a bad predicate
        return place or self._subject_place(focus)


def _object_key(node: Node | None, key_of: object = None) -> str | None:
    if isinstance(node, Literal):
        datatype = str(node.datatype) if node.datatype is not None else None
        return _literal_key(str(node), language=node.language, datatype=datatype)
    if isinstance(node, URIRef):
        return f"<{node}>"
    if isinstance(node, BNode) and callable(key_of):
        found = key_of(node)
        return found if isinstance(found, str) else None
    return None


def locate_report(
    report: ValidationReport,
    files: Sequence[Path],
    graph: Graph | None = None,
    names: Sequence[str] | None = None,
) -> ValidationReport:
    """A copy of ``report`` whose findings carry the ``file`` and ``line`` they come from,
    sorted by file and line (findings that could not be traced last, in the usual order).

    ``files`` are the files the validated graph was read from (data first, then the
    ontology, so that the data wins); ``names`` how to show them (default: as given,
    or relative to the working folder); ``graph`` the validated graph (for blank nodes).
    Nothing is read when the report has no findings.
    """
    if not report.results:
        return report
    index = SourceIndex()
    only = None  # every lookup below reads lines that name the finding's focus node
    if all(isinstance(f.focus_node, URIRef) for f in report.results):
        only = frozenset(f"<{f.focus_node}>" for f in report.results)
    for i, path in enumerate(files):
        index.add_file(Path(path), names[i] if names is not None else None, only)
    located = []
    for finding in report.results:
        place = index.locate(finding, graph, report.report_graph)
        if place is not None:
            finding = replace(finding, file=place[0], line=place[1])
        located.append(finding)
    located.sort(key=_reading_order)
    return replace(report, results=located)


def _reading_order(
    finding: Finding,
) -> tuple[bool, str, int, tuple[int, str, str, str, str, str, str]]:
    """Located findings first, by file and line (as a compiler lists them), then the rest."""
    return (finding.file is None, finding.file or "", finding.line or 0, finding.sort_key())


def validate_files(
    data: Sequence[Path] | None = None,
    inference: Inference = "none",
    engine: ValidationEngine = "auto",
    store: str | StoreSpec = "oxigraph:memory",
) -> ValidationReport:
    """Load the ontology + ``data`` (default: the shipped graph), validate, and locate.

    ``store`` (a ``--store`` spec): in memory (rdflib or Oxigraph alike) the graph is the
    ontology and ``data``, read by the project's loader (see
    :func:`kzeu_graph.engines.graph_source`); a folder or a server is validated as loaded,
    handed over by :func:`kzeu_graph.engines.to_graph` (``data`` and ``inference`` are
    refused there, and findings carry no file and line).

    Every finding carries the ``file`` and ``line`` it comes from where the format allows.
    A text file named by ``kzeu:textFile`` is looked for in a ``sources`` folder beside each
    data file, then in the shipped ``data/sources``. User files are named as given; the
    shipped ones relative to the working folder (or in full).

    ``engine``: ``auto`` runs pyshacl-turbo when it imports, else pyshacl (the reference);
    ``pyshacl-turbo`` or ``pyshacl`` runs that one (see :func:`kzeu_graph.validation.report.validate`).
    """
    from kzeu_graph import resources
    from kzeu_graph.engines import check_store_use, open_store, to_graph
    from kzeu_graph.validation.report import validate, validate_files_natively

    if engine not in VALIDATION_ENGINES:
        raise InputError(f"unknown engine {engine!r} (use {' or '.join(VALIDATION_ENGINES)})")
    given = [Path(p) for p in data] if data else None
    spec = check_store_use(store, given, inference)
    files = given if given is not None else resources.default_data_files()
    folders = [p.parent / "sources" for p in given or []] + [resources.sources_dir()]
    ontology = resources.ontology_files()
    names = [str(p) if given is not None else shown_name(p) for p in files]
    names += [shown_name(p) for p in ontology]
    if spec.persistent:  # what the store holds came from files we do not know
        with open_store(spec) as opened:
            handed = to_graph(opened)
        return validate(handed, inference=inference, sources_dirs=folders, engine=engine)
    if engine != "pyshacl" and inference == "none":
        native = validate_files_natively([*ontology, *files], folders)
        if native is not None:
            return locate_report(native[0], [*files, *ontology], native[1], names)
    from kzeu_graph.loading.graph import load_graph

    graph = load_graph(files)
    report = validate(graph, inference=inference, sources_dirs=folders, engine=engine)
    return locate_report(report, [*files, *ontology], graph, names)
