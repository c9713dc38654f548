"""Guards shared by every path: atomic writes, size caps, hostile RDF/XML, JSON-LD and SPARQL."""

from __future__ import annotations

import contextlib
import json
import os
import re
import stat
import tempfile
import unicodedata
from collections.abc import Collection, Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kzeu_graph.errors import InputError, QueryError

if TYPE_CHECKING:
    from rdflib.plugins.sparql.sparql import Query

# No rdflib at import time (the CLI's query path uses the file checks without it).


def forbid_sparql_loading() -> None:
    """Make rdflib's SPARQL never fetch or read a graph for ``FROM <...>`` or ``LOAD``.

    Called before rdflib SPARQL runs (every project graph is made by
    :func:`kzeu_graph.rdf.namespaces.new_graph`, and :func:`kzeu_graph.sparql.run.execute_prepared`
    calls it too), never at import.
    """
    import rdflib.plugins.sparql

    rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False


__all__ = [
    "DEFAULT_MAX_BYTES",
    "MAX_NESTING",
    "atomic_write",
    "canonical_query",
    "check_base_iri",
    "check_file_size",
    "check_jsonld_contexts",
    "check_no_doctype",
    "check_query_algebra",
    "check_query_text",
    "check_turtle_text",
    "decode_utf8",
    "forbid_sparql_loading",
    "get_max_bytes",
    "set_max_bytes",
    "write_output",
]

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
_max_bytes = DEFAULT_MAX_BYTES

ALLOWED_QUERY_TYPES = frozenset({"SelectQuery", "AskQuery", "ConstructQuery", "DescribeQuery"})


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


# ------------------------------------------------------------------ SPARQL

# SPARQL 1.1 section 19.2: codepoint escapes, processed on the whole text before parsing.
_CODEPOINT_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
# What any parser could still read as an escape: rdflib's pre-parse expansion takes a
# backslash, u or U (either case) and 4 or 8 hex digits; Oxigraph's UCHAR 4 or 8 after u / U.
_RESIDUAL_ESCAPE = re.compile(r"\\[uU][0-9A-Fa-f]{4}")
_NO_SERVICE_HINT = (
    "the word SERVICE appears in the query text (in a string, IRI or comment?), "
    "and queries may not call remote endpoints: write it another way "
    '(e.g. CONCAT("serv", "ice") or the regex "servic[e]")'
)


def _decode_escape(match: re.Match[str]) -> str:
    code = int(match.group(1) or match.group(2), 16)
    if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise QueryError(f"the escape {match.group(0)} is not a Unicode character")
    return chr(code)


def canonical_query(text: str) -> str:
    """The one text of a query that every parser reads the same way (idempotent).

    Two SPARQL parsers read some texts differently: rdflib expands ``\\uXXXX`` escapes on
    the whole text before parsing, Oxigraph only inside strings and IRIs; rdflib's ``#``
    comment runs past a bare CR, Oxigraph's (as the grammar says) ends there. So the
    escapes are decoded here, once, on the whole text (SPARQL 1.1 section 19.2), and every
    CR or CRLF becomes LF. A text that would still hold an escape after that (``\\u005Cu0041``)
    is refused. The result holds no escape and no CR: there is nothing left for the two
    parsers to read differently there, and it is the text that is both checked and run.
    """
    decoded = _CODEPOINT_ESCAPE.sub(_decode_escape, text) if "\\" in text else text
    if "\\" in decoded and _RESIDUAL_ESCAPE.search(decoded):
        raise QueryError(
            "the query holds an escape that decodes to another \\u escape: "
            "write the character itself"
        )
    return decoded.replace("\r\n", "\n").replace("\r", "\n")


def _mentions_service(text: str) -> int:
    """How often the word SERVICE occurs in ``text``, in any case or width (NFKC, casefold)."""
    return unicodedata.normalize("NFKC", text).casefold().count("service")


