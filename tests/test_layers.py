"""The package's layers: the imports between subpackages follow docs/development.md.

The import graph is built from the source with ``ast`` (every ``import``, also inside
functions and ``TYPE_CHECKING`` blocks): no loop between subpackages, and every arrow
points down (or within a layer of) the layer picture in docs/development.md. And no
import has side effects: importing every module, one after the other in a fresh
interpreter, changes neither rdflib's ``SPARQL_LOAD_GRAPHS``, nor the umask, nor any
module global of another package.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "src" / "kzeu_graph"
DOCS = ROOT / "docs" / "development.md"


def documented_layers() -> list[list[str]]:
    """The layer picture of docs/development.md: one list of unit names per layer, top first."""
    text = DOCS.read_text(encoding="utf-8")
    block = re.search(r"The layers, top to bottom.*?```text\n(.*?)```", text, re.DOTALL)
    assert block is not None, "docs/development.md has no layer picture"
    layers = []
    for line in block.group(1).splitlines():
        names = re.split(r"\s{2,}", line.strip())[0]
        layers.append([n.strip() for n in names.split(",")])
    return layers


def unit_of(module: str) -> str:
    """``kzeu_graph.engines.remote`` -> ``engines``; ``kzeu_graph.atomic`` -> ``atomic``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "kzeu_graph"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> list[tuple[str, int]]:
    """Every kzeu_graph module ``path`` imports (absolute or relative), with the line."""
    name = module_name(path)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            found.append((target, node.lineno))
            # ``from kzeu_graph import engines`` imports the subpackage engines
            found += [(f"{target}.{alias.name}", node.lineno) for alias in node.names]
    return [(m, line) for m, line in found if m == "kzeu_graph" or m.startswith("kzeu_graph.")]


def units() -> set[str]:
    return {unit_of(module_name(p)) for p in PACKAGE.rglob("*.py")}


def import_graph() -> dict[tuple[str, str], list[str]]:
    """{(importing unit, imported unit): [file:line, ...]} between different units."""
    known = units()
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = unit_of(module_name(path))
        for target, line in imported_modules(path):
            unit = unit_of(target)
            place = f"{path.relative_to(PACKAGE.parent)}:{line}"
            if unit != source and unit in known and target != "kzeu_graph":
                found = edges.setdefault((source, unit), [])
                if place not in found:
                    found.append(place)
    return edges


def test_the_picture_names_every_unit_once() -> None:
    named = [name for layer in documented_layers() for name in layer]
    assert len(named) == len(set(named))
    assert set(named) == units()


def test_the_graph_is_read_from_the_source() -> None:
    """The reader sees what it must: a top-level, a function-level and a TYPE_CHECKING import."""
    edges = import_graph()
    assert ("cli", "engines") in edges  # inside command functions
    assert any(
        w.startswith("kzeu_graph/engines/oxigraph_engine.py") for w in edges["engines", "query"]
    )
    assert ("sparql", "engines") in edges  # run.py's TYPE_CHECKING import of Engine


def test_no_loop_between_subpackages() -> None:
    edges = set(import_graph())
    graph: dict[str, set[str]] = {}
    for source, target in edges:
        graph.setdefault(source, set()).add(target)
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                loop = [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
                pytest.fail(f"import loop: {' -> '.join(loop)}")
            if nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])


def test_serve_uses_publish_and_never_the_reverse() -> None:
    """The page helpers the coverage page and the server share live in publish/html.py."""
    edges = import_graph()
    assert ("serve", "publish") in edges
    assert ("publish", "serve") not in edges


def edge_ids() -> list[tuple[str, str]]:
    return sorted(import_graph())


@pytest.mark.parametrize(("source", "target"), edge_ids(), ids=[f"{a}->{b}" for a, b in edge_ids()])
def test_every_arrow_points_down(source: str, target: str) -> None:
    level = {name: i for i, layer in enumerate(documented_layers()) for name in layer}
    where = ", ".join(import_graph()[source, target][:3])
    assert level[source] <= level[target], f"{source} imports {target} from above: {where}"


# ------------------------------------------------------------------ no side effects

_CHECK = r"""
import importlib, json, os, sys, types

os.umask(0o027)
umask_calls = []
real_umask = os.umask


def spy_umask(mask):
    umask_calls.append(mask)
    return real_umask(mask)


os.umask = spy_umask
import rdflib.plugins.sparql
import pyoxigraph, rdflib, string  # libraries every module imports, loaded first
for library in json.loads(sys.argv[2]):  # what third-party code does on import is not ours
    try:
        importlib.import_module(library)
    except Exception:
        pass

def snapshot():
    out = {}
    for name, module in list(sys.modules.items()):
        if module is None or name in ("__main__", "__mp_main__", "kzeu_graph") or name.startswith("kzeu_graph."):
            continue
        values = getattr(module, "__dict__", {})
        out[name] = {
            key: id(value)
            for key, value in list(values.items())
            if not isinstance(value, types.ModuleType)
            and not key.startswith("__")
        }
    return out

problems = []
for name in json.loads(sys.argv[1]):
    before = snapshot()
    importlib.import_module(name)
    after = snapshot()
    if rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS is not True:
        problems.append(f"{name}: SPARQL_LOAD_GRAPHS changed")
        rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = True
    if umask_calls:
        problems.append(f"{name}: called os.umask")
        umask_calls.clear()
    mask = real_umask(0o027)
    if mask != 0o027:
        problems.append(f"{name}: umask changed to {mask:o}")
    for module, values in before.items():
        now = after.get(module, {})
        changed = sorted(k for k, v in values.items() if k in now and now[k] != v)
        if changed:
            problems.append(f"{name}: changed {module}.{', '.join(changed)}")
print(json.dumps(problems))
"""


def all_modules() -> list[str]:
    return sorted(module_name(p) for p in PACKAGE.rglob("*.py") if p.name != "__main__.py")


def libraries() -> list[str]:
    """Every other module the package imports (to load before the check: their own import
    effects, such as typing_extensions patching typing, are not the package's)."""
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
                found.add(node.module)
    return sorted(m for m in found if m != "kzeu_graph" and not m.startswith("kzeu_graph."))


def test_no_import_has_side_effects() -> None:
    env = {**os.environ, "PYTHONPATH": str(PACKAGE.parent)}
    done = subprocess.run(
        [sys.executable, "-c", _CHECK, json.dumps(all_modules()), json.dumps(libraries())],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def test_the_check_sees_a_side_effect(tmp_path: Path) -> None:
    """The same check flags a module that flips SPARQL_LOAD_GRAPHS or rebinds a global."""
    (tmp_path / "noisy.py").write_text(
        "import rdflib.plugins.sparql, string\n"
        "rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS = False\n"
        "import os\nos.umask(os.umask(0))\n"
        "string.digits = '0'\n",
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONPATH": f"{tmp_path}{os.pathsep}{PACKAGE.parent}"}
    done = subprocess.run(
        [sys.executable, "-c", _CHECK, json.dumps(["noisy"]), "[]"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert set(json.loads(done.stdout.strip().splitlines()[-1])) == {
        "noisy: SPARQL_LOAD_GRAPHS changed",
        "noisy: called os.umask",
        "noisy: changed rdflib.plugins.sparql.SPARQL_LOAD_GRAPHS",
        "noisy: changed string.digits",
    }
