"""Find entities and concepts by name, and suggest them when an IRI names nothing.

Names are read from the labels of the graph (``rdfs:label``, ``skos:prefLabel``,
``skos:altLabel``, ``schema:name``, ``schema:alternateName``, ``dcterms:title``) and
compared case- and accent-insensitively (Unicode NFKD, combining marks dropped,
casefolded, punctuation read as a space). Matches are ranked exact > prefix > word >
substring, then by the shorter label. Works on an rdflib Graph or any engine of
:func:`kzeu_graph.engines.open_engine`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import TYPE_CHECKING, Any

from kzeu_graph.errors import ParameterError
from kzeu_graph.rdf.prefixes import PREFIX_IRIS, compact_iri
from kzeu_graph.rdf.terms import Term
from kzeu_graph.sparql.catalog import SavedQuery, expand_curie, is_valid_iri

if TYPE_CHECKING:
    from rdflib import Graph

    from kzeu_graph.engines import Engine
    from kzeu_graph.query.results import Result

__all__ = [
    "Match",
    "UnknownIRIError",
    "check_parameters",
    "did_you_mean",
    "inference_hint",
    "names_instead_of_iris",
    "names_something",
    "normalise",
    "scheme_values",
    "search",
    "suggest_for_iri",
]

RANKS = ("exact", "prefix", "word", "substring")  # then "similar" (suggestions only)

# label predicates, the first ones preferred as the label shown
_LABELS = (
    "rdfs:label",
    "skos:prefLabel",
    "schema:name",
    "dcterms:title",
    "skos:altLabel",
    "schema:alternateName",
)
_PREFIXES = "".join(
    f"PREFIX {prefix}: <{PREFIX_IRIS[prefix]}>\n"
    for prefix in ("rdfs", "skos", "schema", "dcterms")
)
_CANDIDATES = (
    _PREFIXES
    + f"""SELECT ?thing ?property ?label ?type WHERE {{
  VALUES ?property {{ {" ".join(_LABELS)} }}
  ?thing ?property ?label .
  FILTER(isIRI(?thing) && isLiteral(?label))
  OPTIONAL {{ ?thing a ?type }}
}}"""
)
_NAMES_SOMETHING = "ASK { { ?thing ?p ?o } UNION { ?s ?p ?thing } }"
_SCHEME = (
    _PREFIXES
    + """SELECT ?concept ?label WHERE {
  ?concept skos:inScheme ?scheme .
  OPTIONAL { ?concept skos:prefLabel ?label . FILTER(langMatches(lang(?label), "en")) }
}"""
)

Source = Any  # an rdflib Graph or an Engine


@dataclass(frozen=True)
class Match:
    """One thing found by name: its IRI, CURIE, label, classes, and how it matched."""

    iri: str
    label: str
    classes: tuple[str, ...]
    matched: str
    rank: str

    @property
    def curie(self) -> str:
        """The IRI as a project CURIE (``kzr:roman-vassilenko``), or the IRI itself."""
        return compact_iri(self.iri)

    def to_json(self) -> dict[str, Any]:
        """A plain dict (for ``--format json``)."""
        return {
            "iri": self.iri,
            "curie": self.curie,
            "label": self.label,
            "classes": [compact_iri(c) for c in self.classes],
            "matched": self.matched,
            "rank": self.rank,
        }


class UnknownIRIError(ParameterError):
    """An IRI (or a name given where an IRI is needed) that names nothing in the graph.

    ``suggestions`` holds the things whose names come closest (best first).
    """

    def __init__(self, message: str, value: str, suggestions: Sequence[Match] = ()) -> None:
        super().__init__(message)
        self.value = value
        self.suggestions = list(suggestions)


def normalise(text: str) -> str:
    """``text`` for comparison: NFKD, no combining marks, casefolded, punctuation as spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", bare).split())


def _rank(query: str, label: str) -> int | None:
    if not query:
        return None
    if label == query:
        return 0
    if label.startswith(query):
        return 1
    if f" {query}" in f" {label}":
        return 2
    if query in label:
        return 3
    return None


def _select(source: Source, text: str, bindings: Mapping[str, Term] | None = None) -> Result:
    from rdflib import Graph

    if isinstance(source, Graph):
        from kzeu_graph.query.guard import execute_prepared, prepare
        from kzeu_graph.rdf.terms import to_rdflib

        nodes = {k: to_rdflib(v) for k, v in (bindings or {}).items()}
        return execute_prepared(source, prepare(text), nodes)
    result: Result = source.query(text, bindings or {})
    return result


