"""The query that is checked is the query that runs: no query text reaches the network.

rdflib checks a query (its algebra is walked for SERVICE, FROM, updates), but Oxigraph and
remote servers run text, and two parsers read some texts differently (rdflib expands
``\\uXXXX`` on the whole text, Oxigraph only inside strings and IRIs; rdflib's ``#``
comment runs past a bare CR). Every engine now runs the canonical text the guard checked
(kzeu_graph.query.text.canonical_query), and engines that run text refuse the word SERVICE.

The proof here is a recording loopback listener that answers SPARQL JSON results: on every
engine (rdflib, Oxigraph in memory and in a folder, the Oxigraph server through the remote
engine) it must see no connection for any attack, hand-written or fuzzed. Oxigraph's HTTP
client is Rust code that the suite's audit-hook guard (conftest) cannot see; the listener can.

On the code before this change (PYTHONPATH=/work/main/src), 48 of these cases made the call:
16 attacks (5 of ``escapes-in-strings``, all 7 of ``bare-cr-comment``, 4 of
``comment-beside-iri``) on each of Oxigraph in memory, Oxigraph in a folder and the Oxigraph
server; the fuzzer found one within its 150 examples (shrunk to the issue's own shape), and
the CLI's ``sparql --store oxigraph:memory`` / ``KZEU_STORE`` ran it. FROM and FROM NAMED
were accepted by every engine but the server.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kzeu_graph.engines import Engine, open_engine
from kzeu_graph.errors import QueryError
from kzeu_graph.query.text import canonical_query, check_query_text
from kzeu_graph.serve.workers import QueryService, SparqlJob, WorkerConfig
from test_stores import oxigraph_folder, store_spec  # noqa: F401 (a fixture store_spec uses)

ANSWER = (
    b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"remote"}}]}}'
)
PROBE = b"PROBE\r\n\r\n"
MAX_RECORDED = 10_000


class Listener:
    """A SPARQL endpoint on 127.0.0.1 that records every connection it accepts (bounded)."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(64)
        self.port: int = self.server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/sparql"
        self.requests: list[bytes] = []
        self.probes = 0
        self._seen = threading.Condition()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:
                return  # closed
            with connection:
                connection.settimeout(5)
                head = b""
                try:
                    while b"\r\n\r\n" not in head and len(head) < 65536:
                        chunk = connection.recv(65536)
                        if not chunk:
                            break
                        head += chunk
                    if head != PROBE:
                        connection.sendall(
                            b"HTTP/1.1 200 OK\r\n"
                            b"Content-Type: application/sparql-results+json\r\n"
                            b"Content-Length: %d\r\nConnection: close\r\n\r\n"
                            % len(ANSWER)
                            + ANSWER
                        )
                except OSError:
                    pass
            with self._seen:
                if head == PROBE:
                    self.probes += 1
                elif len(self.requests) < MAX_RECORDED:
                    self.requests.append(head[:500])
                self._seen.notify_all()

    def calls(self) -> int:
        """Connections so far, other than probes; every earlier connection is counted.

        The kernel queues connections in order, so once a probe sent now has been
        accepted, so has every connection made before it.
        """
        with self._seen:
            wanted = self.probes + 1
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as probe:
            probe.sendall(PROBE)
        with self._seen:
            assert self._seen.wait_for(lambda: self.probes >= wanted, timeout=10)
            return len(self.requests)

    def close(self) -> None:
        self.server.close()


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    found = Listener()
    yield found
    found.close()


ENGINES = ["memory", "oxigraph:memory", "oxigraph-folder", "oxigraph-server"]


@pytest.fixture(scope="module")
def engines(request: pytest.FixtureRequest) -> Iterator[dict[str, Engine]]:
    opened = {name: open_engine(store_spec(request, name)) for name in ENGINES}
    yield opened
    for engine in opened.values():
        engine.close()


def outcome(engine: Engine, text: str) -> str:
    """``refused`` (the project's QueryError) or ``accepted``; nothing else may happen."""
    try:
        engine.query(text)
    except QueryError:
        return "refused"
    return "accepted"


# ------------------------------------------------------------------ the attacks

