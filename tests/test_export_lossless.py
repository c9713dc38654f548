"""Exports lose nothing: every format reads back, with rdflib, pyoxigraph, pyld (JSON-LD) and
rapper (the others), as the very graph that went in: lexical forms, datatypes, language
tags and awkward characters included. Where a format cannot hold a graph (RDF/XML and C0
controls or a predicate with no XML name), the export is refused with one clear line.

The graphs are built in-process with the literals exactly as written (no normalisation),
one small graph per case; each case runs through all six formats.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kzeu_graph.errors import InputError
from kzeu_graph.publish.export import serialize
from roundtrip import (
    FORMATS,
    Triple,
    difference,
    read_with_oxigraph,
    read_with_pyld,
    read_with_rapper,
    read_with_rdflib,
)

EX = "http://example.org/"
S, P, Q = URIRef(EX + "s"), URIRef(EX + "p"), URIRef(EX + "q")
SCHEMA_ALTERNATE_NAME = URIRef("https://schema.org/alternateName")  # a plain context term
KZEU_VALUE = URIRef("https://w3id.org/kzeu/ontology#value")
KZEU_RANK = URIRef("https://w3id.org/kzeu/ontology#rank")  # coerced to xsd:positiveInteger


def lit(text: str, datatype: URIRef | None = None, lang: str | None = None) -> Literal:
    return Literal(text, datatype=datatype, lang=lang, normalize=False)


# Every character that str.splitlines() takes for a line end, the N-Triples escapes, and
# the C0 / C1 controls around them.
LINE_ENDS = {
    "LINE-SEPARATOR": "\u2028",
    "PARAGRAPH-SEPARATOR": "\u2029",
    "NEL": "\x85",
    "VT": "\x0b",
    "FF": "\x0c",
    "FS": "\x1c",
    "GS": "\x1d",
    "RS": "\x1e",
    "CR": "\r",
    "LF": "\n",
    "CRLF": "\r\n",
    "TAB": "\t",
    "BS": "\b",
    "NUL": "\x00",
    "DEL": "\x7f",
    "QUOTE": '"',
    "BACKSLASH": "\\",
    "TRIPLE-QUOTE": '"""',
}
# characters that XML 1.0 cannot hold, even as character references
NOT_XML = {"VT", "FF", "FS", "GS", "RS", "BS", "NUL"}

CASES: dict[str, list[Triple]] = {
    f"char-{name}": [(S, P, lit(f"a{char}b")), (S, Q, lit(f"{char}"))]
    for name, char in LINE_ENDS.items()
}
CASES.update(
    {
        "integer-007": [(S, P, lit("007", XSD.integer))],
        "integer-plus-1": [(S, P, lit("+1", XSD.integer))],
        "integer-beside-its-canonical-form": [
            (S, P, lit("007", XSD.integer)),
            (S, P, lit("7", XSD.integer)),
        ],
        "integer-beyond-2-to-the-53": [(S, P, lit(str(2**60 + 1), XSD.integer))],
        "boolean-1-beside-true": [
            (S, P, lit("1", XSD.boolean)),
            (S, P, lit("true", XSD.boolean)),
            (S, P, lit("0", XSD.boolean)),
        ],
        "double-3.0E1": [(S, P, lit("3.0E1", XSD.double))],
        "double-2.0E0-beside-integer-2": [
            (S, P, lit("2.0E0", XSD.double)),
            (S, P, lit("2", XSD.integer)),
        ],
        "double-1e0": [(S, P, lit("1e0", XSD.double))],
        "double-NaN-INF": [
            (S, P, lit("NaN", XSD.double)),
            (S, P, lit("INF", XSD.double)),
            (S, P, lit("-INF", XSD.double)),
            (S, P, lit("INF", XSD.float)),
            (S, P, lit("1.5", XSD.decimal)),
        ],
        "decimal-2066.30": [(S, P, lit("2066.30", XSD.decimal))],
        "decimal-1.-and-.5": [(S, P, lit("1.", XSD.decimal)), (S, P, lit(".5", XSD.decimal))],
        "ill-typed-integer": [(S, P, lit("seven", XSD.integer))],
        "language-tag-capitals": [(S, P, lit("x", lang="EN-GB")), (S, Q, lit("y", lang="kk-Cyrl"))],
        "string-typed-and-plain": [(S, P, lit("x", XSD.string)), (S, Q, lit("y"))],
        "empty-string-beside-another": [
            (S, SCHEMA_ALTERNATE_NAME, lit("")),
            (S, SCHEMA_ALTERNATE_NAME, lit("x")),
            (S, RDFS.label, lit("", lang="en")),
            (S, RDFS.label, lit("y", lang="en")),
            (S, P, lit("")),
            (S, P, lit("z")),
        ],
        "context-terms-with-other-values": [
            (S, KZEU_VALUE, lit("2.0E0", XSD.double)),
            (S, KZEU_VALUE, lit("40000000000", XSD.integer)),
            (S, KZEU_VALUE, lit("false", XSD.boolean)),
            (S, KZEU_RANK, lit("01", XSD.positiveInteger)),
            (S, KZEU_RANK, lit("2", XSD.integer)),
            (S, RDFS.label, lit("Astana", lang="EN")),
        ],
        "blank-node-that-refers-to-itself": [(BNode("a"), P, BNode("a"))],
        "blank-node-cycle": [(BNode("a"), P, BNode("b")), (BNode("b"), P, BNode("a"))],
        "list-with-a-shared-tail": [
            (S, P, BNode("l1")),
            (BNode("l1"), RDF.first, lit("1", XSD.integer)),
            (BNode("l1"), RDF.rest, BNode("l2")),
            (BNode("l2"), RDF.first, lit("2", XSD.integer)),
            (BNode("l2"), RDF.rest, RDF.nil),
            (S, Q, BNode("l2")),
        ],
        "list-as-a-type": [
            (S, RDF.type, BNode("l1")),
            (BNode("l1"), RDF.first, URIRef(EX + "C")),
            (BNode("l1"), RDF.rest, RDF.nil),
        ],
        "iri-with-percent-escapes": [
            (URIRef(EX + "a%3E"), P, URIRef(EX + "a%3Eb")),
            (S, Q, URIRef(EX + "%25")),
        ],
        "iri-with-line-separator": [(URIRef(EX + "a\u2028b"), P, lit("x"))],
    }
)

