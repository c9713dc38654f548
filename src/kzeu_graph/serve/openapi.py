"""The saved queries as a web API: an OpenAPI 3 description generated from the ``#+`` headers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from kzeu_graph.sparql.catalog import Parameter, SavedQuery

__all__ = ["RESULT_MEDIA_TYPES", "api_index", "openapi_document", "parameter_schema"]

RESULT_MEDIA_TYPES = (
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
)

_KIND_SCHEMAS: dict[str, dict[str, Any]] = {
    "iri": {"type": "string", "format": "iri"},
    "integer": {"type": "string", "pattern": "^[+-]?[0-9]+$"},
    "decimal": {"type": "string", "pattern": r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)$"},
    "date": {"type": "string", "format": "date"},
    "year": {"type": "string", "pattern": "^-?[0-9]{4,}(Z|[+-][0-9]{2}:[0-9]{2})?$"},
    "en": {"type": "string"},
    "literal": {"type": "string"},
}

_KIND_TEXT = {
    "iri": "an absolute IRI, or a project CURIE (kzr:, kzv:, kzeu:)",
    "integer": "an integer",
    "decimal": "a decimal number",
    "date": "a date YYYY-MM-DD",
    "year": "a year YYYY",
    "en": "a text, matched as an English-tagged literal",
    "literal": "a text, matched as a plain literal",
}


def parameter_schema(parameter: Parameter) -> dict[str, Any]:
    """The JSON Schema of one parameter's value (lexical forms: query strings are strings)."""
    schema = dict(_KIND_SCHEMAS.get(parameter.kind, {"type": "string"}))
    if parameter.default is not None:
        schema["default"] = parameter.default
    return schema


def _parameter(parameter: Parameter) -> dict[str, Any]:
    need = "required" if parameter.required else "optional"
    default = f"; default {parameter.default}" if parameter.default is not None else ""
    return {
        "name": parameter.name,
        "in": "query",
        # a required parameter with a default may be left out: the default is bound
        "required": parameter.required and parameter.default is None,
        "description": f"{_KIND_TEXT.get(parameter.kind, parameter.kind)} ({need}{default}); "
        f"binds ?{parameter.variable_name}",
        "schema": parameter_schema(parameter),
    }


def _error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _operation(saved: SavedQuery) -> dict[str, Any]:
    content: dict[str, Any] = {
        media: {"schema": {"type": "string"}} for media in RESULT_MEDIA_TYPES[1:]
    }
    content = {
        RESULT_MEDIA_TYPES[0]: {"schema": {"$ref": "#/components/schemas/SparqlResults"}},
        **content,
    }
    operation: dict[str, Any] = {
        "operationId": saved.name,
        "summary": saved.summary or saved.name,
        "description": saved.description or saved.summary,
        "tags": list(saved.tags) or ["queries"],
        "parameters": [_parameter(p) for p in saved.parameters],
        "responses": {
            "200": {
                "description": "The rows of the query, as SPARQL 1.1 results; the format "
                "follows the Accept header (SPARQL JSON by default).",
                "content": content,
            },
            "400": _error_response("A missing, unknown, repeated or ill-typed parameter."),
            "406": _error_response("None of the formats in the Accept header is offered."),
            "422": _error_response("The result has more rows than the server's limit."),
            "503": _error_response("The query ran out of time or memory, or the server is busy."),
        },
    }
    return operation


def openapi_document(
    queries: Sequence[SavedQuery], version: str, title: str = "kzeu-graph saved queries"
) -> dict[str, Any]:
    """An OpenAPI 3.0 document with one ``GET /api/{name}`` operation per saved query."""
    paths = {f"/api/{saved.name}": {"get": _operation(saved)} for saved in queries}
    return {
        "openapi": "3.0.3",
        "info": {
            "title": title,
            "version": version,
            "description": "Each saved SPARQL query of kzeu-graph (queries/*.rq) as a read-only "
            "operation. Parameters are validated exactly as the kzeu-graph CLI validates "
            "--param values, and bound as typed RDF terms (never pasted into the query).",
            "license": {"name": "MIT (code); CC BY 4.0 (graph)"},
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error"],
                    "properties": {"error": {"type": "string", "description": "One line."}},
                },
                "SparqlResults": {
                    "type": "object",
                    "description": "SPARQL 1.1 Query Results JSON Format.",
                    "required": ["head"],
                    "properties": {
                        "head": {
                            "type": "object",
                            "properties": {"vars": {"type": "array", "items": {"type": "string"}}},
                        },
                        "results": {
                            "type": "object",
                            "properties": {
                                "bindings": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "additionalProperties": {
                                            "$ref": "#/components/schemas/RdfTerm"
                                        },
                                    },
                                }
                            },
                        },
                        "boolean": {"type": "boolean"},
                    },
                },
                "RdfTerm": {
                    "type": "object",
                    "required": ["type", "value"],
                    "properties": {
                        "type": {"type": "string", "enum": ["uri", "literal", "bnode"]},
                        "value": {"type": "string"},
                        "datatype": {"type": "string"},
                        "xml:lang": {"type": "string"},
                    },
                },
            }
        },
    }


def api_index(queries: Sequence[SavedQuery]) -> dict[str, Any]:
    """A plain JSON list of the operations (what the query page shows as examples)."""
    return {
        "openapi": "/api/openapi.json",
        "queries": [
            {
                "name": saved.name,
                "path": f"/api/{saved.name}",
                "summary": saved.summary,
                "description": saved.description,
                "tags": list(saved.tags),
                "parameters": [
                    {
                        "name": p.name,
                        "kind": p.kind,
                        "required": p.required,
                        "default": p.default,
                    }
                    for p in saved.parameters
                ],
                "query": saved.text,
            }
            for saved in queries
        ],
    }
