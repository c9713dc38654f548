"""A fast conformance pre-check: the SHACL shapes compiled to SPARQL and run on Oxigraph.

``kzeu-graph validate`` on a graph that conforms (the everyday case in CI) should not
pay for pyshacl: its import alone takes longer than Oxigraph's parse-and-check of the
whole graph. This module translates every shape into SPARQL queries that find the focus
nodes that violate it, and runs them on an Oxigraph store. It only ever answers one
question, *is there anything pyshacl would report?*:

- nothing found: the graph conforms (with no warning or info either), and pyshacl is
  never imported;
- something found, or anything the translation does not cover: the caller runs pyshacl,
  whose report is the only one the project ever prints.

So the pre-check may be wrong only in one harmless direction (it finds something pyshacl
does not: pyshacl then runs and reports nothing). To keep it from missing anything, it
refuses (raises :class:`Unsupported`) whenever the input could make Oxigraph and rdflib
disagree: a shapes feature it does not translate, two literals Oxigraph would store as one
(it keeps ``"30"^^xsd:positiveInteger`` as an xsd:integer and ``30.0`` as ``30``; the form
each literal was written in is noted beside the data, see :func:`store_of`), a language tag
with capitals (Oxigraph lowercases it), an explicit ``^^xsd:string``, a SPARQL constraint
whose meaning could change when ``$this`` is joined rather than pre-bound or that could read
a rewritten literal's form. The tests prove, on every failing shape fixture and on random
mutations of the graph, that the pre-check finds exactly what pyshacl reports.

No rdflib here: the fast path of ``kzeu-graph validate`` imports only pyoxigraph.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from .engines.oxigraph_engine import QUAD_FORMATS, check_rdf_file
from .errors import KzeuError
from .terms import TermError, from_oxigraph, sparql_term

__all__ = ["Check", "Hit", "Unsupported", "compile_shapes", "find", "read_quads", "run_checks"]

SH = "http://www.w3.org/ns/shacl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"

_TYPE = ox.NamedNode(RDF + "type")
_FIRST = ox.NamedNode(RDF + "first")
_REST = ox.NamedNode(RDF + "rest")
_NIL = ox.NamedNode(RDF + "nil")
_INSTANCE_OF = f"<{RDF}type>/<{RDFS}subClassOf>*"
XSD = "http://www.w3.org/2001/XMLSchema#"
XSD_STRING = XSD + "string"
XSD_DECIMAL = XSD + "decimal"
_DERIVED_INTEGERS = {
    XSD + name
    for name in [
        "nonPositiveInteger",
        "negativeInteger",
        "long",
        "int",
        "short",
        "byte",
        "nonNegativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
        "positiveInteger",
    ]
}
# Oxigraph stores a literal of a type derived from xsd:integer as an xsd:integer. The store
# keeps, in this graph, a note of the datatype each such literal was given with.
MARKS = "urn:kzeu:precheck"
_MARK_LITERAL = ox.NamedNode(MARKS + "#literal")
_MARK_DATATYPE = ox.NamedNode(MARKS + "#datatype")
_MARK_LEXICAL = ox.NamedNode(MARKS + "#lexical")

# Shape predicates that carry no constraint (descriptions, grouping, the shape graph's links).
_DESCRIPTIVE = {"message", "severity", "name", "description", "order", "group", "defaultValue"}
_TARGETS = {"targetClass", "targetNode", "targetSubjectsOf", "targetObjectsOf", "target"}
# Constraint parameters translated below; any other sh: predicate makes a shape Unsupported.
_VALUE_CONSTRAINTS = {
    "class",
    "datatype",
    "nodeKind",
    "in",
    "hasValue",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "not",
    "or",
    "and",
    "xone",
}
_OTHER_CONSTRAINTS = {
    "minCount",
    "maxCount",
    "pattern",
    "flags",
    "minLength",
    "maxLength",
    "lessThan",
    "lessThanOrEquals",
    "equals",
    "disjoint",
    "uniqueLang",
    "qualifiedValueShape",
    "qualifiedMinCount",
    "qualifiedMaxCount",
    "sparql",
}
_KNOWN = _DESCRIPTIVE | _TARGETS | _VALUE_CONSTRAINTS | _OTHER_CONSTRAINTS | {"property", "path"}
_COMPARISONS = {
    "minInclusive": ">=",
    "maxInclusive": "<=",
    "minExclusive": ">",
    "maxExclusive": "<",
}
_NODE_KINDS = {
    "IRI": "isIRI(?v)",
    "BlankNode": "isBlank(?v)",
    "Literal": "isLiteral(?v)",
    "BlankNodeOrIRI": "(isBlank(?v) || isIRI(?v))",
    "BlankNodeOrLiteral": "(isBlank(?v) || isLiteral(?v))",
    "IRIOrLiteral": "(isIRI(?v) || isLiteral(?v))",
}
# A SPARQL constraint is run once with $this joined to the focus nodes instead of once per
# focus node with $this pre-bound; that is the same only without these (see the module doc).
_NOT_JOINABLE = re.compile(
    r"\b(SELECT|VALUES|MINUS|UNION|GRAPH|SERVICE|LIMIT|OFFSET|GROUP|HAVING|ORDER|OPTIONAL|"
    r"COUNT|SUM|AVG|MIN|MAX|SAMPLE|GROUP_CONCAT|PREFIX|BASE|\$PATH|\$currentShape|"
    r"\$shapesGraph)\b|\bAS\s+[?$]this\b",
    re.IGNORECASE,
)
# Constructs of a SPARQL target or constraint that could see how Oxigraph stores a literal
# (an xsd:positiveInteger is kept as an xsd:integer) or that negate a pattern.
_SEES_STORAGE = re.compile(r"\b(DATATYPE|sameTerm|STRDT|MINUS)\b|\bNOT\s+EXISTS\b", re.IGNORECASE)
_LEXICAL_FUNCTIONS = re.compile(
    r"\b(STR|STRLEN|SUBSTR|REGEX|REPLACE|CONCAT|UCASE|LCASE|STRSTARTS|STRENDS|CONTAINS|"
    r"STRBEFORE|STRAFTER|ENCODE_FOR_URI|MD5|SHA1|SHA256|SHA384|SHA512|IRI|URI|BNODE|string)\s*\(",
    re.IGNORECASE,
)
_STRINGS = re.compile(
    r'"""[\s\S]*?"""' + r"|'''[\s\S]*?'''" + r'|"(?:[^"\\\n]|\\.)*"' + r"|'(?:[^'\\\n]|\\.)*'"
)
_TERM_END = r"(?:[?$]\w+|>|\]|\)|[\w-]*:[\w.-]*)"
_VARIABLE_PREDICATE = re.compile(
    _TERM_END + r"\s+[?$]\w+\s+(?!AS\b)[?$<\"'_\[(\w]|[;\[]\s*[?$]\w+\s+[?$<\"'_\[(\w]|!(?!=)",
    re.IGNORECASE,
)
_EXPLICIT_STRING = re.compile(
    rb"\^\^\s*(<http://www\.w3\.org/2001/XMLSchema#string>|[\w.-]*:string\b)"
)
_UPPERCASE_LANGUAGE = re.compile(rb"[\"']@[A-Za-z0-9-]*[A-Z]")


class Unsupported(KzeuError):
    """The shapes or the data use something the pre-check cannot decide like pyshacl."""


@dataclass(frozen=True)
class Hit:
    """A focus node that violates (or may violate) one constraint of one shape."""

    shape: str  # the shape's IRI, or ``_:label``
    component: str  # the SHACL constraint component's local name ("MinCountConstraintComponent")
    focus: Any  # a pyoxigraph term


@dataclass(frozen=True)
class Check:
    """One SPARQL query over the data that selects ``?this`` (and, with a ``rule``, ``?v``:
    the rule then says in Python which values violate, as pyshacl's string rules do)."""

    shape: str
    component: str
    query: str
    rule: Callable[[Any], bool] | None = None
    # a SPARQL target or constraint of the shapes that reads lexical forms (STR, REGEX...):
    # the predicates it names, or None when it may read any (a variable predicate)
    reads_lexical: frozenset[str] | None = frozenset()


# ------------------------------------------------------------------ reading the shapes


@dataclass
class _Focus:
    """The SPARQL group patterns that bind a shape's focus nodes to ?this, and their prefixes."""

    patterns: list[str] = field(default_factory=list)
    prefixes: dict[str, str] = field(default_factory=dict)
    reads_lexical: frozenset[str] | None = frozenset()  # of its SPARQL targets (see Check)

    def add(self, other: _Focus) -> None:
        self.patterns.extend(p for p in other.patterns if p not in self.patterns)
        _merge_prefixes(self.prefixes, other.prefixes)
        self.reads_lexical = _union(self.reads_lexical, other.reads_lexical)

    def group(self) -> str:
        union = " UNION ".join("{ " + p + " }" for p in self.patterns)
        return "{ SELECT DISTINCT ?this WHERE { " + union + " } }"


def _union(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    return None if a is None or b is None else a | b


def _reads_lexical(text: str, prefixes: dict[str, str]) -> frozenset[str] | None:
    """For a SPARQL text that reads lexical forms (STR, SUBSTR, REGEX...): the predicates it
    names, whose literals it may read; None when it may read a literal of any predicate (a
    variable predicate, a negated property set). The empty set when it reads none."""
    code = _STRINGS.sub('""', text)
    if not _LEXICAL_FUNCTIONS.search(code):
        return frozenset()
    body = code[code.find("{") :]
    if _VARIABLE_PREDICATE.search(body):
        return None
    named = set(re.findall(r"<([^<>\s]*)>", body))
    for prefix, local in re.findall(r"(?<![\w<?$])([A-Za-z][\w.-]*|):([\w.-]*)", body):
        if prefix in prefixes:
            named.add(prefixes[prefix] + local)
    if re.search(r"(?<![\w?$:])a(?![\w:])", body):
        named.add(RDF + "type")
    return frozenset(named)


def _prefix_lines(prefixes: dict[str, str]) -> str:
    return "".join(f"PREFIX {p}: <{n}>\n" for p, n in sorted(prefixes.items()))


def _merge_prefixes(into: dict[str, str], more: dict[str, str]) -> None:
    for prefix, namespace in more.items():
        if into.setdefault(prefix, namespace) != namespace:
            raise Unsupported(f"prefix {prefix}: declared with two namespaces")


class _Shapes:
    """Read access to a shapes graph, as parsed (so every literal keeps its own datatype)."""

    def __init__(self, triples: Iterable[Any]) -> None:
        self.index: dict[Any, dict[str, list[Any]]] = {}
        for t in triples:
            objects = self.index.setdefault(t.subject, {}).setdefault(t.predicate.value, [])
            if t.object not in objects:
                objects.append(t.object)

    def objects(self, node: Any, local: str, namespace: str = SH) -> list[Any]:
        return list(self.index.get(node, {}).get(namespace + local, ()))

    def one(self, node: Any, local: str) -> Any | None:
        values = self.objects(node, local)
        if len(values) > 1:
            raise Unsupported(f"{_name(node)} has {len(values)} sh:{local}")
        return values[0] if values else None

    def sh_predicates(self, node: Any) -> set[str]:
        return {p[len(SH) :] for p in self.index.get(node, {}) if p.startswith(SH)}

    def items(self, node: Any) -> list[Any]:
        """The members of an RDF list."""
        out: list[Any] = []
        seen: set[Any] = set()
        while node != _NIL:
            if node in seen or not isinstance(node, ox.BlankNode | ox.NamedNode):
                raise Unsupported("a malformed RDF list in the shapes")
            seen.add(node)
            first = self.objects(node, "first", RDF)
            rest = self.objects(node, "rest", RDF)
            if len(first) != 1 or len(rest) != 1:
                raise Unsupported("a malformed RDF list in the shapes")
            out.append(first[0])
            node = rest[0]
        return out

    def path(self, node: Any) -> str:
        """A SHACL property path as a SPARQL property path."""
        if isinstance(node, ox.NamedNode):
            return _term(node)
        if not isinstance(node, ox.BlankNode):
            raise Unsupported("a property path that is a literal")
        for local, suffix in (
            ("zeroOrMorePath", "*"),
            ("oneOrMorePath", "+"),
            ("zeroOrOnePath", "?"),
        ):
            inner = self.one(node, local)
            if inner is not None:
                return f"({self.path(inner)}){suffix}"
        inverse = self.one(node, "inversePath")
        if inverse is not None:
            return f"^({self.path(inverse)})"
        alternatives = self.one(node, "alternativePath")
        if alternatives is not None:
            return "(" + "|".join(self.path(item) for item in self.items(alternatives)) + ")"
        if self.objects(node, "first", RDF):
            steps = self.items(node)
            if len(steps) < 2:
                raise Unsupported("a sequence path of fewer than two steps")
            return "(" + "/".join(self.path(step) for step in steps) + ")"
        raise Unsupported("an unknown kind of property path")

    def prefixes(self, node: Any) -> dict[str, str]:
        """The PREFIX declarations that sh:prefixes brings to a SPARQL target or constraint."""
        out: dict[str, str] = {}
        for owner in self.objects(node, "prefixes"):
            for declaration in self.objects(owner, "declare"):
                prefix = self.one(declaration, "prefix")
                namespace = self.one(declaration, "namespace")
                if not isinstance(prefix, ox.Literal) or not isinstance(namespace, ox.Literal):
                    raise Unsupported("a malformed sh:declare")
                _merge_prefixes(out, {prefix.value: namespace.value})
        return out


def _name(node: Any) -> str:
    return f"_:{node.value}" if isinstance(node, ox.BlankNode) else str(node.value)


def _term(node: Any) -> str:
    """A constant of the shapes as SPARQL text (one term, written by the strict serializer)."""
    if isinstance(node, ox.BlankNode):
        raise Unsupported("a blank node as a constant in a shape")
    if isinstance(node, ox.Literal) and node.language:
        raise Unsupported("a language-tagged literal as a constant in a shape")
    try:
        return sparql_term(from_oxigraph(node))
    except TermError as exc:
        raise Unsupported(f"a constant that cannot be written as SPARQL: {exc}") from None


def _has_datatype(var: str, datatype: Any) -> str:
    """True when ``var`` is a literal given with ``datatype`` (whatever Oxigraph stored)."""
    d = _term(datatype)
    marked = f"GRAPH <{MARKS}> {{ [] <{_MARK_LITERAL.value}> {var}"
    return (
        f"(isLiteral({var}) && IF(EXISTS {{ {marked} }} }}, "
        f"EXISTS {{ {marked} ; <{_MARK_DATATYPE.value}> {d} }} }}, sameTerm(DATATYPE({var}), {d})))"
    )


def _same(var: str, constant: Any) -> str:
    """True when ``var`` is the very term ``constant`` (rdflib's term equality), whatever
    form Oxigraph stored it in."""
    if isinstance(constant, ox.Literal) and constant.datatype.value != XSD_STRING:
        if constant.language:
            raise Unsupported("a language-tagged literal as a constant in a shape")
        lexical = sparql_term(from_oxigraph(ox.Literal(constant.value)))
        d = _term(constant.datatype)
        marked = f"GRAPH <{MARKS}> {{ [] <{_MARK_LITERAL.value}> {var}"
        given = f"<{_MARK_LEXICAL.value}> {lexical} ; <{_MARK_DATATYPE.value}> {d}"
        return (
            f"(isLiteral({var}) && IF(EXISTS {{ {marked} }} }}, EXISTS {{ {marked} ; {given} }} }}, "
            f"STR({var}) = {lexical} && sameTerm(DATATYPE({var}), {d})))"
        )
    return f"sameTerm({var}, {_term(constant)})"


def _integer(node: Any, what: str) -> int:
    if not isinstance(node, ox.Literal) or not re.fullmatch(r"[+]?[0-9]+", node.value):
        raise Unsupported(f"{what} is not a non-negative integer")
    return int(node.value)


def _select_text(shapes: _Shapes, node: Any, what: str) -> str:
    selects = shapes.objects(node, "select")
    if len(selects) != 1 or not isinstance(selects[0], ox.Literal):
        raise Unsupported(f"{what} without exactly one sh:select")
    text = selects[0].value
    if not re.match(r"\s*SELECT\b", text, re.IGNORECASE):
        raise Unsupported(f"{what} whose sh:select is not a plain SELECT")
    return text


# ------------------------------------------------------------------ compiling


def _targets(shapes: _Shapes, shape: Any) -> _Focus:
    focus = _Focus()
    for cls in shapes.objects(shape, "targetClass"):
        focus.patterns.append(f"?this {_INSTANCE_OF} {_term(cls)} .")
    for node in shapes.objects(shape, "targetNode"):
        focus.patterns.append(f"BIND ({_term(node)} AS ?this)")
    for predicate in shapes.objects(shape, "targetSubjectsOf"):
        focus.patterns.append(f"?this {_term(predicate)} [] .")
    for predicate in shapes.objects(shape, "targetObjectsOf"):
        focus.patterns.append(f"[] {_term(predicate)} ?this .")
    for target in shapes.objects(shape, "target"):
        kinds = {t.value for t in shapes.objects(target, "type", RDF)}
        if kinds != {SH + "SPARQLTarget"} or shapes.sh_predicates(target) - {"select", "prefixes"}:
            raise Unsupported(f"{_name(shape)}: a target other than a plain sh:SPARQLTarget")
        text = _select_text(shapes, target, "a SPARQL target")
        if _SEES_STORAGE.search(text) or re.search(
            r"\bSELECT\b.*\bSELECT\b", text, re.IGNORECASE | re.DOTALL
        ):
            raise Unsupported(f"{_name(shape)}: a SPARQL target with a sub-select")
        focus.patterns.append("{ " + text + " }")
        prefixes = shapes.prefixes(target)
        _merge_prefixes(focus.prefixes, prefixes)
        focus.reads_lexical = _union(focus.reads_lexical, _reads_lexical(text, prefixes))
    return focus


def _condition(shapes: _Shapes, shape: Any, var: str = "?v", depth: int = 0) -> str:
    """A SPARQL expression, never an error, true when the node ``var`` conforms to a nested
    shape (one given to sh:not, sh:or, sh:and, sh:xone or sh:qualifiedValueShape)."""
    if depth > 8:
        raise Unsupported("shapes nested too deeply")
    used = shapes.sh_predicates(shape)
    path_node = shapes.one(shape, "path")
    if path_node is not None:
        return _nested_property(shapes, shape, shapes.path(path_node), var, depth)
    if used - _VALUE_CONSTRAINTS - _DESCRIPTIVE - {"property"}:
        extra = ", sh:".join(sorted(used - _VALUE_CONSTRAINTS - _DESCRIPTIVE - {"property"}))
        raise Unsupported(f"{_name(shape)}: a nested shape with sh:{extra}")
    parts = [
        _value_condition(shapes, shape, local, value, var, depth)
        for local in sorted(used & _VALUE_CONSTRAINTS)
        for value in shapes.objects(shape, local)
    ]
    parts += [
        _condition(shapes, member, var, depth + 1) for member in shapes.objects(shape, "property")
    ]
    return "(" + " && ".join(parts) + ")" if parts else "true"


def _nested_property(shapes: _Shapes, shape: Any, path: str, var: str, depth: int) -> str:
    """The condition of a property shape nested in a logical constraint, on the node ``var``."""
    used = shapes.sh_predicates(shape) - {"path"} - _DESCRIPTIVE
    if used - _VALUE_CONSTRAINTS - {"minCount", "maxCount"}:
        extra = ", sh:".join(sorted(used - _VALUE_CONSTRAINTS - {"minCount", "maxCount"}))
        raise Unsupported(f"{_name(shape)}: a nested property shape with sh:{extra}")
    inner = f"?v{depth + 1}"
    parts = []
    for value in shapes.objects(shape, "minCount"):
        n = _integer(value, "sh:minCount")
        if n > 1:
            raise Unsupported(f"{_name(shape)}: a nested sh:minCount above 1")
        parts.append(f"EXISTS {{ {var} {path} {inner} }}" if n == 1 else "true")
    for value in shapes.objects(shape, "maxCount"):
        if _integer(value, "sh:maxCount") != 0:
            raise Unsupported(f"{_name(shape)}: a nested sh:maxCount other than 0")
        parts.append(f"NOT EXISTS {{ {var} {path} {inner} }}")
    for local in sorted(used & _VALUE_CONSTRAINTS):
        for value in shapes.objects(shape, local):
            if local == "hasValue":
                parts.append(f"EXISTS {{ {var} {path} {inner} FILTER ({_same(inner, value)}) }}")
                continue
            test = _value_condition(shapes, shape, local, value, inner, depth + 1)
            parts.append(f"NOT EXISTS {{ {var} {path} {inner} FILTER (!{test}) }}")
    return "(" + " && ".join(parts) + ")" if parts else "true"


def _value_condition(
    shapes: _Shapes, shape: Any, local: str, value: Any, var: str = "?v", depth: int = 0
) -> str:
    """The SPARQL expression that is true when the node ``var`` meets one value constraint."""
    if local == "class":
        return f"EXISTS {{ {var} {_INSTANCE_OF} {_term(value)} }}"
    if local == "datatype":
        return _has_datatype(var, value)
    if local == "nodeKind":
        kind = value.value[len(SH) :] if isinstance(value, ox.NamedNode) else ""
        if kind not in _NODE_KINDS or not value.value.startswith(SH):
            raise Unsupported(f"{_name(shape)}: an unknown sh:nodeKind")
        return _NODE_KINDS[kind].replace("?v", var)
    if local == "in":
        members = [_same(var, item) for item in shapes.items(value)]
        return "(" + " || ".join(members) + ")" if members else "false"
    if local == "hasValue":
        return _same(var, value)
    if local in _COMPARISONS:
        if not isinstance(value, ox.Literal):
            raise Unsupported(f"{_name(shape)}: sh:{local} is not a literal")
        return f"COALESCE({var} {_COMPARISONS[local]} {_term(value)}, false)"
    if local == "not":
        return f"!{_condition(shapes, value, var, depth + 1)}"
    members = [_condition(shapes, item, var, depth + 1) for item in shapes.items(value)]
    if local == "or":
        return "(" + " || ".join(members) + ")" if members else "false"
    if local == "and":
        return "(" + " && ".join(members) + ")" if members else "true"
    counted = " + ".join(f"IF({m}, 1, 0)" for m in members) or "0"
    return f"(({counted}) = 1)"  # xone


def _component(local: str) -> str:
    names = {"class": "Class", "in": "In", "not": "Not", "or": "Or", "and": "And", "xone": "Xone"}
    name = names.get(local, local[0].upper() + local[1:])
    if local in ("qualifiedMinCount", "qualifiedMaxCount"):
        name = "Q" + local[1:]
    return f"{name}ConstraintComponent"


def _string_rule(local: str, value: Any, flags: Any) -> Callable[[Any], bool]:
    """pyshacl's string-based rules in Python (a blank node never passes)."""
    if local == "pattern":
        if not isinstance(value, ox.Literal):
            raise Unsupported("sh:pattern is not a literal")
        re_flags = 0
        if isinstance(flags, ox.Literal):
            letters = flags.value.lower()
            for letter, flag in (("i", re.I), ("m", re.M), ("s", re.S), ("x", re.X)):
                if letter in letters:
                    re_flags |= flag
        try:
            compiled = re.compile(value.value, re_flags)
        except re.error:
            raise Unsupported(
                f"sh:pattern {value.value!r} is not a Python regular expression"
            ) from None
        return lambda v: isinstance(v, ox.BlankNode) or compiled.search(v.value) is None
    limit = _integer(value, f"sh:{local}")
    if local == "minLength":
        return lambda v: isinstance(v, ox.BlankNode) or len(v.value) < limit
    return lambda v: isinstance(v, ox.BlankNode) or len(v.value) > limit


def _shape_checks(shapes: _Shapes, shape: Any, focus: _Focus) -> list[Check]:
    name = _name(shape)
    used = shapes.sh_predicates(shape)
    if used - _KNOWN:
        raise Unsupported(f"{name}: sh:{', sh:'.join(sorted(used - _KNOWN))} not translated")
    kinds = {t.value for t in shapes.objects(shape, "type", RDF)}
    if kinds & {RDFS + "Class", OWL + "Class"}:
        raise Unsupported(f"{name}: a shape that is also a class (implicit class target)")
    path_node = shapes.one(shape, "path")
    path = shapes.path(path_node) if path_node is not None else None
    header = _prefix_lines(focus.prefixes)
    values = f"?this {path} ?v ." if path else "BIND (?this AS ?v)"
    where = focus.group()
    checks: list[Check] = []

    def add(local: str, body: str, rule: Callable[[Any], bool] | None = None) -> None:
        checks.append(Check(name, _component(local), header + body, rule, focus.reads_lexical))

    def needs_path(local: str) -> str:
        if path is None:
            raise Unsupported(f"{name}: sh:{local} on a node shape")
        return path

    for local in sorted(used & _VALUE_CONSTRAINTS):
        for value in shapes.objects(shape, local):
            if local == "hasValue" and path:  # some value is the given one (not: every value)
                test = f"EXISTS {{ ?this {path} ?v FILTER ({_same('?v', value)}) }}"
                add(local, f"SELECT DISTINCT ?this WHERE {{ {where} FILTER (!{test}) }}")
                continue
            test = _value_condition(shapes, shape, local, value)
            add(local, f"SELECT DISTINCT ?this WHERE {{ {where} {values} FILTER (!{test}) }}")
    for value in shapes.objects(shape, "minCount"):
        n = _integer(value, "sh:minCount")
        add(
            "minCount",
            f"SELECT ?this WHERE {{ {where} OPTIONAL {{ ?this {needs_path('minCount')} ?v }} }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) < {n})",
        )
    for value in shapes.objects(shape, "maxCount"):
        n = _integer(value, "sh:maxCount")
        add(
            "maxCount",
            f"SELECT ?this WHERE {{ {where} ?this {needs_path('maxCount')} ?v }} "
            f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) > {n})",
        )
    patterns = shapes.objects(shape, "pattern")
    flags = shapes.objects(shape, "flags")
    if len(flags) > 1 or (flags and len(patterns) != 1):
        raise Unsupported(f"{name}: sh:flags without exactly one sh:pattern")
    for local in ("pattern", "minLength", "maxLength"):
        for value in shapes.objects(shape, local):
            rule = _string_rule(local, value, flags[0] if flags else None)
            add(local, f"SELECT DISTINCT ?this ?v WHERE {{ {where} {values} }}", rule)
    for local, operator in (("lessThan", "<"), ("lessThanOrEquals", "<=")):
        for other in shapes.objects(shape, local):
            add(
                local,
                f"SELECT DISTINCT ?this WHERE {{ {where} ?this {needs_path(local)} ?v . "
                f"?this {_term(other)} ?w . FILTER (!COALESCE(?v {operator} ?w, false)) }}",
            )
    for other in shapes.objects(shape, "equals"):
        p = _term(other)
        if path:
            body = (
                f"{{ ?this {path} ?v FILTER NOT EXISTS {{ ?this {p} ?v }} }} UNION "
                f"{{ ?this {p} ?v FILTER NOT EXISTS {{ ?this {path} ?v }} }}"
            )
        else:
            body = (
                f"{{ FILTER NOT EXISTS {{ ?this {p} ?this }} }} UNION "
                f"{{ ?this {p} ?v FILTER (!sameTerm(?v, ?this)) }}"
            )
        add("equals", f"SELECT DISTINCT ?this WHERE {{ {where} {body} }}")
    for other in shapes.objects(shape, "disjoint"):
        pair = (
            f"?this {path} ?v . ?this {_term(other)} ?v ."
            if path
            else f"?this {_term(other)} ?this ."
        )
        add("disjoint", f"SELECT DISTINCT ?this WHERE {{ {where} {pair} }}")
    for value in shapes.objects(shape, "uniqueLang"):
        if not isinstance(value, ox.Literal) or value.value not in ("true", "false", "1", "0"):
            raise Unsupported(f"{name}: sh:uniqueLang is not a boolean")
        if value.value in ("true", "1"):
            p = needs_path("uniqueLang")
            add(
                "uniqueLang",
                f"SELECT DISTINCT ?this WHERE {{ {where} ?this {p} ?a . ?this {p} ?b . "
                'FILTER (isLiteral(?a) && LANG(?a) != "" && !sameTerm(?a, ?b) '
                "&& LCASE(LANG(?a)) = LCASE(LANG(?b))) }",
            )
    _qualified_checks(shapes, shape, needs_path, where, add)
    for constraint in shapes.objects(shape, "sparql"):
        checks.append(_sparql_check(shapes, shape, constraint, focus, path))
    return checks


