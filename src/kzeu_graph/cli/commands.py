"""The ``kzeu-graph`` command line: parse arguments, call one library function, print.

Exit codes: 0 success (or: the graph conforms), 1 validation violations (or nothing found),
2 usage or input error. Heavy libraries are imported inside the commands.
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from kzeu_graph.engines import DEFAULT_STORE
from kzeu_graph.errors import KzeuError, ParameterError

if TYPE_CHECKING:
    from rdflib import Graph
    from rich.console import Console


PROG = "kzeu-graph"
INFERENCE = click.Choice(["none", "rdfs", "owlrl"])
EXIT_VIOLATIONS = 1
EXIT_ERROR = 2
EXIT_INTERNAL = 3


def _fail(message: str, code: int = EXIT_ERROR, context: str = "") -> NoReturn:
    click.echo(f"{PROG}: error: {' '.join(message.split())}", err=True)
    if context:  # e.g. the query line and a caret under the column
        click.echo(context, err=True)
    sys.exit(code)


class _Main(click.Group):
    """A group that turns library errors into one-line messages and exit codes."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KzeuError as exc:
            _fail(str(exc), context=exc.context)
        except RecursionError:
            _fail("input nested too deeply")
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except OSError as exc:
            _fail(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
        except Exception as exc:  # never a traceback
            _fail(f"internal error: {type(exc).__name__}: {exc}", EXIT_INTERNAL)


def _clean_exit_on_sigterm() -> None:
    """Turn SIGTERM into SystemExit, so that an atomic write in progress removes its temp file."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)


def _quiet_libraries() -> None:
    """rdflib logs tracebacks for ill-typed literals; the validator reports them instead."""
    logging.getLogger("rdflib").setLevel(logging.CRITICAL)
    logging.getLogger("pyshacl").setLevel(logging.CRITICAL)
    warnings.filterwarnings("ignore", module=r"rdflib(\..*)?")


def _print_version(ctx: click.Context) -> None:
    from kzeu_graph import __version__
    from kzeu_graph.loading.inference import engines_text
    from kzeu_graph.validation.report import NATIVE_ENGINE, engine_versions

    engines = [
        f"{name} {version}" + (" (default)" if name == NATIVE_ENGINE else " (reference)")
        for name, version in engine_versions().items()
        if version is not None
    ]
    click.echo(f"{PROG} {__version__}")
    click.echo(f"validation engines: {', '.join(engines)}")
    click.echo(engines_text())
    ctx.exit()


_SIZE_UNITS = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}


def _max_bytes(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``--max-bytes 500M``: raise (or lower) the cap on the size of one input file."""
    if value is None:
        return
    text = value.strip().upper().removesuffix("B")
    number, unit = (text[:-1], text[-1]) if text[-1:] in ("K", "M", "G") else (text, "")
    if not number.isdigit() or int(number) == 0:
        raise click.BadParameter(f"{value!r} is not a size (e.g. 200M, 2G, 1000000)")
    from kzeu_graph.loading.checks import set_max_bytes

    set_max_bytes(int(number) * _SIZE_UNITS[unit])


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--max-bytes",
    envvar="KZEU_MAX_BYTES",
    expose_value=False,
    is_eager=True,
    metavar="SIZE",
    callback=_max_bytes,
    help="Largest input file accepted (default 50M; e.g. 2G for a corpus). Env: KZEU_MAX_BYTES.",
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    help="Show the version and exit.",
    callback=lambda ctx, _param, value: _print_version(ctx) if value else None,
)
def main() -> None:
    """A provenance-first knowledge graph of EU-Kazakhstan cooperation: validate, query, export."""
    _quiet_libraries()


def data_option(func: Any) -> Any:
    return click.option(
        "--data",
        "data",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="An RDF data file to use instead of the shipped graph (repeatable).",
    )(func)


_INFERENCE_TIMEOUT = (
    60.0  # kzeu_graph.loading.inference.DEFAULT_TIMEOUT (not imported: it loads rdflib)
)


def _inference_timeout(ctx: click.Context, param: click.Parameter, value: float) -> None:
    if value == _INFERENCE_TIMEOUT and "kzeu_graph.loading.inference" not in sys.modules:
        return  # the default holds already; a plain query need not import rdflib
    from kzeu_graph.loading.inference import set_default_timeout

    set_default_timeout(value)


