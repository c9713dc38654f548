"""The wheel ships the product's content, and its CLI works from a fresh venv."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import sysconfig
import venv
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest

from paths import ARTICLE_TEXT, DATA, ONTOLOGY_DIR, QUERIES_DIR, ROOT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    # --no-isolation: hatchling comes from the dev extra, so nothing is downloaded
    subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), "."],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("kzeu_graph-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new venv holding the wheel; its dependencies are borrowed from this venv."""
    env = tmp_path_factory.mktemp("venv")
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        capture_output=True,
    )
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    # appended after the new venv's own site-packages, so its kzeu_graph wins
    Path(site, "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return env


def test_wheel_holds_ontology_data_sources_and_queries(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    content = "kzeu_graph/_content/"
    expected = {
        content + "data/" + DATA.name,
        content + "data/sources/" + ARTICLE_TEXT.name,
        "kzeu_graph/py.typed",
        *(content + "ontology/" + p.name for p in ONTOLOGY_DIR.glob("*.ttl")),
        *(content + "queries/" + p.name for p in QUERIES_DIR.glob("*.rq")),
    }
    assert expected <= names
    assert not [n for n in names if n.startswith("tests/")]


def run(env: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(env / "bin" / "kzeu-graph"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_installed_package_reads_its_own_content(installed: Path, tmp_path: Path) -> None:
    python = installed / "bin" / "python"
    probe = subprocess.run(
        [python, "-c", "import kzeu_graph.resources as r, kzeu_graph; print(kzeu_graph.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert probe.stdout.strip().startswith(str(installed))


def test_installed_cli_validates_and_queries(installed: Path, tmp_path: Path) -> None:
    validated = run(installed, "validate", cwd=tmp_path)
    assert (validated.returncode, validated.stderr) == (0, "")
    assert "0 violation(s)" in validated.stdout

    figures = run(installed, "query", "figures", "--format", "csv", cwd=tmp_path)
    assert figures.returncode == 0, figures.stderr
    rows = list(csv.DictReader(io.StringIO(figures.stdout)))
    # the seven amounts of the article, "$160 billion" to "29 areas of cooperation"; the
    # lower bound "exceeded $8 billion" is in the minValue column, never in value
    assert sorted(Decimal(r["value"] or r["minValue"]) for r in rows) == sorted(
        Decimal(v) for v in ("160e9", "10", "8e9", "30", "27.6", "40e9", "29")
    )

    demo = run(installed, "demo", cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr
    assert "conforms" in demo.stdout


def test_wheel_ships_the_server_assets(wheel: Path, installed: Path, tmp_path: Path) -> None:
    static = ROOT / "src" / "kzeu_graph" / "serve" / "static"
    shipped = sorted(p.name for p in static.iterdir() if p.is_file())
    assert {"index.html", "query.js", "style.css"} <= set(shipped)
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"kzeu_graph/serve/static/{name}" for name in shipped} <= names
    probe = subprocess.run(
        [
            installed / "bin" / "python",
            "-c",
            "from kzeu_graph.serve.app import STATIC_DIR, _static_files\n"
            "print(STATIC_DIR)\nprint(' '.join(sorted(_static_files())))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    folder, files = probe.stdout.splitlines()
    assert folder.startswith(str(installed))
    assert files.split() == shipped
