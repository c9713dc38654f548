"""Inference with owlrl adds the standard view of our own terms, and nothing false."""

from __future__ import annotations

import json
import multiprocessing
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace
from rdflib.namespace import ORG, PROV, TIME, XSD
from rdflib.term import Node

from kzeu_graph.cli.commands import main
from kzeu_graph.errors import InputError
from kzeu_graph.loading.graph import Inference, apply_inference, load_graph
from kzeu_graph.loading.inference import DEFAULT_TIMEOUT, InferenceTimeout, set_default_timeout
from kzeu_graph.rdf.namespaces import KZEU, KZR, KZV, OA, SCHEMA
from kzeu_graph.validation.report import validate
from paths import REASONING_FIXTURES, TINY

Triple = tuple[Node, Node, Node]


@pytest.fixture(scope="session")
def plain() -> Graph:
    return load_graph(inference="none")


@pytest.fixture(scope="session")
def rdfs_closure() -> Graph:
    return load_graph(inference="rdfs")


@pytest.fixture(scope="session")
def owlrl_closure() -> Graph:
    return load_graph(inference="owlrl")


# What the subclass and subproperty axioms of ontology/kzeu.ttl and
# ontology/reused-terms.ttl must add, worked out from those axioms.
RDFS_ENTAILED: list[Triple] = [
    (KZR["figure-eu-investment-stock"], RDF.type, SCHEMA.Observation),  # Figure ⊑ Observation
    (KZR["figure-eu-investment-stock"], RDF.type, PROV.Entity),  # Figure ⊑ prov:Entity
    (KZR["figure-eu-trade-volume-2022"], SCHEMA.variableMeasured, KZV["trade-volume"]),
    (KZR["statement-p4-s1"], RDF.type, SCHEMA.Quotation),  # DirectQuote ⊑ Quotation
    (KZR["statement-p4-s1"], RDF.type, KZEU.Statement),
    (KZR["statement-p4-s1"], RDF.type, SCHEMA.CreativeWork),  # Quotation ⊑ CreativeWork
    (KZR["statement-p7"], RDF.type, KZEU.Statement),  # Narration ⊑ Statement
    (KZR["visit-charles-michel"], RDF.type, SCHEMA.Event),  # Visit ⊑ Event
    (KZR["visit-charles-michel"], SCHEMA.attendee, KZR["charles-michel"]),  # visitor ⊑ attendee
    (KZR.brexit, SCHEMA.actor, KZR["united-kingdom"]),  # participant ⊑ actor
    (KZR.briefing, RDF.type, SCHEMA.Event),
    (KZR.epca, RDF.type, SCHEMA.CreativeWork),  # Agreement ⊑ CreativeWork
    (KZR.astana, RDF.type, SCHEMA.Place),  # City ⊑ AdministrativeArea ⊑ Place
    (KZR["roman-vassilenko"], RDF.type, PROV.Agent),  # prov:Person ⊑ prov:Agent
    (KZR["european-union"], RDF.type, ORG.Organization),  # FormalOrganization ⊑ Organization
    (KZR.article, RDF.type, SCHEMA.CreativeWork),  # NewsArticle ⊑ Article ⊑ CreativeWork
    (KZR["period-2022-first-nine-months"], RDF.type, TIME.TemporalEntity),
    (KZR["sentence-p1-quote"], RDF.type, OA.Selector),
]

# OWL-RL adds what RDFS cannot: the inverse properties of W3C ORG.
OWLRL_ONLY: list[Triple] = [
    (KZR["roman-vassilenko"], ORG.holds, KZR["post-deputy-foreign-minister-of-kazakhstan"]),
    (KZR["european-council"], ORG.hasPost, KZR["post-president-of-the-european-council"]),
]

