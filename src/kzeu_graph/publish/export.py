"""Serialise graphs to the RDF formats we ship: canonical, deterministic, written atomically.

Every export goes through one canonical step: blank nodes get RDF Dataset Canonicalization
(RDFC-1.0, computed by pyoxigraph) labels, and triples are handed to rdflib's serializers in
sorted order, so the same graph always gives the same bytes and a change of one triple gives
a local diff. N-Triples and N-Quads are sorted lines (code point order, as in RDFC-1.0's
canonical N-Quads); Turtle, TriG and RDF/XML use rdflib's sorted layouts; JSON-LD is compacted
with the project's own context (``ontology/context.jsonld``), inlined so that the file expands
offline.

The quad formats (TriG, N-Quads) keep the parts of the graph apart in named graphs under
``https://w3id.org/kzeu/graph/``: ``data`` (what the article states), ``derived`` (values
the editors derived), ``ontology`` and, with inference, ``inferred``; the default graph
describes each of them (PROV-O, DCMI terms).
"""

from __future__ import annotations

import json
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kzeu_graph.errors import InputError, KzeuError
from kzeu_graph.rdf.formats import FORMATS, by_name, by_suffix
from kzeu_graph.rdf.prefixes import BASE_IRI, PREFIX_IRIS
from kzeu_graph.rdf.terms import NOT_XML, XSD, XSD_STRING

if TYPE_CHECKING:
    from rdflib import Dataset, Graph
    from rdflib.term import Node

    from kzeu_graph.engines import Engine
    from kzeu_graph.loading.graph import Inference

# rdflib is imported inside the functions: the package imports this module eagerly
# (so that ``kzeu_graph.publish.export`` is the function, not this module) and must stay light.

__all__ = [
    "CANONICAL_HEADER",
    "EXPORT_FORMATS",
    "GRAPH_NAMESPACE",
    "PART_NAMES",
    "QUAD_FORMATS",
    "ExportGraphs",
    "FormatResult",
    "build_export",
    "canonical_quads",
    "canonical_turtle",
    "derived_nodes",
    "export",
    "format_file",
    "jsonld_context",
    "partition",
    "serialize",
]

# user-facing name -> rdflib serializer name, and the formats written with named graphs,
# from the one table of formats (kzeu_graph.rdf.formats)
EXPORT_FORMATS: dict[str, str] = {record.name: record.rdflib for record in FORMATS}
QUAD_FORMATS = frozenset(record.name for record in FORMATS if record.quads)

GRAPH_NAMESPACE = f"{BASE_IRI}graph/"
PART_NAMES: tuple[str, ...] = ("data", "derived", "ontology", "inferred")

CANONICAL_HEADER = (
    "# Canonical form (kzeu-graph format): edit freely, then run `kzeu-graph format`.\n"
    "# Comments and layout are not kept; `kzeu-graph format --check` fails until it is run.\n"
    "\n"
)

Quad = tuple["Node", "Node", "Node", "Node | None"]


def _graph_iri(part: str) -> str:
    return GRAPH_NAMESPACE + part


# ------------------------------------------------------------------ canonical order


def _term_key(term: Node | None) -> tuple[int, str, str, str]:
    """IRIs by their text, then blank nodes, then literals (text, datatype, language)."""
    from rdflib import BNode, Literal

    if term is None:
        return (-1, "", "", "")
    if isinstance(term, Literal):
        return (2, str(term), str(term.datatype or ""), term.language or "")
    return (1 if isinstance(term, BNode) else 0, str(term), "", "")


def _sort_key(quad: Sequence[Node | None]) -> tuple[tuple[int, str, str, str], ...]:
    return tuple(_term_key(term) for term in quad)


def canonical_quads(quads: Iterable[Quad]) -> list[Quad]:
    """The quads, sorted, with blank nodes relabelled by RDFC-1.0 (``_:c14n0``, ...).

    Only quads that hold a blank node take part in canonicalisation (the algorithm looks at
    nothing else); the others are returned as they are. Literals keep their lexical form.
    """
    from rdflib import BNode

    quads = list(dict.fromkeys(quads))
    with_blanks = [q for q in quads if any(isinstance(t, BNode) for t in q)]
    if not with_blanks:
        return sorted(quads, key=_sort_key)
    without = [q for q in quads if not any(isinstance(t, BNode) for t in q)]
    return sorted(without + _rdfc10(with_blanks), key=_sort_key)