def check_query_text(text: str, service_patterns: int = 0) -> str:
    """The canonical text of a query (:func:`canonical_query`), refused if it could call out.

    The word SERVICE (any case or width) must occur in the text exactly as often as the
    checked algebra has SERVICE patterns (``service_patterns``: 0 unless an allow-list let
    one through), so not in strings and comments either. No parser can make a SERVICE call
    from a text that does not hold those letters, whatever else it reads differently; and
    with one allowed pattern, the one SERVICE text rdflib re-reads is that pattern's. This
    check needs no parser (no rdflib): every engine applies it to the text it is about to run.
    """
    canonical = canonical_query(text)
    if _mentions_service(canonical) != service_patterns:
        if service_patterns:
            raise QueryError(
                "SERVICE is refused: the word SERVICE occurs again in the query text "
                "(in a string or comment?), where rdflib could read it as the call"
            )
        raise QueryError(f"SERVICE is refused: {_NO_SERVICE_HINT}")
    return canonical


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


def _children(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):  # CompValue and Expr are OrderedDicts
        yield from dict.values(node)
    elif isinstance(node, list | tuple | set | frozenset) or (
        hasattr(node, "as_list") and not isinstance(node, str)
    ):
        yield from node


# The regular expression rdflib's evaluator applies to a SERVICE pattern's source text to
# find the URL it will call (rdflib.plugins.sparql.evaluate.evalServiceQuery).
_RDFLIB_SERVICE_CALL = re.compile(r"^service <(.*)>[ \n]*{(.*)}[ \n]*$", re.DOTALL | re.IGNORECASE)
_SERVICE_FORM = "write SERVICE <endpoint> { ... } (one space, a full IRI, no SILENT)"


def _check_service(node: Any, allowed: Collection[str]) -> None:
    """Refuse a SERVICE pattern unless rdflib will call exactly its IRI, which is allowed.

    rdflib does not call the parsed IRI: it re-reads the first ``SERVICE <...> {...}`` text
    of the query, and makes no call at all (returning no rows) when that text is not
    exactly ``SERVICE <IRI> {`` (``SERVICE SILENT``, a prefixed name, another space). So
    the text it will read must be this pattern's, with this IRI.
    """
    from rdflib import URIRef

    term = node.get("term")
    if not allowed:
        raise QueryError("SERVICE is refused: queries may not call remote endpoints")
    if not isinstance(term, URIRef) or str(term) not in allowed:
        shown = term.n3() if hasattr(term, "n3") else repr(term)
        raise QueryError(f"SERVICE {shown} is refused: it is not on the server's allow-list")
    match = _RDFLIB_SERVICE_CALL.match(str(node.get("service_string") or ""))
    if match is None or ":" not in match.group(1):  # SILENT, a prefixed name, a relative IRI
        raise QueryError(f"SERVICE <{term}> is refused in this form: {_SERVICE_FORM}")
    if match.group(1) != str(term):
        raise QueryError(
            "SERVICE is refused: the query text holds another SERVICE call "
            "(in a comment or string?) that rdflib would make instead"
        )


def check_query_algebra(prepared: Query, allowed_services: Collection[str] = ()) -> int:
    """Refuse updates, anything but SELECT/ASK/CONSTRUCT/DESCRIBE, FROM / FROM NAMED, and
    SERVICE (except one call to an endpoint of ``allowed_services``, default: none).

    Walks the whole translated algebra (subqueries and EXISTS included) without recursion.
    Returns how many SERVICE patterns the query has (0, or 1 when some are allowed).
    """
    from rdflib.plugins.sparql.parserutils import CompValue

    algebra = getattr(prepared, "algebra", None)
    if not isinstance(algebra, CompValue) or algebra.name not in ALLOWED_QUERY_TYPES:
        kind = getattr(algebra, "name", type(prepared).__name__)
        raise QueryError(
            f"only SELECT, ASK, CONSTRUCT and DESCRIBE queries are allowed, not {kind}"
        )
    if algebra.get("datasetClause"):
        raise QueryError(
            "FROM and FROM NAMED are refused: queries run on one default graph "
            "and never load graphs"
        )
    services = 0
    seen: set[int] = set()
    stack: list[Any] = [algebra]
    while stack:
        node = stack.pop()
        if id(node) in seen or isinstance(node, str | int | float | bool) or node is None:
            continue
        seen.add(id(node))
        if isinstance(node, CompValue) and node.name == "ServiceGraphPattern":
            _check_service(node, allowed_services)
            services += 1
            if services > 1:
                raise QueryError("SERVICE is refused more than once per query: call one endpoint")
        stack.extend(_children(node))
    return services