@dataclass(frozen=True)
class _Named:
    label: str  # the preferred label
    names: tuple[str, ...]
    classes: tuple[str, ...]


def _candidates(source: Source) -> dict[str, _Named]:
    """Every IRI with a name: its preferred label, all its names, its classes."""
    labels: dict[str, dict[str, str]] = {}  # iri -> {property: first label}
    names: dict[str, set[str]] = {}
    classes: dict[str, set[str]] = {}
    for row in _select(source, _CANDIDATES).rows:
        iri, prop, label, kind = (row.get(v) for v in ("thing", "property", "label", "type"))
        key = str(iri)
        labels.setdefault(key, {}).setdefault(compact_iri(str(prop)), str(label))
        names.setdefault(key, set()).add(str(label))
        if kind is not None:
            classes.setdefault(key, set()).add(str(kind))
    return {
        iri: _Named(
            next(labels[iri][p] for p in _LABELS if p in labels[iri]),
            tuple(sorted(texts)),
            tuple(sorted(classes.get(iri, ()))),
        )
        for iri, texts in names.items()
    }


def search(source: Graph | Engine, text: str, limit: int = 10) -> list[Match]:
    """The things whose label or alternate name matches ``text``, best first (at most ``limit``)."""
    query = normalise(text)
    found: list[tuple[int, int, str, Match]] = []
    for iri, named in _candidates(source).items():
        best: tuple[int, int, str] | None = None
        for name in named.names:
            rank = _rank(query, normalise(name))
            if rank is not None and (best is None or (rank, len(name), name) < best):
                best = (rank, len(name), name)
        if best is None:
            continue
        match = Match(iri, named.label, named.classes, best[2], RANKS[best[0]])
        found.append((best[0], best[1], iri, match))
    found.sort(key=lambda item: item[:3])
    return [item[3] for item in found[:limit]]


def _similar(source: Source, text: str, limit: int) -> list[Match]:
    """Names within a small typo of ``text`` (difflib ratio >= 0.8), closest first."""
    query = normalise(text)
    found: list[tuple[float, str, Match]] = []
    for iri, named in _candidates(source).items():
        scored = [(SequenceMatcher(None, query, normalise(n)).ratio(), n) for n in named.names]
        ratio, name = max(scored)
        if ratio >= 0.8:
            found.append((-ratio, iri, Match(iri, named.label, named.classes, name, "similar")))
    found.sort(key=lambda item: item[:2])
    return [item[2] for item in found[:limit]]


def names_something(source: Graph | Engine, iri: str) -> bool:
    """Whether ``iri`` occurs in the graph as a subject or an object."""
    return bool(_select(source, _NAMES_SOMETHING, {"thing": Term("iri", iri)}).boolean)


def _local_words(iri: str) -> str:
    """The last segment of an IRI or CURIE, as words (``kzr:roman-vassilenko`` -> roman vassilenko)."""
    return normalise(re.split(r"[/#:]", iri.rstrip("/#"))[-1])


def suggest_for_iri(source: Graph | Engine, iri: str, limit: int = 3) -> list[Match]:
    """Things whose names come close to the local name of ``iri`` (or of any of its words).

    Tried in turn: named IRIs that start with ``iri`` (shortest first), a search for the
    whole local name, names within a small typo of it,
    then a search for each of its words (longest first).
    """
    longer = _longer_iris(source, iri, limit)
    if longer:
        return longer
    words = _local_words(iri)
    hits = search(source, words, limit) or _similar(source, words, limit)
    if hits:
        return hits
    for word in sorted(words.split(), key=len, reverse=True):
        if len(word) >= 3 and (hits := search(source, word, limit)):
            return hits
    return []


def _longer_iris(source: Source, iri: str, limit: int) -> list[Match]:
    """Named IRIs that begin with ``iri`` (an IRI typed in part), shortest first."""
    found = sorted(
        (len(other), other, named)
        for other, named in _candidates(source).items()
        if other.startswith(iri) and other != iri
    )
    return [
        Match(other, named.label, named.classes, named.label, "prefix")
        for _, other, named in found[:limit]
    ]


def scheme_values(source: Graph | Engine, scheme: str) -> list[tuple[str, str]]:
    """The concepts of the SKOS scheme ``scheme``: (IRI, English label), by IRI."""
    rows = _select(source, _SCHEME, {"scheme": Term("iri", scheme)}).rows
    values = {str(r["concept"]): str(r.get("label") or "") for r in rows}
    return sorted(values.items())


