"""A timeline picture (SVG, or PNG) of the events and dated figures, from a saved query's rows.

Dates keep their precision: a day is a point (a diamond), a month a bar one month long, a
year a bar one year long; a figure's bar covers its whole period. How a date was obtained
(its ``kzeu:dateBasis``) sets the fill: stated dates are solid, dates resolved from the
article's own date are striped, derived (computed) dates are dotted. Whether an event had
happened sets the outline: solid for happened, dashed for expected. Long empty stretches
of years are cut out of the axis (drawn as a break), so 1993 and 2020-2023 both stay
readable. PNG is the same SVG rasterised by CairoSVG (the ``png`` extra).
"""

from __future__ import annotations

import calendar
import datetime as dt
import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rdflib import Graph

if TYPE_CHECKING:
    from kzeu_graph.engines import Engine

from kzeu_graph.errors import KzeuError
from kzeu_graph.rdf.prefixes import PREFIX_IRIS

__all__ = ["BASES", "QUERY", "TimelineItem", "timeline_items", "timeline_png", "timeline_svg"]

QUERY = "timeline-chart"
PRECISIONS = ("day", "month", "year")
# kzv: date-basis concept -> the short name used in classes, fills and the legend
KZV_IRI = PREFIX_IRIS["kzv"]
BASES = {
    f"{KZV_IRI}stated": "stated",
    f"{KZV_IRI}resolved-from-article-date": "resolved",
    f"{KZV_IRI}derived": "derived",
}
_BASIS_QUERY = """SELECT ?item ?basis WHERE {
  { ?item time:hasTime ?instant . ?instant kzeu:dateBasis ?basis }
  UNION
  { ?item a kzeu:Figure ; dcterms:temporal ?period . ?period kzeu:dateBasis ?basis }
}"""
_MONTHS = [calendar.month_abbr[m] for m in range(13)]


@dataclass(frozen=True)
class TimelineItem:
    """One row of the picture: an event or a figure, and the span of time it occupies."""

    iri: str
    kind: str  # "event" or "figure"
    label: str
    status: str | None  # "happened" / "expected" for events
    start: dt.date | None  # first day of the span
    end: dt.date | None  # first day after the span (equal to start for a day: a point)
    start_precision: str | None
    end_precision: str | None
    stated_as: str | None
    basis: str | None = None  # "stated", "resolved" or "derived" (see BASES)

    @property
    def dated(self) -> bool:
        return self.start is not None and self.end is not None

    @property
    def is_point(self) -> bool:
        return self.dated and self.start_precision == "day" and self.start == self.end

    def date_text(self) -> str:
        """The date as the graph knows it: ``1993``, ``Oct 2022``, ``10 Mar 2023``, ``Jan–Sep 2022``."""
        if self.start is None or self.end is None:
            return "no date given"
        first = _date_text(self.start, self.start_precision)
        last_day = self.end - dt.timedelta(days=1) if self.end > self.start else self.end
        last = _date_text(last_day, self.end_precision)
        if first == last:
            return first
        if (
            self.start_precision == self.end_precision == "month"
            and self.start.year == last_day.year
        ):
            return f"{_MONTHS[self.start.month]}–{_MONTHS[last_day.month]} {last_day.year}"
        return f"{first} – {last}"


def _date_text(day: dt.date, precision: str | None) -> str:
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{_MONTHS[day.month]} {day.year}"
    return f"{day.day} {_MONTHS[day.month]} {day.year}"


def _span(lexical: str, precision: str, item: str) -> tuple[dt.date, dt.date]:
    """First day of the date, and the first day after it, at its precision."""
    try:
        if precision == "year":
            year = int(lexical[:4]) if len(lexical) == 4 else int("x")
            return dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
        if precision == "month":
            year, month = (int(part) for part in lexical.split("-"))
            first = dt.date(year, month, 1)
            return first, dt.date(year + (month == 12), month % 12 + 1, 1)
        if precision == "day":
            day = dt.date.fromisoformat(lexical[:10])
            return day, day + dt.timedelta(days=1)
    except ValueError:
        pass
    raise KzeuError(f"<{item}>: cannot read the date {lexical!r} at {precision!r} precision")


