"""docs/notebooks/researcher-tour.ipynb runs top to bottom in a real Jupyter kernel, and says
what the graph says (numbers worked out from the article, not copied from a run)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

NOTEBOOK = Path(__file__).resolve().parents[1] / "docs" / "notebooks" / "researcher-tour.ipynb"
SRC = Path(__file__).resolve().parents[1] / "src"


def _needs(module: str) -> Any:
    if os.environ.get("CI"):
        return __import__(module)
    return pytest.importorskip(module)


@pytest.fixture(scope="module")
def outputs() -> dict[str, list[dict[str, Any]]]:
    nbformat = _needs("nbformat")
    nbclient = _needs("nbclient")
    _needs("ipykernel")
    _needs("matplotlib")
    _needs("pandas")
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    previous = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(SRC), previous]))
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    try:
        nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3").execute()
    finally:
        if previous is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = previous
    return {
        cell.metadata["tags"][0]: cell.outputs
        for cell in notebook.cells
        if cell.cell_type == "code"
    }


def text(outputs: list[dict[str, Any]]) -> str:
    parts = []
    for output in outputs:
        if output["output_type"] == "stream":
            parts.append(output["text"])
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


def html(outputs: list[dict[str, Any]]) -> str:
    return "".join(o["data"].get("text/html", "") for o in outputs if "data" in o)


def test_no_cell_fails(outputs: dict[str, list[dict[str, Any]]]) -> None:
    for tag, cell in outputs.items():
        assert not [o for o in cell if o["output_type"] == "error"], tag


def test_the_graph_loads(outputs: dict[str, list[dict[str, Any]]]) -> None:
    # the ontology, the restated axioms of reused terms and the data, read by plain rdflib
    from rdflib import Graph

    root = SRC.parent
    union = Graph()
    for part in ("ontology/kzeu.ttl", "ontology/reused-terms.ttl", "data/kzeu.ttl"):
        union.parse(root / part, format="turtle")
    assert text(outputs["load"]) == str(len(union))


def test_figures_show_as_a_linked_table(outputs: dict[str, list[dict[str, Any]]]) -> None:
    page = html(outputs["figures"])
    assert page.startswith('<table class="kzeu-result">')
    assert ">kzr:figure-eu-investment-stock</a>" in page
    assert page.endswith("<p>7 row(s)</p>")
    assert text(outputs["figures"]).startswith(
        "<Result select: 7 row(s) x 20 (figure, label, value, minValue,"
    )


def test_figures_frame_shows_the_lower_bound(outputs: dict[str, list[dict[str, Any]]]) -> None:
    # "exceeded $8 billion": no value, minValue 8000000000
    shown = html(outputs["figures-frame"])
    assert "<th>minValue</th>" in shown
    assert "<td>&lt;NA&gt;</td>\n      <td>8000000000</td>" in shown


def test_the_plot_is_drawn(outputs: dict[str, list[dict[str, Any]]]) -> None:
    images = [o for o in outputs["plot"] if "data" in o and "image/png" in o["data"]]
    assert len(images) == 1


def test_year_on_year_with_the_derived_base(outputs: dict[str, list[dict[str, Any]]]) -> None:
    shown = text(outputs["year-on-year"])
    # 40e9 / 1.276 = 31,347,962,382.4; 27.6 percent rounded puts it between 40e9 / 1.2765 =
    # 31,335,683,509.6 and 40e9 / 1.2755 = 31,360,250,882.0: 31.35 billion, bounds rounded
    # outwards to the million; integers, approximate
    for number in ("31350000000", "31335000000", "31361000000"):
        assert number in shown
    assert "approximately" in shown
    assert "e+10" not in shown


def test_visits_by_status(outputs: dict[str, list[dict[str, Any]]]) -> None:
    assert text(outputs["visits"]).splitlines() == [
        "happened  2022-10  Charles Michel",
        "happened  2022-11  Josep Borrell",
        "expected  2023     Ursula von der Leyen",
    ]


def test_what_one_person_said(outputs: dict[str, list[dict[str, Any]]]) -> None:
    first = text(outputs["person"]).splitlines()[0]
    assert first == "kzr:roman-vassilenko - Roman Vassilenko - 10 statements"


def test_one_fact_cited(outputs: dict[str, list[dict[str, Any]]]) -> None:
    lines = text(outputs["cite"]).rstrip().splitlines()
    assert lines[1] == (
        '"In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, '
        'reaching $40 billion." (characters 808-900)'
    )
    assert lines[-1].endswith("version 0.1.0, <https://w3id.org/kzeu/id/dataset>")


def test_describe_reads_well(outputs: dict[str, list[dict[str, Any]]]) -> None:
    assert html(outputs["describe"]).startswith(
        "<h4>EU–Kazakhstan trade volume in 2021 (derived)</h4>"
    )
