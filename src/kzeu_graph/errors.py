"""Typed errors of the library; the CLI maps them to exit codes and one-line messages."""

from __future__ import annotations

__all__ = ["InputError", "KzeuError", "ParameterError", "QueryError"]


class KzeuError(Exception):
    """Base of every error the library raises on purpose.

    ``str(error)`` is one line; ``context`` may hold a few more lines that locate the
    problem (the command line prints them under the message).
    """

    def __init__(self, message: str, context: str = "") -> None:
        one_line = " ".join(str(message).split())
        super().__init__(one_line)
        self.message = one_line
        self.context = context  # lines shown under the message (a query line and a caret)

    def __str__(self) -> str:
        return self.message


class InputError(KzeuError):
    """A file that cannot be read: missing, unknown format, too large, malformed, too deep."""


class QueryError(KzeuError):
    """A SPARQL query that is malformed or refused (SERVICE, updates, too deep)."""


class ParameterError(KzeuError):
    """An unknown saved query, or a missing, ill-typed or unknown parameter."""