# Things inference must never conclude.
NEVER: list[Triple] = [
    # an implied place is not a stated place
    (KZR["visit-josep-borrell"], SCHEMA.location, KZR.astana),
    (KZR["visit-ursula-von-der-leyen"], SCHEMA.location, KZR.kazakhstan),
    # a derived value is not a stated figure
    (KZR["derived-eu-trade-volume-2021"], RDF.type, KZEU.Figure),
]


@pytest.mark.parametrize("triple", RDFS_ENTAILED, ids=lambda t: f"{t[0].n3()} {t[2].n3()}")
def test_rdfs_adds_the_standard_view(plain: Graph, rdfs_closure: Graph, triple: Triple) -> None:
    assert triple not in plain
    assert triple in rdfs_closure


@pytest.mark.parametrize("triple", RDFS_ENTAILED + OWLRL_ONLY, ids=lambda t: t[0].n3())
def test_owlrl_adds_rdfs_and_inverses(owlrl_closure: Graph, triple: Triple) -> None:
    assert triple in owlrl_closure


@pytest.mark.parametrize("triple", OWLRL_ONLY, ids=lambda t: t[0].n3())
def test_inverses_need_owlrl(rdfs_closure: Graph, triple: Triple) -> None:
    assert triple not in rdfs_closure


@pytest.mark.parametrize("triple", NEVER, ids=lambda t: f"{t[0].n3()} {t[1].n3()}")
def test_inference_does_not_invent(
    rdfs_closure: Graph, owlrl_closure: Graph, triple: Triple
) -> None:
    assert triple not in rdfs_closure
    assert triple not in owlrl_closure


@pytest.mark.parametrize("closure", ["rdfs_closure", "owlrl_closure"])
def test_closure_is_valid_rdf(request: pytest.FixtureRequest, closure: str) -> None:
    """owlrl adds triples with literal subjects; the loader drops them."""
    graph: Graph = request.getfixturevalue(closure)
    assert not [s for s in graph.subjects() if isinstance(s, Literal)]


def test_plain_graph_is_ontology_plus_data(plain: Graph) -> None:
    assert (KZR["figure-eu-investment-stock"], RDF.type, KZEU.Figure) in plain
    assert (KZEU.Figure, None, None) in plain


@pytest.mark.parametrize("closure", ["rdfs_closure", "owlrl_closure"])
def test_closure_keeps_every_value_as_written(
    request: pytest.FixtureRequest, plain: Graph, closure: str
) -> None:
    """owlrl's literal proxies would add 30.0 beside "30"^^xsd:positiveInteger, and an @en
    copy of every plain name; none of that is entailed, and the loader drops it."""
    graph: Graph = request.getfixturevalue(closure)
    added = [(s, p, o) for s, p, o in graph if isinstance(o, Literal) and (s, p, o) not in plain]
    assert added == []
    assert set(graph.objects(KZR["anniversary-30-diplomatic-relations"], KZEU.ordinal)) == {
        Literal("30", datatype=XSD.positiveInteger)
    }


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_closure_still_conforms(inference: Inference) -> None:
    assert validate(load_graph(inference=inference)).conforms


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_sub_property_literals_are_entailed(inference: Inference) -> None:
    """The one way a closure may add a literal: through a sub-property."""
    ex = Namespace("http://example.org/")
    graph = Graph()
    graph.add((ex.nick, RDFS.subPropertyOf, ex.name))
    graph.add((ex.a, ex.nick, Literal("Al")))
    graph.add((ex.a, ex.age, Literal("30", datatype=XSD.positiveInteger)))
    apply_inference(graph, inference)
    assert (ex.a, ex.name, Literal("Al")) in graph
    assert set(graph.objects(ex.a, ex.age)) == {Literal("30", datatype=XSD.positiveInteger)}


# ------------------------------------------------------------------ engines and time limits
#
# The project's own RDFS engine must give exactly the closure of the reference: owlrl's
# RDFS_Semantics followed by the literal filter (the code apply_inference ran before the
# own engine existed, kept here as the oracle).

EX = Namespace("http://example.org/")
CHAIN_LINKS = 300