# @U@ is the listener's URL; @H@ its http://127.0.0.1:PORT/ part. Each text is a query that
# one of the parsers could read as harmless and the other as a call to the listener.
ATTACKS: dict[str, dict[str, str]] = {
    "escapes-in-strings": {
        # the shape: one string to rdflib, two strings around a SERVICE to Oxigraph
        "u-quote": 'SELECT * WHERE { FILTER("\\u0022 || ") SERVICE <@U@> { ?x ?p ?o } '
        'FILTER(" || \\u0022") }',
        "U-quote": 'SELECT * WHERE { FILTER("\\U00000022 || ") SERVICE <@U@> { ?x ?p ?o } '
        'FILTER(" || \\U00000022") }',
        "u-eight-digits": 'SELECT * WHERE { FILTER("\\u00000022 || ") SERVICE <@U@> '
        '{ ?x ?p ?o } FILTER(" || \\u00000022") }',
        "U-four-digits": 'SELECT * WHERE { FILTER("\\U0022 || ") SERVICE <@U@> { ?x ?p ?o } '
        'FILTER(" || \\U0022") }',
        "u-apostrophe": "SELECT * WHERE { FILTER('\\u0027 || ') SERVICE <@U@> { ?x ?p ?o } "
        "FILTER(' || \\u0027') }",
        "u-hash-in-string": 'SELECT * WHERE { BIND("\\u0022 AS ?a) \\u0023" AS ?a) '
        "SERVICE <@U@> { ?x ?p ?o } }",
        "u-in-long-string": 'SELECT * WHERE { FILTER("""\\u0022\\u0022\\u0022 || """) '
        'SERVICE <@U@> { ?x ?p ?o } FILTER(""" || \\u0022\\u0022\\u0022""") }',
    },
    "escapes-outside-strings": {
        "keyword": "SELECT * WHERE { \\u0053ERVICE <@U@> { ?x ?p ?o } }",
        "keyword-U": "SELECT * WHERE { \\U00000053ERVICE <@U@> { ?x ?p ?o } }",
        "iri-open": "SELECT * WHERE { SERVICE \\u003C@U@> { ?x ?p ?o } }",
        "iri-close": "SELECT * WHERE { SERVICE <@U@\\u003E { ?x ?p ?o } }",
        "inside-iri": "SELECT * WHERE { SERVICE <@U@\\u003Fa=b> { ?x ?p ?o } }",
        "hash": "SELECT * WHERE { \\u0023 x\n SERVICE <@U@> { ?x ?p ?o } }",
        "brace": "SELECT * WHERE \\u007B SERVICE <@U@> { ?x ?p ?o } }",
        "cr-escape-ends-comment": "SELECT * WHERE { # c \\u000D SERVICE <@U@> { ?x ?p ?o }\n}",
    },
    "bare-cr-comment": {
        "cr": "SELECT * WHERE { # c\r SERVICE <@U@> { ?x ?p ?o }\n}",
        "cr-in-optional": "SELECT * WHERE { OPTIONAL { # c\r SERVICE <@U@> { ?x ?p ?o }\n} }",
        "cr-in-subquery": "SELECT * WHERE { { SELECT * WHERE { #\r SERVICE <@U@> { ?x ?p ?o }\n"
        "} } }",
        "cr-silent": "SELECT * WHERE { # c\r SERVICE SILENT <@U@> { ?x ?p ?o }\n}",
        "cr-in-ask": "ASK { # c\r SERVICE <@U@> { ?x ?p ?o }\n}",
        "cr-construct": "CONSTRUCT { ?x ?x ?x } WHERE { # c\r SERVICE <@U@> { ?x ?p ?o }\n}",
        "two-crs": "SELECT * WHERE { #\r#\r SERVICE <@U@> { ?x ?p ?o }\n}",
    },
    "crlf-and-other-line-ends": {
        "crlf": "SELECT * WHERE { # c\r\n SERVICE <@U@> { ?x ?p ?o }\r\n}",
        "lf-cr": "SELECT * WHERE { # c\n\r SERVICE <@U@> { ?x ?p ?o } }",
        "u2028": "SELECT * WHERE { # c\u2028 SERVICE <@U@> { ?x ?p ?o }\n}",
        "u2029": "SELECT * WHERE { # c\u2029 SERVICE <@U@> { ?x ?p ?o }\n}",
        "nel": "SELECT * WHERE { # c\x85 SERVICE <@U@> { ?x ?p ?o }\n}",
        "vt": "SELECT * WHERE { # c\x0b SERVICE <@U@> { ?x ?p ?o }\n}",
        "ff": "SELECT * WHERE { # c\x0c SERVICE <@U@> { ?x ?p ?o }\n}",
    },
    "comment-beside-iri": {
        "after-iri": "SELECT * WHERE { BIND(<http://example.org/a> AS ?i)#\r SERVICE <@U@> "
        "{ ?x ?p ?o }\n}",
        "hash-iri-then-cr": "SELECT * WHERE { BIND(<http://example.org/#a> AS ?i) #\r "
        "SERVICE <@U@> { ?x ?p ?o }\n}",
        "iri-then-hash": "SELECT * WHERE { VALUES ?i { <http://example.org/a#> }#\r "
        "SERVICE <@U@> { ?x ?p ?o }\n}",
        "before-iri": "SELECT * WHERE { SERVICE #\r<@U@> { ?x ?p ?o }\n}",
        "between-service-and-iri": "SELECT * WHERE { SERVICE #\n <@U@> { ?x ?p ?o } }",
        "prefix-line": "PREFIX r: <@H@> #\r\nSELECT * WHERE { #\r SERVICE r:sparql { ?x ?p ?o }\n}",
    },
    "service-forms": {
        "plain": "SELECT * WHERE { SERVICE <@U@> { ?x ?p ?o } }",
        "silent": "SELECT * WHERE { SERVICE SILENT <@U@> { ?x ?p ?o } }",
        "prefixed-name": "PREFIX r: <@H@> SELECT * WHERE { SERVICE r:sparql { ?x ?p ?o } }",
        "variable": "SELECT * WHERE { VALUES ?e { <@U@> } SERVICE ?e { ?x ?p ?o } }",
        "lower-case": "select * where { service <@U@> { ?x ?p ?o } }",
        "in-exists": "SELECT * WHERE { FILTER EXISTS { SERVICE <@U@> { ?x ?p ?o } } }",
        "in-subquery": "SELECT * WHERE { { SELECT * WHERE { SERVICE <@U@> { ?x ?p ?o } } } }",
        "in-a-string": 'SELECT ?x WHERE { BIND("SERVICE <@U@> { ?x ?p ?o }" AS ?x) }',
        "in-a-long-string": "SELECT ?x WHERE { BIND('''x\r SERVICE <@U@> { }''' AS ?x) }",
    },
    "from": {
        "from": "SELECT * FROM <@U@> WHERE { ?s ?p ?o } LIMIT 1",
        "from-named": "SELECT * FROM NAMED <@U@> WHERE { GRAPH ?g { ?s ?p ?o } } LIMIT 1",
        "from-escaped": "SELECT * \\u0046ROM <@U@> WHERE { ?s ?p ?o } LIMIT 1",
        "from-after-cr": "SELECT * # c\r FROM <@U@>\n WHERE { ?s ?p ?o } LIMIT 1",
        "from-in-ask": "ASK FROM <@U@> { ?s ?p ?o }",
        "from-in-construct": "CONSTRUCT { ?s ?p ?o } FROM <@U@> WHERE { ?s ?p ?o } LIMIT 1",
    },
    "load-and-updates": {
        "load": "LOAD <@U@>",
        "load-silent": "LOAD SILENT <@U@> INTO GRAPH <urn:x:g>",
        "load-escaped": "\\u004COAD <@U@>",
        "load-after-cr": "# c\rLOAD <@U@>\nSELECT * WHERE { ?s ?p ?o }",
        "load-after-query": "SELECT * WHERE { ?s ?p ?o } ; LOAD <@U@>",
        "insert-data": 'INSERT DATA { <urn:x:a> <urn:x:b> "c" }',
        "insert-where": "INSERT { ?s ?p 1 } WHERE { SERVICE <@U@> { ?s ?p ?o } }",
        "delete-data": 'DELETE DATA { <urn:x:a> <urn:x:b> "c" }',
        "delete-where": "DELETE WHERE { ?s ?p ?o }",
        "modify": "WITH <urn:x:g> DELETE { ?s ?p ?o } INSERT { ?s ?p 1 } WHERE { ?s ?p ?o }",
        "clear": "CLEAR ALL",
        "drop": "DROP SILENT GRAPH <@U@>",
        "create": "CREATE GRAPH <@U@>",
        "add": "ADD <@U@> TO DEFAULT",
        "move": "MOVE DEFAULT TO <@U@>",
        "copy": "COPY <@U@> TO DEFAULT",
    },
}