def _qualified_checks(
    shapes: _Shapes,
    shape: Any,
    needs_path: Callable[[str], str],
    where: str,
    add: Callable[[str, str], None],
) -> None:
    qualified = shapes.objects(shape, "qualifiedValueShape")
    bounds = {
        local: shapes.objects(shape, local) for local in ("qualifiedMinCount", "qualifiedMaxCount")
    }
    if not qualified:
        if any(bounds.values()):
            raise Unsupported(f"{_name(shape)}: a qualified count without sh:qualifiedValueShape")
        return
    if len(qualified) != 1 or any(len(b) > 1 for b in bounds.values()):
        raise Unsupported(f"{_name(shape)}: several qualified value shapes or bounds")
    path = needs_path("qualifiedValueShape")
    test = _condition(shapes, qualified[0])
    for local, operator in (("qualifiedMinCount", "<"), ("qualifiedMaxCount", ">")):
        for value in bounds[local]:
            n = _integer(value, f"sh:{local}")
            add(
                local,
                f"SELECT ?this WHERE {{ {where} OPTIONAL {{ ?this {path} ?v FILTER ({test}) }} }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?v) {operator} {n})",
            )


def _sparql_check(
    shapes: _Shapes, shape: Any, constraint: Any, focus: _Focus, path: str | None
) -> Check:
    name = _name(shape)
    if path is not None:
        raise Unsupported(f"{name}: a SPARQL constraint on a property shape ($PATH)")
    extra = shapes.sh_predicates(constraint) - {"select", "prefixes", "message", "severity"}
    if extra:
        raise Unsupported(f"{name}: a SPARQL constraint with sh:{', sh:'.join(sorted(extra))}")
    text = _select_text(shapes, constraint, "a SPARQL constraint")
    body = text[text.index("{") :] if "{" in text else ""
    head = text[: text.index("{")] if "{" in text else text
    if (
        _SEES_STORAGE.search(text)
        or _NOT_JOINABLE.search(body)
        or "this" not in head
        or not re.match(r"\{\s*[$?]this\b", body)
    ):
        raise Unsupported(f"{name}: a SPARQL constraint that must run once per focus node")
    prefixes = dict(focus.prefixes)
    _merge_prefixes(prefixes, shapes.prefixes(constraint))
    header = _prefix_lines(prefixes)
    query = f"SELECT DISTINCT ?this WHERE {{ {focus.group()} {{ {text} }} }}"
    reads = _union(focus.reads_lexical, _reads_lexical(text, prefixes))
    return Check(name, "SPARQLConstraintComponent", header + query, None, reads)


