"""The loader keeps every literal as written: lexical form, datatype and language.

rdflib would rewrite ``"007"^^xsd:integer`` as ``"7"`` (and merge ``"1"^^xsd:boolean`` with
``true``); pyoxigraph's parser keeps what the file says, so each accepted file is read by
both and their literals compared.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pyoxigraph as ox
import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from kzeu_graph.loading.datafiles import rdf_format
from kzeu_graph.loading.graph import parse_file
from paths import DATA_DIR, FIXTURES, ONTOLOGY_DIR, ROOT

EX = "http://example.org/"
X = str(XSD)

# (lexical form, datatype) pairs that a normalising parser would rewrite
WRITTEN = [
    ("007", "integer"),
    ("-0", "integer"),
    ("+5", "int"),
    ("01", "nonNegativeInteger"),
    ("1", "boolean"),
    ("0", "boolean"),
    ("true", "boolean"),
    ("3.0E1", "double"),
    ("1e0", "double"),
    ("INF", "double"),
    ("1.0", "float"),
    ("2066.30", "decimal"),
    ("010.5", "decimal"),
    ("2020-01-01T00:00:00.000Z", "dateTime"),
    ("P1Y0M", "duration"),
    ("yes", "boolean"),  # ill-typed: kept as written so that the finding can show it
]


def _turtle(prefix: str = "") -> str:
    lines = [f'<{EX}s{i}> <{EX}p> "{lex}"^^<{X}{dt}> .' for i, (lex, dt) in enumerate(WRITTEN)]
    return prefix + "\n".join(lines) + "\n"


def _rdfxml() -> str:
    body = "".join(
        f'<rdf:Description rdf:about="{EX}s{i}"><ex:p rdf:datatype="{X}{dt}">{lex}</ex:p>'
        "</rdf:Description>"
        for i, (lex, dt) in enumerate(WRITTEN)
    )
    return (
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        f'xmlns:ex="{EX}">{body}</rdf:RDF>\n'
    )


def _jsonld() -> str:
    nodes = [
        {"@id": f"{EX}s{i}", f"{EX}p": {"@value": lex, "@type": X + dt}}
        for i, (lex, dt) in enumerate(WRITTEN)
    ]
    return json.dumps({"@graph": nodes})


WRITTEN_FILES: dict[str, str] = {
    "typed.ttl": _turtle(),
    "typed.nt": _turtle(),
    "typed.nq": _turtle().replace(" .\n", f" <{EX}g> .\n"),
    "typed.trig": "{\n" + _turtle() + "}\n",
    "typed.rdf": _rdfxml(),
    "typed.jsonld": _jsonld(),
    # Turtle's own numeral and boolean tokens, and language tags
    "bare.ttl": (
        f"<{EX}s> <{EX}p> 007, -0, +5, 1.50, 010.5, 3.0E1, 1e0, .5e-1, true, false ;\n"
        f'  <{EX}q> "chat"@fr, "Colour"@en-GB, "x"^^<{X}string>, "" .\n'
    ),
}


def _literals_by_rdflib(path: Path) -> set[tuple[str, str, str]]:
    return {
        (str(o), str(o.datatype or ""), (o.language or "").lower())
        for _, _, o in parse_file(path)
        if isinstance(o, Literal)
    }


def _literals_by_oxigraph(path: Path) -> set[tuple[str, str, str]]:
    found = set()
    for quad in ox.parse(path=str(path), format=rdf_format(path), base_iri=path.as_uri()):
        o = quad.object
        if isinstance(o, ox.Literal):
            plain = o.language is not None or o.datatype.value == X + "string"
            datatype = "" if plain else o.datatype.value
            found.add((o.value, datatype, (o.language or "").lower()))
    return found


@pytest.mark.parametrize("name", sorted(WRITTEN_FILES))
def test_literals_keep_their_lexical_form(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text(WRITTEN_FILES[name], encoding="utf-8")
    by_rdflib = _literals_by_rdflib(path)
    assert by_rdflib == _literals_by_oxigraph(path)
    if name.startswith("typed"):
        assert by_rdflib == {(lex, X + dt, "") for lex, dt in WRITTEN}  # worked out by hand


def test_equal_values_written_differently_stay_two_triples(tmp_path: Path) -> None:
    path = tmp_path / "two.ttl"
    path.write_text(f'<{EX}s> <{EX}p> true, "1"^^<{X}boolean>, 7, "007"^^<{X}integer> .\n')
    objects = set(parse_file(path).objects(URIRef(EX + "s"), URIRef(EX + "p")))
    assert {str(o) for o in objects} == {"true", "1", "7", "007"}
    # and SPARQL still compares them as values
    graph = parse_file(path)
    rows = graph.query(f"SELECT ?o WHERE {{ <{EX}s> <{EX}p> ?o FILTER(?o = 7) }}")
    assert sorted(str(row[0]) for row in rows) == ["007", "7"]  # type: ignore[index]


def test_loading_leaves_rdflib_normalising_as_it_was(tmp_path: Path) -> None:
    import rdflib

    path = tmp_path / "one.ttl"
    path.write_text(f'<{EX}s> <{EX}p> "007"^^<{X}integer> .\n')
    parse_file(path)
    assert rdflib.NORMALIZE_LITERALS is True
    assert str(Literal("007", datatype=XSD.integer)) == "7"  # rdflib's default, untouched


def _accepted_files() -> list[Path]:
    """The shipped files, the tests' fixtures and the W3C RDF 1.1 positive tests."""
    files = [*ONTOLOGY_DIR.glob("*.ttl"), *DATA_DIR.glob("*.ttl"), *FIXTURES.rglob("*.ttl")]
    suites = Path(os.environ.get("KZEU_W3C_DIR", ROOT.parent / "shared" / "w3c")) / "rdf11"
    if suites.is_dir():
        for manifest in sorted(suites.glob("*/manifest.ttl")):
            kinds: dict[str, str] = {}
            actions: dict[str, str] = {}
            for quad in ox.parse(
                path=str(manifest), format=ox.RdfFormat.TURTLE, base_iri=manifest.as_uri()
            ):
                name = quad.predicate.value.rsplit("#", 1)[-1]
                if name == "type":
                    kinds[str(quad.subject)] = quad.object.value
                elif name == "action":
                    actions[str(quad.subject)] = quad.object.value
            files += [
                Path(url2pathname(urlparse(action).path))
                for test, action in actions.items()
                if "Negative" not in kinds.get(test, "Negative")
            ]
    elif os.environ.get("CI"):
        pytest.fail(f"the W3C suites are missing: {suites}")
    return sorted(
        {f for f in files if f.is_file() and f.suffix in (".ttl", ".nt", ".nq", ".trig", ".rdf")}
    )