CASES = [
    pytest.param(kind, name, text, id=f"{kind}-{name}")
    for kind, texts in ATTACKS.items()
    for name, text in texts.items()
]


def fill(text: str, listener: Listener) -> str:
    return text.replace("@U@", listener.url).replace("@H@", f"http://127.0.0.1:{listener.port}/")


def test_the_listener_sees_a_call_the_guard_would_stop(
    listener: Listener, engines: dict[str, Engine]
) -> None:
    """Control: Oxigraph does call out for SERVICE when nothing stops it."""
    store = engines["oxigraph:memory"].store  # type: ignore[attr-defined]
    before = listener.calls()
    rows = list(store.query(f"SELECT ?x WHERE {{ SERVICE <{listener.url}> {{ ?x ?p ?o }} }}"))
    assert [row["x"].value for row in rows] == ["remote"]
    assert listener.calls() == before + 1


# rdflib runs the algebra it checked, so where the canonical text holds the word SERVICE
# only in a string or comment, the rdflib engine and the server may run it (and call
# nothing); engines that run text refuse the word itself.
HARMLESS_TO_RDFLIB = {"escapes-in-strings", "crlf-and-other-line-ends"}
HARMLESS_CASES = {("service-forms", "in-a-string"), ("service-forms", "in-a-long-string")}


