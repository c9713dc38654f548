"""The CI recipes for downstream users: the GitHub Actions workflow and the pre-commit hooks."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
import yaml

from kzeu_graph.cli.commands import main
from paths import DATA, LOCATION_FIXTURES, PRE_COMMIT_HOOKS, WORKFLOW

BIN = Path(sys.executable).parent


def cli_commands() -> dict[str, click.Command]:
    assert isinstance(main, click.Group)
    return dict(main.commands)


def check_command_line(argv: list[str]) -> None:
    """``argv`` (``kzeu-graph CMD ...``) names a real command and only its real options."""
    assert argv[0] == "kzeu-graph", argv
    commands = cli_commands()
    name = argv[1]
    assert name in commands, f"kzeu-graph has no command {name!r}"
    command = commands[name]
    known = {opt for p in command.params for opt in (*p.opts, *p.secondary_opts)}
    known |= {"-h", "--help"}
    for token in argv[2:]:
        if token.startswith("-"):
            assert token.split("=", 1)[0] in known, f"kzeu-graph {name} has no option {token}"
    # and click accepts the whole line (values included), without running it
    command.make_context(name, argv[2:], resilient_parsing=False)


# ------------------------------------------------------------------ GitHub Actions


def workflow() -> dict[Any, Any]:
    loaded = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


def steps() -> list[dict[str, Any]]:
    [job] = workflow()["jobs"].values()
    result = job["steps"]
    assert isinstance(result, list)
    return result


def test_workflow_triggers_and_permissions() -> None:
    flow = workflow()
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert isinstance(triggers, dict)
    assert set(triggers) == {"push", "pull_request"}
    assert flow["permissions"] == {"contents": "read", "checks": "write"}


def test_workflow_installs_and_runs_the_cli() -> None:
    runs = [s["run"] for s in steps() if "run" in s]
    assert 'python -m pip install ".[reasoner]"' in runs
    lines = [ln.strip() for run in runs for ln in run.splitlines() if ln.strip()]
    cli_lines = [shlex.split(ln.split(">")[0]) for ln in lines if ln.startswith("kzeu-graph ")]
    assert [argv[1] for argv in cli_lines] == ["format", "validate", "validate", "check-ontology"]
    for argv in cli_lines:
        check_command_line(argv)
    assert "kzeu-graph validate --format junit --fail-on violation > report.xml" in lines


def test_workflow_publishes_the_report_even_when_validation_fails() -> None:
    by_use = {s["uses"].split("@")[0]: s for s in steps() if "uses" in s}
    assert set(by_use) == {
        "actions/checkout",
        "actions/setup-python",
        "mikepenz/action-junit-report",
        "actions/upload-artifact",
    }
    assert by_use["actions/setup-python"]["with"]["python-version"] == "3.11"
    for action in ("mikepenz/action-junit-report", "actions/upload-artifact"):
        assert by_use[action]["if"] == "always()"
    assert by_use["mikepenz/action-junit-report"]["with"]["report_paths"] == "report.xml"
    assert by_use["actions/upload-artifact"]["with"]["path"] == "report.xml"
    names = [s.get("name", "") for s in steps()]
    assert names.index("SHACL and source checks (JUnit report)") < names.index(
        "Publish the validation report"
    )


# ------------------------------------------------------------------ pre-commit


def hooks() -> dict[str, dict[str, Any]]:
    loaded = yaml.safe_load(PRE_COMMIT_HOOKS.read_text(encoding="utf-8"))
    return {hook["id"]: hook for hook in loaded}


def pre_commit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "pre-commit"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_manifest_is_valid_for_pre_commit(tmp_path: Path) -> None:
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path)}
    result = pre_commit(
        "validate-manifest", str(PRE_COMMIT_HOOKS), cwd=PRE_COMMIT_HOOKS.parent, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert set(hooks()) == {"kzeu-graph-validate", "kzeu-graph-format"}


def test_hook_command_lines_are_real() -> None:
    for hook in hooks().values():
        assert hook["language"] == "python"  # pre-commit installs kzeu-graph from the repo
        check_command_line([*shlex.split(hook["entry"]), *hook.get("args", [])])


@pytest.fixture
def repo(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """A git repository with data files and a config that runs our hooks as local hooks.

    pre-commit would build a virtualenv and pip-install kzeu-graph for `language: python`
    (from the package index); here each hook runs as `language: system` with this venv's
    `kzeu-graph` on PATH, so pre-commit itself filters the files and builds the commands
    from our manifest's entry, args, files and require_serial, without the network.
    """
    if shutil.which("git") is None:
        pytest.fail("git is needed to run pre-commit")
    work = tmp_path / "contrib"
    (work / "data").mkdir(parents=True)
    shutil.copy(DATA, work / "data" / "kzeu.ttl")
    shutil.copytree(DATA.parent / "sources", work / "data" / "sources")
    shutil.copy(LOCATION_FIXTURES / "new-people.ttl", work / "data" / "new-people.ttl")
    (work / "notes.md").write_text("not RDF\n", encoding="utf-8")
    local = []
    for hook in hooks().values():
        local.append({**hook, "language": "system"})
        local[-1].pop("minimum_pre_commit_version", None)
    config = {"repos": [{"repo": "local", "hooks": local}]}
    (work / ".pre-commit-config.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    subprocess.run(["git", "init", "-q", str(work)], check=True, env=env)
    subprocess.run(["git", "-C", str(work), "add", "-A"], check=True, env=env)
    return work, env


@pytest.mark.slow
def test_validate_hook_passes_clean_data(repo: tuple[Path, dict[str, str]]) -> None:
    work, env = repo
    result = pre_commit(
        "run", "kzeu-graph-validate", "--files", "data/kzeu.ttl", "notes.md", cwd=work, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "kzeu-graph validate" in result.stdout
    assert "Passed" in result.stdout


@pytest.mark.slow
def test_validate_hook_reports_file_and_line(repo: tuple[Path, dict[str, str]]) -> None:
    work, env = repo
    result = pre_commit(
        "run",
        "kzeu-graph-validate",
        "--verbose",
        "--files",
        "data/kzeu.ttl",
        "data/new-people.ttl",
        "notes.md",
        cwd=work,
        env=env,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Failed" in result.stdout
    out = [ln for ln in result.stdout.splitlines() if ln.startswith("data/")]
    assert [ln.split(": ")[0] for ln in out] == [
        "data/new-people.ttl:15",
        "data/new-people.ttl:18",
        "data/new-people.ttl:19",
        "data/new-people.ttl:19",
        "data/new-people.ttl:21",
        "data/new-people.ttl:24",
    ]
    assert "does not conform: 5 violation(s), 1 warning(s), 0 info(s)" in result.stdout


@pytest.mark.slow
def test_format_hook(repo: tuple[Path, dict[str, str]]) -> None:
    work, env = repo
    result = pre_commit("run", "kzeu-graph-format", "--files", "data/kzeu.ttl", cwd=work, env=env)
    assert result.returncode == 0, result.stdout + result.stderr
