"""The one writer per query result format: SPARQL 1.1 JSON, XML, CSV, TSV, and table cells.

Every path that prints or serves a result comes here: :meth:`Result.serialize` (rdflib and
remote stores, the Python API, the server), and the command line's Oxigraph path, which
hands over Oxigraph's terms without building rdflib ones. Rows are engine-neutral
:class:`~kzeu_graph.rdf.terms.Term` values, so this module imports no rdflib.

Engines write the same value in different lexical forms: Oxigraph stores numbers
canonically (``10.0`` becomes ``10``, ``"1"^^xsd:positiveInteger`` becomes
``"1"^^xsd:integer``) and cannot give the data's own form back, rdflib keeps the form the
file has, remote endpoints each have their habits. So every literal is written in ONE
form, the XSD 1.1 canonical form of its value (:func:`canonical`), on every engine; see
docs/stores.md ("Same bytes from every engine").
"""

from __future__ import annotations

import csv
import io
import json
import re
import struct
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from kzeu_graph.errors import KzeuError
from kzeu_graph.rdf.prefixes import compact_iri
from kzeu_graph.rdf.terms import (
    NOT_XML,
    RDF_LANG_STRING,
    XSD,
    XSD_INTEGERS,
    XSD_STRING,
    Term,
    ntriples_escape,
)

__all__ = [
    "RESULT_FORMATS",
    "NotXmlError",
    "canonical",
    "json_document",
    "table_cell",
    "table_rows",
    "tsv_term",
    "write",
]

RESULT_FORMATS = ("json", "xml", "csv", "tsv")
SPARQL_RESULTS_NS = "http://www.w3.org/2005/sparql-results#"

Row = Sequence[Term | None]

XSD_INTEGER = XSD + "integer"
XSD_DECIMAL = XSD + "decimal"
XSD_DOUBLE = XSD + "double"
XSD_FLOAT = XSD + "float"
XSD_BOOLEAN = XSD + "boolean"


# The lexical spaces (XSD 1.1 Part 2); anything else is ill-typed and written as it is.
_INTEGER = re.compile(r"[+-]?[0-9]+")
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")
# ... and for doubles also what Oxigraph reads as them (``inf``, ``Infinity``, ``-nan``), so
# that an engine which stores these as INF / NaN and one that keeps them print the same.
_FLOATING = re.compile(
    r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|[+-]?(?:inf|infinity|nan)",
    re.IGNORECASE,
)


class NotXmlError(KzeuError):
    """A result that the XML results format cannot represent (control characters)."""


# ------------------------------------------------------------------ canonical forms


def _decimal_form(value: Decimal) -> str:
    """XSD 1.1 decimalCanonicalMap: no point for an integer (``10``), else no trailing zero."""
    if value == value.to_integral_value():
        return str(int(value))
    text = format(value, "f").rstrip("0")
    return "0" if text in ("-0", "0") else text


def _scientific(digits: str, exponent: int, negative: bool) -> str:
    """``d.ddd`` E exponent, the mantissa with one non-zero digit before the point."""
    digits = digits.lstrip("0")
    exponent += len(digits) - 1
    digits = digits.rstrip("0") or "0"
    mantissa = digits[0] + "." + (digits[1:] or "0")
    return f"{'-' if negative else ''}{mantissa}E{exponent}"


def _floating_form(lexical: str, single: bool) -> str:
    """XSD 1.1 doubleCanonicalMap / floatCanonicalMap: ``1.0E1``, ``INF``, ``-0.0E0``.

    The digits are the fewest that read back as the same double (``float``: the same
    32-bit float), as XSD 1.1 asks.
    """
    value = float(lexical)  # Python reads INF, inf, Infinity and NaN alike
    if single and value == value and abs(value) != float("inf"):
        try:
            value = struct.unpack("<f", struct.pack("<f", value))[0]
        except OverflowError:
            value = float("inf") if value > 0 else float("-inf")
    if value != value:
        return "NaN"
    if abs(value) == float("inf"):
        return "INF" if value > 0 else "-INF"
    negative = str(value).startswith("-")
    if value == 0:
        return "-0.0E0" if negative else "0.0E0"
    if single:
        for precision in range(1, 10):
            text = f"{abs(value):.{precision - 1}e}"
            if struct.unpack("<f", struct.pack("<f", float(text)))[0] == abs(value):
                break
    else:
        text = repr(abs(value))
    _, digit_tuple, exponent = Decimal(text).as_tuple()
    assert isinstance(exponent, int)
    return _scientific("".join(map(str, digit_tuple)), exponent, negative)