def allowed_outcomes(engine_name: str, kind: str, name: str) -> set[str]:
    harmless = kind in HARMLESS_TO_RDFLIB or (kind, name) in HARMLESS_CASES
    if engine_name in ("memory", "server") and harmless:
        return {"refused", "accepted"}
    return {"refused"}


@pytest.mark.parametrize("engine_name", ENGINES)
@pytest.mark.parametrize(("kind", "name", "text"), CASES)
def test_every_attack_is_refused_and_calls_nothing(
    listener: Listener,
    engines: dict[str, Engine],
    engine_name: str,
    kind: str,
    name: str,
    text: str,
) -> None:
    before = listener.calls()
    assert outcome(engines[engine_name], fill(text, listener)) in allowed_outcomes(
        engine_name, kind, name
    )
    assert listener.calls() == before, listener.requests[before:]


TEXT_ENGINES = ["oxigraph:memory", "oxigraph-folder", "oxigraph-server"]


@pytest.mark.parametrize("engine_name", TEXT_ENGINES)
@pytest.mark.parametrize(("kind", "name", "text"), CASES)
def test_a_caller_that_skips_the_check_still_cannot_call_out(
    listener: Listener,
    engines: dict[str, Engine],
    engine_name: str,
    kind: str,
    name: str,
    text: str,
) -> None:
    """``checked=True`` (and the CLI's Oxigraph fast path, ``solutions``) skip only rdflib's
    parse: the engine itself still runs the canonical text and refuses the word SERVICE."""
    engine, query = engines[engine_name], fill(text, listener)
    before = listener.calls()
    # FROM never fetches on Oxigraph, and it cannot run an update at all: no call either way
    must_refuse = kind not in ("from", "load-and-updates")
    with pytest.raises(QueryError) if must_refuse else contextlib.suppress(QueryError):
        engine.query(query, checked=True)
    if engine_name != "oxigraph-server":
        with pytest.raises(QueryError) if must_refuse else contextlib.suppress(QueryError):
            engine.solutions(query)  # type: ignore[attr-defined]
    assert listener.calls() == before


