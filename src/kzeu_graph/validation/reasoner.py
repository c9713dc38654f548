"""Logical consistency with a real OWL 2 DL reasoner: HermiT, run through owlready2.

SHACL checks the shape of the data; it cannot tell that the axioms contradict each other or
that some node makes them contradict (an individual that is both a ``kzeu:Figure`` and a
``kzeu:DerivedValue``, which the ontology declares disjoint). HermiT can: it searches for a
model of the whole graph (ontology as TBox, data as ABox) and classifies every class, so it
also finds classes that can have no member (unsatisfiable: equivalent to ``owl:Nothing``).

Nothing is fetched: the graph is read with the project's own loader, its ``owl:imports``
and owlready2's ``python_module`` annotations (which would make owlready2 download an
ontology or import a Python module) are dropped, and owlready2 gets the rest as N-Triples
from memory; it writes a temporary file for HermiT, a Java program bundled with it. Values
of datatypes outside the OWL 2 datatype map (``xsd:gYear``, ``xsd:gYearMonth``, ``xsd:date``)
are ignored by HermiT (its ``--ignoreUnsupportedDatatypes``); the validator's ill-typed-literal
check covers their syntax.

Needs the ``reasoner`` extra (``pip install 'kzeu-graph[reasoner]'``) and a Java runtime.
"""

from __future__ import annotations

import io
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef
from rdflib.namespace import OWL

from kzeu_graph.errors import KzeuError
from kzeu_graph.rdf.namespaces import new_graph
from kzeu_graph.rdf.prefixes import BASE_IRI

__all__ = ["ConsistencyReport", "ReasonerError", "check_consistency", "check_ontology"]

REASONER = "HermiT"
# owlready2 imports the Python module an ontology names with this annotation.
OWLREADY_PYTHON_MODULE = URIRef(
    "http://www.lesfleursdunormal.fr/static/_downloads/owlready_ontology.owl#python_module"
)
_DROPPED = (OWL.imports, OWLREADY_PYTHON_MODULE)
_CHECK_IRI = f"{BASE_IRI}check/consistency"
_JAVA_HINT = "install a Java runtime (Debian: apt-get install default-jre-headless)"


class ReasonerError(KzeuError):
    """The reasoner cannot run: owlready2 or Java is missing, or Java failed."""


@dataclass(frozen=True)
class ConsistencyReport:
    """What HermiT found about a graph."""

    consistent: bool
    unsatisfiable: tuple[str, ...] = ()  # IRIs of classes that can have no member
    triples: int = 0
    what: str = "graph"  # what was checked, for the messages: "ontology", "ontology + data"
    seconds: float = 0.0  # HermiT's wall time (Java start-up included)
    dropped: tuple[str, ...] = field(default=())  # triples left out (owl:imports, ...)

    @property
    def ok(self) -> bool:
        """Consistent, and every class can have members."""
        return self.consistent and not self.unsatisfiable

    def text(self) -> str:
        """A short human-readable verdict (one line, plus one per unsatisfiable class)."""
        where = f"the {self.what} ({self.triples} triples)"
        if not self.consistent:
            lines = [
                f"inconsistent: {REASONER} found no model of {where}: some axioms contradict "
                "each other or the data (e.g. a node typed with two disjoint classes)"
            ]
        elif self.unsatisfiable:
            lines = [
                f"unsatisfiable classes: {REASONER} found {where} consistent, but these "
                "classes can have no member:"
            ]
            lines += [f"  <{iri}>" for iri in self.unsatisfiable]
        else:
            lines = [f"consistent: {REASONER} found {where} consistent, every class satisfiable"]
        for dropped in self.dropped:
            lines.append(f"  (left out: {dropped})")
        return "\n".join(lines) + "\n"

    def to_json(self) -> dict[str, Any]:
        return {
            "reasoner": REASONER,
            "checked": self.what,
            "triples": self.triples,
            "consistent": self.consistent,
            "unsatisfiable_classes": list(self.unsatisfiable),
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
        }


def _owlready() -> Any:
    try:
        import owlready2
    except ImportError:
        raise ReasonerError(
            "the consistency check needs owlready2 (HermiT): pip install 'kzeu-graph[reasoner]'"
        ) from None
    return owlready2


def _java(owlready2: Any) -> str:
    java = shutil.which(str(owlready2.JAVA_EXE or "java"))
    if java is None:
        raise ReasonerError(f"no Java runtime found for the {REASONER} reasoner: {_JAVA_HINT}")
    return java


def check_consistency(graph: Graph, what: str = "graph") -> ConsistencyReport:
    """Run HermiT on ``graph``: is it consistent, and which classes are unsatisfiable?

    ``what`` names the graph in the report's messages. Raises :class:`ReasonerError` when
    owlready2 or Java is missing or Java fails.
    """
    owlready2 = _owlready()
    owlready2.JAVA_EXE = _java(owlready2)
    clean = new_graph()
    dropped: list[str] = []
    for s, p, o in graph:
        if p in _DROPPED:
            dropped.append(f"{s.n3()} {p.n3()} {o.n3()} .")
        else:
            clean.add((s, p, o))
    ntriples = clean.serialize(format="nt", encoding="utf-8")
    world = owlready2.World()
    started = time.perf_counter()
    try:
        ontology = world.get_ontology(_CHECK_IRI).load(
            fileobj=io.BytesIO(ntriples), format="ntriples", only_local=True
        )
        owlready2.sync_reasoner_hermit(
            ontology, infer_property_values=False, debug=0, ignore_unsupported_datatypes=True
        )
        consistent = True
    except owlready2.OwlReadyInconsistentOntologyError:
        consistent = False
    except owlready2.OwlReadyJavaError as exc:
        first = next((ln for ln in str(exc).splitlines() if ln.strip()), str(exc))
        raise ReasonerError(f"{REASONER} failed: {' '.join(first.split())}") from None
    seconds = time.perf_counter() - started
    unsatisfiable: tuple[str, ...] = ()
    if consistent:
        unsatisfiable = tuple(
            sorted(
                str(c.iri)
                for c in world.inconsistent_classes()
                if str(getattr(c, "iri", "")) != str(OWL.Nothing)
            )
        )
    world.close()
    return ConsistencyReport(
        consistent, unsatisfiable, len(clean), what, seconds, tuple(sorted(dropped))
    )


def check_ontology(
    data: Sequence[Path] | None = None, include_data: bool = True
) -> ConsistencyReport:
    """HermiT on the project's ontology (+ ``data``, default the shipped graph, as ABox).

    With ``include_data=False`` only the ontology and the reused terms (the TBox) are checked.
    """
    from kzeu_graph.loading.graph import load_graph, load_ontology

    if not include_data:
        return check_consistency(load_ontology(), "ontology")
    return check_consistency(load_graph(list(data) if data else None), "ontology + data")
