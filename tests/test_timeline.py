"""The timeline picture: one marker per dated event and figure, at the precision of its date.

Expected numbers, read off the article: 9 events, 8 of them dated (Brexit has no date); 2
expected ("the 30th anniversary ... approached this year", von der Leyen "is now expected
to visit this year"), 6 dated ones happened; one date is a day ("March 10"), three are
months ("March 2020", "in October", "in November"), four are years (1993, "Last year",
"this year" twice). Four figures have a period: two for 2022, two for January–September
2022.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import os
import struct
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import TIME

from conftest import copy_graph
from kzeu_graph.cli.commands import main
from kzeu_graph.errors import KzeuError
from kzeu_graph.loading.graph import load_graph
from kzeu_graph.publish.timeline import TimelineItem, timeline, timeline_items, timeline_svg
from kzeu_graph.rdf.namespaces import KZR
from paths import ROOT

SVG = ROOT / "docs" / "timeline.svg"
NS = "{http://www.w3.org/2000/svg}"

EVENTS = {  # label -> (status, precision of its date or None)
    "Establishment of diplomatic relations between the EU and Kazakhstan": ("happened", "year"),
    "Entry into full force of the EPCA": ("happened", "month"),
    "Kazakhstan's launch of cooperation in new areas": ("happened", "year"),
    "Visit of Charles Michel to Astana": ("happened", "month"),
    "Visit of Josep Borrell": ("happened", "month"),
    "30th anniversary of the establishment of diplomatic relations": ("expected", "year"),
    "Expected visit of Ursula von der Leyen": ("expected", "year"),
    "Central Communications Service briefing of March 10": ("happened", "day"),
    "Britain's exit from the EU": ("happened", None),
}
FIGURES = {
    "EU–Kazakhstan trade volume in 2022": "2022",
    "Growth of EU–Kazakhstan trade volume in 2022 over 2021": "2022",
    "Inflow of European investment, first nine months of 2022": "Jan–Sep 2022",
    "Growth of the inflow of European investment, first nine months of 2022": "Jan–Sep 2022",
}


@pytest.fixture(scope="module")
def graph() -> Graph:
    return load_graph()


@pytest.fixture(scope="module")
def items(graph: Graph) -> list[TimelineItem]:
    return timeline_items(graph)


@pytest.fixture(scope="module")
def svg() -> ET.Element:
    return ET.fromstring(SVG.read_text(encoding="utf-8"))


def markers(root: ET.Element) -> list[ET.Element]:
    return [e for e in root.iter() if "marker" in (e.get("class") or "").split()]


def marker_title(element: ET.Element) -> str:
    return str(element.findtext(f"{NS}title"))


def by_label(root: ET.Element) -> dict[str, ET.Element]:
    return {marker_title(m).rsplit(": ", 1)[0]: m for m in markers(root)}


# ------------------------------------------------------------------ the rows


def test_items_from_the_saved_query(items: list[TimelineItem]) -> None:
    events = [i for i in items if i.kind == "event"]
    figures = [i for i in items if i.kind == "figure"]
    assert {i.label: (i.status, i.start_precision) for i in events} == EVENTS
    assert len(events) == 9
    assert len([i for i in events if i.dated]) == 8
    assert len([i for i in events if i.status == "expected"]) == 2
    assert {i.label: i.date_text() for i in figures} == FIGURES


def test_spans_follow_the_precision(items: list[TimelineItem]) -> None:
    found = {i.label: (i.start, i.end) for i in items}
    # a year is the whole year, a month the whole month, a day a point
    assert found["Establishment of diplomatic relations between the EU and Kazakhstan"] == (
        dt.date(1993, 1, 1), dt.date(1994, 1, 1))  # fmt: skip
    assert found["Visit of Josep Borrell"] == (dt.date(2022, 11, 1), dt.date(2022, 12, 1))
    assert found["Central Communications Service briefing of March 10"] == (
        dt.date(2023, 3, 10), dt.date(2023, 3, 10))  # fmt: skip
    assert found["Inflow of European investment, first nine months of 2022"] == (
        dt.date(2022, 1, 1), dt.date(2022, 10, 1))  # fmt: skip
    assert found["Britain's exit from the EU"] == (None, None)


# ------------------------------------------------------------------ the picture


def test_committed_picture_is_fresh(tmp_path: Path) -> None:
    out = tmp_path / "timeline.svg"
    result = CliRunner().invoke(main, ["timeline", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == SVG.read_bytes(), (
        "docs/timeline.svg is stale: run `make docs` (or kzeu-graph timeline -o docs/timeline.svg)"
    )
    assert [p.name for p in tmp_path.iterdir()] == ["timeline.svg"]


def test_one_marker_per_dated_event_and_figure(svg: ET.Element) -> None:
    found = markers(svg)
    assert len(found) == 8 + 4
    labels = set(by_label(svg))
    assert labels == {k for k, v in EVENTS.items() if v[1]} | set(FIGURES)
    classes = [tuple(m.get("class", "").split()[1:3]) for m in found]
    assert classes.count(("event", "happened")) == 6
    assert classes.count(("event", "expected")) == 2
    assert classes.count(("figure", "stated")) == 4
    # the undated event is listed, with no marker
    texts = {t.text for t in svg.iter(f"{NS}text")}
    assert "Britain's exit from the EU" in texts
    assert "no date given" in texts


def test_happened_and_expected_look_different(svg: ET.Element) -> None:
    """The outline says whether an event happened: solid, or dashed when expected."""
    dashes: dict[str, set[str | None]] = {}
    for m in markers(svg):
        status = m.get("class", "").split()[2]
        dashes.setdefault(status, set()).add(m.get("stroke-dasharray"))
    assert dashes["happened"] == {None}
    assert dashes["stated"] == {None}
    assert dashes["expected"] == {"5 3"}


# how each date was obtained, read off data/kzeu.ttl (kzeu:dateBasis of each instant/period)
BASES = {
    "Establishment of diplomatic relations between the EU and Kazakhstan": "derived",
    "Entry into full force of the EPCA": "stated",
    "Kazakhstan's launch of cooperation in new areas": "resolved",
    "Visit of Charles Michel to Astana": "resolved",
    "Visit of Josep Borrell": "resolved",
    "30th anniversary of the establishment of diplomatic relations": "resolved",
    "Expected visit of Ursula von der Leyen": "resolved",
    "Central Communications Service briefing of March 10": "resolved",
    "EU–Kazakhstan trade volume in 2022": "stated",
    "Growth of EU–Kazakhstan trade volume in 2022 over 2021": "stated",
    "Inflow of European investment, first nine months of 2022": "stated",
    "Growth of the inflow of European investment, first nine months of 2022": "stated",
}
FILLS = {  # the fill of each date basis, per kind
    ("event", "stated"): "#2f6bad",
    ("event", "resolved"): "url(#resolved-event)",
    ("event", "derived"): "url(#derived-event)",
    ("figure", "stated"): "#c2701f",
}


def test_items_know_their_date_basis(items: list[TimelineItem]) -> None:
    assert {i.label: i.basis for i in items if i.dated} == BASES


@pytest.mark.parametrize(("label", "basis"), sorted(BASES.items()))
def test_stated_resolved_and_derived_dates_look_different(
    svg: ET.Element, label: str, basis: str
) -> None:
    marker = by_label(svg)[label]
    kind = marker.get("class", "").split()[1]
    assert f"basis-{basis}" in marker.get("class", "").split()
    assert marker.get("fill") == FILLS[(kind, basis)]
    title = marker_title(marker)
    assert title.endswith(f"({basis} date)") == (basis != "stated")


def test_the_legend_explains_every_style(svg: ET.Element) -> None:
    legend = next(g for g in svg.iter(f"{NS}g") if g.get("class") == "legend")
    swatches = {r.get("class"): r for r in legend.iter(f"{NS}rect") if r.get("class")}
    assert swatches["legend-stated"].get("fill") == FILLS[("event", "stated")]
    assert swatches["legend-resolved"].get("fill") == FILLS[("event", "resolved")]
    assert swatches["legend-derived"].get("fill") == FILLS[("event", "derived")]
    assert swatches["legend-expected"].get("stroke-dasharray") == "5 3"
    assert swatches["legend-happened"].get("stroke-dasharray") is None
    texts = [t.text for t in legend.iter(f"{NS}text")]
    assert "derived: computed, not stated" in texts
    # the patterns the fills name are defined
    ids = {p.get("id") for p in svg.iter(f"{NS}pattern")}
    assert ids == {"resolved-event", "derived-event", "resolved-figure", "derived-figure"}


def test_the_derived_date_says_so_beside_its_bar(svg: ET.Element) -> None:
    texts = {t.text for t in svg.iter(f"{NS}text")}
    assert "1993 (derived)" in texts
    assert "Mar 2020" in texts  # stated: no note


def test_markers_have_the_width_of_their_precision(svg: ET.Element) -> None:
    found = by_label(svg)

    def extent(label: str) -> tuple[float, float]:
        m = found[label]
        assert m.tag == f"{NS}rect", label
        x, w = float(m.get("x", "0")), float(m.get("width", "0"))
        return x, x + w

    year_1993 = extent("Establishment of diplomatic relations between the EU and Kazakhstan")
    year_2022 = extent("Kazakhstan's launch of cooperation in new areas")
    year_2023 = extent("Expected visit of Ursula von der Leyen")
    march_2020 = extent("Entry into full force of the EPCA")
    october = extent("Visit of Charles Michel to Astana")
    november = extent("Visit of Josep Borrell")
    nine_months = extent("Inflow of European investment, first nine months of 2022")
    width = year_1993[1] - year_1993[0]
    assert year_2022[1] - year_2022[0] == pytest.approx(width)
    # a month is a twelfth of a year (to within the days of the month)
    for month in (march_2020, october, november):
        assert month[1] - month[0] == pytest.approx(width / 12, rel=0.1)
    assert nine_months[1] - nine_months[0] == pytest.approx(width * 9 / 12, rel=0.02)
    # January–September starts with 2022; October follows September; November follows
    # October (coordinates are written to 0.1 pixel)
    assert nine_months[0] == pytest.approx(year_2022[0], abs=0.15)
    assert nine_months[1] == pytest.approx(october[0], abs=0.15)
    assert october[1] == pytest.approx(november[0], abs=0.15)
    assert year_2022[1] == pytest.approx(year_2023[0], abs=0.15)
    # the day is a point (a diamond) inside 2023, after the month of the EPCA
    day = found["Central Communications Service briefing of March 10"]
    assert day.tag == f"{NS}polygon"
    xs = [float(p.split(",")[0]) for p in str(day.get("points")).split()]
    assert year_2023[0] < sum(xs) / len(xs) < year_2023[0] + width * 3 / 12
    # the years 1994–2019 are cut out: 1993 ends well before 2020 would start at that scale
    assert march_2020[0] - year_1993[1] < width


def test_labels_are_escaped() -> None:
    item = TimelineItem(
        iri="https://w3id.org/kzeu/id/x?a=1&b=<2>",
        kind="event",
        label='Talks <on> "trade" & more',
        status="happened",
        start=dt.date(2020, 5, 1),
        end=dt.date(2020, 6, 1),
        start_precision="month",
        end_precision="month",
        stated_as=None,
    )
    root = ET.fromstring(timeline_svg([item]))
    assert marker_title(markers(root)[0]) == 'Talks <on> "trade" & more: May 2020'
    assert markers(root)[0].get("data-item") == item.iri


def test_a_date_that_does_not_fit_its_precision_is_refused(graph: Graph) -> None:
    broken = copy_graph(graph)
    instant = KZR["date-visit-josep-borrell"]
    broken.remove((instant, TIME.inXSDgYearMonth, None))
    broken.add((instant, TIME.inXSDgYearMonth, Literal("2022-13")))
    with pytest.raises(KzeuError, match="cannot read the date '2022-13' at 'month' precision"):
        timeline_items(broken)


@pytest.mark.parametrize("name", ["t.jpg", "t", "t.svg.txt"])
def test_cli_refuses_an_unknown_picture_format(tmp_path: Path, name: str) -> None:
    result = CliRunner().invoke(main, ["timeline", "-o", str(tmp_path / name)])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        f"kzeu-graph: error: {tmp_path / name}: give a .svg or .png file (or --format svg|png)\n"
    )
    assert not list(tmp_path.iterdir())


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "args", [["-o", "t.png"], ["-o", "t.PNG"], ["-o", "picture", "--format", "png"]]
)
def test_cli_writes_png(tmp_path: Path, args: list[str]) -> None:
    if importlib.util.find_spec("cairosvg") is None and not os.environ.get("CI"):
        pytest.skip("cairosvg (the png extra) is not installed")
    args = [str(tmp_path / a) if i == 1 else a for i, a in enumerate(args)]
    result = CliRunner().invoke(main, ["timeline", *args])
    assert result.exit_code == 0, result.output
    data = Path(args[1]).read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])  # the IHDR chunk
    root = ET.fromstring(SVG.read_text(encoding="utf-8"))
    assert (width, height) == (
        round(float(root.get("width", 0)) * 2),
        round(float(root.get("height", 0)) * 2),
    )


def test_png_without_cairosvg_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "cairosvg", None)  # import cairosvg -> ImportError
    result = CliRunner().invoke(main, ["timeline", "-o", str(tmp_path / "t.png")])
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == (
        "kzeu-graph: error: writing PNG needs CairoSVG and the Cairo library: "
        "pip install 'kzeu-graph[png]' (or write SVG)\n"
    )
    assert not list(tmp_path.iterdir())


def test_png_to_standard_output_is_refused() -> None:
    result = CliRunner().invoke(main, ["timeline", "--format", "png"])
    assert result.exit_code == 2
    assert "PNG is written to a file: give -o FILE.png" in result.stderr


def test_cli_prints_svg_without_output_file() -> None:
    result = CliRunner().invoke(main, ["timeline"])
    assert result.exit_code == 0
    assert result.stdout == SVG.read_text(encoding="utf-8") == timeline()