def _rdfc10(quads: list[Quad]) -> list[Quad]:
    """Relabel the blank nodes of ``quads`` with pyoxigraph's RDFC-1.0 implementation."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal, URIRef

    from kzeu_graph.rdf.terms import oxigraph_from_rdflib

    literals: dict[Any, Literal] = {}

    def to_ox(term: Node | None) -> Any:
        if term is None:
            return ox.DefaultGraph()
        if isinstance(term, BNode):
            return ox.BlankNode(str(term)) if _valid_blank_label(str(term)) else ox.BlankNode()
        converted = oxigraph_from_rdflib(term)
        if isinstance(term, Literal):
            literals.setdefault(converted, term)
        return converted

    def from_ox(term: Any) -> Node | None:
        if isinstance(term, ox.DefaultGraph):
            return None
        if isinstance(term, ox.BlankNode):
            return BNode(term.value)
        if isinstance(term, ox.Literal):
            return literals[term]
        return URIRef(term.value)

    # The same rdflib blank node must map to the same oxigraph blank node.
    blanks: dict[Node, Any] = {}

    def convert(term: Node | None) -> Any:
        if isinstance(term, BNode):
            if term not in blanks:
                blanks[term] = to_ox(term)
            return blanks[term]
        return to_ox(term)

    try:
        dataset = ox.Dataset(ox.Quad(*(convert(t) for t in q)) for q in quads)
    except (ValueError, TypeError) as exc:
        raise InputError(f"cannot canonicalise blank nodes: {exc}") from None
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    result: list[Quad] = []
    for quad in dataset:
        s, p, o, g = (
            from_ox(quad.subject),
            from_ox(quad.predicate),
            from_ox(quad.object),
            from_ox(quad.graph_name),
        )
        if s is None or p is None or o is None:  # pragma: no cover (a quad has all three)
            raise KzeuError("canonicalisation returned a quad without subject or object")
        result.append((s, p, o, g))
    return result


def _valid_blank_label(label: str) -> bool:
    return bool(label) and all(c.isalnum() or c in "_-." for c in label) and label[0] != "."


_PLAIN_PREFIX = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def _bind_like(target: Graph, source: Graph | None) -> None:
    """The project prefixes, then ``source``'s other prefixes that clash with none of them."""
    from kzeu_graph.rdf.namespaces import bind_prefixes

    bind_prefixes(target)
    if source is None:
        return
    prefixes = {p for p, _ in target.namespaces()}
    namespaces = {str(n) for _, n in target.namespaces()}
    for prefix, namespace in sorted(source.namespaces()):
        if not _PLAIN_PREFIX.fullmatch(prefix):
            continue  # an XML or Turtle writer could choke on it; ns1... will do
        if prefix not in prefixes and str(namespace) not in namespaces:
            target.bind(prefix, namespace)
            prefixes.add(prefix)
            namespaces.add(str(namespace))


def _bind_generated_prefixes(graph: Graph, predicates: Iterable[Node]) -> None:
    """Give unbound predicate namespaces their ``ns1``, ``ns2``... in sorted order.

    rdflib's Turtle, TriG and RDF/XML serializers invent these prefixes in the order they
    meet the predicates, which for a dataset depends on set iteration; binding them here,
    sorted, makes the names stable.
    """
    for predicate in sorted(set(predicates), key=_term_key):
        try:
            graph.namespace_manager.compute_qname(str(predicate), generate=True)
        except (ValueError, KeyError):
            continue


def _sorted_graph(triples: Iterable[tuple[Node, Node, Node]], like: Graph | None) -> Graph:
    """A graph whose every scan yields the triples in sorted order.

    rdflib's default store keeps a graph's triples in a set (order changes with the hash
    seed); SimpleMemory keeps them in insertion-ordered dicts, so serializers that walk the
    graph (RDF/XML, JSON-LD) meet the triples sorted.
    """
    from rdflib import Graph

    graph = Graph(store="SimpleMemory", bind_namespaces="core")
    _bind_like(graph, like)
    ordered = [(s, p, o) for s, p, o, _ in canonical_quads((s, p, o, None) for s, p, o in triples)]
    _bind_generated_prefixes(graph, (p for _, p, _ in ordered))
    for triple in ordered:
        graph.add(triple)
    return graph


def _new_dataset() -> Dataset:
    from rdflib import Dataset

    with warnings.catch_warnings():  # rdflib's own Dataset code uses deprecated names
        warnings.simplefilter("ignore", DeprecationWarning)
        return Dataset()


def _sorted_dataset(
    default: Graph | None, named: Mapping[str, Graph], like: Graph | None
) -> Dataset:
    from rdflib import URIRef

    dataset = _new_dataset()
    _bind_like(dataset, like)
    quads: list[Quad] = []
    if default is not None:
        quads.extend((s, p, o, None) for s, p, o in default)
    for iri, graph in named.items():
        quads.extend((s, p, o, URIRef(iri)) for s, p, o in graph)
    ordered = canonical_quads(quads)
    _bind_generated_prefixes(dataset, (q[1] for q in ordered))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        graphs = {iri: dataset.graph(URIRef(iri)) for iri in sorted(named)}
        for s, p, o, g in ordered:
            if g is None:
                dataset.add((s, p, o))
            else:
                graphs[str(g)].add((s, p, o))
    return dataset