def compile_shapes(triples: Iterable[Any]) -> list[Check]:
    """Every check of every shape that has targets (and of the property shapes it holds),
    from the shapes graph's triples as parsed.

    Raises :class:`Unsupported` for anything that is not translated exactly.
    """
    shapes = _Shapes(triples)
    targeted = [s for s in shapes.index if shapes.sh_predicates(s) & _TARGETS]
    focus: dict[Any, _Focus] = {}
    for shape in targeted:
        focus.setdefault(shape, _Focus()).add(_targets(shapes, shape))
    for shape in list(focus):
        for member in shapes.objects(shape, "property"):
            if shapes.objects(member, "property"):
                raise Unsupported(f"{_name(member)}: sh:property inside a property shape")
            if shapes.one(member, "path") is None:
                raise Unsupported(f"{_name(member)}: a property shape without sh:path")
            focus.setdefault(member, _Focus()).add(focus[shape])
    for shape in focus:
        if shapes.one(shape, "path") is not None and shapes.objects(shape, "property"):
            raise Unsupported(f"{_name(shape)}: sh:property inside a property shape")
        if shapes.objects(shape, "deactivated"):
            raise Unsupported(f"{_name(shape)}: sh:deactivated")
    checks: list[Check] = []
    for shape in sorted(focus, key=_name):
        checks += _shape_checks(shapes, shape, focus[shape])
    return checks