_TIMEZONE = r"(?P<tz>Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))?"
_YEAR = r"-?(?:[1-9][0-9]{3,}|0[0-9]{3})"
_CLOCK = r"(?P<hour>[01][0-9]|2[0-4]):(?P<minute>[0-5][0-9]):(?P<second>[0-5][0-9])(?P<fraction>\.[0-9]+)?"
_TEMPORAL = {
    XSD + "dateTime": re.compile(
        rf"(?P<date>(?P<year>{_YEAR})-(?P<month>[0-9]{{2}})-(?P<day>[0-9]{{2}}))T{_CLOCK}{_TIMEZONE}"
    ),
    XSD + "dateTimeStamp": re.compile(
        rf"(?P<date>(?P<year>{_YEAR})-(?P<month>[0-9]{{2}})-(?P<day>[0-9]{{2}}))T{_CLOCK}{_TIMEZONE}"
    ),
    XSD + "time": re.compile(rf"{_CLOCK}{_TIMEZONE}"),
    XSD + "date": re.compile(rf"(?P<body>{_YEAR}-[0-9]{{2}}-[0-9]{{2}}){_TIMEZONE}"),
    XSD + "gYear": re.compile(rf"(?P<body>{_YEAR}){_TIMEZONE}"),
    XSD + "gYearMonth": re.compile(rf"(?P<body>{_YEAR}-[0-9]{{2}}){_TIMEZONE}"),
    XSD + "gMonthDay": re.compile(rf"(?P<body>--[0-9]{{2}}-[0-9]{{2}}){_TIMEZONE}"),
    XSD + "gMonth": re.compile(rf"(?P<body>--[0-9]{{2}}){_TIMEZONE}"),
    XSD + "gDay": re.compile(rf"(?P<body>---[0-9]{{2}}){_TIMEZONE}"),
}
_DURATIONS = {
    XSD + "duration": "PT0S",
    XSD + "dayTimeDuration": "PT0S",
    XSD + "yearMonthDuration": "P0M",
}
_DURATION = re.compile(
    r"(?P<sign>-)?P(?!$)(?:(?P<Y>[0-9]+)Y)?(?:(?P<M>[0-9]+)M)?(?:(?P<D>[0-9]+)D)?"
    r"(?:T(?=[0-9.])(?:(?P<H>[0-9]+)H)?(?:(?P<Mi>[0-9]+)M)?(?:(?P<S>[0-9]+(?:\.[0-9]*)?|\.[0-9]+)S)?)?"
)


def _zone(tz: str | None) -> str:
    return "Z" if tz in ("+00:00", "-00:00") else (tz or "")


def _temporal_form(text: str, datatype: str) -> str | None:
    """XSD 1.1 canonical date/time: time zone 0 as ``Z``, no trailing zero in the seconds'
    fraction, ``24:00:00`` as ``00:00:00`` of the next day. None: not in the lexical space."""
    match = _TEMPORAL[datatype].fullmatch(text)
    if match is None:
        return None
    parts = match.groupdict()
    zone = _zone(parts["tz"])
    if "hour" not in parts:
        return parts["body"] + zone
    fraction = (parts["fraction"] or "").rstrip("0").rstrip(".")
    clock = f"{parts['hour']}:{parts['minute']}:{parts['second']}{fraction}"
    if parts["hour"] == "24":
        if clock != "24:00:00":
            return None
        clock = "00:00:00"
        if "date" in parts:
            import datetime

            try:
                day = datetime.date.fromisoformat(parts["date"]) + datetime.timedelta(days=1)
            except (ValueError, OverflowError):  # years outside 1-9999: as it is
                return None
            return f"{day.isoformat()}T{clock}{zone}"
    if "date" in parts:
        return f"{parts['date']}T{clock}{zone}"
    return clock + zone


