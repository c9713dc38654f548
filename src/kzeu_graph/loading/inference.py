"""RDFS and OWL-RL closures that stop at a time limit.

Two engines:

* ``kzeu-rdfs``: the project's own RDFS closure, a work-list fixpoint over integer-coded
  triples. It applies exactly the rules owlrl's ``RDFS_Semantics`` applies (rdf1, rdfs2,
  rdfs3, rdfs4 on the asserted triples, rdfs5-rdfs13, and owlrl's one-time copy of each
  triple to every literal of equal value, found by grouping literals by value rather than
  by owlrl's product of all pairs) and checks the deadline as it goes.
* ``owlrl``: the reference (pure Python), used for OWL 2 RL, and for RDFS when asked
  (``KZEU_RDFS_ENGINE=owlrl``). It runs in a forked child
  process that is killed at the deadline, so nothing keeps running after a timeout.

Both results then go through the same filter: no triple with a literal subject (invalid
RDF), and an inferred triple with a literal object only where a sub-property entails it.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from rdflib import RDF, RDFS, BNode, Graph, Literal
from rdflib.term import Node

from kzeu_graph.errors import InputError

__all__ = [
    "DEFAULT_TIMEOUT",
    "ENGINES",
    "InferenceTimeout",
    "closure",
    "default_timeout",
    "engines_text",
    "inference_timeout",
    "keep_only_entailed",
    "rdfs_engine",
    "set_default_timeout",
]

Triple = tuple[Node, Node, Node]

DEFAULT_TIMEOUT = 60.0  # seconds; fits a CI job, and the 1e5-triple RDFS closure takes ~5 s
OWN_RDFS = "kzeu-rdfs"
OWLRL = "owlrl"
ENGINES = (OWN_RDFS, OWLRL)
_ENGINE_VARIABLE = "KZEU_RDFS_ENGINE"  # "owlrl" runs the reference engine for RDFS too

_NAMES = {"rdfs": "RDFS", "owlrl": "OWL-RL"}
_timeout = DEFAULT_TIMEOUT


class InferenceTimeout(InputError):
    """The closure did not finish within the time limit."""


def default_timeout() -> float:
    """The time limit used when none is given (seconds; 0 or less: no limit)."""
    return _timeout


def set_default_timeout(seconds: float) -> None:
    """Set the time limit that :func:`closure` uses when none is given (the CLI's option)."""
    global _timeout
    _timeout = float(seconds)


@contextmanager
def inference_timeout(seconds: float) -> Iterator[None]:
    """Use ``seconds`` as the default time limit inside the ``with`` block."""
    before = default_timeout()
    set_default_timeout(seconds)
    try:
        yield
    finally:
        set_default_timeout(before)


def rdfs_engine() -> str:
    """The engine that runs ``--inference rdfs``: the own one unless told otherwise."""
    return OWLRL if os.environ.get(_ENGINE_VARIABLE, "").strip() == OWLRL else OWN_RDFS


def _owlrl_version() -> str | None:
    """owlrl's version, or None when it cannot be imported."""
    try:
        import owlrl
    except ImportError:
        return None
    return str(getattr(owlrl, "__version__", "?"))


def engines_text() -> str:
    """One line naming the engine of each closure, for ``--version``."""
    found = _owlrl_version()
    owlrl = f"{OWLRL} {found}" if found else f"{OWLRL} (not installed: pip install owlrl)"
    rdfs = owlrl if rdfs_engine() == OWLRL else f"{OWN_RDFS} (the project's own)"
    return f"inference: rdfs by {rdfs}; owlrl by {owlrl}"


def _timed_out(inference: str, seconds: float, engine: str) -> InferenceTimeout:
    return InferenceTimeout(
        f"the {_NAMES.get(inference, inference)} closure ({engine}) did not finish within {seconds:g} s: "
        "raise --inference-timeout, or use smaller data or --inference none"
    )


# ------------------------------------------------------------------ the literal filter


def keep_only_entailed(
    asserted: Iterable[Triple],
    inferred: Iterable[Triple],
    is_sub_property: Callable[[Node, Node], bool],
) -> list[Triple]:
    """The inferred triples that are valid and true: no literal subject, and a literal
    object only where an asserted triple of a sub-property carries the very same literal
    for the same subject (the one way RDFS and OWL-RL really entail it)."""
    carried_by: dict[tuple[Node, Node], list[Node]] = {}
    for s, p, o in asserted:
        if isinstance(o, Literal):
            carried_by.setdefault((s, o), []).append(p)
    kept: list[Triple] = []
    for s, p, o in inferred:
        if isinstance(s, Literal):
            continue
        if isinstance(o, Literal) and not any(
            is_sub_property(q, p) for q in carried_by.get((s, o), ())
        ):
            continue
        kept.append((s, p, o))
    return kept


# ------------------------------------------------------------------ the own RDFS engine

# The term ids of the vocabulary the rules use.
_TYPE, _PROPERTY, _RESOURCE, _CLASS, _DOMAIN, _RANGE = 0, 1, 2, 3, 4, 5
_SUBPROP, _SUBCLASS, _CMP, _MEMBER, _DATATYPE, _LITERAL = 6, 7, 8, 9, 10, 11
_VOCABULARY = (
    RDF.type,
    RDF.Property,
    RDFS.Resource,
    RDFS.Class,
    RDFS.domain,
    RDFS.range,
    RDFS.subPropertyOf,
    RDFS.subClassOf,
    RDFS.ContainerMembershipProperty,
    RDFS.member,
    RDFS.Datatype,
    RDFS.Literal,
)
_CHECK_EVERY = 2048  # triples between two looks at the clock


class _RdfsClosure:
    """The RDFS closure of integer-coded triples, computed semi-naively."""

    def __init__(self, deadline: float | None) -> None:
        self.deadline = deadline
        self.triples: set[tuple[int, int, int]] = set()
        self.by_predicate: dict[int, list[tuple[int, int]]] = {}
        self.domains: dict[int, set[int]] = {}
        self.ranges: dict[int, set[int]] = {}
        self.supers_p: dict[int, set[int]] = {}  # p -> {q : p subPropertyOf q}
        self.subs_p: dict[int, set[int]] = {}
        self.supers_c: dict[int, set[int]] = {}  # c -> {d : c subClassOf d}
        self.subs_c: dict[int, set[int]] = {}
        self.instances: dict[int, set[int]] = {}  # c -> {x : x type c}
        self.literals: set[int] = set()

    def _check_clock(self) -> None:
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeoutError

    def _insert(self, triple: tuple[int, int, int]) -> None:
        s, p, o = triple
        self.triples.add(triple)
        self.by_predicate.setdefault(p, []).append((s, o))
        if p == _TYPE:
            self.instances.setdefault(o, set()).add(s)
        elif p == _SUBCLASS:
            self.supers_c.setdefault(s, set()).add(o)
            self.subs_c.setdefault(o, set()).add(s)
        elif p == _SUBPROP:
            self.supers_p.setdefault(s, set()).add(o)
            self.subs_p.setdefault(o, set()).add(s)
        elif p == _DOMAIN:
            self.domains.setdefault(s, set()).add(o)
        elif p == _RANGE:
            self.ranges.setdefault(s, set()).add(o)

    def _consequences(self, triple: tuple[int, int, int]) -> Iterator[tuple[int, int, int]]:
        """Every triple one rule derives from ``triple`` and the triples already known."""
        s, p, o = triple
        empty: set[int] = set()
        yield (p, _TYPE, _PROPERTY)  # rdf1
        for c in self.domains.get(p, empty):  # rdfs2, triple as the data premise
            yield (s, _TYPE, c)
        for c in self.ranges.get(p, empty):  # rdfs3
            yield (o, _TYPE, c)
        for q in self.supers_p.get(p, empty):  # rdfs7
            yield (s, q, o)
        if p == _TYPE:
            for d in self.supers_c.get(o, empty):  # rdfs9
                yield (s, _TYPE, d)
            if o == _PROPERTY:
                yield (s, _SUBPROP, s)  # rdfs6
            elif o == _CLASS:
                yield (s, _SUBCLASS, _RESOURCE)  # rdfs8
                yield (s, _SUBCLASS, s)  # rdfs10
            elif o == _CMP:
                yield (s, _SUBPROP, _MEMBER)  # rdfs12
            elif o == _DATATYPE:
                yield (s, _SUBCLASS, _LITERAL)  # rdfs13
        elif p == _DOMAIN:
            for u, _ in self.by_predicate.get(s, ()):  # rdfs2, triple as the schema premise
                yield (u, _TYPE, o)
        elif p == _RANGE:
            for _, v in self.by_predicate.get(s, ()):  # rdfs3
                yield (v, _TYPE, o)
        elif p == _SUBPROP:  # (set differences: only what is not known yet, fast on chains)
            for x in self.supers_p.get(o, empty) - self.supers_p[s]:  # rdfs5
                yield (s, _SUBPROP, x)
            for z in self.subs_p.get(s, empty) - self.subs_p[o]:
                yield (z, _SUBPROP, o)
            for u, v in self.by_predicate.get(s, ()):  # rdfs7
                yield (u, o, v)
        elif p == _SUBCLASS:
            for x in self.instances.get(s, empty) - self.instances.get(o, empty):  # rdfs9
                yield (x, _TYPE, o)
            for x in self.supers_c.get(o, empty) - self.supers_c[s]:  # rdfs11
                yield (s, _SUBCLASS, x)
            for z in self.subs_c.get(s, empty) - self.subs_c[o]:
                yield (z, _SUBCLASS, o)

    def run(self, asserted: list[tuple[int, int, int]]) -> None:
        """Close ``asserted`` (added to :attr:`triples`) under the RDFS rules.

        A work list: every triple is indexed as soon as it is known, and joined once, when
        its turn comes, with everything indexed by then; of two premises, the later one
        finds the earlier, so every rule fires. Indexing at once keeps the set differences
        of the transitive rules small (a 300-link chain: 45k triples, ~1 s).
        """
        start = list(dict.fromkeys(asserted))
        for s, _, o in asserted:  # rdfs4a/b: owlrl types only the terms of its first cycle
            start.append((s, _TYPE, _RESOURCE))
            start.append((o, _TYPE, _RESOURCE))
        known = self.triples
        literals = self.literals
        work: list[tuple[int, int, int]] = []
        for triple in start:
            if triple not in known:
                self._insert(triple)
                work.append(triple)
        done = 0
        while done < len(work):
            if done % _CHECK_EVERY == 0:
                self._check_clock()
            for derived in list(self._consequences(work[done])):
                if derived not in known and derived[1] not in literals:
                    self._insert(derived)
                    work.append(derived)
            done += 1


def _literal_copies(
    coded: list[tuple[int, int, int]], terms: list[Node], literal_ids: set[int]
) -> list[tuple[int, int, int]]:
    """owlrl's one-time rule: each triple copied to every other literal of equal value
    (``1``, ``1.0`` and ``true``; ``"x"``, ``"x"@en`` and ``"x"^^xsd:string``). The filter
    drops the copies themselves, but they can take part in a rule (a literal as the object
    of a sub-property of ``rdfs:subClassOf``), so the closure must see them as owlrl does."""
    groups: dict[Any, list[int]] = {}
    for n in literal_ids:
        value = terms[n].value  # type: ignore[attr-defined]
        if value is None:  # ill-typed: equal only to itself
            continue
        try:
            groups.setdefault(value, []).append(n)
        except TypeError:  # an unhashable value (rdflib makes none): left as itself only
            continue
    same = {n: [m for m in members if m != n] for members in groups.values() for n in members}
    return [(s, p, m) for s, p, o in coded if o in same for m in same[o]]


def _own_rdfs(asserted: list[Triple], deadline: float | None) -> list[Triple]:
    """The triples the RDFS closure adds to ``asserted`` (unfiltered)."""
    engine = _RdfsClosure(deadline)
    terms: list[Node] = list(_VOCABULARY)
    # IRIs and blank nodes are looked up by their plain text (rdflib's __eq__ is Python
    # code, str's is not); literals by the literal (lexical form, datatype and language).
    names: dict[tuple[bool, str], int] = {
        (False, str.__str__(term)): n for n, term in enumerate(_VOCABULARY)
    }
    literals: dict[Node, int] = {}

    def code(term: Node) -> int:
        if isinstance(term, Literal):
            found = literals.get(term)
            if found is None:
                found = literals[term] = len(terms)
                terms.append(term)
                engine.literals.add(found)
            return found
        key = (isinstance(term, BNode), str.__str__(term))
        found = names.get(key)
        if found is None:
            found = names[key] = len(terms)
            terms.append(term)
        return found

    coded = [(code(s), code(p), code(o)) for s, p, o in asserted]
    given = set(coded)
    engine.run(coded + _literal_copies(coded, terms, engine.literals))
    return [(terms[s], terms[p], terms[o]) for s, p, o in engine.triples if (s, p, o) not in given]


# ------------------------------------------------------------------ owlrl in a child process


def _owlrl_filtered(graph: Graph, inference: str) -> list[Triple]:
    """Run owlrl on ``graph`` (in place) and return what it added that the filter keeps."""
    from owlrl import DeductiveClosure, OWLRL_Semantics, RDFS_Semantics

    asserted = set(graph)
    semantics = RDFS_Semantics if inference == "rdfs" else OWLRL_Semantics
    DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    added = [t for t in graph if t not in asserted]
    return keep_only_entailed(asserted, added, lambda q, p: (q, RDFS.subPropertyOf, p) in graph)


def _owlrl_child(graph: Graph, inference: str, pipe: Any) -> None:
    try:
        pipe.send(("ok", _owlrl_filtered(graph, inference)))
    except BaseException as exc:  # reported to the parent, which raises it
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


def _owlrl(graph: Graph, inference: str, timeout: float | None) -> list[Triple]:
    """owlrl's closure, filtered, computed in a forked child that is killed at ``timeout``."""
    if _owlrl_version() is None:  # imported here, so the child has it already
        raise InputError(
            f"the {_NAMES.get(inference, inference)} closure needs owlrl: pip install owlrl"
        )
    if "fork" not in multiprocessing.get_all_start_methods():  # no fork (Windows): in process
        copy = Graph(bind_namespaces="none")
        copy += graph
        return _owlrl_filtered(copy, inference)
    ctx = multiprocessing.get_context("fork")
    receiver, sender = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_owlrl_child, args=(graph, inference, sender), daemon=True)
    gc.freeze()  # the child's collector skips what exists now: no copy-on-write of the heap
    try:
        child.start()
    finally:
        gc.unfreeze()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise _timed_out(inference, timeout or 0, OWLRL)
        status, payload = receiver.recv()
    except EOFError:
        raise InputError(
            f"the {_NAMES.get(inference, inference)} closure (owlrl) failed: the worker died"
        ) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if status != "ok":
        raise InputError(
            f"the {_NAMES.get(inference, inference)} closure (owlrl) failed: {payload}"
        )
    kept: list[Triple] = payload
    return kept