@pytest.mark.parametrize(("kind", "name", "text"), CASES)
def test_the_server_refuses_every_attack(
    listener: Listener, kind: str, name: str, text: str, server: QueryService
) -> None:
    before = listener.calls()
    reply = server.handle(SparqlJob(fill(text, listener), None))
    if reply.status == 200:
        assert "accepted" in allowed_outcomes("server", kind, name)
    else:
        assert reply.status == 400
        assert reply.error
        assert "\n" not in reply.error
    assert listener.calls() == before


@pytest.fixture(scope="module")
def server() -> QueryService:
    return QueryService(WorkerConfig(max_rows=50))


# ------------------------------------------------------------------ the CLI


@pytest.mark.parametrize("name", ["u-quote", "U-quote", "u-eight-digits", "u-in-long-string"])
@pytest.mark.parametrize("how", ["--store", "KZEU_STORE"])
def test_cli_sparql_refuses_the_attack_on_oxigraph(
    listener: Listener, tmp_path: Any, name: str, how: str
) -> None:
    from click.testing import CliRunner

    from kzeu_graph.cli.commands import main

    query = tmp_path / "q.rq"
    query.write_bytes(fill(ATTACKS["escapes-in-strings"][name], listener).encode())
    args = ["sparql", str(query)]
    env = {"KZEU_STORE": "oxigraph:memory"} if how == "KZEU_STORE" else {}
    if how == "--store":
        args += ["--store", "oxigraph:memory"]
    before = listener.calls()
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 2
    assert result.output.startswith("kzeu-graph: error: SERVICE is refused")
    assert result.output.count("\n") == 1
    assert listener.calls() == before


# ------------------------------------------------------------------ fuzzing

QUOTES = ['"', "'", '"""', "'''"]
# escapes a parser could read as the quote itself (rdflib also reads 4 digits after \U and
# 8 after \u), and some that it could not
QUOTE_ESCAPES = {
    '"': ["\\u0022", "\\U00000022", "\\u00000022", "\\U0022", "\\u005C\\u0022"],
    "'": ["\\u0027", "\\U00000027", "\\u00000027", "\\U0027", "\\u005C\\u0027"],
}
OTHER_ESCAPES = ["\\u0023", "\\u000D", "\\u000A", "\\u005C", "\\u003C", "\\u007D", "\\u0053"]
LINE_ENDS = ["\r", "\r", "\n", "\r\n", "\n\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", ""]
NOISE = [
    " ", "\t", "\n", "\r", "<http://example.org/#>", "<http://example.org/a>", '" || "',
    "#", "\\", "\\\\", '""', "''", '"#"', "'''#'''", '"""\r"""',
]  # fmt: skip
CORES = {
    "group": [
        "SERVICE <@U@> { ?x ?p ?o }",
        "SERVICE SILENT <@U@> { ?x ?p ?o }",
        "SERVICE r:sparql { ?x ?p ?o }",
    ],
    "dataset": ["FROM <@U@>", "FROM NAMED <@U@>"],
    "update": ["LOAD <@U@>", "; LOAD <@U@>", "LOAD SILENT <@U@> INTO GRAPH <urn:x:g> ;"],
}
FORMS = {
    "group": [
        "PREFIX r: <@H@> SELECT * WHERE { @HIDDEN@ }",
        "PREFIX r: <@H@> ASK { @HIDDEN@ }",
        "PREFIX r: <@H@> SELECT * WHERE { OPTIONAL { @HIDDEN@ } }",
    ],
    "dataset": ["SELECT * @HIDDEN@ WHERE { ?s ?p ?o } LIMIT 1"],
    "update": ["SELECT * WHERE { ?s ?p ?o } LIMIT 1 @HIDDEN@", "@HIDDEN@ ASK { }"],
}
noise = st.lists(st.sampled_from(NOISE + OTHER_ESCAPES), max_size=3).map("".join)


@st.composite
def in_strings(draw: st.DrawFn) -> str:
    """The core between two strings that a parser could read as one (the issue's shape)."""
    quote = draw(st.sampled_from(QUOTES))
    escapes = QUOTE_ESCAPES[quote[0]] + OTHER_ESCAPES
    first, last = draw(st.sampled_from(escapes)), draw(st.sampled_from(escapes))
    pad = draw(noise)
    return f"FILTER({quote}{first}{pad} || {quote}) @CORE@ FILTER({quote} || {pad}{last}{quote})"


