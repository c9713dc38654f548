"""Checks on an input file's bytes before any parser sees them: the size cap, UTF-8,
base IRIs, DTDs in RDF/XML (any encoding), JSON-LD contexts and nesting, Turtle nesting.

No rdflib at import time (the CLI's query path uses the size cap without it)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kzeu_graph.errors import InputError

__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_NESTING",
    "check_base_iri",
    "check_file_size",
    "check_jsonld_contexts",
    "check_no_doctype",
    "check_turtle_text",
    "decode_utf8",
    "get_max_bytes",
    "set_max_bytes",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_max_bytes = DEFAULT_MAX_BYTES


def get_max_bytes() -> int:
    """The current cap on the size of one input file, in bytes."""
    return _max_bytes


def set_max_bytes(limit: int) -> None:
    """Change the cap on the size of one input file (bytes, > 0)."""
    global _max_bytes
    if limit <= 0:
        raise ValueError("the size cap must be positive")
    _max_bytes = limit


def check_file_size(path: Path, limit: int | None = None) -> None:
    """Raise InputError if ``path`` is larger than the cap."""
    cap = _max_bytes if limit is None else limit
    size = path.stat().st_size
    if size > cap:
        raise InputError(f"{path}: file is {size} bytes, larger than the {cap}-byte limit")


MAX_NESTING = 100  # brackets, JSON objects/arrays, XML elements: rdflib's parsers recurse


def _line_at(text: str | bytes, index: int) -> int:
    if isinstance(text, str):
        return text.count("\n", 0, index) + 1
    return text.count(b"\n", 0, index) + 1


def decode_utf8(data: bytes, path: Path) -> str:
    """``data`` as UTF-8 text; InputError naming the file and line of the first bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = _line_at(data, exc.start)
        raise InputError(
            f"{path}:{line}: not UTF-8 text ({exc.reason} at byte {exc.start})"
        ) from None


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")


def check_base_iri(base: str, path: Path, line: int | None = None) -> None:
    """Refuse a declared base IRI that relative IRIs cannot be resolved against.

    A base with a scheme must be hierarchical (``scheme:/...``): against ``urn:x`` or
    ``javascript:x`` rdflib raises (Turtle), keeps the IRIs relative (RDF/XML) or drops the
    triples (JSON-LD), while Oxigraph resolves them, so the two engines would disagree.
    """
    match = _SCHEME.match(base)
    if match is not None and not base[match.end() :].startswith("/"):
        where = f"{path}:{line}" if line is not None else str(path)
        raise InputError(
            f"{where}: base IRI <{base}> is refused: it is not hierarchical "
            "(no '/' after the scheme), so relative IRIs cannot be resolved against it"
        )


class _XmlChecker:
    """An ElementTree parser target that only measures nesting and reads ``xml:base``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.depth = 0
        self.parser: Any = None

    def line(self) -> int | None:
        return getattr(getattr(self.parser, "parser", None), "CurrentLineNumber", None)

    def start(self, tag: str, attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise InputError(
                f"{self.path}:{self.line()}: XML nested deeper than {MAX_NESTING} elements"
            )
        base = attrib.get("{http://www.w3.org/XML/1998/namespace}base")
        if base is not None:
            check_base_iri(base, self.path, self.line())

    def end(self, tag: str) -> None:
        self.depth -= 1

    def data(self, data: str) -> None:
        pass

    def close(self) -> None:
        return None


def check_no_doctype(data: bytes | str, path: Path) -> None:
    """Refuse RDF/XML that is not plain, well-formed XML: any document type declaration
    (entity bombs, external entities, external DTDs), in whatever encoding expat detects;
    elements nested deeper than MAX_NESTING; a non-hierarchical ``xml:base``.

    The bytes are parsed by defusedxml, which stops at the DTD before anything expands or
    is read; the loaders give the RDF/XML parsers these same bytes only after this passed.
    """
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import DefusedXMLParser, ParseError

    raw = data.encode("utf-8") if isinstance(data, str) else data
    checker = _XmlChecker(path)
    parser = DefusedXMLParser(
        target=checker, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    checker.parser = parser
    try:
        parser.feed(raw)
        parser.close()
    except DefusedXmlException:
        raise InputError(
            f"{path}:{checker.line()}: RDF/XML with <!DOCTYPE is refused "
            "(a document type declaration can define entities)"
        ) from None
    except ParseError as exc:
        line, _column = exc.position
        message = str(exc).split(": line ")[0]
        raise InputError(f"{path}:{line}: not well-formed XML: {message}") from None
    except RecursionError:
        raise InputError(f"{path}: XML nested too deeply") from None


def _walk_json(value: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair of every object in a parsed JSON document, without recursion."""
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                yield key, child
                stack.append(child)
        elif isinstance(item, list):
            stack.extend(item)


