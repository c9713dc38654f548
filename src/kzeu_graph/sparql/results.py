"""Moved to :mod:`kzeu_graph.query.results` (below the engines). serve/ still imports it
from here: the serve branch switches to ``kzeu_graph.query.results``, then this goes."""

from kzeu_graph.query.results import (
    RESULT_FORMATS,
    Description,
    Result,
    term_to_python,
    turtle_term,
)

__all__ = ["RESULT_FORMATS", "Description", "Result", "term_to_python", "turtle_term"]