# ------------------------------------------------------------------ running


def run_checks(
    store: ox.Store, checks: Iterable[Check], given: dict[Any, Any] | None = None
) -> list[Hit]:
    """The focus nodes each check finds in ``store``'s default graph (``given``: the literal
    as written for each literal Oxigraph stored in another form, for the Python rules)."""
    given = given or {}
    hits: list[Hit] = []
    for check in checks:
        try:
            solutions = store.query(check.query)
        except (SyntaxError, OSError, RuntimeError, ValueError) as exc:
            raise Unsupported(f"{check.shape}: the translated query failed: {exc}") from None
        assert isinstance(solutions, ox.QuerySolutions)
        found = set()
        for row in solutions:
            if check.rule is None:
                found.add(row["this"])
            else:
                value = row["v"]
                if check.rule(given.get(value, value)):
                    found.add(row["this"])
        hits += [Hit(check.shape, check.component, focus) for focus in found]
    return hits


def read_quads(path: Path) -> tuple[list[ox.Quad], dict[str, str]]:
    """The triples of one file (named graphs flattened into the default graph) and its prefixes.

    Raises Unsupported where Oxigraph's reading could differ from rdflib's (a syntax error
    is rdflib's to report, with its line; a language tag with capitals).
    """
    path = Path(path)
    fmt = check_rdf_file(path)
    if fmt not in (
        ox.RdfFormat.TURTLE,
        ox.RdfFormat.N_TRIPLES,
        ox.RdfFormat.N_QUADS,
        ox.RdfFormat.TRIG,
    ):
        raise Unsupported(f"{path}: not read by the pre-check")
    raw = path.read_bytes()
    if _UPPERCASE_LANGUAGE.search(raw):
        raise Unsupported(f"{path}: a language tag with capitals (Oxigraph lowercases it)")
    if _EXPLICIT_STRING.search(raw):
        raise Unsupported(
            f"{path}: a literal typed xsd:string (rdflib keeps it apart from a plain one)"
        )
    try:
        parser = ox.parse(raw, fmt, base_iri=path.resolve().as_uri())
        quads = list(parser)
    except (SyntaxError, ValueError, OSError, RecursionError, MemoryError) as exc:
        raise Unsupported(f"{path}: {exc}") from None  # the full path names the error
    if fmt in QUAD_FORMATS:
        quads = [ox.Quad(q.subject, q.predicate, q.object) for q in quads]
    return quads, dict(parser.prefixes)


