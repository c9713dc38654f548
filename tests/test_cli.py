"""The command line: exit codes 0/1/2, one-line errors, never a traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kzeu_graph import resources
from kzeu_graph.cli.commands import main
from kzeu_graph.loading.graph import parse_file
from paths import BROKEN_TURTLE, FIXTURE_DATA, FIXTURE_QUERIES

pytestmark = pytest.mark.usefixtures("fixture_content")

KZR = "https://w3id.org/kzeu/id/"


def run(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(main, list(args), input=stdin)


def assert_error(result: Result, message: str, code: int = 2) -> None:
    """Exit ``code``, nothing on stdout, exactly one line on stderr starting as expected."""
    assert result.exit_code == code, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith(f"kzeu-graph: error: {message}"), result.stderr
    assert "Traceback" not in result.output


@pytest.fixture
def wrong_span(tmp_path: Path) -> Path:
    text = FIXTURE_DATA.read_text(encoding="utf-8").replace(
        'oa:start "68"^^xsd:nonNegativeInteger', 'oa:start "69"^^xsd:nonNegativeInteger'
    )
    path = tmp_path / "wrong-span.ttl"
    path.write_text(text, encoding="utf-8")
    return path


# ------------------------------------------------------------------ validate


def test_validate_conforms() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "conforms: 0 violation(s), 0 warning(s), 0 info(s) (engine: pyshacl-turbo)\n"
    )


def test_validate_violations_exit_1(wrong_span: Path) -> None:
    result = run("validate", "--data", str(wrong_span))
    assert result.exit_code == 1
    headline, details, summary = result.stdout.splitlines()
    # the text-span check's finding, on the line of the span's oa:hasSelector
    assert headline == (
        f"{wrong_span}:45: Violation: <{KZR}sentence-2> <http://www.w3.org/ns/oa#hasSelector>: "
        "text[69:86] is 'ob Sample agreed.', not the oa:exact 'Bob Sample agreed.'"
    )
    assert details == '    value: "Bob Sample agreed." · shape: kzeu-check:text-span'
    assert summary == (
        "does not conform: 1 violation(s), 0 warning(s), 0 info(s) (engine: pyshacl-turbo)"
    )


def test_validate_json(wrong_span: Path) -> None:
    result = run("validate", "--data", str(wrong_span), "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert report["conforms"] is False
    assert report["results"][0]["focus_node"] == KZR + "sentence-2"


def test_validate_turtle_report(tmp_path: Path) -> None:
    result = run("validate", "--format", "turtle")
    assert result.exit_code == 0
    path = tmp_path / "report.ttl"
    path.write_text(result.stdout)
    assert len(parse_file(path)) > 0


def test_validate_with_inference() -> None:
    assert run("validate", "--inference", "rdfs").exit_code == 0


def test_malformed_turtle_names_file_and_line() -> None:
    assert_error(run("validate", "--data", str(BROKEN_TURTLE)), f"{BROKEN_TURTLE}:4: bad syntax")


def test_missing_data_file(tmp_path: Path) -> None:
    missing = tmp_path / "missing.ttl"
    assert_error(run("validate", "--data", str(missing)), f"{missing}: no such file")
    assert_error(run("query", "statements-by-person", "--data", str(missing)), str(missing))


def test_bad_choice_is_a_usage_error() -> None:
    result = run("validate", "--inference", "magic")
    assert result.exit_code == 2
    assert "Traceback" not in result.output


# ------------------------------------------------------------------ query


def test_query_list() -> None:
    result = run("query", "--list")
    assert result.exit_code == 0
    assert "statements-by-person [showcase]: Statements made by a given person" in result.stdout
    assert "--param person=<iri> (optional, default kzr:alice)" in result.stdout
    assert "--param amount=<decimal> (optional)" in result.stdout


def test_query_csv() -> None:
    result = run("query", "statements-by-person", "--param", f"person={KZR}bob", "--format", "csv")
    assert result.exit_code == 0, result.output
    expected = f"statement,text\r\n{KZR}statement-2,Bob Sample agreed.\r\n"
    assert result.stdout_bytes == expected.encode()  # .stdout turns CRLF into LF


def test_query_table() -> None:
    result = run("query", "statements-by-person")
    assert result.exit_code == 0, result.output
    assert "Statements made by a given person" in result.stdout
    assert "kzr:statement-1" in result.stdout
    assert "1 row(s)" in result.stdout


@pytest.mark.parametrize("fmt", ["json", "tsv"])
def test_query_formats(fmt: str) -> None:
    result = run("query", "has-statements", "--format", fmt)
    assert result.exit_code == 0
    assert "true" in result.stdout


def test_query_with_inference() -> None:
    text = "PREFIX prov: <http://www.w3.org/ns/prov#>\nSELECT ?s WHERE { ?s a prov:Entity }"
    plain = run("sparql", "-", "--format", "csv", stdin=text)
    inferred = run("sparql", "-", "--format", "csv", "--inference", "rdfs", stdin=text)
    assert f"{KZR}statement-1" not in plain.stdout
    assert f"{KZR}statement-1" in inferred.stdout


def test_unknown_query() -> None:
    assert_error(run("query", "nope"), "unknown query 'nope'; known queries: has-statements")


def test_missing_parameter() -> None:
    assert_error(
        run("query", "typed-parameters"), "query 'typed-parameters' needs parameter 'thing'"
    )


@pytest.mark.parametrize(
    ("param", "message"),
    [
        ("count=many", "parameter 'count' needs an integer, got 'many'"),
        ("thing=not an iri", "parameter 'thing' needs an absolute IRI"),
        ("day=2023-02-30", "parameter 'day' needs a date"),
        ("colour=red", "query 'typed-parameters' has no parameter 'colour'"),
        ("novalue", "--param needs key=value, got 'novalue'"),
    ],
)
def test_bad_parameter(param: str, message: str) -> None:
    given = [] if param.startswith("thing=") else ["--param", "thing=urn:x:a"]  # required
    result = run("query", "typed-parameters", *given, "--param", param)
    assert_error(result, message)


def test_query_without_a_name_is_a_usage_error() -> None:
    result = run("query")
    assert result.exit_code == 2
    assert "give a query NAME, or --list" in result.stderr


# ------------------------------------------------------------------ sparql


def test_sparql_from_a_file(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("SELECT ?s WHERE { ?s a kzeu:Statement } ORDER BY ?s")
    result = run("sparql", str(path), "--format", "tsv")
    assert result.exit_code == 0
    assert result.stdout == f"?s\n<{KZR}statement-1>\n<{KZR}statement-2>\n"


def test_sparql_from_stdin() -> None:
    result = run("sparql", "-", "--format", "json", stdin="ASK { ?s ?p ?o }")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"head": {}, "boolean": True}


def test_malformed_sparql(tmp_path: Path) -> None:
    path = tmp_path / "q.rq"
    path.write_text("SELECT * WHERE {\n  ?s ?p \n}")
    result = run("sparql", str(path))
    assert result.exit_code == 2
    assert result.stdout == ""
    first, *context = result.stderr.splitlines()
    assert first.startswith("kzeu-graph: error: malformed SPARQL at line 2, column 3: ")
    assert context == ["  2 |   ?s ?p ", "    |   ^"]


def test_service_is_refused_on_the_command_line() -> None:
    result = run("sparql", "-", stdin="SELECT * { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }")
    assert_error(result, "SERVICE is refused")


def test_update_is_refused_on_the_command_line() -> None:
    assert_error(run("sparql", "-", stdin="CLEAR ALL"), "SPARQL updates are refused")


def test_missing_query_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.rq"
    assert_error(run("sparql", str(missing)), f"{missing}: no such file")


# ------------------------------------------------------------------ describe, export, demo


def test_describe(tmp_path: Path) -> None:
    result = run("describe", "kzr:statement-1", "--format", "nt")
    assert result.exit_code == 0
    path = tmp_path / "d.nt"
    path.write_text(result.stdout)
    assert len(parse_file(path)) > 5


def test_describe_nothing_known() -> None:
    result = run("describe", f"{KZR}nobody")
    assert result.exit_code == 1
    assert result.stderr == (
        f"kzeu-graph: nothing known about <{KZR}nobody>; "
        "find things by name with: kzeu-graph search TEXT\n"
    )


def test_describe_bad_iri() -> None:
    assert_error(run("describe", "not an iri"), "not an absolute IRI: 'not an iri'")


@pytest.mark.parametrize("fmt", ["turtle", "json-ld", "nt", "nquads", "trig", "xml"])
def test_export_to_stdout(fmt: str) -> None:
    result = run("export", "--format", fmt)
    assert result.exit_code == 0
    assert result.stdout


def test_export_to_a_file(tmp_path: Path) -> None:
    path = tmp_path / "graph.ttl"
    result = run("export", "--format", "turtle", "-o", str(path))
    assert result.exit_code == 0
    assert result.stdout == ""
    assert len(parse_file(path)) == len(parse_file(FIXTURE_DATA)) + len(
        parse_file(resources.ontology_files()[0])
    )


def test_export_needs_a_format() -> None:
    assert run("export").exit_code == 2


def test_demo() -> None:
    result = run("demo")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Validation: the shipped graph (")
    assert lines[0].endswith("conforms: 0 violation(s), 0 warning(s), 0 info(s)")
    for name in ("has-statements", "statements-by-label", "statements-by-person"):
        assert name in result.stdout
    assert "typed-parameters" not in result.stdout


def test_demo_fails_when_validation_fails(
    monkeypatch: pytest.MonkeyPatch, wrong_span: Path
) -> None:
    monkeypatch.setattr(resources, "default_data_files", lambda: [wrong_span])
    result = run("demo")
    assert result.exit_code == 1
    assert "does not conform" in result.stdout


def test_queries_dir_is_the_fixture() -> None:
    assert resources.queries_dir() == FIXTURE_QUERIES


def test_help_does_not_import_rdflib() -> None:
    code = "import sys, kzeu_graph.cli.commands; print('rdflib' in sys.modules, 'pandas' in sys.modules)"
    src = str(Path(resources.__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout == "False False\n"


def test_help() -> None:
    result = run("--help")
    assert result.exit_code == 0
    for command in ("validate", "query", "sparql", "describe", "export", "demo"):
        assert command in result.stdout


def test_python_dash_m_and_version() -> None:
    src = str(Path(resources.__file__).resolve().parents[1])
    out = subprocess.run(
        [sys.executable, "-m", "kzeu_graph", "--version"],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": src, "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.startswith("kzeu-graph ")


def test_oversized_stdin_query(monkeypatch: pytest.MonkeyPatch) -> None:
    from kzeu_graph.loading import checks as safety

    monkeypatch.setattr(safety, "_max_bytes", 10)
    assert_error(run("sparql", "-", stdin="ASK { ?s ?p ?o }"), "standard input: query larger")


def test_plain_table_for_pipes() -> None:
    """Piped tables are aligned text: full cells on one line, no box drawing, no rich."""
    from kzeu_graph.cli.output import plain_table

    text = plain_table(["a", "long"], [["x", "1"], ["yy\nz", ""]], "Title")
    assert text == ("Title\na      long\n-----  ----\nx      1\nyy\\nz\n2 row(s)\n")
    assert plain_table([], [], None, boolean=True) == "true\n"


def test_piped_query_does_not_import_rich(tmp_path: Path) -> None:
    import subprocess

    code = (
        "import sys\n"
        "from kzeu_graph.cli.commands import main\n"
        "try:\n"
        "    main(['query', 'timeline'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(str(sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'rdflib'))))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.stderr == "[]"
    assert done.stdout.splitlines()[-1] == "9 row(s)"


def test_query_help_with_a_name_lists_its_parameters_and_values() -> None:
    """`query NAME --help` is the command's help, then that query's parameters and values."""
    result = run("query", "statements-by-person", "--help")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Usage: ")
    assert "--param person=<iri> (optional, default kzr:alice)" in result.stdout
    plain = run("query", "--help")
    assert plain.exit_code == 0
    assert "--param person" not in plain.stdout
