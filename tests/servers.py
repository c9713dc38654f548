"""SPARQL servers started by the tests on loopback: the Oxigraph server and Virtuoso.

Session-scoped: each server starts once (on a free port, in a temporary folder), is
loaded with the project graph through ``kzeu_graph.engines.load_store``, and is stopped
at the end. On CI (``CI=true``) a missing server binary fails the tests that need it;
elsewhere they are skipped with the reason.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kzeu_graph.engines import load_store

VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def need(binary: str, where: str) -> str:
    """The path of ``binary``; fail on CI, skip elsewhere, when it is missing."""
    beside_python = Path(sys.executable).parent / binary
    found = shutil.which(binary) or (str(beside_python) if beside_python.exists() else None)
    if found is None:
        message = f"{binary} is not installed ({where})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def wait_for(port: int, path: str, process: subprocess.Popen[bytes], log: Path) -> None:
    """Wait (up to 60 s) until GET ``path`` answers on the port."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server stopped: {log.read_text(errors='replace')[-2000:]}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", path)
            status = connection.getresponse().status
            connection.close()
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server on port {port} did not answer in 60 s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture(scope="session")
def oxigraph_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The spec of a running Oxigraph server holding the project graph."""
    binary = need("oxigraph", "pip install oxigraph")
    folder = tmp_path_factory.mktemp("oxigraph-server")
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            # its own time limit: a query `serve --store` gave up on (a killed worker) stops
            # here too, instead of running on beside the other tests
            [
                binary,
                "serve",
                "--location",
                str(folder / "db"),
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout-s",
                "30",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(port, "/query?query=ASK%7B%7D", process, log)
        spec = f"http://127.0.0.1:{port}/query"
        load_store(spec)
        yield spec
    finally:
        stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
Striping = 0
TempStorage = TempDatabase
[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
Striping = 0
[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CaseMode = 2
DirsAllowed = ., {folder}
NumberOfBuffers = 10000
MaxDirtyBuffers = 6000
CheckpointInterval = 0
[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {vsp}
ServerThreads = 4
Charset = UTF-8
EnabledGzipContent = 0
[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 120
"""

# Anonymous SPARQL Update and Graph Store Protocol writes on this throw-away database.
VIRTUOSO_GRANTS = (
    "GRANT SPARQL_UPDATE TO \"SPARQL\"; DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 7);"
)


@pytest.fixture(scope="session")
def virtuoso_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The spec of a running Virtuoso Open-Source holding the project graph."""
    binary = need("virtuoso-t", "apt-get install virtuoso-opensource; .ci/run installs it")
    isql = need("isql-vt", "apt-get install virtuoso-opensource")
    folder = tmp_path_factory.mktemp("virtuoso")
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        VIRTUOSO_INI.format(
            folder=folder,
            sql_port=sql_port,
            http_port=http_port,
            vsp=VIRTUOSO_VSP if VIRTUOSO_VSP.is_dir() else folder,
        )
    )
    log = folder / "server.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "-f", "-c", str(ini)], cwd=folder, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for(http_port, "/sparql?query=ASK%7B%7D", process, log)
        subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={VIRTUOSO_GRANTS}"],
            check=True,
            capture_output=True,
            timeout=60,
        )
        base = f"http://127.0.0.1:{http_port}"
        spec = f"{base}/sparql#store={base}/sparql-graph-crud"
        load_store(spec)
        yield spec
    finally:
        stop(process)
