"""Engine-neutral RDF terms, and the strict serializer that writes one as SPARQL text.

A :class:`Term` is what a saved-query parameter becomes once it is checked. Each engine
turns it into its own kind of term (rdflib, pyoxigraph) or, for an engine that only takes
text (a remote SPARQL endpoint), into SPARQL syntax with :func:`sparql_term`. That function
is the only place where a user's value becomes query text, and it guarantees that the text
is exactly ONE RDF term: IRIs are checked against the IRIREF production (no ``<>"{}|^`\\``,
spaces or controls), language tags and datatypes are checked, and a literal's lexical form
is written with every quote, backslash and control character escaped, so that no value can
end the string early, under either reading of SPARQL's ``\\u`` escapes (see
:func:`sparql_term`).

No rdflib here: the command line's query path imports this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from typing import Literal as TypingLiteral

from kzeu_graph.rdf.prefixes import PREFIX_IRIS

if TYPE_CHECKING:
    from rdflib.term import Node

__all__ = [
    "RDF_LANG_STRING",
    "XSD",
    "XSD_STRING",
    "Term",
    "TermError",
    "from_oxigraph",
    "from_rdflib",
    "is_valid_iri",
    "ntriples_escape",
    "sparql_term",
    "to_oxigraph",
    "to_rdflib",
]

XSD = PREFIX_IRIS["xsd"]
XSD_STRING = XSD + "string"
RDF_LANG_STRING = PREFIX_IRIS["rdf"] + "langString"

# xsd:integer and the types derived from it, with their bounds (None: unbounded that side)
XSD_INTEGER_BOUNDS: dict[str, tuple[int | None, int | None]] = {
    XSD + "integer": (None, None),
    XSD + "nonNegativeInteger": (0, None),
    XSD + "positiveInteger": (1, None),
    XSD + "nonPositiveInteger": (None, 0),
    XSD + "negativeInteger": (None, -1),
    XSD + "long": (-(2**63), 2**63 - 1),
    XSD + "int": (-(2**31), 2**31 - 1),
    XSD + "short": (-(2**15), 2**15 - 1),
    XSD + "byte": (-128, 127),
    XSD + "unsignedLong": (0, 2**64 - 1),
    XSD + "unsignedInt": (0, 2**32 - 1),
    XSD + "unsignedShort": (0, 2**16 - 1),
    XSD + "unsignedByte": (0, 255),
}
XSD_INTEGERS = frozenset(XSD_INTEGER_BOUNDS)
XSD_NUMBERS = XSD_INTEGERS | {XSD + "decimal", XSD + "double", XSD + "float"}

_IRI_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_FORBIDDEN = re.compile(r'[\x00-\x20<>"{}|\\^`\x7f]')
_LANGUAGE = re.compile(r"[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*")
_BNODE_ID = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?<!\.)")


class TermError(ValueError):
    """A value that is not a well-formed RDF term."""


def is_valid_iri(value: str) -> bool:
    """An absolute IRI: a scheme, and no spaces, controls or ``<>"{}|\\^``` characters."""
    return bool(_IRI_SCHEME.match(value)) and not _IRI_FORBIDDEN.search(value)


@dataclass(frozen=True, slots=True)
class Term:
    """One RDF term: an IRI, a literal (lexical form + datatype or language) or a blank node."""

    kind: TypingLiteral["iri", "literal", "bnode"]
    value: str
    datatype: str | None = None
    language: str | None = None

    @classmethod
    def iri(cls, value: str) -> Term:
        if not is_valid_iri(value):
            raise TermError(f"not an absolute IRI: {value!r}")
        return cls("iri", value)

    @classmethod
    def literal(cls, value: str, datatype: str | None = None, language: str | None = None) -> Term:
        if language is not None:
            if datatype not in (None, RDF_LANG_STRING) or not _LANGUAGE.fullmatch(language):
                raise TermError(f"not a language tag: {language!r}")
            return cls("literal", value, RDF_LANG_STRING, language.lower())
        if datatype is None or datatype == XSD_STRING:
            return cls("literal", value, XSD_STRING)
        if not is_valid_iri(datatype) or datatype == RDF_LANG_STRING:
            raise TermError(f"not a datatype IRI: {datatype!r}")
        return cls("literal", value, datatype)

    @classmethod
    def bnode(cls, value: str) -> Term:
        if not _BNODE_ID.fullmatch(value):
            raise TermError(f"not a blank node label: {value!r}")
        return cls("bnode", value)


# ------------------------------------------------------------------ SPARQL text

QUERY_SKIPPED = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\''
    r'|"(?:[^"\\\n]|\\.)*"|\'(?:[^\'\\\n]|\\.)*\'|<[^<>"{}|^`\\\s]*>|#[^\n]*'
)
"""The comments, strings and IRIs of a SPARQL text: what to blank before looking for
keywords, braces and variables."""

_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\b": "\\b",
    "\f": "\\f",
}
_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f]')


def _escape_char(match: re.Match[str]) -> str:
    char = match.group(0)
    return _ESCAPES.get(char) or f"\\u{ord(char):04X}"


# N-Triples escapes the same characters, and also the ones that some readers take for line
# ends (``str.splitlines`` splits at NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR).
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
"""A character XML 1.0 cannot hold at all, not even as a character reference (RDF/XML
exports, SPARQL XML results, JUnit reports): the complement of the Char production, written
as what it excludes (the negated class compiles in 7.5 ms, on the query path's import)."""