@dataclass
class DataStore:
    """The data in Oxigraph, with what it takes to see each literal as it was written."""

    store: ox.Store
    given: dict[Any, Any]  # stored literal -> the literal as written, where they differ
    rewritten: frozenset[str]  # predicates with a literal whose lexical form Oxigraph changed


def _stored_forms(literals: Sequence[Any]) -> list[Any]:
    """The form Oxigraph stores each literal in (it has no call for this: a probe store)."""
    probe = ox.Store()
    probe.extend(
        ox.Quad(ox.NamedNode(f"{MARKS}:{i}"), _MARK_LITERAL, literal)
        for i, literal in enumerate(literals)
    )
    kept: list[Any] = [None] * len(literals)
    for quad in probe:
        kept[int(quad.subject.value.rsplit(":", 1)[1])] = quad.object
    return kept


def store_of(quads: Sequence[ox.Quad]) -> DataStore:
    """An in-memory store of ``quads``. Oxigraph stores some literals in another form
    (``"30.0"^^xsd:decimal`` as ``"30"``, an ``xsd:positiveInteger`` as an ``xsd:integer``);
    for each, the graph MARKS notes the lexical form and datatype it was written with.

    Where an integer of a derived type (``"30"^^xsd:positiveInteger``) would be stored as
    another literal of the data (``"30"^^xsd:integer``), it is stored as the xsd:decimal of
    the same lexical form and value instead. Unsupported when two different literals of the
    data would still be stored as one.
    """
    literals = sorted({q.object for q in quads if isinstance(q.object, ox.Literal)}, key=str)
    # literals Oxigraph keeps as written claim their stored form first
    kept_forms: dict[Any, Any] = dict(zip(literals, _stored_forms(literals), strict=True))
    taken = {kept for written, kept in kept_forms.items() if kept == written}
    changed = [w for w in literals if kept_forms[w] != w]
    clashing = [w for w in changed if kept_forms[w] in taken]
    as_decimal = [ox.Literal(w.value, datatype=ox.NamedNode(XSD_DECIMAL)) for w in clashing]
    wanted = {kept_forms[w] for w in changed}
    for written, kept in zip(clashing, _stored_forms(as_decimal), strict=True):
        free = kept not in taken and kept not in wanted
        if free and written.datatype.value in _DERIVED_INTEGERS and kept.value == written.value:
            kept_forms[written] = kept
            wanted.add(kept)
    given: dict[Any, Any] = {}
    lexical_changed: set[Any] = set()
    marks: list[ox.Quad] = []
    graph = ox.NamedNode(MARKS)
    for written in changed:
        kept = kept_forms[written]
        if kept in given or kept in taken:
            raise Unsupported(f"Oxigraph stores {written} and another literal as one")
        given[kept] = written
        if kept.value != written.value:
            lexical_changed.add(written)
        note = ox.BlankNode()
        marks += [
            ox.Quad(note, _MARK_LITERAL, kept, graph),
            ox.Quad(note, _MARK_LEXICAL, ox.Literal(written.value), graph),
            ox.Quad(note, _MARK_DATATYPE, written.datatype, graph),
        ]
    store = ox.Store()
    store.extend(ox.Quad(q.subject, q.predicate, kept_forms.get(q.object, q.object)) for q in quads)
    store.extend(marks)
    rewritten = frozenset(q.predicate.value for q in quads if q.object in lexical_changed)
    return DataStore(store, given, rewritten)


def find(
    data_files: Sequence[Path], shapes_file: Path
) -> tuple[list[Hit], list[ox.Quad], list[ox.Quad], dict[str, str]]:
    """Run the pre-check: the hits, the data and shapes triples read, and the shapes' prefixes.

    Raises Unsupported when it cannot decide like pyshacl would.
    """
    data: list[ox.Quad] = []
    for path in data_files:
        data += read_quads(path)[0]
    shape_quads, prefixes = read_quads(shapes_file)
    checks = compile_shapes(shape_quads)
    stored = store_of(data)
    for check in checks:
        if stored.rewritten and (
            check.reads_lexical is None or check.reads_lexical & stored.rewritten
        ):
            raise Unsupported(
                f"{check.shape}: its SPARQL reads lexical forms of literals Oxigraph rewrites"
            )
    return run_checks(stored.store, checks, stored.given), data, shape_quads, prefixes
