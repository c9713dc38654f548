"""The documentation site builds offline in strict mode: a broken link or reference fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from paths import ROOT


@pytest.mark.slow
def test_site_builds_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="the docs tools are in the dev extra")
    pytest.importorskip(
        "mkdocstrings_handlers.python", reason="the docs tools are in the dev extra"
    )
    completed = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    site = tmp_path / "site"
    # Every page of the nav is there, and the API reference holds the documented functions.
    for page in [
        "queries",
        "model",
        "validation",
        "exports",
        "server",
        "stores",
        "benchmarks",
        "security",
        "testing",
        "development",
        "api",
    ]:
        assert (site / page / "index.html").is_file(), page
    api = (site / "api" / "index.html").read_text(encoding="utf-8")
    for anchor in [
        "kzeu_graph.loading.graph.load_graph",
        "kzeu_graph.sparql.run.run_query",
        "kzeu_graph.validation.report.validate",
        "kzeu_graph.engines.open_engine",
        "kzeu_graph.query.results.Result",
    ]:
        assert f'id="{anchor}"' in api, anchor
