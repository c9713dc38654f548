"""The query text every engine runs: SPARQL escapes decoded once, line ends made LF, and
the word SERVICE refused for engines that run text (no rdflib here: the Oxigraph path
stays without it)."""

from __future__ import annotations

import re
import unicodedata

from kzeu_graph.errors import QueryError

__all__ = ["canonical_query", "check_query_text"]


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
