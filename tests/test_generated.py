"""The generated project as a user gets it: installed from its own metadata."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

import pytest

from helpers import free_port, passed_count, run, run_project_tests, wait_for_http


@pytest.mark.slow
def test_a_fresh_venv_install_runs_the_tests(project: Path, tmp_path: Path) -> None:
    """A dependency missing from pyproject.toml fails here, not for a user."""
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    install = run(
        [python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"],
        project,
        timeout=600,
    )
    assert install.returncode == 0, install.stdout + install.stderr
    # Imported from the install, not from the source tree.
    where = run([python, "-c", "import inventory_service; print('ok')"], tmp_path)
    assert where.stdout.strip() == "ok", where.stderr
    assert passed_count(run_project_tests(project, python=python)) >= 100
    flask = run([python, "-c", "import flask; print(flask.__file__)"], tmp_path)
    assert flask.stdout.startswith(str(env_dir)), flask.stdout


def test_the_cli_is_wired(project: Path) -> None:
    result = run(
        [sys.executable, "-m", "flask", "--app", "inventory_service", "--help"], project
    )
    assert result.returncode == 0, result.stderr
    assert "init-db" in result.stdout
    assert "seed" in result.stdout


def test_the_quickstart_serves_requests_without_a_database_server(
    project: Path,
) -> None:
    """The README's serve command, as written, on the .env the hook wrote."""
    port = free_port()
    environ = {k: v for k, v in os.environ.items() if not k.startswith("MONGODB_")}
    environ.pop("APP_ENV", None)
    command = ["flask", "--app", "inventory_service", "run", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=project,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for_http(f"{base}/healthz")
        request = urllib.request.Request(
            f"{base}/api/items",
            data=json.dumps({"name": "Lamp"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201
            created = json.load(response)
        with urllib.request.urlopen(f"{base}/api/items", timeout=5) as response:
            assert json.load(response)["items"] == [created]
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "nothing is kept" in output
