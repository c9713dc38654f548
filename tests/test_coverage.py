"""The coverage map (kzeu-graph coverage): which characters of the article support a fact.

Expected values are worked out from the article text by hand: what is left uncovered is
the dateline's dash, the quotation marks with the commas and full stops around the
attribution words, and nothing else.
"""

from __future__ import annotations

import json
import re
import string
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Graph

from kzeu_graph.cli.commands import main
from kzeu_graph.publish.coverage import article_text, coverage, coverage_html, sentence_bounds
from kzeu_graph.rdf.namespaces import KZR
from paths import ARTICLE_TEXT, DATA

ARTICLE = ARTICLE_TEXT.read_text(encoding="utf-8")

# Words that carry no fact on their own. Kept small and explicit: a content word left
# uncovered (a name, a number, a verb) is a claim the graph misses.
FUNCTION_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "the", "to", "with"}
PUNCTUATION = set(string.punctuation) | set("“”‘’–—…")


@pytest.fixture(scope="module")
def graph() -> Graph:
    return Graph().parse(DATA, format="turtle")


def only_function_words(text: str) -> bool:
    words = re.split(r"\s+", "".join(" " if c in PUNCTUATION else c for c in text).strip())
    return all(w.lower() in FUNCTION_WORDS for w in words if w)


def test_sentences_of_the_article() -> None:
    bounds = sentence_bounds(ARTICLE)
    # headline, 2 in p1+p2, 2 in p3, 5 in the quotation of p4, p5, p6, p7, p8, source line
    assert len(bounds) == 1 + 2 + 2 + 5 + 4 + 1
    assert ARTICLE[slice(*bounds[0])] == "Kazakhstan-EU Cooperation Developing in All Directions"
    assert ARTICLE[slice(*bounds[9])] == (
        "The dynamic growth continues this year as well,” reported Vassilenko."
    )
    assert ARTICLE[slice(*bounds[-1])] == "Source : astanatimes.com/2023/03/ For More Details"


def test_every_uncovered_stretch_is_punctuation_or_function_words(graph: Graph) -> None:
    cov = coverage(graph, ARTICLE, KZR.article, ARTICLE_TEXT.name)
    for stretch in cov.uncovered:
        assert only_function_words(stretch.text), stretch


def test_the_uncovered_stretches_worked_out_from_the_text(graph: Graph) -> None:
    cov = coverage(graph, ARTICLE, KZR.article, ARTICLE_TEXT.name)
    quote_p4 = ARTICLE.index("“In the first")
    quote_p8 = ARTICLE.index("“Last year")
    reported = ARTICLE.index(",” reported Vassilenko.")
    said = ARTICLE.index(",” said Vassilenko.")
    expected = [
        (ARTICLE.index(" – "), " – "),  # the dateline's dash ("ASTANA" is covered)
        (quote_p4, "“"),
        (reported, ",” "),
        (reported + len(",” reported Vassilenko"), "."),
        (quote_p8, "“"),
        (said, ",” "),
        (said + len(",” said Vassilenko"), "."),
    ]
    assert [(u.start, u.text) for u in cov.uncovered] == expected
    for u in cov.uncovered:
        assert ARTICLE[u.start : u.end] == u.text
    non_space = sum(not c.isspace() for c in ARTICLE)
    uncovered = sum(not c.isspace() for _, text in expected for c in text)
    assert (cov.characters, cov.covered) == (non_space, non_space - uncovered)
    assert cov.covered == cov.characters - 9  # –, 2 × “, 2 × ,”, 2 × .


def test_the_old_data_left_claims_uncovered(graph: Graph) -> None:
    """Without the headline, dateline, attribution and source-line spans, content words
    are uncovered: the function-word test fails."""
    old = Graph()
    spans = {KZR[f"words-{n}"] for n in ("headline", "dateline", "source-line")} | {
        KZR[f"words-attribution-{p}"] for p in ("p1", "p2", "p4", "p5", "p6", "p8")
    }
    for triple in graph:
        if triple[2] not in spans:
            old.add(triple)
    cov = coverage(old, ARTICLE, KZR.article)
    texts = [u.text for u in cov.uncovered]
    assert "Kazakhstan-EU Cooperation Developing in All Directions" in texts
    assert ",” reported Vassilenko." in texts
    assert not all(only_function_words(t) for t in texts)


def test_per_sentence_percentages(graph: Graph) -> None:
    cov = coverage(graph, ARTICLE, KZR.article)
    by_start = {s.start: s for s in cov.sentences}
    # "The dynamic growth ... as well,” reported Vassilenko.": 3 of its non-space
    # characters (, ” .) are punctuation outside both spans
    growth = by_start[ARTICLE.index("The dynamic growth")]
    assert growth.characters - growth.covered == 3
    headline = by_start[0]
    assert headline.percent == 100.0


def test_article_text_errors(graph: Graph, tmp_path: Path) -> None:
    from kzeu_graph.errors import InputError

    with pytest.raises(InputError, match="not found"):
        article_text(graph, [tmp_path])
    with pytest.raises(InputError, match="not a schema:NewsArticle"):
        article_text(graph, [ARTICLE_TEXT.parent], KZR.nothing)


def test_html_links_every_covered_stretch_to_a_span(graph: Graph) -> None:
    cov = coverage(graph, ARTICLE, KZR.article, ARTICLE_TEXT.name)
    html = coverage_html(cov)
    anchors = set(re.findall(r'<li id="(span-\d+)"', html))
    assert len(anchors) == len(cov.spans) == 38
    assert set(re.findall(r'href="#(span-\d+)"', html)) <= anchors
    assert re.search(r'<span class="uncovered">\s*“</span>', html)
    assert "/static/style.css" in html
    assert 'href="/id/statement-p4-s1"' in html  # the facts are linked to their pages


@pytest.mark.parametrize("fmt", ["text", "json", "html"])
def test_cli_formats(fmt: str, tmp_path: Path) -> None:
    out = tmp_path / f"coverage.{fmt}"
    result = CliRunner().invoke(main, ["coverage", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    if fmt == "json":
        document = json.loads(text)
        assert document["characters"] - document["covered"] == 9
        assert len(document["uncovered"]) == 7
    elif fmt == "text":
        assert "(99.5%)" in text
        assert "uncovered stretches (7):" in text
    else:
        assert text.startswith("<!DOCTYPE html>")


def test_cli_unknown_article_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["coverage", "--article", "https://example.org/none"])
    assert result.exit_code == 2
    assert "not a schema:NewsArticle" in result.output
    assert "Traceback" not in result.output
