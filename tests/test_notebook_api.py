"""The notebook-first API: iterable rows, HTML and text reprs, typed DataFrames, engines in ``with``."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph

from kzeu_graph import describe, load_graph, open_engine, run_query, run_sparql
from kzeu_graph.engines import open_store
from kzeu_graph.query.results import Description, Result

DATA = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:name "A <b> & c" ; ex:n 3 ; ex:x 1.5 ; ex:flag true ; ex:d "2023-03"^^xsd:gYearMonth .
ex:b ex:name "B" ; ex:x 2 ; ex:flag false ; ex:d "2022"^^xsd:gYear .
"""
QUERY = """PREFIX ex: <http://example.org/>
SELECT ?s ?name ?n ?x ?flag ?d WHERE {
  ?s ex:name ?name ; ex:x ?x ; ex:flag ?flag ; ex:d ?d . OPTIONAL { ?s ex:n ?n }
} ORDER BY ?s"""


@pytest.fixture(scope="module")
def result() -> Result:
    return run_sparql(Graph().parse(data=DATA, format="turtle"), QUERY)


def test_rows_iterate_as_named_tuples(result: Result) -> None:
    rows = list(result)
    assert [tuple(r) for r in rows] == [
        ("http://example.org/a", "A <b> & c", 3, rows[0].x, True, rows[0].d),
        ("http://example.org/b", "B", None, 2, False, rows[1].d),
    ]
    assert (rows[0].name, rows[1].n, rows[1].x) == ("A <b> & c", None, 2)
    assert str(rows[0].x) == "1.5"
    assert list(result.to_python()[0]) == list(rows[0]._fields)


def test_text_repr(result: Result) -> None:
    assert repr(result) == "<Result select: 2 row(s) x 6 (s, name, n, x, flag, d)>"
    assert repr(Result(kind="ask", boolean=True)) == "<Result ask: true>"
    wide = Result(kind="select", variables=[f"v{i}" for i in range(8)])
    assert repr(wide) == "<Result select: 0 row(s) x 8 (v0, v1, v2, v3, v4, v5, ...)>"


def test_html_repr_escapes_and_links(result: Result) -> None:
    assert result._repr_html_() == (
        '<table class="kzeu-result"><thead><tr><th>s</th><th>name</th><th>n</th><th>x</th>'
        "<th>flag</th><th>d</th></tr></thead><tbody>"
        '<tr><td><a href="http://example.org/a">http://example.org/a</a></td>'
        "<td>A &lt;b&gt; &amp; c</td><td>3</td><td>1.5</td><td>true</td><td>2023-03</td></tr>"
        '<tr><td><a href="http://example.org/b">http://example.org/b</a></td>'
        "<td>B</td><td></td><td>2</td><td>false</td><td>2022</td></tr>"
        "</tbody></table><p>2 row(s)</p>"
    )
    assert Result(kind="ask", boolean=False)._repr_html_() == (
        "<p><code>ASK</code>: <b>false</b></p>"
    )


def test_html_repr_uses_curies_and_caps_rows() -> None:
    figures = run_query(load_graph(), "figures")
    page = figures._repr_html_(max_rows=2)
    assert (
        '<a href="https://w3id.org/kzeu/id/figure-eu-investment-stock">'
        "kzr:figure-eu-investment-stock</a>"
    ) in page
    assert page.count("<tr>") == 3  # the header and two rows
    assert page.endswith("<p>7 row(s); the first 2 shown</p>")


def test_dataframe_types(result: Result) -> None:
    pd = pytest.importorskip("pandas")
    frame = result.to_dataframe()
    assert {name: str(t) for name, t in frame.dtypes.items()} == {
        "s": "string",
        "name": "string",
        "n": "Int64",  # integers only (one unbound)
        "x": "Float64",  # a decimal and an integer: one numeric dtype
        "flag": "boolean",
        "d": "string",  # dates keep their lexical form
    }
    assert frame["n"].tolist() == [3, pd.NA]
    assert frame["x"].tolist() == [1.5, 2.0]
    assert frame["d"].tolist() == ["2023-03", "2022"]
    assert frame["s"].tolist() == ["http://example.org/a", "http://example.org/b"]