def timeline_items(graph: Graph) -> list[TimelineItem]:
    """The rows of the saved query ``timeline-chart``, as items with spans of days."""
    from kzeu_graph.sparql.run import run_query, run_sparql

    bases: dict[str, str] = {}
    for found in run_sparql(graph, _BASIS_QUERY).rows:
        basis = BASES.get(str(found["basis"]))
        if basis is not None:
            bases[str(found["item"])] = basis
    items = []
    for row in run_query(graph, QUERY).rows:
        iri = str(row["item"])
        start = row.get("start")
        end = row.get("end")
        start_precision = str(row["startPrecision"]) if row.get("startPrecision") else None
        end_precision = str(row["endPrecision"]) if row.get("endPrecision") else None
        first = last = None
        if start is not None and end is not None:
            for precision in (start_precision, end_precision):
                if precision not in PRECISIONS:
                    raise KzeuError(f"<{iri}>: unknown date precision {precision!r}")
            assert start_precision is not None
            assert end_precision is not None
            first, _ = _span(str(start), start_precision, iri)
            _, last = _span(str(end), end_precision, iri)
            if start_precision == end_precision == "day" and str(start) == str(end):
                last = first  # one day: a point
        status = row.get("statusLabel")
        stated = row.get("statedAs")
        items.append(
            TimelineItem(
                iri=iri,
                kind=str(row["kind"]),
                label=str(row["label"]),
                status=str(status) if status is not None else None,
                start=first,
                end=last,
                start_precision=start_precision,
                end_precision=end_precision,
                stated_as=str(stated) if stated is not None else None,
                basis=bases.get(iri),
            )
        )
    return items


# ------------------------------------------------------------------ drawing

FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"
EVENT_COLOUR = "#2f6bad"
FIGURE_COLOUR = "#c2701f"
OUTLINE = {EVENT_COLOUR: "#173a61", FIGURE_COLOUR: "#6e3c0c"}  # darker, so dashes show
YEAR_WIDTH = 120  # pixels per year on the axis
BREAK_WIDTH = 34  # pixels for a cut-out stretch of years
LEGEND_CHAR = 6.4  # average width of an 11-pixel character, for the legend
LABEL_CHAR = 6.9  # average width of a 12-pixel DejaVu Sans character, for the label column
ROW = 26
BAR = 14
MARGIN = 20


@dataclass(frozen=True)
class _Segment:
    first: int  # first year shown
    last: int  # last year shown
    x: float  # left edge


def _segments(items: Sequence[TimelineItem], x0: float) -> list[_Segment]:
    """Runs of years to draw; gaps of two or more empty years become a break."""
    years: set[int] = set()
    for item in items:
        if item.start is not None and item.end is not None:
            last_day = max(item.start, item.end - dt.timedelta(days=1))
            years.update(range(item.start.year, last_day.year + 1))
    if not years:
        return []
    runs: list[list[int]] = []
    for year in sorted(years):
        if runs and year - runs[-1][1] <= 2:
            runs[-1][1] = year
        else:
            runs.append([year, year])
    segments = []
    x = x0
    for first, last in runs:
        segments.append(_Segment(first, last, x))
        x += (last - first + 1) * YEAR_WIDTH + BREAK_WIDTH
    return segments