def reference_closure(graph: Graph, inference: str) -> set[Triple]:
    """owlrl's closure of a copy of ``graph``, filtered as apply_inference always did."""
    from owlrl import DeductiveClosure, OWLRL_Semantics, RDFS_Semantics

    copy = Graph()
    copy += graph
    asserted = set(copy)
    carried_by: dict[tuple[Node, Node], set[Node]] = {}
    for s, p, o in asserted:
        if isinstance(o, Literal):
            carried_by.setdefault((s, o), set()).add(p)
    semantics = RDFS_Semantics if inference == "rdfs" else OWLRL_Semantics
    DeductiveClosure(semantics, axiomatic_triples=False, datatype_axioms=False).expand(copy)

    def entailed(s: Node, p: Node, o: Node) -> bool:
        return any((q, RDFS.subPropertyOf, p) in copy for q in carried_by.get((s, o), ()))

    return {
        (s, p, o)
        for s, p, o in copy
        if not isinstance(s, Literal)
        and (not isinstance(o, Literal) or (s, p, o) in asserted or entailed(s, p, o))
    }


def own_closure(graph: Graph, inference: str = "rdfs") -> set[Triple]:
    copy = Graph()
    copy += graph
    return set(apply_inference(copy, inference))  # type: ignore[arg-type]


@pytest.fixture(autouse=True)
def _default_limit() -> Iterator[None]:
    """A CLI run sets the process-wide limit; every test starts from the default."""
    yield
    set_default_timeout(DEFAULT_TIMEOUT)


def chain(links: int = CHAIN_LINKS) -> str:
    lines = ["@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .", f"@prefix ex: <{EX}> ."]
    lines += [f"ex:C{i} rdfs:subClassOf ex:C{i + 1} ." for i in range(links)]
    lines.append("ex:x a ex:C0 .")
    return "\n".join(lines) + "\n"


def test_own_rdfs_closure_worked_out_by_hand() -> None:
    """{A ⊑ B, x a A}: rdf1 types each predicate a Property, rdfs6 makes it its own
    sub-property, rdfs4 types every term of the asserted triples a Resource, rdfs9 x a B."""
    graph = Graph()
    graph.add((EX.A, RDFS.subClassOf, EX.B))
    graph.add((EX.x, RDF.type, EX.A))
    expected = set(graph) | {
        (RDFS.subClassOf, RDF.type, RDF.Property),
        (RDF.type, RDF.type, RDF.Property),
        (RDFS.subPropertyOf, RDF.type, RDF.Property),
        (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.subClassOf),
        (RDF.type, RDFS.subPropertyOf, RDF.type),
        (RDFS.subPropertyOf, RDFS.subPropertyOf, RDFS.subPropertyOf),
        (EX.A, RDF.type, RDFS.Resource),
        (EX.B, RDF.type, RDFS.Resource),
        (EX.x, RDF.type, RDFS.Resource),
        (EX.x, RDF.type, EX.B),
    }
    assert own_closure(graph) == expected
    assert reference_closure(graph, "rdfs") == expected


def test_own_rdfs_keeps_only_sub_property_literals() -> None:
    """owlrl copies each triple to every literal of equal value (30 = 30.0); only
    x q "30" is entailed (x p "30", p ⊑ q)."""
    graph = Graph()
    thirty = Literal("30", datatype=XSD.positiveInteger)
    graph.add((EX.p, RDFS.subPropertyOf, EX.q))
    graph.add((EX.x, EX.p, thirty))
    graph.add((EX.y, EX.q, Literal("30.0", datatype=XSD.decimal)))
    for closure in (own_closure(graph), reference_closure(graph, "rdfs")):
        added = {t for t in closure - set(graph) if isinstance(t[2], Literal)}
        assert added == {(EX.x, EX.q, thirty)}
        assert not [t for t in closure if isinstance(t[0], Literal)]


