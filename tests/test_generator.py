"""The synthetic corpus: deterministic, counted as asked, valid, anchored to the right text."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, Graph, Literal, URIRef
from rich.console import Console

from kzeu_graph.cli.commands import main
from kzeu_graph.cli.progress import progress
from kzeu_graph.errors import InputError
from kzeu_graph.loading.graph import load_graph, parse_file
from kzeu_graph.rdf.namespaces import KZEU, KZR, OA, SCHEMA
from kzeu_graph.sparql.catalog import list_queries
from kzeu_graph.sparql.run import run_query
from kzeu_graph.synth.generator import CorpusStats, generate_corpus, source_file_name
from kzeu_graph.validation.report import validate
from paths import ARTICLE_TEXT, DATA

N = 6


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> CorpusStats:
    return generate_corpus(N, tmp_path_factory.mktemp("corpus"), seed=7)


@pytest.fixture(scope="module")
def graph(corpus: CorpusStats) -> Graph:
    """The ontology plus the corpus, as the CLI loads ``--data corpus.nt``."""
    return load_graph([corpus.data_file])


def _files(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


# ------------------------------------------------------------------ determinism and counts


def test_same_seed_same_bytes(corpus: CorpusStats, tmp_path: Path) -> None:
    again = generate_corpus(N, tmp_path, seed=7)
    assert _files(tmp_path) == _files(corpus.data_file.parent)
    assert again.triples == corpus.triples


def test_other_seed_other_corpus(corpus: CorpusStats, tmp_path: Path) -> None:
    generate_corpus(N, tmp_path, seed=8)
    assert (tmp_path / "corpus.nt").read_bytes() != corpus.data_file.read_bytes()


def test_smaller_corpus_is_a_prefix(corpus: CorpusStats, tmp_path: Path) -> None:
    """Articles are made one by one from their own seed: the first 3 of 6 are the corpus of 3."""
    generate_corpus(3, tmp_path, seed=7)
    small = set((tmp_path / "corpus.nt").read_text(encoding="utf-8").splitlines())
    large = set(corpus.data_file.read_text(encoding="utf-8").splitlines())
    assert small < large
    for index in (1, 2, 3):
        name = source_file_name(index)
        assert (tmp_path / "sources" / name).read_bytes() == (
            corpus.sources_dir / name
        ).read_bytes()


def test_counts_as_requested(corpus: CorpusStats, graph: Graph) -> None:
    data = parse_file(corpus.data_file)
    assert corpus.articles == N
    assert corpus.triples == len(data)  # every line a distinct triple
    assert corpus.triples == len(corpus.data_file.read_text(encoding="utf-8").splitlines())
    assert corpus.bytes == corpus.data_file.stat().st_size
    articles = set(graph.subjects(RDF.type, SCHEMA.NewsArticle))
    assert articles == {KZR.article} | {KZR[f"article-{i}"] for i in range(1, N + 1)}
    assert sorted(p.name for p in corpus.sources_dir.iterdir()) == sorted(
        [ARTICLE_TEXT.name] + [source_file_name(i) for i in range(1, N + 1)]
    )
    # each generated article has one briefing, and one trade volume with its growth over
    # the year before and the derived volume of that year; the shipped article has one of each
    for cls, expected in [
        (KZEU.Briefing, N + 1),
        (KZEU.DerivedValue, None),
        (KZEU.Figure, None),
    ]:
        found = len(set(graph.subjects(RDF.type, cls)))
        if expected is not None:
            assert found == expected, cls
        else:
            assert found > N, cls
    volumes = set(graph.subjects(KZEU.measure, URIRef("https://w3id.org/kzeu/vocab/trade-volume")))
    figures = {v for v in volumes if (v, RDF.type, KZEU.Figure) in graph}
    derived = {v for v in volumes if (v, RDF.type, KZEU.DerivedValue) in graph}
    assert (len(figures), len(derived)) == (N + 1, N + 1)


def test_the_shipped_graph_is_part_of_the_corpus(corpus: CorpusStats) -> None:
    data = parse_file(corpus.data_file)
    shipped = parse_file(DATA)
    assert set(shipped) <= set(data)
    assert (corpus.sources_dir / ARTICLE_TEXT.name).read_bytes() == ARTICLE_TEXT.read_bytes()


def test_turtle_output_holds_the_same_triples(corpus: CorpusStats, tmp_path: Path) -> None:
    stats = generate_corpus(N, tmp_path, seed=7, fmt="ttl")
    assert stats.data_file.name == "corpus.ttl"
    assert set(parse_file(stats.data_file)) == set(parse_file(corpus.data_file))
    assert stats.triples == corpus.triples
    assert stats.bytes < corpus.bytes  # prefixed names and grouped subjects


@pytest.mark.parametrize(("articles", "fmt"), [(-1, "nt"), (1, "xml")])
def test_bad_arguments(tmp_path: Path, articles: int, fmt: str) -> None:
    with pytest.raises(InputError):
        generate_corpus(articles, tmp_path, fmt=fmt)  # type: ignore[arg-type]


# ------------------------------------------------------------------ validity and text


def test_corpus_conforms_including_text_spans(corpus: CorpusStats, graph: Graph) -> None:
    report = validate(graph, sources_dirs=[corpus.sources_dir])
    assert report.conforms, report.text()
    assert report.results == []


def test_every_offset_selects_its_quote(corpus: CorpusStats, graph: Graph) -> None:
    """Checked here independently of the validator: code points, not bytes."""
    texts = {}
    for article in graph.subjects(RDF.type, SCHEMA.NewsArticle):
        name = str(graph.value(article, KZEU.textFile))
        raw = (corpus.sources_dir / name).read_bytes()
        assert str(graph.value(article, SCHEMA.sha256)) == hashlib.sha256(raw).hexdigest()
        texts[article] = raw.decode("utf-8")
    checked = beyond_ascii = 0
    for span in graph.subjects(RDF.type, OA.SpecificResource):
        source = graph.value(span, OA.hasSource)
        assert source is not None
        text = texts[source]
        selectors = list(graph.objects(span, OA.hasSelector))
        [exact] = [graph.value(s, OA.exact) for s in selectors if graph.value(s, OA.exact)]
        [position] = [s for s in selectors if graph.value(s, OA.start) is not None]
        start = graph.value(position, OA.start)
        end = graph.value(position, OA.end)
        assert isinstance(start, Literal)
        assert isinstance(end, Literal)
        assert text[start.toPython() : end.toPython()] == str(exact)
        checked += 1
        if len(text[: start.toPython()].encode("utf-8")) != start.toPython():
            beyond_ascii += 1
    assert checked > 10 * N
    assert beyond_ascii > 0  # some spans follow non-ASCII text: offsets count code points


def test_a_wrong_offset_is_caught(corpus: CorpusStats, graph: Graph) -> None:
    broken = Graph()
    broken += graph
    position = KZR["a1-span-1-position"]
    end = broken.value(position, OA.end)
    assert isinstance(end, Literal)
    broken.set((position, OA.end, Literal(end.toPython() + 1, datatype=end.datatype)))
    report = validate(broken, sources_dirs=[corpus.sources_dir])
    assert not report.conforms
    assert {f.source for f in report.results} == {
        "kzeu-check:text-span",
        "https://w3id.org/kzeu/shapes#SpecificResourceShape",
    }


def test_every_saved_query_returns_rows(graph: Graph) -> None:
    for saved in list_queries():
        result = run_query(graph, saved)
        assert result.rows, saved.name
    [row] = [
        r
        for r in run_query(graph, "article").to_python()
        if r["article"] == "https://w3id.org/kzeu/id/article-1"
    ]
    assert row["textFile"] == source_file_name(1)
    assert len(run_query(graph, "article").rows) == N + 1


def _article_of(iri: object) -> str:
    """``kzr:a12-figure-3`` -> ``a12``; the shipped article's nodes have no such prefix."""
    return str(iri).removeprefix(str(KZR)).split("-")[0]


