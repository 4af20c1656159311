"""The generated project as a user gets it: installed from its own metadata."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.request
import venv
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from api_key import ENTRY, HEADERS
from helpers import free_port, passed_count, run, run_project_tests, wait_for_http
from lock import pins


@pytest.mark.slow
def test_a_fresh_venv_install_runs_the_tests(project: Path, tmp_path: Path) -> None:
    """A dependency missing from pyproject.toml fails here, not for a user.

    ``make install`` installs the locks (hash-checked), so the tests run on exactly
    the versions the production image installs.
    """
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    path = f"{env_dir / 'bin'}{os.pathsep}{os.environ['PATH']}"
    install = run(["make", "install"], project, {**os.environ, "PATH": path}, 600)
    assert install.returncode == 0, install.stdout + install.stderr
    # Imported from the install, not from the source tree.
    where = run([python, "-c", "import inventory_service; print('ok')"], tmp_path)
    assert where.stdout.strip() == "ok", where.stderr
    assert passed_count(run_project_tests(project, python=python)) >= 100
    flask = run([python, "-c", "import flask; print(flask.__file__)"], tmp_path)
    assert flask.stdout.startswith(str(env_dir)), flask.stdout
    listed = run([python, "-m", "pip", "list", "--format=json"], tmp_path)
    installed = {
        canonicalize_name(package["name"]): package["version"]
        for package in json.loads(listed.stdout)
    }
    locked = pins(project / "requirements-dev.txt")
    assert {name: installed.get(name) for name in locked} == locked


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
    environ["API_KEYS"] = ENTRY  # the hook's key was printed once; test_auth_bake
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
            headers={"Content-Type": "application/json", **HEADERS},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.status == 201
            created = json.load(response)
        listing = urllib.request.Request(f"{base}/api/items", headers=HEADERS)
        with urllib.request.urlopen(listing, timeout=5) as response:
            assert json.load(response)["items"] == [created]
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=10)
    assert "nothing is kept" in output


def gunicorn_config(project: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """gunicorn's effective settings for ``project`` with ``env`` set."""
    unset = ("GUNICORN_", "HOST", "PORT", "WEB_CONCURRENCY", "LOG_LEVEL")
    environ = {k: v for k, v in os.environ.items() if not k.startswith(unset)}
    environ.update(env)
    command = [sys.executable, "-m", "gunicorn", "--print-config"]
    return run([*command, "inventory_service:create_app()"], project, environ)


def test_gunicorn_conf_reads_the_environment(project: Path) -> None:
    printed = gunicorn_config(
        project,
        HOST="127.0.0.1",
        PORT="9123",
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="5",
        GUNICORN_TIMEOUT="41",
        GUNICORN_GRACEFUL_TIMEOUT="12",
        GUNICORN_KEEPALIVE="7",
        LOG_LEVEL="WARNING",
    )
    assert printed.returncode == 0, printed.stderr
    settings = dict(
        re.split(r"\s+=\s+", line, maxsplit=1)
        for line in printed.stdout.splitlines()
        if " = " in line
    )
    assert settings["bind"] == "['127.0.0.1:9123']"
    assert settings["workers"] == "3"
    assert settings["threads"] == "5"
    assert settings["timeout"] == "41"
    assert settings["graceful_timeout"] == "12"
    assert settings["keepalive"] == "7"
    assert settings["loglevel"] == "warning"
    assert settings["accesslog"] == settings["errorlog"] == "-"
    assert settings["preload_app"] == "False"  # left to --preload


def test_gunicorn_conf_defaults_and_bind_override(project: Path) -> None:
    printed = gunicorn_config(project, GUNICORN_BIND="unix:/tmp/app.sock")
    assert printed.returncode == 0, printed.stderr
    assert "['unix:/tmp/app.sock']" in printed.stdout
    assert re.search(r"^workers\s+= 2$", printed.stdout, re.MULTILINE)
    assert re.search(r"^threads\s+= 4$", printed.stdout, re.MULTILINE)


def test_gunicorn_conf_names_a_bad_setting(project: Path) -> None:
    printed = gunicorn_config(project, GUNICORN_THREADS="four")
    assert printed.returncode != 0
    assert "GUNICORN_THREADS must be a whole number, got 'four'" in printed.stderr