_NT_NEEDS_ESCAPE = re.compile(r'["\\\x00-\x1f\x7f\x85\u2028\u2029]')


def ntriples_escape(text: str) -> str:
    """``text`` for the inside of an N-Triples / N-Quads string or IRI: quotes, backslashes,
    control characters and the Unicode line separators escaped, so a line holds one statement."""
    return _NT_NEEDS_ESCAPE.sub(_escape_char, text)


def sparql_term(term: Term) -> str:
    """``term`` as SPARQL text that parses as exactly that one term, and nothing else.

    Every ``"`` becomes ``\\"`` and every backslash ``\\\\``; other control characters
    become escapes. SPARQL 1.1 lets an engine decode ``\\uXXXX`` before parsing: a user's
    ``\\u0022`` comes out as ``\\\\u0022``, whose decoding (by an engine that ignores the
    escaped backslash) gives ``\\"``, still inside the string. The term is re-checked here,
    so a hand-built ``Term`` with a bad IRI or tag is refused too. Blank nodes are refused:
    in a query they would be variables, not the node.
    """
    if term.kind == "iri":
        if not is_valid_iri(term.value):
            raise TermError(f"not an absolute IRI: {term.value!r}")
        return f"<{term.value}>"
    if term.kind != "literal":
        raise TermError("a blank node cannot be a query parameter")
    quoted = '"' + _NEEDS_ESCAPE.sub(_escape_char, term.value) + '"'
    if term.language is not None:
        if not _LANGUAGE.fullmatch(term.language):
            raise TermError(f"not a language tag: {term.language!r}")
        return f"{quoted}@{term.language}"
    if term.datatype is None or term.datatype == XSD_STRING:
        return quoted
    if not is_valid_iri(term.datatype):
        raise TermError(f"not a datatype IRI: {term.datatype!r}")
    return f"{quoted}^^<{term.datatype}>"


# ------------------------------------------------------------------ conversions


def to_rdflib(term: Term, normalize: bool = True) -> Node:
    """The rdflib term (imports rdflib). ``normalize=False`` keeps a literal's lexical form
    as written (rdflib would rewrite ``"007"^^xsd:integer`` as ``"7"``)."""
    from rdflib import BNode, Literal, URIRef

    if term.kind == "iri":
        return URIRef(term.value)
    if term.kind == "bnode":
        return BNode(term.value)
    if term.language is not None:
        return Literal(term.value, lang=term.language, normalize=normalize)
    if term.datatype is None or term.datatype == XSD_STRING:
        return Literal(term.value, normalize=normalize)
    return Literal(term.value, datatype=URIRef(term.datatype), normalize=normalize)


def from_rdflib(node: Any) -> Term:
    """A Term from an rdflib URIRef, Literal or BNode."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, URIRef):
        return Term.iri(str(node))
    if isinstance(node, Literal):
        datatype = None if node.datatype is None else str(node.datatype)
        return Term.literal(str(node), datatype, node.language)
    if isinstance(node, BNode):
        return Term.bnode(str(node))
    raise TermError(f"not an RDF term: {node!r}")


def to_oxigraph(term: Term) -> Any:
    """The pyoxigraph term."""
    import pyoxigraph as ox

    if term.kind == "iri":
        return ox.NamedNode(term.value)
    if term.kind == "bnode":
        return ox.BlankNode(term.value)
    if term.language is not None:
        return ox.Literal(term.value, language=term.language)
    return ox.Literal(term.value, datatype=ox.NamedNode(term.datatype or XSD_STRING))


def from_oxigraph(node: Any) -> Term:
    """A Term from a pyoxigraph NamedNode, Literal or BlankNode."""
    kind = type(node).__name__
    if kind == "NamedNode":
        return Term("iri", node.value)
    if kind == "Literal":
        if node.language:
            return Term("literal", node.value, RDF_LANG_STRING, node.language)
        return Term("literal", node.value, node.datatype.value)
    if kind == "BlankNode":
        return Term("bnode", node.value)
    raise TermError(f"not an RDF term: {node!r}")


def rdflib_from_oxigraph(node: Any, normalize: bool = True) -> Node:
    """THE converter from a pyoxigraph term to rdflib (through :class:`Term`)."""
    return to_rdflib(from_oxigraph(node), normalize)


def oxigraph_from_rdflib(node: Any) -> Any:
    """THE converter from an rdflib term to pyoxigraph (through :class:`Term`)."""
    return to_oxigraph(from_rdflib(node))


def ntriples_term(node: Any) -> str:
    """THE writer of one rdflib term in N-Triples syntax (exports, SPARQL TSV results):
    IRIs and lexical forms escaped by :func:`ntriples_escape`, an ``xsd:string`` literal
    written plain (RDF 1.1 canonical form), a blank node as ``_:label``. IRIs are not
    checked here (see :func:`is_valid_iri`)."""
    from rdflib import BNode, Literal, URIRef

    if isinstance(node, Literal):
        text = f'"{ntriples_escape(str(node))}"'
        if node.language:
            return f"{text}@{node.language}"
        if node.datatype is None or str(node.datatype) == XSD_STRING:
            return text
        return f"{text}^^<{ntriples_escape(str(node.datatype))}>"
    if isinstance(node, BNode):
        return f"_:{node}"
    if isinstance(node, URIRef):
        return f"<{ntriples_escape(str(node))}>"
    raise TermError(f"not an RDF term: {node!r}")