def _duration_form(text: str, datatype: str) -> str | None:
    """XSD 1.1 durationCanonicalMap: months as years and months, seconds as days, hours,
    minutes and seconds, zero parts left out (``PT36H`` -> ``P1DT12H``). None: not a duration."""
    match = _DURATION.fullmatch(text)
    if match is None:
        return None
    part = {k: v for k, v in match.groupdict().items() if v is not None and k != "sign"}
    if datatype == XSD + "yearMonthDuration" and set(part) - {"Y", "M"}:
        return None
    if datatype == XSD + "dayTimeDuration" and set(part) & {"Y", "M"}:
        return None
    months = int(part.get("Y", 0)) * 12 + int(part.get("M", 0))
    seconds = Decimal(part.get("S", "0")) + 60 * (
        int(part.get("Mi", 0)) + 60 * (int(part.get("H", 0)) + 24 * int(part.get("D", 0)))
    )
    if months == 0 and seconds == 0:
        return _DURATIONS[datatype]
    out = "-P" if match.group("sign") else "P"
    years, months = divmod(months, 12)
    out += (f"{years}Y" if years else "") + (f"{months}M" if months else "")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    out += f"{int(days)}D" if days else ""
    clock = (f"{int(hours)}H" if hours else "") + (f"{int(minutes)}M" if minutes else "")
    clock += f"{_decimal_form(rest)}S" if rest else ""
    return out + ("T" + clock if clock else "")


def canonical(term: Term) -> Term:
    """The one form every engine's results are written in (hand-worked cases in the tests).

    - xsd:integer and its 12 derived types: ``xsd:integer``, no sign ``+``, no leading
      zeros (``"007"^^xsd:nonNegativeInteger`` -> ``"7"^^xsd:integer``);
    - xsd:decimal: no point when integral (``10.0`` -> ``10``), else no trailing zeros;
    - xsd:double / xsd:float: ``1.0E1``, ``1.5E-3``, ``INF``, ``-INF``, ``NaN``, ``0.0E0``;
    - xsd:boolean: ``true`` / ``false`` (``1`` / ``0`` read as such);
    - dates and times: time zone ``+00:00`` / ``-00:00`` as ``Z``, no trailing zero in a
      fraction of a second, ``24:00:00`` as ``00:00:00`` (of the next day);
    - durations: ``PT36H`` -> ``P1DT12H``, ``P1Y13M`` -> ``P2Y1M``, zero ``PT0S`` (``P0M``
      for xsd:yearMonthDuration);
    - language tags in lower case; xsd:string is the plain literal.

    A lexical form outside its datatype's lexical space (ill-typed) is left as it is, as
    is every other datatype.
    """
    if term.kind != "literal":
        return term
    if term.language is not None:
        return Term("literal", term.value, RDF_LANG_STRING, term.language.lower())
    datatype = term.datatype or XSD_STRING
    text = term.value
    if datatype in XSD_INTEGERS and _INTEGER.fullmatch(text):
        return Term("literal", str(int(text)), XSD_INTEGER)
    if datatype == XSD_DECIMAL and _DECIMAL.fullmatch(text):
        return Term("literal", _decimal_form(Decimal(text)), datatype)
    if datatype in (XSD_DOUBLE, XSD_FLOAT) and _FLOATING.fullmatch(text):
        return Term("literal", _floating_form(text, datatype == XSD_FLOAT), datatype)
    if datatype == XSD_BOOLEAN and text in ("1", "0"):
        return Term("literal", "true" if text == "1" else "false", datatype)
    if datatype in _TEMPORAL:
        return Term("literal", _temporal_form(text, datatype) or text, datatype)
    if datatype in _DURATIONS:
        return Term("literal", _duration_form(text, datatype) or text, datatype)
    return Term("literal", text, datatype)


# ------------------------------------------------------------------ the formats


def tsv_term(term: Term | None) -> str:
    """A term in Turtle/N-Triples syntax, as SPARQL TSV results need (unbound -> '')."""
    if term is None:
        return ""
    if term.kind == "iri":
        return f"<{ntriples_escape(term.value)}>"
    if term.kind == "bnode":
        return f"_:{term.value}"
    quoted = f'"{ntriples_escape(term.value)}"'
    if term.language:
        return f"{quoted}@{term.language}"
    if term.datatype not in (None, XSD_STRING):
        return f"{quoted}^^<{term.datatype}>"
    return quoted


def _csv_value(term: Term | None) -> str:
    if term is None:
        return ""
    return f"_:{term.value}" if term.kind == "bnode" else term.value


def table_cell(term: Term | None) -> str:
    """A table cell: IRIs as CURIEs where a project prefix fits, literals by their form."""
    if term is None:
        return ""
    if term.kind == "iri":
        return compact_iri(term.value)
    return _csv_value(term)