def _corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from kzeu_graph.synth.generator import generate_corpus

    folder = tmp_path_factory.mktemp("corpus")
    generate_corpus(3, folder)
    return folder / "corpus.nt"


DIFFERENTIAL_INPUTS: dict[str, list[Path] | None] = {
    "shipped graph": None,
    **{f"reasoning/{p.name}": [p] for p in sorted(REASONING_FIXTURES.glob("*.ttl"))},
    "tests/fixtures/tiny.ttl": [TINY],
    "generated corpus (-n 3)": [],  # written by the test
}


@pytest.mark.parametrize("name", list(DIFFERENTIAL_INPUTS))
def test_own_rdfs_is_owlrl_on_project_graphs(
    name: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    files = DIFFERENTIAL_INPUTS[name]
    graph = load_graph(files or ([_corpus(tmp_path_factory)] if files == [] else None))
    assert own_closure(graph) == reference_closure(graph, "rdfs")


# Small ontologies: the terms a closure treats specially, a few classes, properties,
# individuals and literals (two pairs of equal value), and triples among them.
_CLASSES = [EX.C0, EX.C1, EX.C2, EX.C3, RDFS.Resource, RDFS.Class, RDFS.Literal]
_PROPERTIES = [EX.p0, EX.p1, EX.p2, RDF.type, RDFS.subClassOf, RDFS.subPropertyOf]
_SCHEMA = [RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range]
_NODES = [EX.a, EX.b, EX.c, BNode("n0")]
_LITERALS = [
    Literal("1", datatype=XSD.integer),
    Literal("1.0", datatype=XSD.decimal),
    Literal("x"),
    Literal("x", datatype=XSD.string),
    Literal("x", lang="en"),
]
_TYPES = [RDF.Property, RDFS.Class, RDFS.Datatype, RDFS.ContainerMembershipProperty]
_ANY = _CLASSES + _PROPERTIES + _NODES + _TYPES

_triple = st.one_of(
    st.tuples(st.sampled_from(_CLASSES), st.just(RDFS.subClassOf), st.sampled_from(_CLASSES)),
    st.tuples(
        st.sampled_from(_PROPERTIES), st.just(RDFS.subPropertyOf), st.sampled_from(_PROPERTIES)
    ),
    st.tuples(
        st.sampled_from(_PROPERTIES),
        st.sampled_from([RDFS.domain, RDFS.range]),
        st.sampled_from(_CLASSES),
    ),
    st.tuples(st.sampled_from(_ANY), st.just(RDF.type), st.sampled_from(_CLASSES + _TYPES)),
    st.tuples(
        st.sampled_from(_NODES),
        st.sampled_from([EX.p0, EX.p1, EX.p2]),
        st.sampled_from(_NODES + _LITERALS),
    ),
    st.tuples(  # anything at all, literals in schema positions included
        st.sampled_from(_ANY),
        st.sampled_from([*_SCHEMA, EX.p0, RDF.type]),
        st.sampled_from(_ANY + _LITERALS),
    ),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_triple, min_size=1, max_size=14))
def test_own_rdfs_is_owlrl_on_generated_ontologies(triples: list[Triple]) -> None:
    graph = Graph()
    for triple in triples:
        graph.add(triple)
    assert own_closure(graph) == reference_closure(graph, "rdfs")


def test_literal_copies_can_entail_a_class() -> None:
    """owlrl copies each triple to every literal of equal value (1 = 1.0). With a literal as
    the object of a sub-property of rdfs:subClassOf, such a copy links two IRIs:
    a p1 "1.0" → (copy) a p1 "1" → a ⊑ "1" (p1 ⊑ subClassOf); C0 p0 "1", range p0 = C0 →
    "1" a C0 → "1" ⊑ C0 (type ⊑ p1 ⊑ subClassOf) → a ⊑ C0. Found by hypothesis."""
    graph = Graph()
    graph.add((EX.p1, RDFS.subPropertyOf, RDFS.subClassOf))
    graph.add((RDF.type, RDFS.subPropertyOf, EX.p1))
    graph.add((EX.p0, RDFS.range, EX.C0))
    graph.add((EX.a, EX.p1, Literal("1.0", datatype=XSD.decimal)))
    graph.add((EX.C0, EX.p0, Literal("1", datatype=XSD.integer)))
    closure = own_closure(graph)
    assert (EX.a, RDFS.subClassOf, EX.C0) in closure
    assert closure == reference_closure(graph, "rdfs")


