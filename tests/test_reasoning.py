"""HermiT (through owlready2) finds the ontology and the data consistent, and can say otherwise."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzeu_graph.cli.commands import main
from kzeu_graph.loading.graph import load_ontology, parse_file
from kzeu_graph.validation.reasoner import ReasonerError, check_consistency, check_ontology
from paths import DATA, ONTOLOGY, REASONING_FIXTURES, REUSED_TERMS

if shutil.which("java") is None:
    if os.environ.get("CI") == "true":
        pytest.fail("no Java runtime on CI: .ci/run must install default-jre-headless")
    pytest.skip("no Java runtime here (HermiT needs one)", allow_module_level=True)

EX = "http://example.org/"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


# ------------------------------------------------------------------ the project's own files


def test_the_ontology_alone_is_consistent() -> None:
    report = check_ontology(include_data=False)
    expected_triples = len(parse_file(ONTOLOGY) + parse_file(REUSED_TERMS))
    assert (report.consistent, report.unsatisfiable, report.ok) == (True, (), True)
    assert (report.what, report.triples) == ("ontology", expected_triples)


def test_the_ontology_with_the_shipped_data_is_consistent() -> None:
    report = check_ontology()
    assert (report.consistent, report.unsatisfiable) == (True, ())
    assert report.what == "ontology + data"
    assert report.triples == shipped_triples()
    assert report.dropped == ()


def shipped_triples() -> int:
    return len(load_ontology() + parse_file(DATA))


def test_cli_consistent_exit_0() -> None:
    code, out, _ = run("check-ontology")
    assert code == 0
    assert out == (
        f"consistent: HermiT found the ontology + data ({shipped_triples()} triples) "
        "consistent, every class satisfiable\n"
    )


# ------------------------------------------------------------------ the check can fail


@pytest.mark.parametrize(
    "fixture", ["figure-and-derived-value.ttl", "figure-subclass-and-derived-value.ttl"]
)
def test_a_node_in_two_disjoint_classes_is_inconsistent(fixture: str) -> None:
    report = check_ontology([REASONING_FIXTURES / fixture])
    assert (report.consistent, report.ok) == (False, False)


def test_cli_inconsistent_exit_1() -> None:
    path = REASONING_FIXTURES / "figure-and-derived-value.ttl"
    code, out, _ = run("check-ontology", "--data", str(DATA), "--data", str(path))
    assert code == 1
    assert out.startswith(  # the fixture adds two rdf:type triples
        f"inconsistent: HermiT found no model of the ontology + data ({shipped_triples() + 2} "
        "triples)"
    )


def test_an_unsatisfiable_class_is_named() -> None:
    path = REASONING_FIXTURES / "unsatisfiable-class.ttl"
    report = check_ontology([path])
    assert report.consistent is True
    assert report.unsatisfiable == (f"{EX}StatedDerivedValue",)
    assert report.ok is False
    code, out, _ = run("check-ontology", "--data", str(path), "--format", "json")
    assert code == 1
    assert '"unsatisfiable_classes": [\n    "http://example.org/StatedDerivedValue"\n  ]' in out


def test_the_graph_without_disjointness_is_consistent() -> None:
    """Control: the same node is fine once the disjointness axiom is gone."""
    from rdflib.namespace import OWL

    graph = load_ontology() + parse_file(REASONING_FIXTURES / "figure-and-derived-value.ttl")
    graph.remove((None, OWL.disjointWith, None))
    assert check_consistency(graph).consistent is True


# ------------------------------------------------------------------ nothing is fetched or run


def test_imports_and_python_modules_are_left_out() -> None:
    report = check_ontology([REASONING_FIXTURES / "imports.ttl"])
    assert report.ok
    assert report.dropped == (
        "<http://example.org/contribution> <http://www.lesfleursdunormal.fr/static/_downloads/"
        'owlready_ontology.owl#python_module> "kzeu_graph_test_must_not_be_imported" .',
        "<http://example.org/contribution> <http://www.w3.org/2002/07/owl#imports> "
        "<http://example.org/remote-ontology> .",
    )
    assert "kzeu_graph_test_must_not_be_imported" not in sys.modules


# ------------------------------------------------------------------ missing pieces


def test_no_java_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda _: None)
    with pytest.raises(ReasonerError, match="no Java runtime found for the HermiT reasoner"):
        check_ontology(include_data=False)
    code, out, err = run("check-ontology")
    assert (code, out) == (2, "")
    assert err == (
        "kzeu-graph: error: no Java runtime found for the HermiT reasoner: install a Java "
        "runtime (Debian: apt-get install default-jre-headless)\n"
    )


def test_no_owlready2_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "owlready2", None)
    code, out, err = run("check-ontology", "--ontology-only")
    assert (code, out) == (2, "")
    assert err == (
        "kzeu-graph: error: the consistency check needs owlready2 (HermiT): "
        "pip install 'kzeu-graph[reasoner]'\n"
    )


def test_a_bad_data_file_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.ttl"
    path.write_text("<a> <b> .\n", encoding="utf-8")
    code, out, err = run("check-ontology", "--data", str(path))
    assert (code, out) == (2, "")
    assert err.startswith(f"kzeu-graph: error: {path}:1: bad syntax")