@st.composite
def in_comment(draw: st.DrawFn) -> str:
    """The core after a comment that a parser could end early, before a line end."""
    body = draw(st.sampled_from(["", " c", " <@U@>", ' "', "\\u0022", "<http://example.org/#"]))
    return f"#{body}{draw(st.sampled_from(LINE_ENDS))} @CORE@{draw(st.sampled_from(LINE_ENDS))}"


@st.composite
def fuzzed_query(draw: st.DrawFn) -> str:
    """A SERVICE, FROM or LOAD, maybe hidden in strings or after a comment, in noise."""
    kind = draw(st.sampled_from(sorted(CORES)))
    hidden = draw(st.one_of(in_strings(), in_comment(), st.just("@CORE@")))
    hidden = draw(noise) + hidden + draw(noise)
    core = draw(st.sampled_from(CORES[kind]))
    form = draw(st.sampled_from(FORMS[kind]))
    return form.replace("@HIDDEN@", hidden).replace("@CORE@", core)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=fuzzed_query())
def test_fuzzed_queries_are_refused_or_call_nothing(
    listener: Listener, engines: dict[str, Engine], text: str
) -> None:
    query = fill(text, listener)
    before = listener.calls()
    for engine in engines.values():
        outcome(engine, query)  # refused or accepted: any other exception fails
    assert listener.calls() == before, (query, listener.requests[before:])


# ------------------------------------------------------------------ the canonical text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"caf\\u00E9"', '"café"'),
        ('"\\U0001F600"', '"\U0001f600"'),
        ('"\\u0022 || "', '"" || "'),  # decoded first, as SPARQL 1.1 section 19.2 says
        ("\\u0053ERVICE", "SERVICE"),
        ('"\\\\u0041"', '"\\A"'),  # an escaped backslash does not protect an escape
        ("a\r\nb\rc\n", "a\nb\nc\n"),
        ("# x\\u000D y", "# x\n y"),  # decoded first, then line ends
        ("\\user \\\\x", "\\user \\\\x"),  # no hex digits: not an escape
    ],
)
def test_canonical_text(text: str, expected: str) -> None:
    assert canonical_query(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("\\u005Cu0022", "decodes to another"),
        ("\\U0041", "decodes to another"),  # \U takes 8 digits: rdflib would read 4
        ("\\u005CU00000022", "decodes to another"),
        ('"\\uD800"', "not a Unicode character"),
        ('"\\U00110000"', "not a Unicode character"),
    ],
)
def test_escapes_that_leave_an_escape_are_refused(text: str, message: str) -> None:
    with pytest.raises(QueryError, match=message):
        canonical_query(text)


@pytest.mark.parametrize(
    "text",
    [
        'SELECT * { ?s ?p "customer service" }',
        "SELECT ?service { ?s ?p ?o }",
        "SELECT * { ?s ?p <http://example.org/Service> }",
        "SELECT * { ?s ?p ?o } # no SERVICE here",
        'SELECT * { ?s ?p "ｓｅｒｖｉｃｅ" }',  # fullwidth: NFKC makes it the word
        'SELECT * { ?s ?p "ſervice" }',  # long s: casefold makes it the word
    ],
)
def test_engines_that_run_text_refuse_the_word_service(text: str) -> None:
    with pytest.raises(QueryError, match=r"^SERVICE is refused: the word SERVICE appears"):
        check_query_text(text)


ANY_TEXT = st.text(
    alphabet=st.sampled_from(["\\", "u", "U", "0", "2", "D", "a", "F", "\r", "\n", '"', "#"]),
    max_size=30,
)


@settings(max_examples=300, deadline=None)
@given(text=ANY_TEXT)
def test_the_canonical_text_is_what_rdflib_parses(text: str) -> None:
    """The two facts the proof rests on: rdflib's pre-parse expansion leaves the canonical
    text unchanged (so rdflib parses exactly it), and it holds no CR (so every comment
    ends at the same LF for every parser). And canonical_query is idempotent."""
    from rdflib.plugins.sparql.parser import expandUnicodeEscapes

    try:
        canonical = canonical_query(text)
    except QueryError:
        return
    assert expandUnicodeEscapes(canonical) == canonical
    assert "\r" not in canonical
    assert canonical_query(canonical) == canonical


