"""The command line on every store: --store / $KZEU_STORE, load, and the rdflib-free query path."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from kzeu_graph.cli.commands import main
from kzeu_graph.loading.graph import load_graph
from kzeu_graph.sparql.catalog import list_queries
from test_stores import store_spec

QUERY_NAMES = [q.name for q in list_queries()]


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


XSD = "http://www.w3.org/2001/XMLSchema#"
INTEGERS = {XSD + t for t in ("integer", "nonNegativeInteger", "positiveInteger", "int", "long")}


def values(output: str) -> list[dict[str, tuple[str, str, object]]]:
    """SPARQL JSON rows as (type, datatype or language, value), compared as values.

    Oxigraph stores numbers canonically: ``10.0`` comes back as ``10`` and a
    ``"155"^^xsd:nonNegativeInteger`` as ``"155"^^xsd:integer`` (the same number).
    """
    document = json.loads(output)
    rows = []
    for binding in document["results"]["bindings"]:
        row = {}
        for name, term in binding.items():
            kind = "literal" if term["type"] == "typed-literal" else term["type"]
            extra = term.get("datatype") or term.get("xml:lang") or ""
            value: object = term["value"]
            if extra == XSD + "decimal":
                value = Decimal(term["value"])
            elif extra in INTEGERS:
                extra, value = XSD + "integer", int(term["value"])
            row[name] = (kind, extra, value)
        rows.append(row)
    return rows


@pytest.mark.parametrize("name", QUERY_NAMES)
def test_query_json_is_the_same_on_oxigraph_and_rdflib(name: str) -> None:
    oxigraph = run("query", name, "--format", "json")  # the default store
    rdflib = run("query", name, "--format", "json", "--store", "memory")
    assert oxigraph.exit_code == 0, oxigraph.output
    assert rdflib.exit_code == 0, rdflib.output
    assert json.loads(oxigraph.stdout)["head"] == json.loads(rdflib.stdout)["head"]
    assert values(oxigraph.stdout) == values(rdflib.stdout)


def test_query_csv_bytes_match_where_no_number_is_rewritten() -> None:
    """Oxigraph prints stored numbers canonically (10.0 -> 10); other cells are identical."""
    args = ["query", "events-by-status", "--param", "status=kzv:expected", "--format", "csv"]
    oxigraph, rdflib = run(*args), run(*args, "--store", "memory")
    assert oxigraph.stdout_bytes == rdflib.stdout_bytes
    assert oxigraph.stdout_bytes.startswith(b"event,eventLabel,status,statusLabel,date\r\n")


def test_table_is_the_same_on_every_store() -> None:
    tables = {
        store: run("query", "timeline", "--store", store).stdout for store in ("memory", "oxigraph")
    }
    assert tables["memory"] == tables["oxigraph"]
    assert "kzr:brexit" in tables["memory"]
    assert "9 row(s)" in tables["memory"]


def test_store_from_the_environment() -> None:
    result = run("query", "figures", "--format", "csv", env={"KZEU_STORE": "postgres://x"})
    assert result.exit_code == 2
    assert result.stderr.startswith("kzeu-graph: error: unknown store 'postgres://x'")


def test_query_path_imports_no_rdflib() -> None:
    code = (
        "import sys\n"
        "from kzeu_graph.cli.commands import main\n"
        "try:\n"
        "    main(['query', 'figures', '--format', 'csv'])\n"
        "except SystemExit as exit:\n"
        "    assert not exit.code, exit.code\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('rdflib', 'pyshacl', 'owlrl', 'pandas'))\n"
        "print(heavy, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert done.stderr.strip().splitlines()[-1] == "[]"
    assert done.stdout.startswith("figure,label,value,")
    assert done.stdout.count("\n") == 8  # header + the article's 7 figures


def test_load_into_a_folder_then_query_it(tmp_path: Path) -> None:
    spec = f"oxigraph:{tmp_path / 'store'}"
    expected = len(load_graph())
    for _ in range(2):  # idempotent
        loaded = run("load", "--store", spec)
        assert loaded.exit_code == 0, loaded.output
        assert loaded.stdout == f"{expected} triples in {spec}\n"  # no progress bar: no terminal
        assert loaded.stderr == ""
    queried = run("query", "events-by-status", "--param", "status=kzv:expected", "--store", spec)
    assert queried.exit_code == 0, queried.output
    assert "2 row(s)" in queried.stdout
    refused = run("query", "figures", "--store", spec, "--inference", "rdfs")
    assert refused.exit_code == 2
    assert "used as loaded" in refused.stderr


def test_load_needs_a_persistent_store() -> None:
    result = run("load", "--store", "oxigraph:memory")
    assert result.exit_code == 2
    assert "load needs a folder or a URL" in result.stderr


def test_query_and_sparql_on_a_server(request: pytest.FixtureRequest) -> None:
    spec = store_spec(request, "oxigraph-server")
    result = run("query", "visits", "--store", spec, "--format", "json")
    assert result.exit_code == 0, result.output
    assert values(result.stdout) == values(run("query", "visits", "--format", "json").stdout)
    asked = run("sparql", "-", "--store", spec, "--format", "csv")
    assert asked.exit_code == 2  # no query on standard input


# ------------------------------------------------------------------ bad store specs


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    message: str = result.stderr.removeprefix("kzeu-graph: error: ").rstrip("\n")
    return message


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("http://[::1", "the endpoint URL 'http://[::1' is malformed (Invalid IPv6 URL)"),
        ("https://[::1/sparql", "the endpoint URL 'https://[::1/sparql' is malformed"),
        ("http://[zz]/sparql", "the endpoint URL 'http://[zz]/sparql' is malformed"),
        ("http://[1.2.3.4]/sparql", "the endpoint URL 'http://[1.2.3.4]/sparql' is malformed"),
        ("http://[::1]:port/sparql", "the endpoint URL 'http://[::1]:port/sparql' is malformed"),
        ("http://localhost:99999/q", "the endpoint URL 'http://localhost:99999/q' is malformed"),
        ("http://localhost:0/q", "the endpoint URL 'http://localhost:0/q' has port 0"),
        ("http://:8080/q", "the endpoint URL 'http://:8080/q' has no host"),
        ("http:///q", "the endpoint URL 'http:///q' has no host"),
        ("http://h/q#update=http://[::1", "update= 'http://[::1' is malformed"),
        ("http://h/q#store=http://:1/s", "store= 'http://:1/s' has no host"),
        ("http://h/q#update=ftp://h/u", "update= needs an http(s) URL"),
        ("oxigraph:", "give a folder after 'oxigraph:' (or write oxigraph:memory)"),
        ("oxigraph:   ", "give a folder after 'oxigraph:' (or write oxigraph:memory)"),
    ],
)
@pytest.mark.parametrize("how", ["--store", "KZEU_STORE"])
def test_a_bad_store_spec_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, spec: str, message: str, how: str
) -> None:
    monkeypatch.chdir(tmp_path)  # an "oxigraph:" store would be created here
    args = ["query", "visits"] + (["--store", spec] if how == "--store" else [])
    env = {"KZEU_STORE": spec} if how == "KZEU_STORE" else None
    error = one_line_error(run(*args, env=env))
    assert error.startswith(f"store {spec.split()[0]!r}"[:-1])  # (spaces are collapsed)
    assert message in error
    assert list(tmp_path.iterdir()) == []  # nothing created, nothing contacted


@pytest.mark.parametrize(
    "damage",
    ["garbage-current", "truncated-tables"],
)
def test_a_damaged_oxigraph_folder_is_one_line_and_exit_2(tmp_path: Path, damage: str) -> None:
    folder = tmp_path / "store"
    if damage == "garbage-current":
        folder.mkdir()
        (folder / "CURRENT").write_text("not a manifest name\n")
    else:
        assert run("load", "--store", f"oxigraph:{folder}").exit_code == 0
        tables = sorted(folder.glob("*.sst"))
        assert tables
        for table in tables:
            table.write_bytes(table.read_bytes()[:100])
    error = one_line_error(run("query", "visits", "--store", f"oxigraph:{folder}"))
    assert error.startswith(
        f"cannot open the Oxigraph store 'oxigraph:{folder}': the folder is damaged or not "
        "an Oxigraph store (Corruption: "
    )


@pytest.mark.parametrize("second", ["status=kzv:happened", "status=kzv:expected", " status=x"])
def test_a_parameter_given_twice_is_refused(second: str) -> None:
    result = run("query", "events-by-status", "--param", "status=kzv:expected", "--param", second)
    assert one_line_error(result) == "--param status is given twice: give it once"


def test_the_api_refuses_a_parameter_given_twice_under_two_spellings() -> None:
    from kzeu_graph.errors import ParameterError
    from kzeu_graph.sparql.catalog import get_query

    saved = get_query("figures-by-measure")
    with pytest.raises(ParameterError, match=r"^parameter 'measure' given twice$"):
        saved.bind_terms({"measure": "kzv:trade", "mea_sure": "kzv:growth"})
