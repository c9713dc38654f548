"""Parse RDF files safely, one at a time, and assemble the project graph (with optional inference)."""

from __future__ import annotations

import contextlib
import json
import re
import threading
import warnings
import xml.sax
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import get_args

import rdflib
from rdflib import RDFS, Dataset, Graph, Literal
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.term import Node
from rdflib.util import guess_format

from . import resources
from .datafiles import read_data_file
from .errors import InputError
from .namespaces import new_graph
from .safety import forbid_sparql_loading

forbid_sparql_loading()  # FROM <...> and LOAD must never fetch or read anything

__all__ = [
    "SUPPORTED_SUFFIXES",
    "Inference",
    "apply_inference",
    "load_graph",
    "load_ontology",
    "load_shapes",
    "merge",
    "parse_file",
]

Inference = TypingLiteral["none", "rdfs", "owlrl"]
INFERENCE_CHOICES: tuple[str, ...] = get_args(Inference)

SUPPORTED_SUFFIXES: dict[str, str] = {
    ".ttl": "turtle",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".nt": "nt",
    ".nq": "nquads",
    ".trig": "trig",
    ".rdf": "xml",
    ".owl": "xml",
}

QUAD_FORMATS = frozenset({"nquads", "trig", "json-ld"})  # may hold named graphs

_NORMALIZE_LOCK = threading.Lock()
_RDFLIB_LINE = re.compile(r"at line (\d+) of <[^>]*>:?\s*")


def _format_for(path: Path) -> str:
    suffix = path.suffix.lower()
    fmt = guess_format(str(path)) if suffix in SUPPORTED_SUFFIXES else None
    if fmt is None:
        known = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise InputError(f"{path}: unknown RDF file extension {suffix or '(none)'!r} (use {known})")
    return fmt


def _bad_syntax_line(exc: BadSyntax) -> int:
    """1-based line of the error position (rdflib's own line count is unreliable)."""
    text = getattr(exc, "_str", None)
    index = getattr(exc, "_i", None)
    if isinstance(text, bytes | str) and isinstance(index, int):
        newline = b"\n" if isinstance(text, bytes) else "\n"
        return text[:index].count(newline) + 1  # type: ignore[arg-type]
    return int(exc.lines) + 1


def _error_message(path: Path, exc: BaseException) -> str:
    """Rewrite a parser's error to name the real file and its 1-based line."""
    if isinstance(exc, BadSyntax):
        why = getattr(exc, "_why", "bad syntax")
        return f"{path}:{_bad_syntax_line(exc)}: bad syntax ({why})"
    if isinstance(exc, xml.sax.SAXParseException):
        return f"{path}:{exc.getLineNumber()}: {exc.getMessage()}"
    if isinstance(exc, json.JSONDecodeError):
        return f"{path}:{exc.lineno}: invalid JSON: {exc.msg}"
    text = " ".join(str(exc).split())
    match = _RDFLIB_LINE.search(text)
    if match:
        rest = _RDFLIB_LINE.sub("", text, count=1)
        return f"{path}:{match.group(1)}: {rest}"
    if isinstance(exc, ParserError):
        return f"{path}: {text}"
    return f"{path}: cannot parse: {type(exc).__name__}: {text}"


@contextlib.contextmanager
def _lexical_forms_kept() -> Iterator[None]:
    """rdflib keeps every literal's lexical form as written while the block runs.

    rdflib has no per-parse switch: its parsers build literals with the module-wide default
    ``rdflib.NORMALIZE_LITERALS`` (on: ``"007"^^xsd:integer`` becomes ``"7"``). It is turned
    off for the parse only and restored after, under a lock, so importing this module
    changes nothing for other rdflib users. A literal another thread builds meanwhile is
    kept as written too (never a different value).
    """
    with _NORMALIZE_LOCK:
        saved = rdflib.NORMALIZE_LITERALS
        rdflib.NORMALIZE_LITERALS = False
        try:
            yield
        finally:
            rdflib.NORMALIZE_LITERALS = saved