# RDF/XML cannot hold these: (case, what the one-line message names)
XML_REFUSED = {f"char-{name}": "XML 1.0 cannot hold the character" for name in NOT_XML}
XML_PREDICATES = {
    "predicate-all-digits": URIRef(EX + "123"),
    "predicate-ending-in-hash": URIRef(EX + "p#"),
    "predicate-ending-in-slash": URIRef(EX + "p/"),
    "predicate-ending-in-colon": URIRef(EX + "abc.:"),
    "predicate-ending-in-a-percent-escape": URIRef(EX + "%25"),
    "predicate-with-a-percent-escape": URIRef(EX + "p%3E"),
}
CASES.update({name: [(S, predicate, lit("x"))] for name, predicate in XML_PREDICATES.items()})
XML_REFUSED.update({name: "RDF/XML cannot write predicate" for name in XML_PREDICATES})


# Known limits of the third readers, not of the exports (rdflib and pyoxigraph read these):
PYLD_CANNOT_READ = {
    "iri-with-line-separator": "pyld takes an IRI holding Unicode white space for a relative one",
}
RAPPER_CANNOT_READ = {
    "char-NUL": "Raptor keeps strings NUL-terminated: U+0000 ends the literal",
}


def graph_of(triples: Iterable[Triple]) -> Graph:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    return graph


PARAMS = [pytest.param(case, fmt, id=f"{case}-{fmt}") for case in CASES for fmt in FORMATS]


@pytest.mark.parametrize(("case", "fmt"), PARAMS)
def test_every_export_reads_back_term_for_term(case: str, fmt: str) -> None:
    triples = CASES[case]
    if fmt == "xml" and case in XML_REFUSED:
        with pytest.raises(InputError, match=XML_REFUSED[case]) as refused:
            serialize(graph_of(triples), fmt)
        assert "\n" not in str(refused.value)
        return
    text = serialize(graph_of(triples), fmt)
    assert difference(triples, read_with_rdflib(text, fmt)) == [], "rdflib"
    # pyoxigraph lower-cases language tags (RDF 1.1 allows it): compare them case-folded
    assert difference(triples, read_with_oxigraph(text, fmt), fold_language_case=True) == [], (
        "pyoxigraph"
    )
    if fmt == "json-ld" and case not in PYLD_CANNOT_READ:
        # pyld rewrites every xsd:double to its canonical form, even a string @value (JSON-LD
        # 1.1 does that to JSON numbers only): doubles are compared by value there
        assert (
            difference(triples, read_with_pyld(text), fold_language_case=True, double_values=True)
            == []
        ), "pyld"
    elif fmt != "json-ld" and case not in RAPPER_CANNOT_READ:
        # Raptor lower-cases language tags (RDF 1.1 allows it)
        assert difference(triples, read_with_rapper(text, fmt), fold_language_case=True) == [], (
            "rapper"
        )