def test_every_accepted_file_keeps_its_literals() -> None:
    """Each shipped, fixture or W3C positive file that the loader accepts: the same literals
    as pyoxigraph reads (files the loader refuses are the hostile tests' concern)."""
    from kzeu_graph.errors import InputError

    compared = 0
    for path in _accepted_files():
        try:
            by_rdflib = _literals_by_rdflib(path)
        except InputError:
            continue
        assert by_rdflib == _literals_by_oxigraph(path), path
        compared += 1
    assert compared > (500 if suites_present() else 20)


def suites_present() -> bool:
    return (Path(os.environ.get("KZEU_W3C_DIR", ROOT.parent / "shared" / "w3c")) / "rdf11").is_dir()


EXPORT_FORMATS = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "xml": ox.RdfFormat.RDF_XML,
}


@pytest.mark.parametrize("fmt", sorted(EXPORT_FORMATS))
def test_kept_forms_survive_export(tmp_path: Path, fmt: str) -> None:
    """A kept ``"1"^^xsd:boolean`` must not come out as the Turtle integer ``1``, nor
    ``"3.0E1"^^xsd:double`` as ``3e+01``: the exported text reads back literal for literal."""
    from kzeu_graph.publish.export import serialize

    path = tmp_path / "typed.ttl"
    path.write_text(WRITTEN_FILES["typed.ttl"], encoding="utf-8")
    text = serialize(parse_file(path), fmt)
    literals = {
        (q.object.value, q.object.datatype.value)
        for q in ox.parse(text.encode("utf-8"), EXPORT_FORMATS[fmt])
        if isinstance(q.object, ox.Literal)
    }
    assert literals == {(lex, X + dt) for lex, dt in WRITTEN}