def test_year_on_year_pairs_figures_within_one_article(tmp_path: Path) -> None:
    """One row per growth figure: a growth is never paired with another article's volume.

    30 articles (seed 0) share periods and subjects across articles, which the query once
    paired: 82 rows for 49 growth figures.
    """
    graph = load_graph([generate_corpus(30, tmp_path, seed=0).data_file])
    growth = run_query(graph, "figures-by-measure", {"measure": "kzv:growth"}).to_python()
    rows = run_query(graph, "year-on-year").to_python()
    assert len(growth) == 49
    assert sorted(str(r["growthFigure"]) for r in rows) == sorted(str(r["figure"]) for r in growth)
    paired = [r for r in rows if r["currentFigure"] is not None]
    assert paired
    assert all(_article_of(r["currentFigure"]) == _article_of(r["growthFigure"]) for r in paired)


# ------------------------------------------------------------------ command line and progress


def test_cli_generate_prints_one_line_when_not_a_terminal(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", "-n", "2", "-o", str(tmp_path), "--seed", "7"])
    assert result.exit_code == 0, result.output
    triples = len((tmp_path / "corpus.nt").read_text(encoding="utf-8").splitlines())
    assert result.stdout == ""
    assert result.stderr == (
        f"kzeu-graph: wrote 2 generated article(s) + the shipped one, {triples} triples, "
        f"to {tmp_path / 'corpus.nt'}\n"
    )


def test_cli_generate_refuses_a_negative_count(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["generate", "-n", "-3", "-o", str(tmp_path)])
    assert result.exit_code == 2
    assert "-3 is not in the range x>=0" in result.stderr


def test_progress_bar_on_a_terminal_shows_counts_and_rate() -> None:
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with progress("generating", 3, "articles", extra="triples", console=console) as advance:
        for done in (1, 2, 3):
            advance(done, triples=1000 * done)
    text = out.getvalue()
    assert "generating" in text
    assert "3/3" in text
    assert "articles" in text
    assert "3,000 triples" in text
    assert "/s" in text


@pytest.fixture
def restore_cap(monkeypatch: pytest.MonkeyPatch) -> None:
    """``--max-bytes`` sets a process-wide cap: put the default back after the test."""
    from kzeu_graph.loading import checks as safety

    monkeypatch.setattr(safety, "_max_bytes", safety.DEFAULT_MAX_BYTES)


@pytest.mark.usefixtures("restore_cap")
def test_max_bytes_lets_a_corpus_past_the_default_cap(corpus: CorpusStats) -> None:
    """A corpus of 1e6 triples is ~140 MB, over the 50 MB cap on one input file."""
    runner = CliRunner()
    args = ["validate", "--data", str(corpus.data_file)]
    small = runner.invoke(main, ["--max-bytes", "100K", *args])
    assert small.exit_code == 2
    assert small.stderr == (
        f"kzeu-graph: error: {corpus.data_file}: file is {corpus.bytes} bytes, "
        "larger than the 102400-byte limit\n"
    )
    assert runner.invoke(main, ["--max-bytes", "2M", *args]).exit_code == 0
    assert runner.invoke(main, args, env={"KZEU_MAX_BYTES": "100k"}).exit_code == 2


@pytest.mark.usefixtures("restore_cap")
@pytest.mark.parametrize("value", ["12X", "0", "-5M", "M", ""])
def test_max_bytes_refuses_what_is_not_a_size(value: str) -> None:
    result = CliRunner().invoke(main, ["--max-bytes", value, "validate"])
    assert result.exit_code == 2
    assert f"Invalid value for '--max-bytes': {value!r} is not a size" in result.stderr