def inference_option(func: Any) -> Any:
    func = click.option(
        "--inference-timeout",
        type=click.FloatRange(min=0),
        default=_INFERENCE_TIMEOUT,
        show_default=True,
        expose_value=False,
        metavar="SECONDS",
        callback=_inference_timeout,
        help="Stop (exit 2) when the closure takes longer than this; 0: no limit.",
    )(func)
    return click.option(
        "--inference",
        type=INFERENCE,
        default="none",
        show_default=True,
        help="Expand the graph with an RDFS or OWL-RL closure first.",
    )(func)


def _load(data: Sequence[Path], inference: str = "none") -> Graph:
    from kzeu_graph.loading.graph import load_graph

    return load_graph(list(data) or None, inference=inference)  # type: ignore[arg-type]


def _store_graph(store: str, data: Sequence[Path]) -> Graph:
    """The graph of ``--store`` (filled with --data when in memory) as an rdflib Graph,
    through the one hand-over :func:`kzeu_graph.engines.to_graph`."""
    from kzeu_graph.engines import graph_source, to_graph

    with graph_source(store, list(data) or None) as engine:
        return to_graph(engine)


# ------------------------------------------------------------------ output


def _console() -> Console:
    from rich.console import Console

    width = None if sys.stdout.isatty() else 200  # piped output: do not squeeze to 80 columns
    return Console(width=width, soft_wrap=False, highlight=False, markup=False, emoji=False)


RESULT_FORMAT = click.Choice(["table", "json", "xml", "csv", "tsv"])


def _split_columns(value: str | None) -> list[str]:
    return [c.strip().lstrip("?") for c in (value or "").split(",") if c.strip()]


def columns_option(func: Any) -> Any:
    return click.option(
        "--columns",
        "columns",
        metavar="A,B,C",
        help="Only these result columns, in this order (every format). A terminal table "
        "otherwise shows the saved query's default columns.",
    )(func)


def store_option(default: str) -> Callable[[Any], Any]:
    """``--store SPEC`` (or ``$KZEU_STORE``): which store runs the command (README: Stores)."""

    def decorate(func: Any) -> Any:
        return click.option(
            "--store",
            "store",
            envvar="KZEU_STORE",
            default=default,
            show_default=True,
            metavar="SPEC",
            help="memory, oxigraph:memory, oxigraph:FOLDER or a SPARQL endpoint URL "
            "(also $KZEU_STORE).",
        )(func)

    return decorate


# ------------------------------------------------------------------ commands


@main.command()
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@data_option
@inference_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "turtle", "json", "junit"]),
    default="text",
    show_default=True,
    help="text: file:line: Severity lines; turtle: the SHACL report graph; json; junit: JUnit XML.",
)
@click.option(
    "--fail-on",
    type=click.Choice(["violation", "warning", "info"]),
    default="violation",
    show_default=True,
    help="The least severe finding that makes the run fail (exit 1).",
)
@click.option(
    "--engine",
    type=click.Choice(["auto", "pyshacl-turbo", "pyshacl"]),
    default="auto",
    show_default=True,
    help="The SHACL engine. auto: pyshacl-turbo (native) when installed, else pyshacl; "
    "pyshacl: the reference engine. The report names the one that ran.",
)
@store_option(DEFAULT_STORE)
def validate(
    files: tuple[Path, ...],
    data: tuple[Path, ...],
    inference: str,
    fmt: str,
    fail_on: str,
    engine: str,
    store: str,
) -> None:
    """Validate the graph with the SHACL shapes and the text-span checks.

    FILES (or --data FILE, repeatable) replace the shipped data; each finding names the
    file and line it comes from. Exit 0 if nothing reaches --fail-on, 1 if something does,
    2 on an input error. A folder or server --store is validated as loaded.
    """
    from kzeu_graph.validation.locations import validate_files

    report = validate_files(
        [*data, *files] or None,
        inference=inference,  # type: ignore[arg-type]
        engine=engine,  # type: ignore[arg-type]
        store=store,
    )
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2, ensure_ascii=False))
    elif fmt == "turtle":
        click.echo(report.report_graph.serialize(format="turtle"), nl=False)
    elif fmt == "junit":
        from kzeu_graph.validation.junit import to_junit

        click.echo(to_junit(report, fail_on), nl=False)
    else:
        click.echo(report.text(), nl=False)
    sys.exit(EXIT_VIOLATIONS if report.fails(fail_on) else 0)


