"""Read an export back with independent parsers and compare it with the source, term for term.

Shared by tests/test_export_lossless.py and tests/test_w3c_rdf.py. "Term for term" means
lexical forms, datatypes and language tags exactly as written (RDF 1.1: a simple literal
and an ``xsd:string`` literal are the same term); blank nodes are compared up to renaming
(RDFC-1.0, computed by pyoxigraph).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import rdflib
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.term import Node

FORMATS = ["turtle", "json-ld", "nt", "nquads", "trig", "xml"]
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
OX_FORMAT = {
    "turtle": "TURTLE",
    "json-ld": "JSON_LD",
    "nt": "N_TRIPLES",
    "nquads": "N_QUADS",
    "trig": "TRIG",
    "xml": "RDF_XML",
}
RAPPER_INPUT = {
    "turtle": "turtle",
    "nt": "ntriples",
    "nquads": "nquads",
    "trig": "trig",
    "xml": "rdfxml",
}

Triple = tuple[Node, Node, Node]


@contextmanager
def lexical_forms_kept() -> Iterator[None]:
    """rdflib parsers keep lexical forms (``"007"`` stays ``"007"``) inside the block."""
    saved = rdflib.NORMALIZE_LITERALS
    rdflib.NORMALIZE_LITERALS = False
    try:
        yield
    finally:
        rdflib.NORMALIZE_LITERALS = saved


# ------------------------------------------------------------------ exact comparison


def _literal_text(lexical: str, datatype: str | None, language: str | None) -> str:
    if language:
        return json.dumps([lexical, "", language])
    return json.dumps([lexical, datatype or XSD_STRING, ""])


XSD_DOUBLE = "http://www.w3.org/2001/XMLSchema#double"


def _double_value(lexical: str) -> str:
    try:
        return repr(float(lexical))
    except ValueError:
        return lexical


def canonical(
    triples: Iterable[Triple], fold_language_case: bool = False, double_values: bool = False
) -> list[str]:
    """The triples as sorted canonical N-Quads lines; each literal is encoded as a plain
    string holding its lexical form, datatype and language tag, so that nothing about it
    is normalised on the way (pyoxigraph lower-cases language tags). ``fold_language_case``
    and ``double_values`` compare language tags case-insensitively and xsd:double literals
    by value, for readers that rewrite those (which RDF 1.1 allows for tags only)."""
    import pyoxigraph as ox

    blanks: dict[Node, Any] = {}

    def convert(term: Node) -> Any:
        if isinstance(term, BNode):
            return blanks.setdefault(term, ox.BlankNode())
        if isinstance(term, Literal):
            language = (
                term.language.lower() if fold_language_case and term.language else term.language
            )
            datatype = str(term.datatype) if term.datatype else None
            lexical = str(term)
            if double_values and datatype == XSD_DOUBLE:
                lexical = _double_value(lexical)
            return ox.Literal(_literal_text(lexical, datatype, language))
        return ox.NamedNode(str(term))

    dataset = ox.Dataset(ox.Quad(convert(s), convert(p), convert(o)) for s, p, o in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return sorted(str(q) for q in dataset)


def difference(
    expected: Iterable[Triple],
    got: Iterable[Triple],
    fold_language_case: bool = False,
    double_values: bool = False,
) -> list[str]:
    """The lines that only one side has ('-' expected only, '+' got only); [] if the same."""
    a = canonical(expected, fold_language_case, double_values)
    b = canonical(got, fold_language_case, double_values)
    return [f"- {x}" for x in sorted(set(a) - set(b))] + [f"+ {x}" for x in sorted(set(b) - set(a))]


# ------------------------------------------------------------------ readers


def read_with_rdflib(text: str, fmt: str) -> list[Triple]:
    """Every triple of every graph, as rdflib parses it (lexical forms kept)."""
    with lexical_forms_kept(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if fmt in ("nquads", "trig", "json-ld"):
            dataset = Dataset(default_union=True)
            dataset.parse(data=text, format=fmt)
            return [(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))]
        return list(Graph().parse(data=text, format=fmt))


def from_oxigraph(term: Any) -> Node:
    import pyoxigraph as ox

    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language, normalize=False)
    return Literal(term.value, datatype=URIRef(term.datatype.value), normalize=False)


def read_with_oxigraph(text: str, fmt: str) -> list[Triple]:
    import pyoxigraph as ox

    quads = ox.parse(text.encode("utf-8"), format=getattr(ox.RdfFormat, OX_FORMAT[fmt]))
    return [
        (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
        for q in quads
    ]


def refuse_network(url: str, options: object = None) -> object:
    raise AssertionError(f"pyld tried to load {url}")


def read_with_pyld(text: str) -> list[Triple]:
    """JSON-LD through pyld (a third, independent processor), as N-Quads read by pyoxigraph."""
    jsonld = pytest.importorskip("pyld.jsonld")
    nquads = jsonld.to_rdf(
        json.loads(text), {"format": "application/n-quads", "documentLoader": refuse_network}
    )
    return read_with_oxigraph(nquads, "nquads")


def rapper() -> str:
    """rapper's path; a test needing it fails on CI when it is missing, and skips elsewhere."""
    found = shutil.which("rapper")
    if found is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("rapper is not installed (.ci/run installs raptor2-utils)")
        pytest.skip("rapper is not installed (apt-get install raptor2-utils)")
    return found


def read_with_rapper(text: str, fmt: str) -> list[Triple]:
    """Raptor's reading, written as N-Triples by rapper and read by rdflib (forms kept)."""
    done = subprocess.run(
        [rapper(), "-q", "-i", RAPPER_INPUT[fmt], "-o", "ntriples", "-", "http://example.invalid/"],
        input=text.encode("utf-8"),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode("utf-8", "replace")
    return read_with_rdflib(done.stdout.decode("utf-8"), "nt")
