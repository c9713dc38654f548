"""Parameters for engines that take query text: an inline VALUES row opening the outer group.

rdflib binds parameters with ``initBindings``. Oxigraph and remote SPARQL endpoints have no
equivalent with the same meaning (pyoxigraph's ``substitutions`` binds only projected
variables, and ``BOUND()`` of a substituted variable is false inside FILTER), so a bound
query is the saved query with one ``VALUES (?a ?b) { (t1 t2) }`` row placed first in its
outer WHERE group. That row is joined with the whole group before its FILTERs run, which is
what ``initBindings`` means for the variables of the outer group (every parameter of our
saved queries is one).

Only the saved query's own text (project files, not user input) decides where the row goes;
the values are written by :func:`kzeu_graph.rdf.terms.sparql_term`, which can only ever produce
one RDF term per value. No user string is ever pasted into the query text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from kzeu_graph.errors import QueryError
from kzeu_graph.rdf.prefixes import PREFIX_IRIS
from kzeu_graph.rdf.terms import QUERY_SKIPPED, RDF_LANG_STRING, XSD_STRING, Term, sparql_term

__all__ = ["bind_values", "outer_group_start", "with_project_prefixes"]

# The project's prefixes, declared before a query's own prologue (whose declarations win),
# as rdflib's ``prepareQuery(initNs=...)`` predeclares them: an ad-hoc ``kzr:x`` means the
# same on every engine.
_PROLOGUE = "".join(f"PREFIX {prefix}: <{iri}>\n" for prefix, iri in PREFIX_IRIS.items())


def with_project_prefixes(text: str) -> str:
    """``text`` with the project's PREFIX declarations first (the query's own win)."""
    return _PROLOGUE + text


# Comments, strings and IRIs, blanked (same length) before looking for keywords and braces.
_SKIPPED = QUERY_SKIPPED
_WHERE = re.compile(r"(?<![\w?$:])WHERE\s*\{", re.IGNORECASE)
_VARIABLE_NAME = re.compile(r"[A-Za-z0-9_]+")


def _blank(text: str) -> str:
    return _SKIPPED.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), text)


@lru_cache(maxsize=256)
def outer_group_start(text: str) -> int:
    """The index just after the ``{`` that opens the query's outer WHERE group.

    The first ``WHERE {`` outside comments, strings and IRIs (a subquery's WHERE comes
    later in the text); without WHERE, the first ``{`` (``SELECT * { ... }``, ``ASK { }``).
    """
    blanked = _blank(text)
    match = _WHERE.search(blanked)
    if match is not None:
        return match.end()
    brace = blanked.find("{")
    if brace < 0:
        raise QueryError("the query has no WHERE group to bind parameters in")
    return brace + 1


_ESCAPE_SENSITIVE = re.compile(r"\\(?=[uU])")


def _concat_expression(term: Term) -> str:
    """A string whose text has a backslash before ``u``/``U``, as ``CONCAT("\\", "u...")``.

    SPARQL lets an engine decode ``\\uXXXX`` before parsing, and some do so even after an
    escaped backslash (rdflib reads ``"\\\\u0022"`` as ``"\\""``: still one string, but
    not the user's). Cutting the string before each such ``u`` leaves no ``\\u`` in the
    query text, so every engine reads the same value.
    """
    pieces = [Term.literal(piece) for piece in _ESCAPE_SENSITIVE.split(term.value)]
    parts = [sparql_term(pieces[0])]
    for piece in pieces[1:]:
        parts.append(sparql_term(Term.literal("\\")))
        parts.append(sparql_term(piece))
    expression = f"CONCAT({', '.join(parts)})"
    if term.language is not None:
        language = sparql_term(Term.literal(term.language))
        sparql_term(term)  # checks the language tag
        return f"STRLANG({expression}, {language})"
    return expression


def bind_values(text: str, bindings: Mapping[str, Term]) -> str:
    """``text`` with ``bindings`` ({variable name: term}) bound (cached; see _bind_values)."""
    if not bindings:
        return text
    return _bind_values(text, tuple(bindings.items()))


@lru_cache(maxsize=1024)
def _bind_values(text: str, items: tuple[tuple[str, Term], ...]) -> str:
    """``text`` with ``bindings`` ({variable name: term}) as a VALUES row opening its WHERE.

    A string with a backslash before ``u``/``U`` is bound by a ``BIND(CONCAT(...))`` right
    after the row instead (see :func:`_concat_expression`); both join the whole group.
    """
    names: list[str] = []
    terms: list[str] = []
    binds: list[str] = []
    for name, term in items:
        if not _VARIABLE_NAME.fullmatch(name):
            raise QueryError(f"not a variable name: {name!r}")
        plain = term.datatype in (None, XSD_STRING, RDF_LANG_STRING)
        if term.kind == "literal" and plain and _ESCAPE_SENSITIVE.search(term.value):
            binds.append(f" BIND({_concat_expression(term)} AS ?{name})")
            continue
        names.append(f"?{name}")
        terms.append(sparql_term(term))
    row = f" VALUES ({' '.join(names)}) {{ ({' '.join(terms)}) }}" if names else ""
    at = outer_group_start(text)
    return text[:at] + row + "".join(binds) + " " + text[at:]