def _parse_params(pairs: Sequence[str]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise ParameterError(f"--param needs key=value, got {pair!r}")
        if key.strip() in params:
            raise ParameterError(f"--param {key.strip()} is given twice: give it once")
        params[key.strip()] = value
    return params


def _suggest_parameters(saved: Any, raw: dict[str, str], engine: Callable[[], Any]) -> None:
    """After a parameter error: if an IRI parameter got a non-IRI, suggest things by name."""
    from kzeu_graph.sparql.catalog import expand_curie, is_valid_iri
    from kzeu_graph.sparql.search import check_parameters

    names = {p.name: p for p in saved.parameters}
    wanted = {
        key: value
        for key, value in raw.items()
        if (p := names.get(key.replace("_", "").replace("-", ""))) is not None
        and p.kind == "iri"
        and not is_valid_iri(expand_curie(value))
    }
    if not wanted:
        return
    store = engine()
    try:
        check_parameters(store, saved, wanted)
    finally:
        store.close()


def _print_catalog(name: str | None = None) -> None:
    """Every saved query and its parameters; with ``name``, that query in full."""
    from kzeu_graph.rdf.prefixes import compact_iri
    from kzeu_graph.sparql.catalog import get_query, list_queries

    queries = [get_query(name)] if name else list_queries()
    schemes = {scheme for saved in queries for _, scheme in saved.values}
    values: dict[str, list[tuple[str, str]]] = {}
    if schemes:
        from kzeu_graph.engines import open_engine
        from kzeu_graph.sparql.search import scheme_values

        with_labels = open_engine("oxigraph:memory")
        try:
            for scheme in schemes:
                values[scheme] = [
                    (compact_iri(i), label) for i, label in scheme_values(with_labels, scheme)
                ]
        finally:
            with_labels.close()
    for saved in queries:
        tags = f" [{', '.join(saved.tags)}]" if saved.tags else ""
        click.echo(f"{saved.name}{tags}: {saved.summary}")
        for p in saved.parameters:
            # a parameter with a default can be left out: it is not required of the user
            need = "required" if p.required and p.default is None else "optional"
            default = f", default {compact_iri(p.default)}" if p.default is not None else ""
            click.echo(f"    --param {p.name}=<{p.kind}> ({need}{default})")
            allowed = saved.value_scheme(p.name)
            if allowed:
                shown = ", ".join(curie for curie, _ in values.get(allowed, []))
                click.echo(f"        values: {shown}")
        if name:
            if saved.description:
                click.echo()
                click.echo(saved.description)
            if saved.columns:
                click.echo()
                click.echo(
                    f"Terminal table columns: {', '.join(saved.columns)} (--columns to choose)"
                )


@main.command(context_settings={"help_option_names": []})
@click.argument("name", required=False)
@click.option(
    "--list",
    "list_",
    is_flag=True,
    help="List the saved queries, their parameters and allowed values (with NAME: that one).",
)
@click.option(
    "--help",
    "-h",
    "help_",
    is_flag=True,
    help="Show this message and exit; with NAME, also that query's parameters and values.",
)
@click.option(
    "--param", "params", multiple=True, metavar="KEY=VALUE", help="A query parameter (repeatable)."
)
@data_option
@inference_option
@click.option("--format", "fmt", type=RESULT_FORMAT, default="table", show_default=True)
@columns_option
@store_option(DEFAULT_STORE)
def query(
    name: str | None,
    list_: bool,
    help_: bool,
    params: tuple[str, ...],
    data: tuple[Path, ...],
    inference: str,
    fmt: str,
    columns: str | None,
    store: str,
) -> None:
    """Run the saved query NAME (see --list)."""
    if help_:
        click.echo(click.get_current_context().get_help())
        if name:
            click.echo()
            _print_catalog(name)
        return
    if list_:
        _print_catalog(name)
        return
    if not name:
        raise click.UsageError("give a query NAME, or --list")
    # No rdflib on this path with an Oxigraph store (the default): see cli.output.
    from kzeu_graph.engines import open_engine, parse_store
    from kzeu_graph.sparql.catalog import get_query

    saved = get_query(name)
    raw = _parse_params(params)
    spec = parse_store(store)
    try:
        bindings = saved.bind_terms(raw)  # checked before loading anything
    except ParameterError:
        _suggest_parameters(saved, raw, lambda: open_engine(spec, list(data) or None, inference))
        raise
    engine = open_engine(spec, list(data) or None, inference)
    try:
        from kzeu_graph.sparql.search import check_parameters

        check_parameters(engine, saved, raw)  # an IRI that names nothing: did you mean...
        from kzeu_graph.cli.output import emit_oxigraph, emit_result

        if spec.kind == "oxigraph":  # Oxigraph's terms straight to the writers: no rdflib
            from kzeu_graph.engines.oxigraph_engine import OxigraphEngine

            assert isinstance(engine, OxigraphEngine)
            emit_oxigraph(
                engine,
                saved.text,
                bindings,
                fmt,
                saved.summary,
                _console,
                _split_columns(columns),
                saved.columns,
            )
        else:
            result = engine.query(saved.text, bindings, checked=True)
            emit_result(
                result, fmt, saved.summary, _console, _split_columns(columns), saved.columns
            )
    finally:
        engine.close()


def _read_query(source: str) -> str:
    from kzeu_graph.errors import InputError
    from kzeu_graph.loading.checks import check_file_size, get_max_bytes

    if source == "-":
        text = sys.stdin.read(get_max_bytes() + 1)
        if len(text) > get_max_bytes():
            raise InputError(f"standard input: query larger than the {get_max_bytes()}-byte limit")
        return text
    path = Path(source)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    check_file_size(path)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None


@main.command()
@click.argument("source", metavar="FILE|-")
@data_option
@inference_option
@click.option("--format", "fmt", type=RESULT_FORMAT, default="table", show_default=True)
@columns_option
@store_option(DEFAULT_STORE)
def sparql(
    source: str,
    data: tuple[Path, ...],
    inference: str,
    fmt: str,
    columns: str | None,
    store: str,
) -> None:
    """Run a read-only SPARQL query from FILE (or - for standard input)."""
    from kzeu_graph.cli.output import emit_result
    from kzeu_graph.engines import open_engine, parse_store
    from kzeu_graph.query.guard import guard
    from kzeu_graph.query.text import check_query_text

    text = _read_query(source)
    accepted = guard(text)  # refuse bad queries before loading anything
    spec = parse_store(store)
    if spec.kind != "memory":
        check_query_text(accepted.text)  # what an engine that runs text refuses, up front
    engine = open_engine(spec, list(data) or None, inference)
    try:
        result = engine.query(accepted.text, checked=True)
        emit_result(result, fmt, None, _console, _split_columns(columns))
        if result.kind == "select" and not result.rows and inference == "none":
            from kzeu_graph.sparql.search import inference_hint

            hint = inference_hint(engine, accepted.text)
            if hint:
                click.echo(f"{PROG}: note: {hint}", err=True)
    finally:
        engine.close()


@main.command()
@click.argument("iri")
@data_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "nt", "json-ld"]),
    default="turtle",
    show_default=True,
)
@store_option(DEFAULT_STORE)
def describe(iri: str, data: tuple[Path, ...], fmt: str, store: str) -> None:
    """Print everything the graph says about IRI (a full IRI or a CURIE like kzr:x).

    Exit 1 if the graph says nothing about it.
    """
    from kzeu_graph.publish.export import serialize
    from kzeu_graph.sparql.run import describe as run_describe
    from kzeu_graph.sparql.run import expand_iri

    node = expand_iri(iri)
    graph = _store_graph(store, data)
    found = run_describe(graph, node)
    if len(found) == 0:
        from kzeu_graph.sparql.search import did_you_mean, suggest_for_iri

        hint = did_you_mean(suggest_for_iri(graph, str(node)))
        click.echo(f"{PROG}: nothing known about <{node}>{hint}", err=True)
        sys.exit(EXIT_VIOLATIONS)
    click.echo(serialize(found, fmt), nl=False)


