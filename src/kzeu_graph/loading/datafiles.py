"""The one gate every RDF data file passes, whichever command and engine reads it.

A file is loadable when it has a known suffix, exists, is under the size cap, passes the
checks of :mod:`kzeu_graph.loading.checks` on its bytes (RDF/XML parsed by defusedxml: no DTD in
any encoding; JSON-LD: an object or array, no repeated key, inline contexts only; Turtle
and TriG: brackets nested at most ``MAX_NESTING`` deep; everywhere: a hierarchical base
IRI), and Oxigraph parses it. The Oxigraph engines (memory, folder, remote upload and the
validation pre-check) run :func:`check_rdf_file` and then parse with Oxigraph themselves;
the rdflib loader runs :func:`read_data_file` (the same checks and the same Oxigraph parse)
before rdflib reads the very same bytes. So a file is refused by every command or by none.

Oxigraph is the parser that decides, because it is the stricter one where they differ on
what RDF allows: it refuses a lone surrogate (``"\\uD800"``), an IRI escape that produces a
character IRIs exclude (``<a\\u0022b>``), spaces in IRIs, which rdflib accepts. No rdflib
is imported here (the query path of the CLI runs without it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kzeu_graph.errors import InputError
from kzeu_graph.loading.checks import (
    check_file_size,
    check_jsonld_contexts,
    check_no_doctype,
    check_turtle_text,
    decode_utf8,
)
from kzeu_graph.rdf.formats import FORMATS

__all__ = [
    "RDF_FORMATS",
    "DataFile",
    "check_rdf_file",
    "parse_error",
    "rdf_format",
    "read_data_file",
]

# suffix -> Oxigraph format, from the one table of formats (kzeu_graph.rdf.formats)
RDF_FORMATS: dict[str, ox.RdfFormat] = {
    suffix: record.oxigraph for record in FORMATS for suffix in record.suffixes
}
# formats whose bytes are checked before any parser reads them (N-Triples and N-Quads
# need nothing beyond Oxigraph's own parse: no DTD, no nesting, no base)
_PRECHECKED = frozenset(
    {ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD, ox.RdfFormat.RDF_XML}
)
_LINE = re.compile(r"line (\d+)|(\d+):(\d+)")
TOKEN_LIMIT = 16 * 1024 * 1024  # Oxigraph's parser buffer: no literal or IRI may be longer


@dataclass(frozen=True)
class DataFile:
    """A data file that passed every check: its path, format and the bytes that were checked."""

    path: Path
    format: ox.RdfFormat
    data: bytes
    quads: list[ox.Quad]  # as Oxigraph read them: lexical forms as written
    prefixes: dict[str, str]  # the prefixes the file declares (Turtle, TriG, JSON-LD)

    @property
    def base_iri(self) -> str:
        """The file's own IRI, the base its relative IRIs are resolved against."""
        return self.path.resolve().as_uri()


def rdf_format(path: Path) -> ox.RdfFormat:
    """The Oxigraph format for a file's suffix; InputError for an unknown one."""
    fmt = RDF_FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(RDF_FORMATS))
        raise InputError(
            f"{path}: unknown RDF file extension {path.suffix or '(none)'!r} (use {known})"
        )
    return fmt


def _check_bytes(path: Path, fmt: ox.RdfFormat, data: bytes) -> None:
    if fmt == ox.RdfFormat.RDF_XML:
        check_no_doctype(data, path)  # expat decodes it: no UTF-8 assumption here
        return
    text = decode_utf8(data, path)
    if fmt == ox.RdfFormat.JSON_LD:
        check_jsonld_contexts(text, path)
    elif fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG):
        check_turtle_text(text, path)


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror or exc}") from None


def check_rdf_file(path: Path) -> ox.RdfFormat:
    """Every check before parsing (format, existence, size cap, the checks on the bytes);
    returns the file's format. The caller then parses it with Oxigraph and reports a
    failure with :func:`parse_error`."""
    path = Path(path)
    fmt = rdf_format(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    check_file_size(path)
    if fmt in _PRECHECKED:
        _check_bytes(path, fmt, _read(path))
    return fmt


def read_data_file(path: Path) -> DataFile:
    """:func:`check_rdf_file` and a full Oxigraph parse of the same bytes; returns both.

    InputError (naming the file, and the line when known) for anything refused.
    """
    path = Path(path)
    fmt = rdf_format(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    check_file_size(path)
    data = _read(path)
    if fmt in _PRECHECKED:
        _check_bytes(path, fmt, data)
    else:
        decode_utf8(data, path)  # names the line of a bad byte
    try:
        parser = ox.parse(data, fmt, base_iri=path.resolve().as_uri())
        quads = list(parser)
        prefixes = dict(parser.prefixes)
    except (SyntaxError, MemoryError, RecursionError, ValueError, OSError) as exc:
        error = parse_error(path, exc)
        if fmt == ox.RdfFormat.RDF_XML and not re.match(
            rf"{re.escape(str(path))}:\d+:", str(error)
        ):
            line = _rdfxml_error_line(data)  # Oxigraph's RDF/XML errors carry no position
            if line is not None:
                error = InputError(str(error).replace(f"{path}:", f"{path}:{line}:", 1))
        raise error from None
    return DataFile(path, fmt, data, quads, prefixes)


def _rdfxml_error_line(data: bytes) -> int | None:
    """The line where rdflib's RDF/XML parser (SAX, so it has a locator) stops on ``data``.

    Only called on bytes that passed the DTD refusal (no entity can expand or load), to
    name the line of an error that Oxigraph reports without one.
    """
    from rdflib import Graph

    try:
        Graph().parse(data=data, format="xml")
    except Exception as exc:
        found = re.search(r":(\d+):\d+:", str(exc))
        return int(found.group(1)) if found else None
    return None


def _within_file(name: Path | str, line: int) -> int:
    """``line``, or the file's last line when the parser counted the end of file as one more
    (an unexpected end is reported where the text stops)."""
    if not isinstance(name, Path):
        return line
    try:
        data = name.read_bytes()
    except OSError:
        return line
    last = data.rstrip(b"\n").count(b"\n") + 1
    return min(line, last)


def parse_error(name: Path | str, exc: BaseException) -> InputError:
    """Oxigraph's parse failure as a one-line InputError naming the file (and line)."""
    if isinstance(exc, MemoryError):
        return InputError(
            f"{name}: a literal or IRI is longer than {TOKEN_LIMIT // (1024 * 1024)} MiB, "
            "the most the parser reads as one token"
        )
    if isinstance(exc, RecursionError):
        return InputError(f"{name}: nested too deeply to parse")
    message = " ".join(str(exc).split())
    if isinstance(exc, SyntaxError):
        match = _LINE.search(message)
        if match is not None:
            line = _within_file(name, int(match.group(1) or match.group(2)))
            return InputError(f"{name}:{line}: bad syntax ({message})")
        return InputError(f"{name}: bad syntax ({message})")
    return InputError(f"{name}: cannot load: {message}")