def parse_file(path: Path, into: Graph | None = None) -> Graph:
    """Parse ONE file into a fresh graph; if ``into`` is given, merge into it only on success.

    The file passes :func:`kzeu_graph.datafiles.read_data_file` first, the gate every
    command and engine uses, and rdflib then reads the same bytes, keeping every literal's
    lexical form as written. Raises InputError naming the file (and line when known) for a
    missing, oversized, unknown-format, malformed, hostile (DTD, remote JSON-LD context) or
    too-deep file.
    """
    path = Path(path)
    fmt = _format_for(path)
    checked = read_data_file(path)
    # RDF/XML: the bytes, for expat to decode as defusedxml did; the rest is UTF-8 (checked)
    data: str | bytes = checked.data if fmt == "xml" else checked.data.decode("utf-8")
    graph = new_graph()
    try:
        with _lexical_forms_kept():
            if fmt in QUAD_FORMATS:
                # A plain Graph silently drops quads in named graphs: read into a Dataset and
                # flatten every graph's triples into one.
                with warnings.catch_warnings():  # rdflib's own Dataset code uses deprecated names
                    warnings.simplefilter("ignore", DeprecationWarning)
                    dataset = Dataset(default_union=True)
                    dataset.parse(data=data, format=fmt, publicID=checked.base_iri)
                    for s, p, o, _ in dataset.quads((None, None, None, None)):
                        graph.add((s, p, o))
            else:
                graph.parse(data=data, format=fmt, publicID=checked.base_iri)
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to parse") from None
    except Exception as exc:
        raise InputError(_error_message(path, exc)) from None
    if into is not None:
        merge(into, graph)
        return into
    return graph


def merge(into: Graph, graph: Graph) -> Graph:
    """Add ``graph``'s triples to ``into``, with its prefixes that do not clash."""
    into += graph
    prefixes = {p for p, _ in into.namespaces()}
    namespaces = {n for _, n in into.namespaces()}
    for prefix, namespace in graph.namespaces():
        if prefix and prefix not in prefixes and namespace not in namespaces:
            into.bind(prefix, namespace)
    return into


@lru_cache(maxsize=1)
def _ontology_cached(paths: tuple[Path, ...]) -> Graph:
    graph = new_graph()
    for path in paths:
        parse_file(path, into=graph)
    return graph


@lru_cache(maxsize=1)
def _shapes_cached(path: Path) -> Graph:
    return parse_file(path)


def load_ontology() -> Graph:
    """The ontology plus the restated axioms of reused vocabularies (a fresh copy)."""
    return merge(new_graph(), _ontology_cached(tuple(resources.ontology_files())))


def load_shapes() -> Graph:
    """The project's SHACL shapes graph (a fresh copy)."""
    return merge(new_graph(), _shapes_cached(resources.shapes_file()))


def apply_inference(graph: Graph, inference: Inference) -> Graph:
    """Expand ``graph`` in place with the RDFS or OWL-RL closure, keeping it valid and true.

    owlrl adds two kinds of triples that are not entailments of our data: triples with
    a literal subject (invalid RDF), and, through its literal proxies, copies of a value
    under another term that compares equal (``30.0`` for ``"30"^^xsd:positiveInteger``, a
    language-tagged copy of a plain name). Both are dropped: an inferred triple with a
    literal object is kept only when an asserted triple of a sub-property carries the very
    same literal for the same subject (the one way RDFS and OWL-RL really entail it).
    """
    if inference == "none":
        return graph
    if inference not in INFERENCE_CHOICES:
        raise InputError(
            f"unknown inference {inference!r} (use one of {', '.join(INFERENCE_CHOICES)})"
        )
    from owlrl import DeductiveClosure, OWLRL_Semantics, RDFS_Semantics

    asserted = set(graph)
    carried_by: dict[tuple[Node, Node], set[Node]] = {}
    for s, p, o in asserted:
        if isinstance(o, Literal):
            carried_by.setdefault((s, o), set()).add(p)
    semantics = RDFS_Semantics if inference == "rdfs" else OWLRL_Semantics
    DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)

    def entailed(s: Node, p: Node, o: Node) -> bool:
        return any((q, RDFS.subPropertyOf, p) in graph for q in carried_by.get((s, o), ()))

    untrue = [
        (s, p, o)
        for s, p, o in graph
        if isinstance(s, Literal)
        or (isinstance(o, Literal) and (s, p, o) not in asserted and not entailed(s, p, o))
    ]
    for triple in untrue:
        graph.remove(triple)
    return graph


def load_graph(data: Sequence[Path] | None = None, inference: Inference = "none") -> Graph:
    """Ontology files + the given data files (default: the shipped graph) [+ closure]."""
    graph = load_ontology()
    files = resources.default_data_files() if data is None else [Path(p) for p in data]
    for path in files:
        parse_file(path, into=graph)
    return apply_inference(graph, inference)