@main.command()
@click.argument("iri")
@data_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "bibtex", "csl-json", "ris"]),
    default="text",
    show_default=True,
    help="csl-json is what Zotero and pandoc read.",
)
def cite(iri: str, data: tuple[Path, ...], fmt: str) -> None:
    """Cite one fact or statement (IRI or CURIE): its sentence and offsets, the article,
    the dataset version."""
    from kzeu_graph import resources
    from kzeu_graph.loading.graph import parse_file
    from kzeu_graph.publish.cite import cite as run_cite

    files = list(data) or resources.default_data_files()
    void = files[0].parent / "void.ttl"
    description = parse_file(void) if void.is_file() else None
    click.echo(run_cite(_load(data), iri, description).format(fmt), nl=False)


@main.command()
@click.argument("text")
@data_option
@click.option("--limit", type=click.IntRange(1), default=10, show_default=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
def search(text: str, data: tuple[Path, ...], limit: int, fmt: str) -> None:
    """Find entities and concepts by name (labels and alternate names).

    Case- and accent-insensitive; ranked exact, prefix, word, substring, then shorter
    names first. Exit 1 if nothing matches.
    """
    from kzeu_graph.engines import open_engine
    from kzeu_graph.sparql.search import search as run_search

    engine = open_engine("oxigraph:memory", list(data) or None)
    try:
        found = run_search(engine, text, limit)
    finally:
        engine.close()
    if fmt == "json":
        click.echo(json.dumps([m.to_json() for m in found], indent=2, ensure_ascii=False))
    else:
        from kzeu_graph.cli.output import print_table
        from kzeu_graph.rdf.prefixes import compact_iri

        rows = [
            [m.curie, m.label, ", ".join(compact_iri(c) for c in m.classes), m.rank] for m in found
        ]
        print_table(_console, ["curie", "label", "class", "match"], rows, None)
    if not found:
        sys.exit(EXIT_VIOLATIONS)


@main.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["turtle", "json-ld", "nt", "nquads", "trig", "xml"]),
    required=True,
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (atomically) instead of standard output.",
)
@data_option
@inference_option
@click.option(
    "--graphs",
    "graphs",
    multiple=True,
    metavar="NAME[,NAME]",
    help="Only these parts: data, derived, ontology, inferred (default: all; inferred needs"
    " --inference). TriG and N-Quads keep each in its own named graph.",
)
@store_option(DEFAULT_STORE)
def export(
    fmt: str,
    output: Path | None,
    data: tuple[Path, ...],
    inference: str,
    graphs: tuple[str, ...],
    store: str,
) -> None:
    """Export the graph (ontology + data [+ closure]) in an RDF format, canonically.

    A folder or server --store is exported as loaded (its non-ontology triples are data).
    """
    from kzeu_graph.engines import check_store_use, graph_source
    from kzeu_graph.publish.export import build_export
    from kzeu_graph.publish.export import export as run_export

    _clean_exit_on_sigterm()
    names = [n.strip() for item in graphs for n in item.split(",") if n.strip()]
    spec = check_store_use(store, list(data) or None, inference)
    with graph_source(spec, list(data) or None) as engine:  # build_export adds the closure
        selected = build_export(None, inference, names or None, source=engine)  # type: ignore[arg-type]
    text = run_export(selected, fmt, output)
    if output is None:
        click.echo(text, nl=False)
    elif fmt in ("nquads", "trig"):
        click.echo(
            f"{PROG}: wrote {len(selected)} triples in {len(selected.parts)} named graph(s), "
            f"and {len(selected.provenance())} describing them, to {output}",
            err=True,
        )
    else:
        click.echo(f"{PROG}: wrote {len(selected)} triples to {output}", err=True)