# ------------------------------------------------------------------ serialisers


def _nt_iri(iri: str) -> str:
    from kzeu_graph.rdf.terms import is_valid_iri, ntriples_escape

    if not is_valid_iri(iri):
        raise InputError(
            f'<{iri}> is not an absolute IRI (spaces, controls or <>"{{}}|\\^`): no RDF syntax can write it'
        )
    return f"<{ntriples_escape(iri)}>"


def _nt_term(term: Node) -> str:
    """One term in N-Triples syntax (:func:`kzeu_graph.rdf.terms.ntriples_term`), its IRIs
    checked first: InputError for one that no RDF syntax can write."""
    from rdflib import Literal, URIRef

    from kzeu_graph.rdf.terms import ntriples_term

    if isinstance(term, URIRef):
        _nt_iri(str(term))
    elif isinstance(term, Literal) and term.datatype is not None:
        _nt_iri(str(term.datatype))
    return ntriples_term(term)


def _statement_lines(quads: Iterable[Quad]) -> str:
    """N-Triples / N-Quads text: one statement a line, lines sorted by code point.

    Written here, not by rdflib, which leaves form feeds, U+2028 and the like raw inside
    literals: every character that any reader could take for a line end is escaped.
    """
    lines = {" ".join(_nt_term(t) for t in quad if t is not None) + " ." for quad in quads}
    return "".join(line + "\n" for line in sorted(lines))


# The lexical forms written as Turtle's bare INTEGER, DECIMAL, DOUBLE and boolean tokens:
# those the grammar allows and that every reader gives back as written (rdflib reads the
# bare 007, +1 and .5 as "7", "1" and "0.5"; they are written "007"^^xsd:integer).
_BARE_LITERALS: dict[str, re.Pattern[str]] = {
    XSD + "integer": re.compile(r"0|-?[1-9][0-9]*"),
    XSD + "decimal": re.compile(r"-?(0|[1-9][0-9]*)\.[0-9]+"),
    XSD + "double": re.compile(r"[+-]?([0-9]+\.[0-9]*|\.?[0-9]+)[eE][+-]?[0-9]+"),
    XSD + "boolean": re.compile(r"true|false"),
}


@lru_cache(maxsize=1)
def _layout_serializers() -> tuple[Any, Any]:
    """rdflib's Turtle and TriG serializers, with subjects (and graphs) in plain sorted order.

    A number or boolean is written bare only when its lexical form is exactly what the bare
    Turtle token reads back as (``1E0``, ``007``, ``+1``; not ``"1"^^xsd:boolean`` or
    ``"1."^^xsd:decimal``): rdflib would rewrite ``"1E0"^^xsd:double`` as ``1e+00``, and
    write ``"1"^^xsd:boolean`` as ``1``, an integer. Objects are sorted as terms (rdflib
    compares values: ``NaN`` beside a decimal raises). An IRI holding ``%`` is written in
    full (rdflib can cut it inside a %-escape, leaving an invalid namespace IRI). A list is
    written inline ``( ... )`` only when no other triple refers to its inner nodes.

    rdflib orders subjects by how often they are referenced before their IRI, so adding one
    link to a node would move its whole block; here a subject's place depends on its own
    name only (IRIs first, then blank nodes not written inline, unreferenced ones first).
    TriG writes the default graph first, then the named graphs by IRI (rdflib keeps them
    in a set).
    """
    from rdflib import RDF, BNode, Literal
    from rdflib.plugins.serializers.trig import TrigSerializer
    from rdflib.plugins.serializers.turtle import TurtleSerializer

    def order_subjects(self: Any) -> list[Any]:
        # Unreferenced blank nodes before referenced ones: rdflib writes a list inline from
        # its head and would write a tail met earlier twice (once by label, once inline).
        def key(s: Any) -> tuple[bool, bool, str]:
            blank = isinstance(s, BNode)
            return (blank, blank and self._references[s] > 0, str(s))

        return sorted(self._subjects, key=key)

    def write_label(self: Any, node: Any, position: int) -> str:
        bare = _BARE_LITERALS.get(str(node.datatype)) if isinstance(node, Literal) else None
        if bare is not None:
            if bare.fullmatch(str(node)):
                return str(node)
            return str(node._literal_n3(use_plain=False, qname_callback=self.get_pname))
        return str(TurtleSerializer.label(self, node, position))

    def sort_properties(self: Any, properties: Mapping[Any, list[Any]]) -> list[Any]:
        # rdflib sorts the objects by value: NaN beside a decimal raises, "007" and "7"
        # compare equal. Sort them as terms; rdflib then orders the predicates.
        for objects in properties.values():
            objects.sort(key=_term_key)
        return list(TurtleSerializer.sortProperties(self, {p: [] for p in properties}))

    def write_pname(self: Any, uri: Any, gen_prefix: bool = True) -> str | None:
        # rdflib can cut an IRI inside a %-escape (<http://x/%25> as ns1:25 with the
        # invalid namespace <http://x/%>); such IRIs are written in full.
        if "%" in str(uri):
            return None
        return TurtleSerializer.get_pname(self, uri, gen_prefix)

    def valid_list(self: Any, l_: Any) -> bool:
        # rdflib's check would write inline a list whose tail is also referenced elsewhere
        # (that reference then names nothing), and loops forever on a cyclic rdf:rest.
        node: Any = l_
        seen: set[Any] = set()
        while node != RDF.nil:
            if not isinstance(node, BNode) or node in seen:
                return False
            if seen and self._references[node] != 1:
                return False
            if sorted(p for p, _ in self.store.predicate_objects(node)) != [RDF.first, RDF.rest]:
                return False
            seen.add(node)
            node = self.store.value(node, RDF.rest)
        return bool(seen)

    class SortedTurtleSerializer(TurtleSerializer):
        orderSubjects = order_subjects  # rdflib's name
        label = write_label
        sortProperties = sort_properties
        get_pname = write_pname
        isValidList = valid_list

    class SortedTrigSerializer(TrigSerializer):
        orderSubjects = order_subjects
        label = write_label
        sortProperties = sort_properties
        get_pname = write_pname
        isValidList = valid_list

        def __init__(self, store: Dataset) -> None:
            super().__init__(store)
            by_name = {str(c.identifier): c for c in self.contexts}
            default = str(self.default_context)
            self.contexts = [by_name[k] for k in sorted(by_name, key=lambda k: (k != default, k))]

    return SortedTurtleSerializer, SortedTrigSerializer


