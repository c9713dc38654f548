"""One source of truth: each table, constant and writer has one home (docs/development.md).

The string constants of the source (docstrings aside) are read with ``ast``: the IRI base
and every namespace of the prefix table stand only in rdf/prefixes.py, every media type and
file suffix of an RDF format only in rdf/formats.py (serve/ included). Then the one term
writer, the one table of integer types, and the engine hand-over's integer subtypes, case
by case.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kzeu_graph.rdf.formats import FORMATS
from kzeu_graph.rdf.prefixes import BASE_IRI, PREFIX_IRIS
from kzeu_graph.rdf.terms import XSD_INTEGER_BOUNDS, XSD_INTEGERS, XSD_NUMBERS, ntriples_term

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "kzeu_graph"


def string_constants(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        first = body[0] if isinstance(body, list) and body else None
        if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
            docstrings.add(id(first.value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def sources() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


NEEDLES: dict[str, tuple[str, ...]] = {
    "the IRI base": (BASE_IRI,),
    **{f"the {prefix}: namespace": (iri,) for prefix, iri in PREFIX_IRIS.items()},
    "a media type of an RDF format": tuple(m for f in FORMATS for m in f.media_types),
}
HOMES = {"the IRI base": "rdf/prefixes.py", "a media type of an RDF format": "rdf/formats.py"}


@pytest.mark.parametrize("what", list(NEEDLES))
def test_one_home(what: str) -> None:
    home = HOMES.get(what, "rdf/prefixes.py")
    found = [
        f"{path.relative_to(PACKAGE)}:{line}"
        for path in sources()
        for line, text in string_constants(path)
        if any(needle in text for needle in NEEDLES[what])
    ]
    # (kzeu:, kzv: and kzr: are written nowhere: they are made from the IRI base)
    assert {place.rpartition(":")[0] for place in found} <= {home}, found
    if what in HOMES:
        assert found, f"{what} is written nowhere"


@pytest.mark.parametrize("suffix", [s for f in FORMATS for s in f.suffixes])
def test_format_suffixes_have_one_home(suffix: str) -> None:
    found = [
        str(path.relative_to(PACKAGE))
        for path in sources()
        for _, text in string_constants(path)
        if text == suffix
    ]
    assert found == ["rdf/formats.py"]


# ------------------------------------------------------------------ the one term writer

EX = "http://example.org/"

TERMS = {
    "iri": (URIRef(EX + "a"), f"<{EX}a>"),
    "blank node": (BNode("b1"), "_:b1"),
    "plain": (Literal("Astana"), '"Astana"'),
    "xsd:string is plain": (Literal("x", datatype=XSD.string), '"x"'),
    "language": (Literal("Astana", lang="en"), '"Astana"@en'),
    "typed": (
        Literal("5", datatype=XSD.positiveInteger),
        '"5"^^<http://www.w3.org/2001/XMLSchema#positiveInteger>',
    ),
    "quote and backslash": (Literal('a"b\\c'), '"a\\"b\\\\c"'),
    "line ends": (Literal("a\nb\rc"), '"a\\nb\\rc"'),
    "tab": (Literal("a\tb"), '"a\\tb"'),
    "line separator": (Literal("a\u2028b"), '"a\\u2028b"'),
    "next line": (Literal("a\x85b"), '"a\\u0085b"'),
    "other control": (Literal("a\x01b"), '"a\\u0001b"'),
}


@pytest.mark.parametrize("case", list(TERMS))
def test_ntriples_term(case: str) -> None:
    term, text = TERMS[case]
    assert ntriples_term(term) == text


def test_the_tsv_writer_and_the_exporter_use_it() -> None:
    from kzeu_graph.publish.export import _statement_lines
    from kzeu_graph.query.results import turtle_term

    for term, text in TERMS.values():
        assert turtle_term(term) == text
    line = _statement_lines([(URIRef(EX + "s"), URIRef(EX + "p"), Literal("a\u2028b"), None)])
    assert line == f'<{EX}s> <{EX}p> "a\\u2028b" .\n'


def test_integer_types() -> None:
    """The XSD 1.1 Part 2 bounds of each type derived from xsd:integer."""
    xsd = str(XSD)
    assert XSD_INTEGER_BOUNDS[xsd + "positiveInteger"] == (1, None)
    assert XSD_INTEGER_BOUNDS[xsd + "nonNegativeInteger"] == (0, None)
    assert XSD_INTEGER_BOUNDS[xsd + "negativeInteger"] == (None, -1)
    assert XSD_INTEGER_BOUNDS[xsd + "byte"] == (-128, 127)
    assert XSD_INTEGER_BOUNDS[xsd + "unsignedShort"] == (0, 65535)
    assert XSD_INTEGER_BOUNDS[xsd + "long"] == (-9223372036854775808, 9223372036854775807)
    assert len(XSD_INTEGERS) == 13
    assert {xsd + "decimal", xsd + "double", xsd + "float"} == XSD_NUMBERS - XSD_INTEGERS


# ------------------------------------------------------------------ the hand-over

KZEU = PREFIX_IRIS["kzeu"]
OA = PREFIX_IRIS["oa"]
INTEGER = str(XSD.integer)

# (predicate, lexical form as the store gives it) -> the datatype the hand-over gives back:
# the shapes and the ontology declare kzeu:rank and kzeu:ordinal xsd:positiveInteger, and
# oa:start/oa:end xsd:nonNegativeInteger (ontology/shapes.ttl, ontology/kzeu.ttl).
RETYPED = {
    "rank 1": (KZEU + "rank", "1", str(XSD.positiveInteger)),
    "rank 0 is no positiveInteger": (KZEU + "rank", "0", INTEGER),
    "ordinal 30": (KZEU + "ordinal", "30", str(XSD.positiveInteger)),
    "start 0": (OA + "start", "0", str(XSD.nonNegativeInteger)),
    "end 12": (OA + "end", "12", str(XSD.nonNegativeInteger)),
    "start -1 is no nonNegativeInteger": (OA + "start", "-1", INTEGER),
    "an undeclared predicate": (EX + "count", "5", INTEGER),
}


@pytest.mark.parametrize("case", list(RETYPED))
def test_hand_over_gives_integer_subtypes_back(case: str) -> None:
    from kzeu_graph.engines import open_store, to_graph

    predicate, lexical, datatype = RETYPED[case]
    data = f'<{EX}s> <{predicate}> "{lexical}"^^<{datatype}> .\n'.encode()
    with open_store("oxigraph:memory") as engine:
        engine.load_ntriples(data)
        assert engine.dump() == f'<{EX}s> <{predicate}> "{lexical}"^^<{INTEGER}> .\n'.encode()
        graph = to_graph(engine)
    assert list(graph) == [
        (URIRef(EX + "s"), URIRef(predicate), Literal(lexical, datatype=URIRef(datatype)))
    ]


def test_hand_over_of_rdflib_is_the_graph_itself() -> None:
    from kzeu_graph.engines import to_graph
    from kzeu_graph.engines.rdflib_engine import RdflibEngine

    graph = Graph()
    assert to_graph(graph) is graph
    assert to_graph(RdflibEngine(graph)) is graph


def _xml_char(code: int) -> bool:
    """XML 1.0's Char production (section 2.2), read from the spec."""
    return (
        code in (0x9, 0xA, 0xD)
        or 0x20 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFFFD
        or 0x10000 <= code <= 0x10FFFF
    )


def test_not_xml_is_the_complement_of_xml_char() -> None:
    from kzeu_graph.rdf.terms import NOT_XML

    edges = [0x0, 0x8, 0x9, 0xA, 0xB, 0xC, 0xD, 0xE, 0x1F, 0x20, 0x7F, 0x85, 0xD7FF, 0xD800]
    edges += [0xDFFF, 0xE000, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF]
    codes = set(edges) | set(range(0x0, 0x100)) | set(range(0xD700, 0xE100))
    wrong = [hex(c) for c in sorted(codes) if bool(NOT_XML.search(chr(c))) == _xml_char(c)]
    assert wrong == []