@pytest.mark.parametrize("links", [1, 2, 5, 30])
def test_own_rdfs_closes_chains_and_cycles(links: int) -> None:
    """A chain C0 ⊑ ... ⊑ Cn with x a C0, closed into a cycle Cn ⊑ C0: every Ci ⊑ Cj
    and x a every Ci, as owlrl finds."""
    graph = Graph().parse(data=chain(links), format="turtle")
    open_chain = own_closure(graph)
    assert open_chain == reference_closure(graph, "rdfs")
    assert {
        (EX[f"C{i}"], EX[f"C{j}"]) for i in range(links + 1) for j in range(i + 1, links + 1)
    } <= {
        (s, o) for s, _, o in open_chain.intersection(graph.triples((None, RDFS.subClassOf, None)))
    } | {(s, o) for s, p, o in open_chain if p == RDFS.subClassOf}
    graph.add((EX[f"C{links}"], RDFS.subClassOf, EX.C0))
    cycle = own_closure(graph)
    assert cycle == reference_closure(graph, "rdfs")
    classes = [EX[f"C{i}"] for i in range(links + 1)]
    assert {(c, RDFS.subClassOf, d) for c in classes for d in classes} <= cycle
    assert {(EX.x, RDF.type, c) for c in classes} <= cycle


def test_the_300_link_chain_finishes_in_seconds() -> None:
    """owlrl needs over a minute for this 9 KB file; the own engine a few seconds."""
    graph = Graph().parse(data=chain(), format="turtle")
    started = time.process_time()  # CPU time: the machine may be busy with other work
    closure = own_closure(graph)
    assert time.process_time() - started < 5
    n = CHAIN_LINKS + 1
    sub_class = {(s, o) for s, p, o in closure if p == RDFS.subClassOf}
    assert len(sub_class) == n * (n - 1) // 2
    assert {o for s, p, o in closure if s == EX.x and p == RDF.type} == {
        *(EX[f"C{i}"] for i in range(n)),
        RDFS.Resource,
    }


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_a_closure_past_its_limit_stops(inference: str) -> None:
    graph = Graph().parse(data=chain(), format="turtle")
    started = time.perf_counter()
    with pytest.raises(InferenceTimeout, match=r"did not finish within 0\.01 s"):
        apply_inference(graph, inference, timeout=0.01)  # type: ignore[arg-type]
    assert time.perf_counter() - started < 3
    assert multiprocessing.active_children() == []  # owlrl's worker is gone
    assert len(graph) == CHAIN_LINKS + 1  # nothing was added


_COMMANDS: dict[str, list[str]] = {
    "validate": ["validate"],
    "query": ["query", "dataset-summary"],
    "sparql": ["sparql", "-"],
    "export": ["export", "--format", "nt"],
    "load": ["load", "--store", "oxigraph:{tmp}/store"],
}


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
@pytest.mark.parametrize("command", list(_COMMANDS))
def test_every_command_stops_at_the_limit(command: str, inference: str, tmp_path: Path) -> None:
    data = tmp_path / "chain.ttl"
    data.write_text(chain(), encoding="utf-8")
    args = [a.replace("{tmp}", str(tmp_path)) for a in _COMMANDS[command]]
    args += ["--data", str(data), "--inference", inference, "--inference-timeout", "0.01"]
    result = CliRunner().invoke(main, args, input="SELECT * WHERE { ?s ?p ?o }")
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    name = {"rdfs": "RDFS", "owlrl": "OWL-RL"}[inference]
    assert result.stderr.startswith(f"kzeu-graph: error: the {name} closure (")
    assert "did not finish within 0.01 s" in result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