NOT_IRIS = {
    "space": EX + "a b",
    "angle-bracket": EX + "a>b",
    "quote": EX + 'a"b',
    "no-scheme": "a/b",
}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("place", ["subject", "object", "datatype"])
@pytest.mark.parametrize("name", sorted(NOT_IRIS))
def test_an_iri_no_syntax_can_write_is_refused(name: str, place: str, fmt: str) -> None:
    """rdflib loads ``<http://a b>`` from some formats with a warning; no export writes it."""
    iri = URIRef(NOT_IRIS[name])
    triple = {
        "subject": (iri, P, lit("x")),
        "object": (S, P, iri),
        "datatype": (S, P, lit("x", iri)),
    }[place]
    with pytest.raises(InputError, match="is not an absolute IRI") as refused:
        serialize(graph_of([triple]), fmt)
    assert "\n" not in str(refused.value)


@pytest.mark.parametrize("name", sorted(LINE_ENDS))
@pytest.mark.parametrize("fmt", ["nt", "nquads"])
def test_line_formats_hold_one_statement_per_line_whatever_the_characters(
    name: str, fmt: str
) -> None:
    """Splitting the text at every character Python calls a line end gives whole statements."""
    text = serialize(graph_of(CASES[f"char-{name}"]), fmt)
    lines = text.splitlines()
    assert len(lines) == 2
    assert all(line.endswith(" .") for line in lines)


def test_jsonld_is_strict_json_with_typed_values() -> None:
    import json

    text = serialize(graph_of(CASES["double-NaN-INF"] + CASES["double-3.0E1"]), "json-ld")
    document = json.loads(text, parse_constant=lambda name: pytest.fail(f"bare {name}"))
    values = document["@graph"][0]["http://example.org/p"]
    assert {"@type": "xsd:double", "@value": "NaN"} in values
    assert {"@type": "xsd:double", "@value": "3.0E1"} in values


def test_turtle_writes_numbers_bare_only_when_they_read_back_the_same() -> None:
    triples = [
        (S, P, lit("007", XSD.integer)),
        (S, P, lit("1", XSD.boolean)),
        (S, P, lit("3.0E1", XSD.double)),
        (S, P, lit("2066.30", XSD.decimal)),
        (S, P, lit("1.", XSD.decimal)),
        (S, P, lit("true", XSD.boolean)),
    ]
    body = serialize(graph_of(triples), "turtle").split("\n\n", 1)[1]
    assert body.split() == [
        "ns1:s",
        "ns1:p",
        '"007"^^xsd:integer,',
        '"1"^^xsd:boolean,',
        '"1."^^xsd:decimal,',
        "2066.30,",
        "3.0E1,",
        "true",
        ".",
    ]


@pytest.mark.parametrize("case", ["char-FF", "predicate-ending-in-hash"])
def test_the_cli_refuses_rdfxml_it_cannot_write_with_one_line(case: str, tmp_path: Path) -> None:
    source = tmp_path / "data.nt"
    source.write_text(serialize(graph_of(CASES[case]), "nt"), encoding="utf-8")
    out = tmp_path / "out.rdf"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "kzeu_graph",
            "export",
            "--format",
            "xml",
            "--data",
            str(source),
            "-o",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("\n") == 1, done.stderr
    assert XML_REFUSED[case] in done.stderr
    assert "internal error" not in done.stderr
    assert not out.exists()


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_named_graph_exports_keep_every_term(fmt: str, tmp_path: Path) -> None:
    """The quad formats of a real export (data in its own named graph) keep every case too."""
    import pyoxigraph as ox

    from kzeu_graph.publish.export import GRAPH_NAMESPACE, build_export
    from roundtrip import OX_FORMAT, from_oxigraph, lexical_forms_kept

    triples = [t for case, ts in CASES.items() if not case.startswith("predicate-") for t in ts]
    source = tmp_path / "awkward.nt"
    source.write_text(serialize(graph_of(triples), "nt"), encoding="utf-8")
    with lexical_forms_kept():
        exported = build_export(data=[source], graphs=["data"])
    text = serialize(exported, fmt)
    in_data = [
        (from_oxigraph(q.subject), from_oxigraph(q.predicate), from_oxigraph(q.object))
        for q in ox.parse(text.encode("utf-8"), format=getattr(ox.RdfFormat, OX_FORMAT[fmt]))
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value == GRAPH_NAMESPACE + "data"
    ]
    assert difference(triples, in_data, fold_language_case=True) == []