def _relative(path: Path) -> Path:
    """``path`` relative to the working folder when it is inside it (as a user would type it)."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve()) if path.is_absolute() else path
    except ValueError:
        return path


@main.command(name="format")
@click.argument("files", nargs=-1, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--check", is_flag=True, help="Only check: exit 1 if a file is not canonical.")
def format_(files: tuple[Path, ...], check: bool) -> None:
    """Rewrite Turtle FILEs (default: the shipped graph) in canonical form.

    With --check, change nothing and exit 1 if any file is not canonical.
    """
    from kzeu_graph import resources
    from kzeu_graph.publish.export import format_file

    _clean_exit_on_sigterm()
    results = [format_file(p, check=check) for p in files or resources.default_data_files()]
    for result in results:
        shown = _relative(result.path)
        if result.canonical:
            click.echo(f"canonical: {shown}")
        elif check:
            click.echo(
                f"not canonical: {shown} (first difference at line "
                f"{result.first_difference}); run: {PROG} format {shown}"
            )
        else:
            click.echo(f"reformatted: {shown}")
    if check and not all(r.canonical for r in results):
        sys.exit(EXIT_VIOLATIONS)


@main.command()
def demo() -> None:
    """Validate the shipped graph, then run every showcase query."""
    from kzeu_graph.cli.output import emit_result
    from kzeu_graph.sparql.run import run_showcase
    from kzeu_graph.validation.report import validate as run_validation

    graph = _load(())
    report = run_validation(graph)
    click.echo(f"Validation: the shipped graph ({len(graph)} triples) {report.summary()}")
    if not report.conforms:
        click.echo(report.text(), nl=False)
        sys.exit(EXIT_VIOLATIONS)
    for saved, result in run_showcase(graph):
        click.echo()
        emit_result(result, "table", f"{saved.name}: {saved.summary}", _console, (), saved.columns)


# ------------------------------------------------------------------ documentation


def output_option(func: Any) -> Any:
    return click.option(
        "-o",
        "--output",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Write here (atomically) instead of standard output.",
    )(func)


def _emit(text: str, output: Path | None, what: str) -> None:
    from kzeu_graph.atomic import write_output

    if output is None:
        click.echo(text, nl=False)
    else:
        write_output(output, text)
        click.echo(f"{PROG}: wrote {what} to {output}", err=True)


@main.command("describe-dataset")
@output_option
@data_option
@store_option(DEFAULT_STORE)
def describe_dataset(output: Path | None, data: tuple[Path, ...], store: str) -> None:
    """Write the VoID + DCAT description of the data (Turtle), with counts computed from it.

    With a folder or server --store: of the store's triples that are not ontology triples.
    """
    from kzeu_graph.engines import graph_source
    from kzeu_graph.publish.void import dataset_description

    with graph_source(store, list(data) or None) as engine:
        text = dataset_description(source=engine)
    _emit(text, output, "the dataset description")


@main.command("ontology-docs")
@output_option
def ontology_docs(output: Path | None) -> None:
    """Write the ontology's documentation as one HTML page."""
    from kzeu_graph.publish.ontodoc import ontology_html

    _emit(ontology_html(), output, "the ontology documentation")


