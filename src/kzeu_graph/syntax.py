"""A second, strict reading of every RDF file, by pyoxigraph, after rdflib has accepted it.

rdflib is lenient: it loads IRIs with spaces or bad escapes, ``"a"@en^^xsd:string``, N3
extras in Turtle and more (about a third of the W3C RDF 1.1 negative syntax tests), and
then an export writes what no strict reader accepts. pyoxigraph follows the W3C grammars
(it passes every negative and positive syntax test of the RDF 1.1 suites), so a file it
refuses is refused, with the file, the line and its reason. JSON-LD is not checked here,
nor RDF/XML with a DTD (pyoxigraph would expand its entities; the loader refuses DTDs).
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import InputError

__all__ = ["check_syntax", "with_line"]

# rdflib's format name -> pyoxigraph's RdfFormat attribute
_STRICT_FORMATS = {
    "turtle": "TURTLE",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "trig": "TRIG",
    "xml": "RDF_XML",
}
_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)  # also in UTF-16/32 read as UTF-8
_POSITION = re.compile(
    r"^Parser error (?:at line \d+ (?:between columns \d+ and \d+|column \d+)"
    r"|between line \d+ column \d+ and line \d+ column \d+): "
)
_SAX_POSITION = re.compile(r"None:(\d+):\d+: ")  # rdflib's RDF/XML errors: None:line:column


def check_syntax(text: str, fmt: str, path: Path) -> None:
    """Raise InputError ``path:line: reason`` if ``text`` is not ``fmt`` by the W3C grammar."""
    import pyoxigraph as ox

    name = _STRICT_FORMATS.get(fmt)
    if name is None or (fmt == "xml" and _DTD.search(text.replace("\x00", ""))):
        return  # pyoxigraph expands internal entities: a DTD is the loader's to refuse
    try:
        for _ in ox.parse(
            text.encode("utf-8"),
            format=getattr(ox.RdfFormat, name),
            base_iri=path.resolve().as_uri(),
        ):
            pass
    except SyntaxError as exc:
        reason = _POSITION.sub("", str(exc.msg))
        where = f"{path}:{exc.lineno}" if exc.lineno else str(path)
        raise InputError(f"{where}: {reason}") from None
    except MemoryError:
        raise InputError(
            f"{path}: a single term is larger than the 16 MiB the strict parser reads"
        ) from None
    except (ValueError, UnicodeError) as exc:
        raise InputError(f"{path}: {exc}") from None


def with_line(message: str, text: str, fmt: str, path: Path) -> str:
    """The loader's error ``message`` about ``path``, with a line number where it has none.

    rdflib's N-Triples and N-Quads errors name no line, its RDF/XML errors bury it in
    ``None:line:column``; the line then comes from that text or from the strict reading.
    A message that already names a line is returned as it is.
    """
    plain = f"{path}: "
    if not message.startswith(plain):
        return message
    rest = message[len(plain) :]
    sax = _SAX_POSITION.match(rest)
    if sax:
        return f"{path}:{sax.group(1)}: {rest[sax.end() :]}"
    try:
        check_syntax(text, fmt, path)
    except InputError as strict:
        if re.match(rf"{re.escape(str(path))}:\d+: ", str(strict)):
            return str(strict)
    return message