def _x(segments: Sequence[_Segment], day: dt.date) -> float:
    for seg in segments:
        if seg.first <= day.year <= seg.last:
            days = 366 if calendar.isleap(day.year) else 365
            fraction = (day.timetuple().tm_yday - 1) / days
            return seg.x + (day.year - seg.first + fraction) * YEAR_WIDTH
        if day == dt.date(seg.last + 1, 1, 1):  # the end of the segment's last year
            return seg.x + (seg.last - seg.first + 1) * YEAR_WIDTH
    raise KzeuError(f"date {day} is outside the timeline's axis")


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _num(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def _fill(colour: str, basis: str | None) -> str:
    """Solid for a stated date, stripes for a resolved one, dots for a derived one."""
    name = "figure" if colour == FIGURE_COLOUR else "event"
    if basis == "resolved":
        return f"url(#resolved-{name})"
    if basis == "derived":
        return f"url(#derived-{name})"
    return colour


def _patterns() -> str:
    """The SVG fill patterns for resolved (stripes) and derived (dots) dates."""
    out = ["<defs>"]
    for name, colour in (("event", EVENT_COLOUR), ("figure", FIGURE_COLOUR)):
        out.append(
            f'<pattern id="resolved-{name}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<rect width="3" height="6" fill="{colour}"/></pattern>'
        )
        out.append(
            f'<pattern id="derived-{name}" width="5" height="5" patternUnits="userSpaceOnUse">'
            f'<rect width="5" height="5" fill="#ffffff"/>'
            f'<circle cx="2.5" cy="2.5" r="1.2" fill="{colour}"/></pattern>'
        )
    out.append("</defs>")
    return "\n".join(out)


def _marker(item: TimelineItem, segments: Sequence[_Segment], y: float) -> str:
    assert item.start is not None
    assert item.end is not None
    expected = item.status == "expected"
    colour = FIGURE_COLOUR if item.kind == "figure" else EVENT_COLOUR
    dash = ' stroke-dasharray="5 3"' if expected else ""
    style = f'fill="{_fill(colour, item.basis)}" stroke="{OUTLINE[colour]}" stroke-width="2"{dash}'
    status = "expected" if expected else ("happened" if item.kind == "event" else "stated")
    classes = f"marker {item.kind} {status} basis-{item.basis or 'unknown'}"
    basis = f" ({item.basis} date)" if item.basis in ("resolved", "derived") else ""
    title = f"<title>{_e(item.label)}: {_e(item.date_text())}{basis}</title>"
    attributes = f'class="{classes}" data-item="{_e(item.iri)}" {style}'
    if item.is_point:
        cx = _x(segments, item.start)
        r = BAR / 2 + 1
        points = f"{_num(cx)},{_num(y - r)} {_num(cx + r)},{_num(y)} {_num(cx)},{_num(y + r)} {_num(cx - r)},{_num(y)}"
        return f'<polygon {attributes} points="{points}">{title}</polygon>'
    x1 = _x(segments, item.start)
    x2 = _x(segments, item.end)
    return (
        f'<rect {attributes} x="{_num(x1)}" y="{_num(y - BAR / 2)}" '
        f'width="{_num(x2 - x1)}" height="{BAR}" rx="2">{title}</rect>'
    )


def timeline_svg(items: Sequence[TimelineItem], title: str | None = None) -> str:
    """The picture as SVG text: one row per item, events first, then figures."""
    title = title or "Events and dated figures in the article, at the precision it gives"
    longest = max((len(item.label) for item in items), default=20)
    x0 = MARGIN + 12 + round(longest * LABEL_CHAR) + 16
    segments = _segments(items, x0)
    axis_end = (
        segments[-1].x + (segments[-1].last - segments[-1].first + 1) * YEAR_WIDTH
        if segments
        else x0 + YEAR_WIDTH
    )
    width = max(axis_end + 170, MARGIN + 900)  # room for the date text and the legend
    events = [i for i in items if i.kind == "event"]
    figures = [i for i in items if i.kind == "figure"]
    top = 92
    body: list[str] = []
    y = top
    rows_top = y - ROW / 2

    def heading(text: str) -> None:
        nonlocal y
        body.append(
            f'<text x="{MARGIN}" y="{_num(y + 4)}" font-weight="bold" font-size="13">{_e(text)}</text>'
        )
        y += ROW

    def row(item: TimelineItem) -> None:
        nonlocal y
        body.append(
            f'<text class="label" x="{MARGIN + 12}" y="{_num(y + 4)}" font-size="12">'
            f"{_e(item.label)}</text>"
        )
        if item.dated:
            body.append(_marker(item, segments, y))
            assert item.end is not None
            note = item.date_text()
            if item.basis in ("resolved", "derived"):
                note += f" ({item.basis})"
            if item.stated_as:
                note += f" · “{item.stated_as}”"
            end_x = _x(segments, item.end) + (BAR / 2 + 6 if item.is_point else 6)
            body.append(
                f'<text class="date" x="{_num(end_x)}" y="{_num(y + 4)}" font-size="11" '
                f'fill="#333333">{_e(note)}</text>'
            )
        else:
            body.append(
                f'<text class="undated" x="{_num(x0 + 4)}" y="{_num(y + 4)}" font-size="11" '
                f'font-style="italic" fill="#777777">{_e(item.date_text())}</text>'
            )
        y += ROW

    if events:
        heading("Events")
        for item in events:
            row(item)
    if figures:
        heading("Figures (the period each covers)")
        for item in figures:
            row(item)
    rows_bottom = y - ROW / 2

    # the axis: year bands, month ticks, year labels, breaks
    grid: list[str] = []
    axis_y = top - 30
    for seg in segments:
        for year in range(seg.first, seg.last + 1):
            x = seg.x + (year - seg.first) * YEAR_WIDTH
            shade = "#f4f6f9" if year % 2 else "#ffffff"
            grid.append(
                f'<rect x="{_num(x)}" y="{_num(rows_top)}" width="{YEAR_WIDTH}" '
                f'height="{_num(rows_bottom - rows_top)}" fill="{shade}"/>'
            )
            grid.append(
                f'<line x1="{_num(x)}" y1="{_num(axis_y)}" x2="{_num(x)}" y2="{_num(rows_bottom)}" '
                f'stroke="#c8ced6" stroke-width="1"/>'
            )
            grid.append(
                f'<text x="{_num(x + YEAR_WIDTH / 2)}" y="{_num(axis_y - 8)}" font-size="12" '
                f'text-anchor="middle">{year}</text>'
            )
            for month in range(2, 13):
                mx = _x(segments, dt.date(year, month, 1))
                grid.append(
                    f'<line x1="{_num(mx)}" y1="{_num(axis_y)}" x2="{_num(mx)}" '
                    f'y2="{_num(axis_y + 4)}" stroke="#9aa3ad" stroke-width="1"/>'
                )
        end = seg.x + (seg.last - seg.first + 1) * YEAR_WIDTH
        grid.append(
            f'<line x1="{_num(seg.x)}" y1="{_num(axis_y)}" x2="{_num(end)}" y2="{_num(axis_y)}" '
            f'stroke="#59626c" stroke-width="1.5"/>'
        )
        grid.append(
            f'<line x1="{_num(end)}" y1="{_num(axis_y)}" x2="{_num(end)}" y2="{_num(rows_bottom)}" '
            f'stroke="#c8ced6" stroke-width="1"/>'
        )
    for left, right in itertools.pairwise(segments):
        mid = right.x - BREAK_WIDTH / 2
        grid.append(
            f'<path class="axis-break" d="M {_num(mid - 6)} {_num(axis_y + 6)} L {_num(mid - 2)} '
            f"{_num(axis_y - 6)} M {_num(mid + 2)} {_num(axis_y + 6)} L {_num(mid + 6)} "
            f'{_num(axis_y - 6)}" stroke="#59626c" stroke-width="1.5" fill="none"/>'
        )
        skipped = f"{left.last + 1}–{right.first - 1}"
        grid.append(
            f'<text x="{_num(mid)}" y="{_num(axis_y + 18)}" font-size="9" fill="#777777" '
            f'text-anchor="middle">{_e(skipped)}</text>'
        )

    # the legend: date basis (fill), status (outline), kind (colour), a day (diamond)
    ly = rows_bottom + 34
    outline = f'stroke="{OUTLINE[EVENT_COLOUR]}" stroke-width="2"'
    legend = ['<g class="legend" font-size="11">']
    lines = [
        (
            "Date:",
            [
                ("stated", f'fill="{EVENT_COLOUR}" {outline}', "stated by the article"),
                (
                    "resolved",
                    f'fill="url(#resolved-event)" {outline}',
                    "resolved from the article's date (“this year”, “in October”)",
                ),
                (
                    "derived",
                    f'fill="url(#derived-event)" {outline}',
                    "derived: computed, not stated",
                ),
            ],
        ),
        (
            "Event:",
            [
                ("happened", f'fill="#ffffff" {outline}', "happened (solid outline)"),
                (
                    "expected",
                    f'fill="#ffffff" {outline} stroke-dasharray="5 3"',
                    "expected at the time of the article (dashed outline)",
                ),
                ("figure", f'fill="{FIGURE_COLOUR}"', "period a figure covers"),
            ],
        ),
    ]
    for number, (heading_text, entries) in enumerate(lines):
        y0 = ly + number * 26
        legend.append(
            f'<text x="{MARGIN}" y="{_num(y0 + 4)}" font-weight="bold">{_e(heading_text)}</text>'
        )
        x = MARGIN + 48.0
        for name, style, text in entries:
            legend.append(
                f'<rect class="legend-{name}" x="{_num(x)}" y="{_num(y0 - 7)}" width="24" '
                f'height="{BAR}" {style}/>'
            )
            legend.append(f'<text x="{_num(x + 30)}" y="{_num(y0 + 4)}">{_e(text)}</text>')
            x += 30 + len(text) * LEGEND_CHAR + 24
    day_y = ly + 26
    legend += [
        f'<polygon points="{_num(x + 8)},{_num(day_y - 8)} {_num(x + 16)},{_num(day_y)} '
        f'{_num(x + 8)},{_num(day_y + 8)} {_num(x)},{_num(day_y)}" fill="{EVENT_COLOUR}"/>',
        f'<text x="{_num(x + 24)}" y="{_num(day_y + 4)}">a day</text>',
        f'<text x="{MARGIN}" y="{_num(ly + 52)}" fill="#555555">A bar spans the whole month or '
        f"year when the article gives only a month or a year; the axis skips empty years.</text>",
        "</g>",
    ]
    height = ly + 70
    header = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_num(width)}" height="{_num(height)}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" font-family="{FONT}" role="img">',
        f"<title>{_e(title)}</title>",
        "<desc>Generated from the graph by kzeu-graph timeline (saved query "
        f"{QUERY}); do not edit by hand.</desc>",
        f'<rect width="{_num(width)}" height="{_num(height)}" fill="#ffffff"/>',
        _patterns(),
        f'<text x="{MARGIN}" y="28" font-size="15" font-weight="bold">{_e(title)}</text>',
    ]
    return "\n".join([*header, *grid, *body, *legend, "</svg>", ""])


def timeline(graph: Graph | Engine | None = None) -> str:
    """The timeline picture of ``graph`` (default: the shipped graph; or any store, handed
    over by :func:`kzeu_graph.engines.to_graph`) as SVG text."""
    from kzeu_graph.engines import to_graph
    from kzeu_graph.loading.graph import load_graph

    return timeline_svg(timeline_items(load_graph() if graph is None else to_graph(graph)))


def timeline_png(svg: str, scale: float = 2.0) -> bytes:
    """The SVG picture rasterised to PNG (``scale`` times its size) by CairoSVG.

    Needs the ``png`` extra (CairoSVG, and the Cairo library it loads); a KzeuError
    says how to install it when it is missing.
    """
    try:
        import cairosvg
    except (ImportError, OSError):
        raise KzeuError(
            "writing PNG needs CairoSVG and the Cairo library: pip install 'kzeu-graph[png]' "
            "(or write SVG)"
        ) from None
    png: bytes = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=scale)
    return png