@main.command("model-diagram")
@output_option
def model_diagram(output: Path | None) -> None:
    """Write a Graphviz (DOT) diagram of the ontology's classes and properties."""
    from kzeu_graph.publish.ontodoc import model_dot

    _emit(model_dot(), output, "the model diagram")


@main.command()
@output_option
@data_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["svg", "png"]),
    help="svg or png (default: from the -o suffix, else svg). PNG needs the 'png' extra.",
)
@store_option(DEFAULT_STORE)
def timeline(output: Path | None, data: tuple[Path, ...], fmt: str | None, store: str) -> None:
    """Write a timeline picture (SVG or PNG) of the events and dated figures."""
    from kzeu_graph.atomic import write_output
    from kzeu_graph.errors import InputError
    from kzeu_graph.publish.timeline import timeline_items, timeline_png, timeline_svg

    suffix = output.suffix.lower().lstrip(".") if output is not None else ""
    if fmt is None and output is not None and suffix not in ("svg", "png"):
        raise InputError(f"{output}: give a .svg or .png file (or --format svg|png)")
    fmt = fmt or suffix or "svg"
    if fmt == "png" and output is None:
        raise click.UsageError("PNG is written to a file: give -o FILE.png")
    svg = timeline_svg(timeline_items(_store_graph(store, data)))
    if fmt == "svg":
        _emit(svg, output, "the timeline")
        return
    assert output is not None
    write_output(output, timeline_png(svg))
    click.echo(f"{PROG}: wrote the timeline (PNG) to {output}", err=True)