def did_you_mean(suggestions: Sequence[Match]) -> str:
    """``"; did you mean kzr:x (X)?"``, or a pointer to ``search`` when there is none."""
    if not suggestions:
        return "; find things by name with: kzeu-graph search TEXT"
    named = ", ".join(f"{m.curie} ({m.label})" for m in suggestions)
    return f"; did you mean {named}?"


def _allowed(values: Sequence[tuple[str, str]]) -> str:
    return ", ".join(compact_iri(iri) for iri, _ in values)


def names_instead_of_iris(saved: SavedQuery, params: Mapping[str, object]) -> bool:
    """Whether an IRI parameter was given a value that is not an IRI (``measure=trade``),
    which :func:`check_parameters` answers with suggestions found by name."""
    for key, value in params.items():
        try:
            parameter = saved.parameter(key)
        except ParameterError:
            continue
        iri = parameter.kind == "iri" and isinstance(value, str)
        if iri and not is_valid_iri(expand_curie(str(value))):
            return True
    return False


def check_parameters(
    source: Graph | Engine, saved: SavedQuery, params: Mapping[str, object] | None
) -> None:
    """Refuse an IRI parameter value that names nothing in the graph, with suggestions.

    A value that is not an IRI at all (``measure=trade``) is searched for by name; a
    parameter with declared ``values:`` must be one of its scheme's concepts. Raises
    :class:`UnknownIRIError`; other errors (unknown names, bad kinds) are left to
    :meth:`SavedQuery.bind_terms`.
    """
    for key, value in (params or {}).items():
        parameter = saved.parameter(key)
        if parameter.kind != "iri" or not isinstance(value, str):
            continue
        scheme = saved.value_scheme(parameter.name)
        allowed = scheme_values(source, scheme) if scheme else []
        allowed_iris = {iri for iri, _ in allowed}
        iri = expand_curie(value)
        if not is_valid_iri(iri):
            hits = [m for m in search(source, value, 10) if not scheme or m.iri in allowed_iris]
            extra = f" (allowed: {_allowed(allowed)})" if scheme else ""
            raise UnknownIRIError(
                f"parameter {parameter.name!r} needs an absolute IRI or a CURIE such as "
                f"kzr:european-union or kzv:trade, got {value!r}{did_you_mean(hits[:3])}{extra}",
                value,
                hits[:3],
            )
        if scheme and iri not in allowed_iris:
            hits = [m for m in suggest_for_iri(source, iri, 10) if m.iri in allowed_iris]
            hint = did_you_mean(hits[:3]) if hits else ""
            raise UnknownIRIError(
                f"{compact_iri(iri)} is not a value of parameter {parameter.name!r}{hint} "
                f"(allowed: {_allowed(allowed)})",
                value,
                hits[:3],
            )
        if not scheme and not names_something(source, iri):
            hits = suggest_for_iri(source, iri)
            raise UnknownIRIError(
                f"{compact_iri(iri)} names nothing in the graph{did_you_mean(hits)}", value, hits
            )


def _iris_in(node: Any, found: set[str]) -> None:
    from rdflib import URIRef

    if isinstance(node, URIRef):
        found.add(str(node))
    elif isinstance(node, Mapping):
        for value in node.values():
            _iris_in(value, found)
    elif isinstance(node, list | tuple | set):
        for value in node:
            _iris_in(value, found)


_NARROWER = "ASK { { ?narrow rdfs:subClassOf ?broad } UNION { ?narrow rdfs:subPropertyOf ?broad } }"
"""(Every engine predeclares the project's prefixes, rdfs: among them.)"""


def inference_hint(graph: Graph | Engine, text: str) -> str | None:
    """Why a query that found nothing might find rows with ``--inference rdfs`` (or None).

    Cheap: no closure is computed; it says which classes or properties the query names
    that have subclasses or subproperties in ``graph`` (an rdflib Graph or any engine;
    members of those are only matched by the broader term once the RDFS closure is added).
    """
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDFS

    from kzeu_graph.query.guard import prepare

    named: set[str] = set()
    _iris_in(prepare(text).algebra, named)

    def has_narrower(iri: str) -> bool:
        if isinstance(graph, Graph):
            node = URIRef(iri)
            return (None, RDFS.subClassOf, node) in graph or (
                None,
                RDFS.subPropertyOf,
                node,
            ) in graph
        answer = graph.query(_NARROWER, {"broad": Term.iri(iri)}, checked=True)
        return bool(answer.boolean)

    broader = sorted(compact_iri(iri) for iri in named if has_narrower(iri))
    if not broader:
        return None
    return (
        f"no rows; {', '.join(broader)} {'has' if len(broader) == 1 else 'have'} subclasses or "
        "subproperties: with --inference rdfs the query also matches their members"
    )
