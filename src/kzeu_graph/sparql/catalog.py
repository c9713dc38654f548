"""Saved SPARQL queries: grlc-style ``#+`` YAML headers and typed parameters."""

from __future__ import annotations

import datetime
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kzeu_graph import resources
from kzeu_graph.errors import ParameterError, QueryError
from kzeu_graph.rdf.prefixes import PREFIX_IRIS
from kzeu_graph.rdf.terms import (
    QUERY_SKIPPED,
    XSD,
    Term,
    TermError,
    from_oxigraph,
    from_rdflib,
    is_valid_iri,
    to_rdflib,
)

if TYPE_CHECKING:
    from rdflib import Variable
    from rdflib.term import Node

# No rdflib at import time: the command line's query path reads the catalog without it
# (rdflib terms are made on demand by ``bind`` and ``convert_value``).

__all__ = [
    "KINDS",
    "Parameter",
    "SavedQuery",
    "convert_value",
    "get_query",
    "is_valid_iri",
    "list_queries",
    "parse_query_file",
    "parse_value",
    "query_names",
]

# type suffix -> kind
KINDS: dict[str, str] = {
    "iri": "iri",
    "integer": "integer",
    "decimal": "decimal",
    "date": "date",
    "year": "year",
    "en": "en",
    "literal": "literal",
}

_VARIABLE = re.compile(r"[?$](__?)([A-Za-z0-9][A-Za-z0-9_]*)")
_QUERY_TYPE = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")
_DATE = re.compile(
    r"-?[0-9]{4,}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])(Z|[+-][0-9]{2}:[0-9]{2})?"
)
_YEAR = re.compile(r"-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?")


def _normalise(name: str) -> str:
    return name.replace("_", "").replace("-", "")


def expand_curie(value: str) -> str:
    """``<iri>`` -> ``iri``; a CURIE with a project prefix (``kzr:x``) -> its full IRI."""
    if value.startswith("<") and value.endswith(">"):
        return value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIX_IRIS and not local.startswith("//"):
        return PREFIX_IRIS[prefix] + local
    return value


@dataclass(frozen=True)
class Parameter:
    """One parameter of a saved query, derived from a ``?_name_kind`` variable."""

    name: str
    variable_name: str
    kind: str
    required: bool
    default: str | None = None
    description: str = ""

    @property
    def variable(self) -> Variable:
        """The query variable (an rdflib ``Variable``) this parameter binds."""
        from rdflib import Variable

        return Variable(self.variable_name)


def _parameter_from_variable(variable: str, underscores: str) -> Parameter:
    """``?_person_iri`` -> Parameter(name="person", kind="iri", required=True)."""
    body = variable[len(underscores) :]
    parts = [p for p in body.split("_") if p]
    kind = "literal"
    if len(parts) > 1 and parts[-1] in KINDS:
        kind = KINDS[parts[-1]]
        parts = parts[:-1]
    name = "".join(parts)
    return Parameter(name=name, variable_name=variable, kind=kind, required=underscores == "_")


def _is_calendar_date(text: str) -> bool:
    """Whether ``text`` starts with a real day ``YYYY-MM-DD`` (years 0001-9999)."""
    try:
        datetime.date.fromisoformat(text[:10])
    except ValueError:
        return False
    return True


def _given_term(raw: Any) -> Term | None:
    """An already-built term (ours, rdflib's or pyoxigraph's) as a Term; None for a string."""
    if isinstance(raw, Term):
        return raw
    module = type(raw).__module__
    if module.startswith("rdflib"):
        return from_rdflib(raw)
    if module.startswith("pyoxigraph"):
        return from_oxigraph(raw)
    return None