@main.command()
@output_option
@data_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "html"]),
    default="text",
    show_default=True,
)
@click.option("--article", help="IRI of the article to map (needed if the graph has several).")
@click.option(
    "--sources",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of the article texts [the data files' sources/ folders].",
)
def coverage(
    output: Path | None,
    data: tuple[Path, ...],
    fmt: str,
    article: str | None,
    sources: Path | None,
) -> None:
    """Show which characters of the article support at least one fact, and which none."""
    from rdflib import URIRef

    from kzeu_graph import resources
    from kzeu_graph.publish.coverage import (
        article_text,
        coverage_html,
        coverage_json,
        coverage_text,
    )
    from kzeu_graph.publish.coverage import coverage as coverage_map

    graph = _load(data)
    files = list(data) or resources.default_data_files()
    folders = [sources] if sources else [Path(f).parent / "sources" for f in files]
    node, name, text = article_text(graph, folders, URIRef(article) if article else None)
    cov = coverage_map(graph, text, node, name)
    render = {"text": coverage_text, "json": coverage_json, "html": coverage_html}[fmt]
    _emit(render(cov), output, f"the coverage map ({fmt})")


@main.command("check-ontology")
@data_option
@click.option(
    "--ontology-only",
    is_flag=True,
    help="Check the ontology and reused terms alone (TBox), without data.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def check_ontology(data: tuple[Path, ...], ontology_only: bool, fmt: str) -> None:
    """Check with the HermiT OWL reasoner that the ontology (+ data) is consistent.

    Also lists classes that can have no member. Needs Java and the 'reasoner' extra.
    Exit 0 if consistent with every class satisfiable, 1 if not, 2 on an input error.
    """
    from kzeu_graph.validation.reasoner import check_ontology as run_check

    report = run_check(list(data) or None, include_data=not ontology_only)
    if fmt == "json":
        click.echo(json.dumps(report.to_json(), indent=2))
    else:
        click.echo(report.text(), nl=False)
    sys.exit(0 if report.ok else EXIT_VIOLATIONS)


@main.command()
@store_option("")
@data_option
@inference_option
def load(store: str, data: tuple[Path, ...], inference: str) -> None:
    """Load the ontology and data (+ closure) into a persistent store, replacing its graph.

    The store is an Oxigraph folder (oxigraph:FOLDER) or a SPARQL endpoint URL (loaded
    by the Graph Store Protocol); loading twice leaves the same triples.
    """
    from kzeu_graph.engines import graph_files, load_store, parse_store

    if not store:
        raise click.UsageError("give --store oxigraph:FOLDER or a SPARQL endpoint URL")
    spec = parse_store(store)
    if not spec.persistent:
        raise ParameterError(f"store {spec.text!r} is in memory: load needs a folder or a URL")
    if not sys.stderr.isatty():
        count = load_store(spec, list(data) or None, inference)
    else:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TransferSpeedColumn,
        )

        files = graph_files(list(data) or None)
        total = sum(p.stat().st_size for p in files if p.is_file()) if inference == "none" else None
        columns = (
            TextColumn("loading"),
            BarColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
            task = bar.add_task("load", total=total)
            count = load_store(
                spec,
                list(data) or None,
                inference,
                progress=lambda n: bar.advance(task, n),
            )
    click.echo(f"{count} triples in {spec.text}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8000,
    show_default=True,
    help="0: any free port.",
)
@data_option
@inference_option
@click.option("--workers", type=click.IntRange(1, 64), help="Query worker processes [one per CPU].")
@click.option(
    "--timeout",
    type=click.FloatRange(0.1, 3600),
    default=10.0,
    show_default=True,
    help="Seconds a query may run before its worker is killed (HTTP 503).",
)
@click.option(
    "--max-rows",
    type=click.IntRange(1),
    default=10_000,
    show_default=True,
    help="Rows (or triples) a result may have (HTTP 422 beyond).",
)
@click.option(
    "--max-body",
    type=click.IntRange(1024),
    default=1024 * 1024,
    show_default=True,
    help="Bytes a request body may have (HTTP 413 beyond).",
)
@click.option(
    "--memory",
    "memory_mib",
    type=click.IntRange(0),
    default=1024,
    show_default=True,
    help="MiB of memory each worker may add for queries (0: no cap).",
)
@click.option(
    "--cors-origin", "cors_origins", multiple=True, help="Allow this origin (or *) by CORS."
)
@click.option(
    "--allow-service",
    "allowed_services",
    multiple=True,
    metavar="URL",
    help="Let SERVICE call this endpoint (repeatable; default: SERVICE is refused).",
)
@click.option(
    "--client-queries",
    type=click.IntRange(0, 64),
    default=0,
    help="Ad-hoc queries one client (address) may have running or waiting; more get 503 "
    "[0: all query workers but one].",
)
@click.option(
    "--page-workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Worker processes for pages, documents and saved queries (apart from ad-hoc SPARQL).",
)
@click.option(
    "--header-timeout",
    type=click.FloatRange(0.1, 3600),
    default=10.0,
    show_default=True,
    help="Seconds a client has to send a request's headers; then the connection is closed.",
)
@click.option(
    "--body-timeout",
    type=click.FloatRange(0.1, 3600),
    default=30.0,
    show_default=True,
    help="Seconds a client has to send a request's body (408 after), and may stop reading "
    "a response (the connection is cut after).",
)
@click.option(
    "--cache",
    "cache_mib",
    type=click.IntRange(0, 65536),
    default=64,
    show_default=True,
    help="MiB of pages, documents and saved-query results the server keeps (0: none).",
)
@click.option(
    "--sources",
    "sources",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    metavar="DIR",
    help="A folder of the articles' text files, for the pages' supporting text "
    "(repeatable; besides the sources/ folder beside --data and the shipped one).",
)
@store_option("memory")
@click.option("--quiet", is_flag=True, help="No access log.")
def serve(
    host: str,
    port: int,
    data: tuple[Path, ...],
    inference: str,
    workers: int | None,
    timeout: float,
    max_rows: int,
    max_body: int,
    memory_mib: int,
    cors_origins: tuple[str, ...],
    allowed_services: tuple[str, ...],
    client_queries: int,
    page_workers: int,
    header_timeout: float,
    body_timeout: float,
    cache_mib: int,
    sources: tuple[Path, ...],
    store: str,
    quiet: bool,
) -> None:
    """Serve a read-only SPARQL endpoint, the entity pages and the saved-query API.

    From any store: memory (rdflib, the default), oxigraph:memory, an Oxigraph folder
    filled by `kzeu-graph load` (each worker opens it read-only; nothing is reloaded) or a
    SPARQL endpoint URL.
    """
    from kzeu_graph.loading.inference import default_timeout
    from kzeu_graph.serve.app import ServerSettings
    from kzeu_graph.serve.app import serve as run_server

    run_server(
        ServerSettings(
            host=host,
            port=port,
            data=tuple(str(p.resolve()) for p in data) or None,
            inference=inference,
            inference_timeout=default_timeout(),
            workers=workers or 0,
            timeout=timeout,
            max_rows=max_rows,
            max_body=max_body,
            memory_mib=memory_mib,
            cors_origins=cors_origins,
            allowed_services=allowed_services,
            client_queries=client_queries,
            page_workers=page_workers,
            header_timeout=header_timeout,
            body_timeout=body_timeout,
            cache_mib=cache_mib,
            store=store,
            sources=tuple(str(p.resolve()) for p in sources),
            quiet=quiet,
        )
    )


@main.command()
@click.option(
    "-n", "--articles", type=click.IntRange(0), required=True, help="Generated articles to write."
)
@click.option(
    "-o",
    "--output",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for corpus.nt (or .ttl) and sources/.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same corpus.")
@click.option("--format", "fmt", type=click.Choice(["nt", "ttl"]), default="nt", show_default=True)
def generate(articles: int, output: Path, seed: int, fmt: str) -> None:
    """Write a synthetic corpus: the shipped article plus N generated ones, with their texts.

    It conforms to the shapes: check it with `kzeu-graph validate --data DIR/corpus.nt`.
    """
    from kzeu_graph.cli.progress import progress
    from kzeu_graph.synth.generator import generate_corpus

    with progress("generating", articles, "articles", extra="triples") as advance:
        stats = generate_corpus(
            articles,
            output,
            seed=seed,
            fmt=fmt,  # type: ignore[arg-type]
            progress=lambda done, triples: advance(done, triples=triples),
        )
    click.echo(
        f"{PROG}: wrote {stats.articles} generated article(s) + the shipped one, "
        f"{stats.triples} triples, to {stats.data_file}",
        err=True,
    )