def _json_term(term: Term) -> dict[str, str]:
    if term.kind == "iri":
        return {"type": "uri", "value": term.value}
    if term.kind == "bnode":
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype not in (None, XSD_STRING):
        out["datatype"] = str(term.datatype)
    return out


def _canonical_rows(rows: Sequence[Row]) -> list[list[Term | None]]:
    return [[None if t is None else canonical(t) for t in row] for row in rows]


def json_document(
    variables: Sequence[str], rows: Sequence[Row], boolean: bool | None = None
) -> dict[str, Any]:
    """The SPARQL 1.1 Query Results JSON document (a dict); an ASK if ``boolean`` is set."""
    if boolean is not None:
        return {"head": {}, "boolean": boolean}
    bindings = [
        {name: _json_term(t) for name, t in zip(variables, row, strict=True) if t is not None}
        for row in _canonical_rows(rows)
    ]
    return {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}


def _xml(variables: Sequence[str], rows: Sequence[Row], boolean: bool | None) -> str:
    """SPARQL 1.1 Query Results XML.

    Written here, not by rdflib's serializer, which writes an empty ``<literal>`` for
    every value Python finds false (``0``, ``0.0``, ``false``).
    """
    from xml.sax.saxutils import escape, quoteattr

    def checked(text: str) -> str:
        if NOT_XML.search(text):
            raise NotXmlError(
                "the result holds characters XML 1.0 cannot carry; ask for SPARQL JSON"
            )
        return text

    parts = [f'<?xml version="1.0" encoding="utf-8"?>\n<sparql xmlns="{SPARQL_RESULTS_NS}">\n']
    parts.append("<head>")
    parts.extend(f"<variable name={quoteattr(checked(name))}/>" for name in variables)
    parts.append("</head>\n")
    if boolean is not None:
        parts.append(f"<boolean>{'true' if boolean else 'false'}</boolean>\n")
        parts.append("</sparql>\n")
        return "".join(parts)
    parts.append("<results>\n")
    for row in _canonical_rows(rows):
        parts.append("<result>")
        for name, term in zip(variables, row, strict=True):
            if term is None:
                continue
            parts.append(f"<binding name={quoteattr(name)}>")
            if term.kind == "iri":
                parts.append(f"<uri>{escape(checked(term.value))}</uri>")
            elif term.kind == "bnode":
                parts.append(f"<bnode>{escape(checked(term.value))}</bnode>")
            else:
                attribute = ""
                if term.language:
                    attribute = f" xml:lang={quoteattr(checked(term.language))}"
                elif term.datatype not in (None, XSD_STRING):
                    attribute = f" datatype={quoteattr(checked(str(term.datatype)))}"
                parts.append(f"<literal{attribute}>{escape(checked(term.value))}</literal>")
            parts.append("</binding>")
        parts.append("</result>\n")
    parts.append("</results>\n</sparql>\n")
    return "".join(parts)


def write(
    fmt: str, variables: Sequence[str], rows: Sequence[Row], boolean: bool | None = None
) -> str:
    """A result in ``fmt`` (json, xml, csv, tsv); an ASK result if ``boolean`` is not None.

    JSON is indented by two spaces and ends with a newline; CSV lines end with CRLF (as
    SPARQL 1.1 CSV says), TSV lines with LF. Every literal is in its :func:`canonical` form.
    """
    if fmt == "json":
        document = json_document(variables, rows, boolean)
        return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    if fmt == "xml":
        return _xml(variables, rows, boolean)
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        if boolean is not None:
            writer.writerow(["boolean"])
            writer.writerow(["true" if boolean else "false"])
        else:
            writer.writerow(variables)
            writer.writerows([_csv_value(t) for t in row] for row in _canonical_rows(rows))
        return buffer.getvalue()
    if fmt == "tsv":
        if boolean is not None:
            return "?boolean\n" + ("true" if boolean else "false") + "\n"
        lines = ["\t".join(f"?{name}" for name in variables)]
        lines.extend("\t".join(tsv_term(t) for t in row) for row in _canonical_rows(rows))
        return "\n".join(lines) + "\n"
    raise KzeuError(f"unknown result format {fmt!r} (use one of {', '.join(RESULT_FORMATS)})")


def table_rows(rows: Sequence[Row]) -> list[list[str]]:
    """The rows as table cells (canonical literals, CURIEs)."""
    return [[table_cell(t) for t in row] for row in _canonical_rows(rows)]