def parse_value(parameter: Parameter, raw: str | Term | Node | Any) -> Term:
    """Turn a user's value into a Term of the parameter's kind (strings validated lexically).

    Needs no rdflib; an rdflib or pyoxigraph term is accepted as it is (an IRI parameter
    still needs an IRI).
    """
    try:
        given = _given_term(raw)
    except TermError as exc:
        raise ParameterError(f"parameter {parameter.name!r}: {exc}") from None
    if given is not None:
        if parameter.kind == "iri" and not (given.kind == "iri" and is_valid_iri(given.value)):
            raise ParameterError(f"parameter {parameter.name!r} needs an absolute IRI")
        return given
    if not isinstance(raw, str):
        raise ParameterError(f"parameter {parameter.name!r} needs a string or an RDF term")
    value = raw  # no trimming: what is checked is what is bound
    kind = parameter.kind

    def bad(what: str) -> ParameterError:
        return ParameterError(f"parameter {parameter.name!r} needs {what}, got {raw!r}")

    if kind == "iri":
        value = expand_curie(value)
        if not is_valid_iri(value):
            raise bad('an absolute IRI (scheme, no spaces or <>"{}|\\^` characters)')
        return Term("iri", value)
    if kind == "integer":
        if not _INTEGER.fullmatch(value):
            raise bad("an integer")
        return Term.literal(str(int(value)), XSD + "integer")
    if kind == "decimal":
        if not _DECIMAL.fullmatch(value):
            raise bad("a decimal number")
        try:
            return Term.literal(format(Decimal(value), "f"), XSD + "decimal")
        except InvalidOperation:
            raise bad("a decimal number") from None
    if kind == "date":
        if not _DATE.fullmatch(value) or not _is_calendar_date(value):
            raise bad("a date YYYY-MM-DD")
        return Term.literal(value, XSD + "date")
    if kind == "year":
        if not _YEAR.fullmatch(value):
            raise bad("a year YYYY")
        return Term.literal(value, XSD + "gYear")
    if kind == "en":
        return Term.literal(value, language="en")
    return Term.literal(value)


def convert_value(parameter: Parameter, raw: str | Node | Term) -> Node:
    """Turn a user's value into an rdflib term of the parameter's kind (validated lexically)."""
    if type(raw).__module__.startswith("rdflib"):
        parse_value(parameter, raw)  # checks the kind (an IRI parameter needs an IRI)
        return raw  # type: ignore[return-value]
    return to_rdflib(parse_value(parameter, raw))


@dataclass(frozen=True)
class SavedQuery:
    """A query file from ``queries/``: its header metadata, parameters and text."""

    name: str
    path: Path
    summary: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str
    query_type: str
    enumerate: tuple[str, ...] = field(default=())
    columns: tuple[str, ...] = field(default=())
    values: tuple[tuple[str, str], ...] = field(default=())

    def value_scheme(self, name: str) -> str | None:
        """The IRI of the concept scheme whose concepts are ``name``'s allowed values, if any."""
        return dict(self.values).get(self.parameter(name).name)

    def parameter(self, name: str) -> Parameter:
        """The parameter called ``name`` (underscores and hyphens in ``name`` are ignored)."""
        wanted = _normalise(name)
        for parameter in self.parameters:
            if parameter.name == wanted:
                return parameter
        raise ParameterError(f"query {self.name!r} has no parameter {name!r}{self._known()}")

    def _known(self) -> str:
        names = ", ".join(p.name for p in self.parameters)
        return f" (parameters: {names})" if names else " (it takes no parameters)"

    def bind(self, raw: Mapping[str, str | Node | Term] | None = None) -> dict[Variable, Node]:
        """Typed initial bindings (rdflib terms) from user values; see :meth:`bind_terms`."""
        from rdflib import Variable

        terms = self.bind_terms(raw)  # checks names and values
        given = {self.parameter(key).variable_name: value for key, value in (raw or {}).items()}
        bindings: dict[Variable, Node] = {}
        for name, term in terms.items():
            value = given.get(name)
            rdflib_node = value is not None and type(value).__module__.startswith("rdflib")
            bindings[Variable(name)] = value if rdflib_node else to_rdflib(term)  # type: ignore[assignment]
        return bindings

    def bind_terms(self, raw: Mapping[str, str | Node | Term] | None = None) -> dict[str, Term]:
        """Typed bindings {variable name: Term}; defaults filled, unknown/missing refused."""
        given: dict[str, str | Node | Term] = {}
        for name, value in (raw or {}).items():
            canonical = self.parameter(name).name  # raises on unknown names
            if canonical in given:
                raise ParameterError(f"parameter {canonical!r} given twice")
            given[canonical] = value
        bindings: dict[str, Term] = {}
        for parameter in self.parameters:
            if parameter.name in given:
                bindings[parameter.variable_name] = parse_value(parameter, given[parameter.name])
            elif parameter.default is not None:
                bindings[parameter.variable_name] = parse_value(parameter, parameter.default)
            elif parameter.required:
                raise ParameterError(
                    f"query {self.name!r} needs parameter {parameter.name!r} "
                    f"({parameter.kind}); pass --param {parameter.name}=VALUE"
                )
        return bindings


