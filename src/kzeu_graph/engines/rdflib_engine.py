"""The rdflib engine: an in-memory rdflib Graph (the Python API's default store)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Self

from kzeu_graph.rdf.terms import Term, to_rdflib

if TYPE_CHECKING:
    from rdflib import Graph

    from kzeu_graph.engines import Progress, StoreSpec
    from kzeu_graph.query.results import Result

__all__ = ["RdflibEngine"]


class RdflibEngine:
    """rdflib in memory: prepared queries (cached by text), parameters as ``initBindings``."""

    def __init__(self, graph: Graph | None = None, spec: StoreSpec | None = None) -> None:
        from kzeu_graph.engines import parse_store
        from kzeu_graph.rdf.namespaces import new_graph

        self.graph = new_graph() if graph is None else graph
        self.spec = parse_store("memory") if spec is None else spec

    def query(
        self, text: str, bindings: Mapping[str, Term] | None = None, *, checked: bool = False
    ) -> Result:
        from kzeu_graph.query.guard import execute_prepared, prepare

        initial = {name: to_rdflib(term) for name, term in (bindings or {}).items()}
        return execute_prepared(self.graph, prepare(text), initial)

    def load(self, files: Sequence[Path], *, progress: Progress | None = None) -> int:
        from kzeu_graph.loading.graph import parse_file

        total = 0
        for path in files:
            parsed = parse_file(Path(path))
            self._merge(parsed)
            total += len(parsed)
            if progress is not None:
                progress(len(parsed))
        return total

    def _merge(self, graph: Graph) -> None:
        from kzeu_graph.loading.graph import merge

        merge(self.graph, graph)

    def load_ntriples(self, data: bytes, *, progress: Progress | None = None) -> int:
        from kzeu_graph.loading.graph import parse_data

        graph = parse_data(data)
        self._merge(graph)
        if progress is not None:
            progress(len(graph))
        return len(graph)

    def clear(self) -> None:
        self.graph.remove((None, None, None))

    def dump(self) -> bytes:
        return self.graph.serialize(format="nt", encoding="utf-8")

    def triple_count(self) -> int:
        return len(self.graph)

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release (the graph stays usable by whoever else holds it)."""