def _run_serializer(cls: Any, store: Graph) -> str:
    stream = BytesIO()
    with warnings.catch_warnings():  # rdflib's own Dataset code uses deprecated names
        warnings.simplefilter("ignore", DeprecationWarning)
        cls(store).serialize(stream, encoding="utf-8")
    return stream.getvalue().decode("utf-8").rstrip("\n") + "\n"  # one final newline


@lru_cache(maxsize=4)
def _context_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise KzeuError(f"{path}: cannot read the JSON-LD context: {exc.strerror}") from None


def jsonld_context() -> dict[str, Any]:
    """The project's JSON-LD context object, read from ``ontology/context.jsonld`` (a copy).

    It is only ever read from that file: nothing is fetched.
    """
    from kzeu_graph import resources

    path = resources.context_file()
    try:
        document = json.loads(_context_text(path))
    except json.JSONDecodeError as exc:
        raise KzeuError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
    context = document.get("@context") if isinstance(document, dict) else None
    if not isinstance(context, dict):
        raise KzeuError(f"{path}: must be an object whose @context is an inline object")
    return context


_RDF_TYPE = PREFIX_IRIS["rdf"] + "type"
_XSD_STRING = XSD_STRING
_GEN_DELIMS = tuple(":/?#[]@")
_CANONICAL_INTEGER = re.compile(r"0|-?[1-9][0-9]*")
_JSON_SAFE_INTEGER = 2**53  # beyond this, JavaScript JSON-LD processors lose digits


@dataclass(frozen=True)
class _ContextTerm:
    """One term of the JSON-LD context: its IRI and what it coerces a string value to."""

    name: str
    iri: str
    type: str | None = None  # "@id" or a datatype IRI
    language: str | None = None