def test_the_chain_finishes_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "chain.ttl"
    data.write_text(chain(), encoding="utf-8")
    ask = f"ASK {{ <{EX.C0}> <{RDFS.subClassOf}> <{EX[f'C{CHAIN_LINKS}']}> }}"
    args = ["sparql", "-", "--format", "json", "--data", str(data), "--inference", "rdfs"]
    result = CliRunner().invoke(main, args, input=ask)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["boolean"] is True


@pytest.mark.parametrize(
    ("inference", "variable", "engine"),
    [("rdfs", None, "kzeu-rdfs"), ("rdfs", "owlrl", "owlrl"), ("owlrl", None, "owlrl")],
)
def test_validate_names_the_inference_engine(
    inference: str, variable: str | None, engine: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if variable is None:
        monkeypatch.delenv("KZEU_RDFS_ENGINE", raising=False)
    else:
        monkeypatch.setenv("KZEU_RDFS_ENGINE", variable)
    as_json = CliRunner().invoke(main, ["validate", "--inference", inference, "--format", "json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout)["inference"] == {"closure": inference, "engine": engine}


def test_the_validate_summary_names_the_inference_engine() -> None:
    text = CliRunner().invoke(main, ["validate", "--inference", "rdfs"])
    assert text.exit_code == 0, text.output
    assert text.stdout.splitlines()[-1] == (
        "conforms: 0 violation(s), 0 warning(s), 0 info(s) (with the rdfs closure by kzeu-rdfs)"
        " (engine: pyshacl-turbo)"
    )


def test_the_reference_engine_gives_the_same_closure(monkeypatch: pytest.MonkeyPatch) -> None:
    """KZEU_RDFS_ENGINE=owlrl runs RDFS on owlrl (in its worker): the same triples."""
    graph = load_graph([REASONING_FIXTURES / "figure-subclass-and-derived-value.ttl"])
    own = own_closure(graph)
    monkeypatch.setenv("KZEU_RDFS_ENGINE", "owlrl")
    assert own_closure(graph) == own


def test_version_names_the_inference_engines() -> None:
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0
    assert "inference: rdfs by kzeu-rdfs (the project's own); owlrl by owlrl " in result.stdout


def test_the_cli_default_is_the_library_default() -> None:
    from kzeu_graph.cli import commands as cli

    assert cli._INFERENCE_TIMEOUT == DEFAULT_TIMEOUT


def test_rdfs_needs_no_owlrl_and_owlrl_says_it_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Without the owlrl package (an import that fails), RDFS still runs on the own engine;
    OWL-RL stops with one line saying what to install, and --version says so too."""
    graph = Graph().parse(data=chain(3), format="turtle")
    expected = own_closure(graph)
    monkeypatch.delenv("KZEU_RDFS_ENGINE", raising=False)
    monkeypatch.setitem(sys.modules, "owlrl", None)  # `import owlrl` raises ImportError
    assert own_closure(graph) == expected
    with pytest.raises(InputError, match=r"^the OWL-RL closure needs owlrl: pip install owlrl$"):
        own_closure(graph, "owlrl")
    version = CliRunner().invoke(main, ["--version"])
    assert "owlrl by owlrl (not installed: pip install owlrl)" in version.stdout


def test_the_server_stops_at_the_limit(tmp_path: Path) -> None:
    from kzeu_graph.serve.workers import QueryService, WorkerConfig

    data = tmp_path / "chain.ttl"
    data.write_text(chain(), encoding="utf-8")
    config = WorkerConfig(data=(str(data),), inference="rdfs", inference_timeout=0.01)
    with pytest.raises(InferenceTimeout, match=r"did not finish within 0\.01 s"):
        QueryService(config)