_TOP_LEVEL_SCALAR = re.compile(r"^([A-Za-z_][A-Za-z0-9_-]*):[ \t]+(.*\S)[ \t]*$")


def _quote_top_level_scalars(lines: list[str]) -> list[str]:
    """Quote one-line top-level values (``summary: What: why?`` is not valid YAML otherwise)."""
    out = []
    for line in lines:
        match = _TOP_LEVEL_SCALAR.match(line)
        if match and match.group(2)[0] not in "\"'|>[{&*!%@`#":
            line = f"{match.group(1)}: {json.dumps(match.group(2))}"
        out.append(line)
    return out


def _header(text: str, path: Path) -> dict[str, Any]:
    """The YAML mapping formed by the ``#+`` lines.

    A one-line top-level value that is not valid plain YAML (a colon followed by a space
    inside a summary, say) is read as a string.
    """
    lines = [
        line[3:] if line.startswith("#+ ") else ""
        for line in text.splitlines()
        if line.startswith("#+")
    ]
    if not lines:
        return {}
    try:
        data = yaml.safe_load("\n".join(lines))
    except yaml.YAMLError:
        try:
            data = yaml.safe_load("\n".join(_quote_top_level_scalars(lines)))
        except yaml.YAMLError as exc:
            raise QueryError(f"{path}: malformed #+ header: {' '.join(str(exc).split())}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise QueryError(f"{path}: the #+ header must be a YAML mapping")
    return data


def _defaults(value: Any, path: Path) -> dict[str, str]:
    """``defaults:`` as a list of one-key maps (or a plain map) -> {name: value}."""
    result: dict[str, str] = {}
    items: list[Any]
    if value is None:
        return result
    items = [value] if isinstance(value, dict) else list(value) if isinstance(value, list) else []
    if not items and value:
        raise QueryError(f"{path}: 'defaults' must be a list of name: value maps")
    for item in items:
        if not isinstance(item, dict):
            raise QueryError(f"{path}: 'defaults' must be a list of name: value maps")
        for key, default in item.items():
            result[_normalise(str(key))] = str(default)
    return result


def _names(value: Any, what: str, path: Path) -> tuple[str, ...]:
    """``columns:`` as a YAML list or a comma-separated string -> names."""
    if value is None:
        return ()
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        raise QueryError(f"{path}: {what!r} must be a list of names or 'a, b, c'")
    return tuple(i.strip().lstrip("?") for i in items if i.strip())


def _values(value: Any, parameters: Mapping[str, Parameter], path: Path) -> dict[str, str]:
    """``values: {param: scheme CURIE or IRI}`` -> {parameter name: scheme IRI}."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise QueryError(f"{path}: 'values' must map parameter names to a concept scheme")
    out: dict[str, str] = {}
    for key, scheme in value.items():
        name = _normalise(str(key))
        if name not in parameters or parameters[name].kind != "iri":
            raise QueryError(f"{path}: 'values' names {key!r}, not an IRI parameter of the query")
        iri = expand_curie(str(scheme))
        if not is_valid_iri(iri):
            raise QueryError(f"{path}: 'values' for {key!r} is not an IRI or CURIE: {scheme!r}")
        out[name] = iri
    return out


def _strip_comments_and_strings(text: str) -> str:
    """The query text with comments, IRIs and string literals blanked (to find variables/type)."""
    return QUERY_SKIPPED.sub(" ", text)


def parse_query_file(path: Path) -> SavedQuery:
    """Read one ``.rq`` file into a SavedQuery (cached while the file is unchanged)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise QueryError(f"{path}: cannot read: {exc.strerror}") from None
    return _parse_query_file(path, stat.st_mtime_ns, stat.st_size)


@lru_cache(maxsize=512)
def _parse_query_file(path: Path, _mtime_ns: int, _size: int) -> SavedQuery:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise QueryError(f"{path}: cannot read: {exc.strerror}") from None
    header = _header(text, path)
    defaults = _defaults(header.get("defaults"), path)
    body = _strip_comments_and_strings(text)
    parameters: dict[str, Parameter] = {}
    for match in _VARIABLE.finditer(body):
        underscores, rest = match.group(1), match.group(2)
        parameter = _parameter_from_variable(underscores + rest, underscores)
        if not parameter.name:
            continue
        previous = parameters.get(parameter.name)
        if previous is not None and previous.variable_name != parameter.variable_name:
            raise QueryError(f"{path}: parameter {parameter.name!r} is declared twice")
        parameters[parameter.name] = parameter
    unknown_defaults = set(defaults) - set(parameters)
    if unknown_defaults:
        raise QueryError(
            f"{path}: defaults for unknown parameters: {', '.join(sorted(unknown_defaults))}"
        )
    params = tuple(
        Parameter(
            name=p.name,
            variable_name=p.variable_name,
            kind=p.kind,
            required=p.required,
            default=defaults.get(p.name),
        )
        for p in parameters.values()
    )
    type_match = _QUERY_TYPE.search(body)
    tags = header.get("tags") or []
    enum = header.get("enumerate") or []
    return SavedQuery(
        name=path.stem,
        path=path,
        summary=str(header.get("summary") or "").strip(),
        description=str(header.get("description") or "").strip(),
        tags=tuple(str(t) for t in (tags if isinstance(tags, list) else [tags])),
        parameters=params,
        text=text,
        query_type=type_match.group(1).upper() if type_match else "UNKNOWN",
        enumerate=tuple(str(e) for e in (enum if isinstance(enum, list) else [enum])),
        columns=_names(header.get("columns"), "columns", path),
        values=tuple(_values(header.get("values"), parameters, path).items()),
    )


def list_queries(directory: Path | None = None) -> list[SavedQuery]:
    """Every saved query in ``directory`` (default: the shipped queries), sorted by name."""
    folder = resources.queries_dir() if directory is None else Path(directory)
    if not folder.is_dir():
        return []
    return [parse_query_file(p) for p in sorted(folder.glob("*.rq"))]


_QUERY_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def query_names(directory: Path | None = None) -> list[str]:
    """The names of the saved queries (file stems), sorted, without parsing them."""
    folder = resources.queries_dir() if directory is None else Path(directory)
    return sorted(p.stem for p in folder.glob("*.rq")) if folder.is_dir() else []


def get_query(name: str, directory: Path | None = None) -> SavedQuery:
    """The saved query called ``name``; ParameterError listing the known names otherwise."""
    folder = resources.queries_dir() if directory is None else Path(directory)
    if _QUERY_NAME.fullmatch(name):
        try:
            return parse_query_file(folder / f"{name}.rq")
        except QueryError:
            if (folder / f"{name}.rq").is_file():
                raise
    known = ", ".join(query_names(folder)) or "(none)"
    raise ParameterError(f"unknown query {name!r}; known queries: {known}")