class _JsonLdWriter:
    """Writes each triple with the project context, in a form that expands back to exactly
    that triple: a short key and a bare string only where the term's coercion gives back
    the same datatype / language / IRI; otherwise a value object (``{"@value": "2.0E0",
    "@type": "xsd:double"}``). Numbers and booleans are written as JSON only when JSON-LD
    reads them back with the same lexical form (canonical xsd:integer, true, false)."""

    def __init__(self, context: Mapping[str, Any]) -> None:
        self.prefixes = {
            name: value
            for name, value in context.items()
            if isinstance(value, str) and not name.startswith("@") and value.endswith(_GEN_DELIMS)
        }
        self.by_iri: dict[str, list[_ContextTerm]] = {}
        for name, value in sorted(context.items()):
            if name.startswith("@") or name in self.prefixes:
                continue
            spec = value if isinstance(value, dict) else {"@id": value}
            if not isinstance(spec.get("@id"), str) or set(spec) - {"@id", "@type", "@language"}:
                continue  # containers and the like: never used to write
            coerce = spec.get("@type")
            term = _ContextTerm(
                name,
                self.expand(spec["@id"]),
                coerce if coerce in (None, "@id") else self.expand(str(coerce)),
                spec.get("@language"),
            )
            self.by_iri.setdefault(term.iri, []).append(term)
        self.names = set(context)

    def expand(self, value: str) -> str:
        prefix, _, rest = value.partition(":")
        return self.prefixes[prefix] + rest if prefix in self.prefixes else value

    def compact(self, iri: str) -> str:
        """A compact IRI (``kzr:x``) or the IRI itself, either of which expands back to it."""
        _nt_iri(iri)  # refuses what is not an absolute IRI
        best = ""
        for prefix, namespace in self.prefixes.items():
            rest = iri[len(namespace) :]
            usable = iri.startswith(namespace) and rest and not rest.startswith("//")
            if usable and (not best or len(namespace) > len(self.prefixes[best.split(":")[0]])):
                best = f"{prefix}:{rest}"
        if best:
            return best
        if iri.partition(":")[0] in self.names:
            raise InputError(
                f"JSON-LD with the project context cannot write <{iri}>: "
                "its scheme is a term of the context"
            )
        return iri

    def node_id(self, node: Node) -> str:
        from rdflib import BNode

        return f"_:{node}" if isinstance(node, BNode) else self.compact(str(node))

    def value(self, node: Node) -> Any:
        """The value object (or bare JSON value) that expands to ``node`` under any key."""
        from rdflib import Literal

        if not isinstance(node, Literal):
            return {"@id": self.node_id(node)}
        text = str(node)
        if node.language:
            return {"@language": node.language, "@value": text}
        datatype = str(node.datatype or _XSD_STRING)
        if datatype == _XSD_STRING:
            return text
        if datatype == XSD + "boolean" and text in ("true", "false"):
            return text == "true"
        integer = datatype == XSD + "integer" and _CANONICAL_INTEGER.fullmatch(text)
        if integer and abs(int(text)) < _JSON_SAFE_INTEGER:
            return int(text)
        return {"@type": self.compact(datatype), "@value": text}

    def entry(self, predicate: Node, node: Node) -> tuple[str, Any]:
        """The key and value that write ``predicate node`` for one subject."""
        from rdflib import Literal

        if str(predicate) == _RDF_TYPE and not isinstance(node, Literal):
            return "@type", self.node_id(node)
        terms = self.by_iri.get(str(predicate), [])
        for term in terms:
            if term.type == "@id" and not isinstance(node, Literal):
                return term.name, self.node_id(node)
            if not isinstance(node, Literal):
                continue
            if node.language:
                if term.language and node.language == term.language:
                    return term.name, str(node)
            elif term.type is not None and term.type == str(node.datatype or _XSD_STRING):
                return term.name, str(node)
        plain = [t for t in terms if t.type is None and t.language is None]
        key = plain[0].name if plain else self.compact(str(predicate))
        return key, self.value(node)