# ------------------------------------------------------------------ --allow-service (the server)


@pytest.fixture(scope="module")
def federating(listener: Listener) -> QueryService:
    """The server's query side with the listener on its SERVICE allow-list."""
    return QueryService(WorkerConfig(max_rows=50, allowed_services=frozenset({listener.url})))


def test_an_allowed_service_is_called_and_its_rows_come_back(
    listener: Listener, federating: QueryService
) -> None:
    before = listener.calls()
    reply = federating.handle(
        SparqlJob(
            f"SELECT ?x WHERE {{ SERVICE <{listener.url}> {{ ?x ?p ?o }} }}",
            "application/sparql-results+json",
        )
    )
    assert reply.status == 200, reply.error
    bindings = json.loads(reply.body)["results"]["bindings"]
    assert bindings == [{"x": {"type": "literal", "value": "remote"}}]
    assert listener.calls() == before + 1
    assert listener.requests[-1].split(b" ")[1].startswith(b"/sparql")  # rdflib's call


FORM_REFUSED = "is refused in this form: write SERVICE <endpoint> { ... }"

ALLOW_LIST_REFUSALS = {
    "silent": ("SELECT * WHERE { SERVICE SILENT <@U@> { ?x ?p ?o } }", FORM_REFUSED),
    "prefixed-name": (
        "PREFIX r: <@H@> SELECT * WHERE { SERVICE r:sparql { ?x ?p ?o } }",
        FORM_REFUSED,
    ),
    "tab": ("SELECT * WHERE { SERVICE\t<@U@> { ?x ?p ?o } }", FORM_REFUSED),
    "line-end": ("SELECT * WHERE { SERVICE\n<@U@> { ?x ?p ?o } }", FORM_REFUSED),
    "comment-inside": ("SELECT * WHERE { SERVICE #\n<@U@> { ?x ?p ?o } }", FORM_REFUSED),
    "relative-iri": (
        "BASE <@H@> SELECT * WHERE { SERVICE <sparql> { ?x ?p ?o } }",
        FORM_REFUSED,
    ),
    "twice": (
        "SELECT * WHERE { SERVICE <@U@> { ?x ?p ?o } SERVICE <@U@> { ?x ?p ?o } }",
        "SERVICE is refused more than once per query",
    ),
    "word-in-a-string-first": (
        'SELECT * WHERE { BIND("SERVICE <@U@> { ?a ?b ?c }" AS ?s) SERVICE <@U@> { ?x ?p ?o } }',
        "the word SERVICE occurs again",
    ),
    "word-in-a-comment": (
        "SELECT * WHERE { SERVICE <@U@> { ?x ?p ?o } } # a service",
        "the word SERVICE occurs again",
    ),
    "not-on-the-list": (
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?x ?p ?o } }",
        "is not on the server's allow-list",
    ),
    "variable": (
        "SELECT * WHERE { VALUES ?e { <@U@> } SERVICE ?e { ?x ?p ?o } }",
        "is not on the server's allow-list",
    ),
    "bare-cr-comment": (
        "SELECT * WHERE { # \r SERVICE <@U@> { ?x ?p ?o }\n}",
        None,  # canonical text: the SERVICE is live, and allowed: it is called (checked below)
    ),
}


@pytest.mark.parametrize("case", sorted(ALLOW_LIST_REFUSALS))
def test_service_forms_that_rdflib_would_not_call_as_written_are_refused(
    listener: Listener, federating: QueryService, case: str
) -> None:
    text, message = ALLOW_LIST_REFUSALS[case]
    before = listener.calls()
    reply = federating.handle(SparqlJob(fill(text, listener), "application/sparql-results+json"))
    if message is None:
        assert reply.status == 200, reply.error
        assert json.loads(reply.body)["results"]["bindings"] == [
            {"x": {"type": "literal", "value": "remote"}}
        ]
        assert listener.calls() == before + 1
        return
    assert reply.status == 400
    assert reply.error is not None
    assert reply.error.startswith("SERVICE"), reply.error
    assert message in reply.error
    assert listener.calls() == before