def test_dataframe_of_the_project_queries() -> None:
    pytest.importorskip("pandas")
    graph = load_graph()
    growth = run_query(graph, "year-on-year").to_dataframe()
    assert str(growth["baseValue"].dtype) == "Int64"
    # 2021 trade volume from the article's $40 billion and 27.6 percent: 40e9 / 1.276 =
    # 31347962382.4; the growth rounded to one decimal puts it between 40e9 / 1.2765 =
    # 31335683509.6 and 40e9 / 1.2755 = 31360250882.0, so the data gives 31.35 billion with
    # the bounds rounded outwards to the million (integers, not 3.135e+10).
    assert growth["baseValue"].tolist()[1] == 31_350_000_000
    assert growth["baseMinValue"].tolist()[1] == 31_335_000_000
    assert growth["baseMaxValue"].tolist()[1] == 31_361_000_000
    assert str(growth["baseMinValue"].dtype) == "Int64"
    assert str(growth["baseExactnessLabel"].dtype) == "string"
    assert growth["growthFigure"].tolist()[0] == "kzr:figure-eu-investment-inflow-growth-2022-9m"
    full = run_query(graph, "year-on-year").to_dataframe(iris="full")
    assert full["growthFigure"].tolist()[0] == (
        "https://w3id.org/kzeu/id/figure-eu-investment-inflow-growth-2022-9m"
    )
    figures = run_query(graph, "figures").to_dataframe()
    assert str(figures["value"].dtype) == "Float64"
    assert figures["value"].tolist()[0] == 160000000000.0
    assert (str(figures["start"].dtype), str(figures["exactnessLabel"].dtype)) == (
        "Int64",
        "string",
    )
    ask = Result(kind="ask", boolean=True).to_dataframe()
    assert ask["boolean"].tolist() == [True]


def test_describe_is_a_graph_that_reads_well() -> None:
    found = describe(load_graph(), "kzr:figure-eu-trade-volume-2022")
    assert isinstance(found, Graph)
    assert isinstance(found, Description)
    # 13 triples about the figure; 3 pointing at it (the derived 2021 volume's
    # prov:wasDerivedFrom, statement-p4-s3's kzeu:reports, claim-p4-s4's kzeu:claimObject);
    # 14 for the sentence's evidence (annotation 3, sentence 4, position selector 3, quote
    # selector 4) and 15 for the attribution span's
    # evidence ("reported Vassilenko": annotation 4 with kzeu:supportsProperty, span 4,
    # position selector 3, quote selector 4): 13 + 3 + 14 + 15 = 45.
    assert len(found) == 45
    assert "kzr:figure-eu-trade-volume-2022" in found.serialize(format="turtle")
    lines = repr(found).splitlines()
    assert lines[:3] == [
        "<Description of kzr:figure-eu-trade-volume-2022: 45 triple(s)>",
        "  EU–Kazakhstan trade volume in 2022",
        "  dcterms:temporal: kzr:year-2022",
    ]
    assert lines[-2:] == [
        '  supported by [808:900] "In 2022, the volume of trade exceeded the 2021 figure by '
        '27.6 percent, reaching $40 billion."',
        '  supported by [1014:1033] "reported Vassilenko"',
    ]
    page = found._repr_html_()
    assert page.startswith("<h4>EU–Kazakhstan trade volume in 2022</h4>")
    assert "<tr><th>schema:value</th><td>40000000000</td></tr>" in page
    assert "<blockquote>In 2022, the volume of trade" in page
    assert "characters 808–900" in page
    assert isinstance(found + found, Graph)


@pytest.mark.parametrize("spec", ["memory", "oxigraph:memory"])
def test_engines_are_context_managers(spec: str) -> None:
    with open_engine(spec) as engine:
        assert run_query(engine, "figures").rows
    if spec == "oxigraph:memory":
        assert not hasattr(engine, "store")  # closed on leaving the block


def test_a_persistent_store_is_flushed_and_closed(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    with open_store(f"oxigraph:{folder}") as engine:
        engine.load_ntriples(b"<http://e/a> <http://e/p> <http://e/b> .\n")
    with open_store(f"oxigraph:{folder}") as again:
        assert again.triple_count() == 1
