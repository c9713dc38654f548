"""Parse RDF files safely, one at a time, and assemble the project graph (with optional inference)."""

from __future__ import annotations

import json
import re
import warnings
import xml.sax
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Literal as TypingLiteral
from typing import get_args

from rdflib import Dataset, Graph
from rdflib.exceptions import ParserError
from rdflib.plugins.parsers.notation3 import BadSyntax
from rdflib.util import guess_format

from . import resources
from .errors import InputError
from .namespaces import new_graph
from .safety import check_file_size, check_jsonld_contexts, check_no_doctype, forbid_sparql_loading

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


def parse_file(path: Path, into: Graph | None = None) -> Graph:
    """Parse ONE file into a fresh graph; if ``into`` is given, merge into it only on success.

    Raises InputError naming the file (and line when known) for a missing, oversized,
    unknown-format, malformed, hostile (DOCTYPE, remote JSON-LD context) or too-deep file.
    """
    path = Path(path)
    fmt = _format_for(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    check_file_size(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if fmt == "xml":
        check_no_doctype(text, path)
    elif fmt == "json-ld":
        check_jsonld_contexts(text, path)
    graph = new_graph()
    try:
        if fmt in QUAD_FORMATS:
            # A plain Graph silently drops quads in named graphs: read into a Dataset and
            # flatten every graph's triples into one.
            with warnings.catch_warnings():  # rdflib's own Dataset code uses deprecated names
                warnings.simplefilter("ignore", DeprecationWarning)
                dataset = Dataset(default_union=True)
                dataset.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
                for s, p, o, _ in dataset.quads((None, None, None, None)):
                    graph.add((s, p, o))
        else:
            graph.parse(data=text, format=fmt, publicID=path.resolve().as_uri())
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


def apply_inference(graph: Graph, inference: Inference, timeout: float | None = None) -> Graph:
    """Expand ``graph`` in place with the RDFS or OWL-RL closure, keeping it valid and true.

    The closure is :func:`kzeu_graph.inference.closure`: the project's own RDFS engine, or
    owlrl for OWL 2 RL. Triples with a literal subject (invalid RDF) and copies of a value
    under another term that compares equal (owlrl's literal proxies: ``30.0`` beside
    ``"30"^^xsd:positiveInteger``) are not added: an inferred triple with a literal object is
    kept only when an asserted triple of a sub-property carries the very same literal for the
    same subject. ``timeout``: seconds (default: the CLI's ``--inference-timeout``, 60 s);
    raises :class:`kzeu_graph.inference.InferenceTimeout` when the closure takes longer.
    """
    if inference == "none":
        return graph
    if inference not in INFERENCE_CHOICES:
        raise InputError(
            f"unknown inference {inference!r} (use one of {', '.join(INFERENCE_CHOICES)})"
        )
    from .inference import closure

    added, _ = closure(graph, inference, timeout)
    graph.addN((s, p, o, graph) for s, p, o in added)
    return graph


def load_graph(data: Sequence[Path] | None = None, inference: Inference = "none") -> Graph:
    """Ontology files + the given data files (default: the shipped graph) [+ closure]."""
    graph = load_ontology()
    files = resources.default_data_files() if data is None else [Path(p) for p in data]
    for path in files:
        parse_file(path, into=graph)
    return apply_inference(graph, inference)