def _jsonld(graph: Graph) -> str:
    """Compact JSON-LD with the project context (inlined): one node object per subject in
    ``@graph``, sorted by ``@id``, every triple written as :class:`_JsonLdWriter` says.

    Not rdflib's converter, which loses triples: a double as a JSON number reads back as
    an integer, ``NaN`` becomes bare ``NaN`` (not JSON), ``""`` beside another value of
    the same key is dropped, a blank node that only refers to itself is never written.
    """
    context = jsonld_context()
    writer = _JsonLdWriter(context)
    nodes: dict[Node, dict[str, Any]] = {}
    for s, p, o in sorted(graph, key=_sort_key):
        node = nodes.setdefault(s, {"@id": writer.node_id(s)})
        key, value = writer.entry(p, o)
        node.setdefault(key, []).append(value)
    objects = []
    for node in nodes.values():
        for key, values in node.items():
            if isinstance(values, list):
                values.sort(key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
                node[key] = values[0] if len(values) == 1 else values
        objects.append(node)
    objects.sort(key=lambda n: (str(n["@id"]), json.dumps(n, sort_keys=True)))
    document = {"@context": context, "@graph": objects}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def _is_xml_name(name: str) -> bool:
    """Is ``name`` an element name to expat (rdflib's XML parser, the strictest we met)?"""
    import xml.parsers.expat

    if not name or NOT_XML.search(name) or any(c in name for c in "<>&'\"=/: \t\r\n"):
        return False
    try:
        xml.parsers.expat.ParserCreate().Parse(f"<{name}/>", True)
    except xml.parsers.expat.ExpatError:
        return False
    return True


def _check_rdfxml(graph: Graph) -> None:
    """Refuse what RDF/XML cannot write: a predicate with no XML name at its end, a term
    with a character that XML 1.0 forbids (most C0 controls). rdflib would raise a bare
    ValueError, or write a file that is not well-formed XML."""
    names = graph.namespace_manager
    for predicate in sorted(set(graph.predicates()), key=_term_key):
        try:
            _, _, local = names.compute_qname_strict(str(predicate))
        except (ValueError, KeyError):
            local = ""
        if not _is_xml_name(local):
            raise InputError(
                f"RDF/XML cannot write predicate <{predicate}>: it does not end in an XML "
                "name (a letter or _ then letters, digits, -, . or _); use another format"
            ) from None
    for term in sorted({t for triple in graph for t in triple}, key=_term_key):
        found = NOT_XML.search(str(term))
        if found:
            raise InputError(
                f"RDF/XML cannot write {_nt_term(term)[:80]}: XML 1.0 cannot hold the "
                f"character U+{ord(found.group(0)):04X}; use another format"
            )


def _check_iris(quads: Iterable[Sequence[Node | None]]) -> None:
    """Refuse an IRI that no RDF syntax can write: rdflib loads ``<http://a b>`` from some
    formats with a mere warning, then each writer would emit it as it is."""
    from rdflib import Literal, URIRef

    from kzeu_graph.rdf.terms import is_valid_iri

    iris = {
        str(t.datatype) if isinstance(t, Literal) else str(t)
        for quad in quads
        for t in quad
        if isinstance(t, URIRef) or (isinstance(t, Literal) and t.datatype is not None)
    }
    bad = sorted(iri for iri in iris if not is_valid_iri(iri))
    if bad:
        _nt_iri(bad[0])  # raises the InputError


def _serialize_graph(graph: Graph, fmt: str) -> str:
    canonical = _sorted_graph(graph, like=graph)
    if fmt in QUAD_FORMATS:
        return _serialize_dataset(_sorted_dataset(canonical, {}, like=graph), fmt)
    _check_iris(canonical)
    if fmt == "nt":
        return _statement_lines((s, p, o, None) for s, p, o in canonical)
    if fmt == "json-ld":
        return _jsonld(canonical)
    if fmt == "turtle":
        return _run_serializer(_layout_serializers()[0], canonical)
    _check_rdfxml(canonical)
    return canonical.serialize(format=EXPORT_FORMATS[fmt])


def _serialize_dataset(dataset: Dataset, fmt: str) -> str:
    from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        quads = [
            (s, p, o, None if g == DATASET_DEFAULT_GRAPH_ID else g)
            for s, p, o, g in dataset.quads((None, None, None, None))
        ]
    _check_iris(quads)
    if fmt == "trig":
        return _run_serializer(_layout_serializers()[1], dataset)
    return _statement_lines(quads)


# ------------------------------------------------------------------ the parts of the graph


def derived_nodes(data: Graph, ontology: Graph | None = None) -> set[Node]:
    """The nodes whose triples are derived: every ``kzeu:DerivedValue`` (or instance of a
    sub-class of it) in ``data``, and every activity that generated one of them."""
    from rdflib import RDF, RDFS
    from rdflib.namespace import PROV

    from kzeu_graph.rdf.namespaces import KZEU

    schema = data if ontology is None else data + ontology
    classes = set(schema.transitive_subjects(RDFS.subClassOf, KZEU.DerivedValue))
    values: set[Node] = {s for c in classes for s in data.subjects(RDF.type, c)}
    activities = {o for v in values for o in data.objects(v, PROV.wasGeneratedBy)}
    return values | activities


def partition(ontology: Graph, data: Graph, closure: Graph | None = None) -> dict[str, Graph]:
    """Split the export into its named graphs; every triple lands in exactly one of them.

    - ``ontology``: the triples of the ontology files (also when a data file repeats one);
    - ``derived``: the data triples whose subject or object is a derived node
      (:func:`derived_nodes`), such as the derived value's own triples, the derivation
      activity's, and ``kzr:establishment-of-diplomatic-relations time:hasTime`` its
      derived date;
    - ``data``: every other data triple: what the article states;
    - ``inferred``: what the closure holds beyond all of these (empty without a closure).
    """
    from kzeu_graph.rdf.namespaces import new_graph

    derived_set = derived_nodes(data, ontology)
    parts = {name: new_graph() for name in PART_NAMES}
    for s, p, o in data:
        if (s, p, o) in ontology:
            continue
        target = "derived" if s in derived_set or o in derived_set else "data"
        parts[target].add((s, p, o))
    parts["ontology"] += ontology
    if closure is not None:
        for triple in closure:
            if triple not in ontology and triple not in data:
                parts["inferred"].add(triple)
    return parts


def _provenance(parts: Sequence[str], inference: str) -> Graph:
    """The default graph of a quad export: what each named graph holds and where it comes from."""
    from rdflib import RDF, RDFS, Literal, URIRef
    from rdflib.namespace import DCTERMS, PROV

    from kzeu_graph.rdf.namespaces import KZR, new_graph

    graph = new_graph()
    titles = {
        "data": "What the article states",
        "derived": "Values derived from what the article states",
        "ontology": "The kzeu ontology and the axioms of the vocabularies it reuses",
        "inferred": "What inference added",
    }
    descriptions = {
        "data": "Every fact the article states, each anchored to the span of the source text "
        "that supports it, and the description of the dataset and its source.",
        "derived": "Values the article does not state but that follow from values it states "
        "(kzeu:DerivedValue), with their inputs and method, the activity that derived them, "
        "and the links from stated things to them.",
        "ontology": "The classes, properties and controlled vocabularies of the kzeu ontology, "
        "and the axioms of reused vocabularies that inference relies on.",
        "inferred": "Triples entailed by the other graphs under the "
        + ("RDFS" if inference == "rdfs" else "OWL 2 RL")
        + " rules (computed with owlrl), less the triples that are not entailments "
        "(literal subjects, copies of values under another datatype or language).",
    }
    sources = {
        "data": [KZR.article],
        "derived": [URIRef(_graph_iri("data"))],
        "ontology": [URIRef(f"{BASE_IRI}ontology")],
        "inferred": [URIRef(_graph_iri(n)) for n in ("data", "derived", "ontology")],
    }
    activity = URIRef(f"{GRAPH_NAMESPACE}inference/{inference}")
    for part in parts:
        node = URIRef(_graph_iri(part))
        graph.add((node, RDF.type, PROV.Entity))
        graph.add((node, DCTERMS.title, Literal(titles[part], lang="en")))
        graph.add((node, DCTERMS.description, Literal(descriptions[part], lang="en")))
        graph.add((node, DCTERMS.isPartOf, KZR.dataset))
        for source in sources[part]:
            graph.add((node, PROV.wasDerivedFrom, source))
        if part == "derived":
            graph.add((node, PROV.wasGeneratedBy, KZR.derivation))
        if part == "inferred":
            graph.add((node, PROV.wasGeneratedBy, activity))
            graph.add((activity, RDF.type, PROV.Activity))
            label = "RDFS closure" if inference == "rdfs" else "OWL 2 RL closure"
            graph.add((activity, RDFS.label, Literal(f"{label} (owlrl)", lang="en")))
            for source in sources["inferred"]:
                graph.add((activity, PROV.used, source))
    return graph


@dataclass(frozen=True)
class ExportGraphs:
    """The selected named graphs of an export, in ``PART_NAMES`` order."""

    parts: Mapping[str, Graph]
    inference: str = "none"
    prefixes: Graph | None = field(default=None, compare=False)

    def union(self) -> Graph:
        """Every selected triple in one graph (what the triple formats export)."""
        from kzeu_graph.rdf.namespaces import new_graph

        graph = new_graph()
        _bind_like(graph, self.prefixes)
        for part in self.parts.values():
            graph += part
        return graph

    def provenance(self) -> Graph:
        """The description of each named graph (the default graph of a quad export)."""
        return _provenance(list(self.parts), self.inference)

    def dataset(self) -> Dataset:
        """Named graphs (``https://w3id.org/kzeu/graph/<part>``) + provenance, canonical."""
        named = {_graph_iri(name): graph for name, graph in self.parts.items()}
        return _sorted_dataset(self.provenance(), named, like=self.prefixes)

    def __len__(self) -> int:
        return sum(len(g) for g in self.parts.values())


def _select(graphs: Sequence[str] | None, inference: str) -> list[str]:
    if not graphs:
        return [n for n in PART_NAMES if n != "inferred" or inference != "none"]
    unknown = [g for g in graphs if g not in PART_NAMES]
    if unknown:
        raise InputError(
            f"unknown graph {unknown[0]!r} (use one or more of {', '.join(PART_NAMES)})"
        )
    if "inferred" in graphs and inference == "none":
        raise InputError("the inferred graph needs --inference rdfs or owlrl")
    return [n for n in PART_NAMES if n in graphs]


def build_export(
    data: Sequence[Path] | None = None,
    inference: Inference = "none",
    graphs: Sequence[str] | None = None,
    source: Engine | Graph | None = None,
) -> ExportGraphs:
    """Load the ontology and the data (default: the shipped graph), apply inference, and split
    the result into the named graphs of :func:`partition`; keep those in ``graphs`` (default:
    all, ``inferred`` only with inference).

    ``source``: a store (or graph) holding the ontology and the data, instead of ``data``;
    its graph is handed over by :func:`kzeu_graph.engines.to_graph`, and every triple of it
    that is not an ontology triple is data.
    """
    from kzeu_graph import resources
    from kzeu_graph.loading.graph import apply_inference, load_ontology, merge, parse_file
    from kzeu_graph.rdf.namespaces import new_graph

    if inference not in ("none", "rdfs", "owlrl"):
        raise InputError(f"unknown inference {inference!r} (use one of none, rdfs, owlrl)")
    selected = _select(graphs, inference)
    ontology = load_ontology()
    data_graph = new_graph()
    if source is not None:
        from kzeu_graph.engines import to_graph

        if data is not None:
            raise InputError("give the data files or a store to export, not both")
        handed = to_graph(source)
        data_graph.addN((s, p, o, data_graph) for s, p, o in handed if (s, p, o) not in ontology)
        _bind_like(data_graph, handed)
    for path in resources.default_data_files() if data is None and source is None else data or []:
        parse_file(Path(path), into=data_graph)
    everything = merge(merge(new_graph(), ontology), data_graph)
    closure = None
    if inference != "none":
        closure = apply_inference(merge(new_graph(), everything), inference)
    parts = partition(ontology, data_graph, closure)
    return ExportGraphs({n: parts[n] for n in selected}, inference, prefixes=everything)


# ------------------------------------------------------------------ public entry points


def serialize(source: Graph | Engine | ExportGraphs, fmt: str) -> str:
    """``source`` as canonical text in ``fmt`` (turtle, json-ld, nt, nquads, trig, xml).

    A plain graph (or a store's graph, handed over by :func:`kzeu_graph.engines.to_graph`)
    goes to the default graph of the quad formats; an :class:`ExportGraphs` keeps its named
    graphs there (with their provenance) and is merged for the others. JSON-LD is compacted
    with the project context, inlined (nothing is fetched to read it).
    """
    if fmt not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {fmt!r} (use one of {', '.join(EXPORT_FORMATS)})")
    if isinstance(source, ExportGraphs):
        if fmt in QUAD_FORMATS:
            return _serialize_dataset(source.dataset(), fmt)
        return _serialize_graph(source.union(), fmt)
    from kzeu_graph.engines import to_graph

    return _serialize_graph(to_graph(source), fmt)


def export(source: Graph | Engine | ExportGraphs, fmt: str, destination: Path | None = None) -> str:
    """Serialise ``source``; if ``destination`` is given, write it atomically. Returns the text."""
    from kzeu_graph.atomic import atomic_write

    text = serialize(source, fmt)
    if destination is not None:
        try:
            atomic_write(Path(destination), text)
        except OSError as exc:
            raise InputError(f"{destination}: cannot write: {exc.strerror}") from None
    return text


# ------------------------------------------------------------------ canonical Turtle files


def canonical_turtle(graph: Graph) -> str:
    """The canonical Turtle text of ``graph``: the header comment, then sorted Turtle."""
    return CANONICAL_HEADER + _serialize_graph(graph, "turtle")


@dataclass(frozen=True)
class FormatResult:
    """What :func:`format_file` found: was the file canonical, and where it first differed."""

    path: Path
    canonical: bool
    first_difference: int | None = None
    rewritten: bool = False


def _first_difference(old: str, new: str) -> int:
    old_lines, new_lines = old.splitlines(), new.splitlines()
    for number, (a, b) in enumerate(zip(old_lines, new_lines, strict=False), start=1):
        if a != b:
            return number
    return min(len(old_lines), len(new_lines)) + 1


def format_file(path: Path, check: bool = False) -> FormatResult:
    """Compare a Turtle file with its canonical form; unless ``check``, rewrite it atomically.

    Raises InputError for a file that is not Turtle, cannot be read or does not parse, and
    KzeuError if the canonical text would not read back as the same graph (then nothing is
    written).
    """
    import pyoxigraph as ox
    from rdflib import URIRef
    from rdflib.compare import isomorphic

    from kzeu_graph.atomic import atomic_write
    from kzeu_graph.loading.graph import parse_data, parse_file

    path = Path(path)
    if by_suffix(path.suffix) is not by_name("turtle"):
        raise InputError(f"{path}: only Turtle (.ttl) files have a canonical form")
    graph = parse_file(path)  # checks existence, size, encoding and syntax
    text = path.read_text(encoding="utf-8")
    base = path.resolve().parent.as_uri() + "/"
    relative = sorted(
        str(t) for triple in graph for t in triple if isinstance(t, URIRef) and t.startswith(base)
    )
    if relative:
        raise InputError(f"{path}: relative IRI <{relative[0]}> cannot be kept in canonical form")
    canonical = canonical_turtle(graph)
    if text == canonical:
        return FormatResult(path, canonical=True)
    reread = parse_data(canonical.encode("utf-8"), ox.RdfFormat.TURTLE, str(path))
    if not isomorphic(reread, graph):
        raise KzeuError(f"{path}: the canonical form would not read back as the same graph")
    if not check:
        try:
            atomic_write(path, canonical)
        except OSError as exc:
            raise InputError(f"{path}: cannot write: {exc.strerror}") from None
    return FormatResult(
        path,
        canonical=False,
        first_difference=_first_difference(text, canonical),
        rewritten=not check,
    )