# ------------------------------------------------------------------ the entry point


def closure(graph: Graph, inference: str, timeout: float | None = None) -> tuple[list[Triple], str]:
    """The triples the ``inference`` (``rdfs`` or ``owlrl``) closure adds to ``graph``, after
    the literal filter, and the name of the engine that computed them.

    ``timeout``: seconds (default :func:`default_timeout`; 0 or less: no limit). Raises
    :class:`InferenceTimeout` when the closure does not finish in time.
    """
    seconds = default_timeout() if timeout is None else float(timeout)
    limit = seconds if seconds > 0 else None
    if inference == "rdfs" and rdfs_engine() == OWN_RDFS:
        deadline = None if limit is None else time.monotonic() + limit
        asserted = list(graph)
        try:
            added = _own_rdfs(asserted, deadline)
        except TimeoutError:
            raise _timed_out(inference, seconds, OWN_RDFS) from None
        subprops = {(q, p) for q, _, p in graph.triples((None, RDFS.subPropertyOf, None))}
        subprops.update((s, o) for s, p, o in added if p == RDFS.subPropertyOf)
        kept = keep_only_entailed(asserted, added, lambda q, p: (q, p) in subprops)
        return kept, OWN_RDFS
    return _owlrl(graph, inference, limit), OWLRL