def _json_depth(value: Any) -> int:
    """How deeply objects and arrays nest in a parsed JSON document (without recursion)."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)
    return deepest


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise _DuplicateKeyError(key)
        found[key] = value
    return found


def _second_key_line(text: str, key: str) -> int | None:
    """The line of the second ``"key":`` in the text (the repeat), when it is found."""
    hits = list(re.finditer(re.escape(json.dumps(key)) + r"\s*:", text))
    return _line_at(text, hits[1].start()) if len(hits) > 1 else None


def check_jsonld_contexts(text: str, path: Path) -> Any:
    """Refuse JSON-LD that is not a JSON object or array, repeats a key in one object,
    nests deeper than MAX_NESTING, declares a non-hierarchical ``@base``, or whose
    ``@context`` or ``@import`` refers to anything but an inline object.

    Returns the parsed JSON. Only inline context objects (and ``null``) are allowed:
    any string reference (remote URL, ``file:``, relative path) is refused. A repeated key
    is refused because parsers disagree on it (rdflib keeps the last value, Oxigraph reads
    both).
    """
    try:
        document = json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    except _DuplicateKeyError as exc:
        key = str(exc)
        line = _second_key_line(text, key)
        where = f"{path}:{line}" if line is not None else str(path)
        raise InputError(
            f"{where}: JSON key {json.dumps(key)} is repeated in one object "
            "(JSON-LD parsers disagree on which value counts)"
        ) from None
    except RecursionError:
        raise InputError(f"{path}: JSON nested too deeply") from None
    if not isinstance(document, dict | list):
        kind = "null" if document is None else type(document).__name__
        raise InputError(f"{path}: JSON-LD must be a JSON object or array, not {kind}")
    if _json_depth(document) > MAX_NESTING:
        raise InputError(f"{path}: JSON nested deeper than {MAX_NESTING} objects and arrays")
    for key, child in _walk_json(document):
        if key == "@import":
            raise InputError(f"{path}: JSON-LD @import is refused (only inline contexts)")
        if key == "@base" and isinstance(child, str):
            check_base_iri(child, path)
        if key == "@context":
            contexts = child if isinstance(child, list) else [child]
            for context in contexts:
                if context is not None and not isinstance(context, dict):
                    raise InputError(
                        f"{path}: JSON-LD @context {context!r} is refused (only inline contexts)"
                    )
    return document


# Turtle/TriG: the tokens that may hold a bracket or a look-alike of a base declaration
# (strings, comments, IRIs) are skipped; base declarations and brackets are read.
_TURTLE_TOKENS = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r"|#[^\n\r]*"
    r"|(?:@base|(?<![\w:.-])(?i:base))\s*<(?P<base>[^<>\s]*)>"
    r'|<(?:[^<>"{}|^`\\\s]|\\[uU])*>'
    r"|(?P<open>[\[(])"
    r"|(?P<close>[\])])",
    re.DOTALL,
)
_BRACKET = re.compile(r"[\[\]()]")
_BASE_HINT = re.compile(r"(?i:base)\s*<")


def _bracket_depth(text: str) -> int:
    depth = deepest = 0
    for match in _BRACKET.finditer(text):
        depth = depth + 1 if match.group() in "[(" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    return deepest


def check_turtle_text(text: str, path: Path) -> None:
    """Refuse Turtle/TriG whose ``[ ]`` and ``( )`` nest deeper than MAX_NESTING (rdflib's
    parser recurses; Oxigraph's does not) or that declares a non-hierarchical base IRI.

    A count of every bracket character decides most files at once; strings, IRIs and
    comments are told apart only when that count, or a ``base <``, finds something.
    """
    if _bracket_depth(text) <= MAX_NESTING and not _BASE_HINT.search(text):
        return
    depth = 0
    for match in _TURTLE_TOKENS.finditer(text):
        if match.group("open"):
            depth += 1
            if depth > MAX_NESTING:
                line = _line_at(text, match.start())
                raise InputError(
                    f"{path}:{line}: nested deeper than {MAX_NESTING} brackets ([ ] and ( ))"
                )
        elif match.group("close"):
            depth = max(depth - 1, 0)
        elif match.group("base") is not None:
            check_base_iri(match.group("base"), path, _line_at(text, match.start()))
