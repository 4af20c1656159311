"""The generated project as a user gets it: installed from its own metadata."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import textwrap
import urllib.request
import venv
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from support.api_key import ENTRY, HEADERS
from support.baking import PACKAGE
from support.commands import passed_count, run, run_project_tests
from support.environment import clean_env
from support.network import free_port, wait_for_http

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
    install = run(["make", "install"], project, clean_env(PATH=path), 600)
    assert install.returncode == 0, install.stdout + install.stderr
    # Imported from the install, not from the source tree.
    where = run([python, "-c", f"import {PACKAGE}; print('ok')"], tmp_path)
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
    command = [sys.executable, "-m", "flask", "--app", PACKAGE, "--help"]
    result = run(command, project, clean_env(APP_ENV="development"))
    assert result.returncode == 0, result.stderr
    assert re.search(r"^  db\s", result.stdout, re.MULTILINE), result.stdout
    assert "seed" in result.stdout
    # A group's help loads the app, and production (APP_ENV unset) needs a server.
    group = run(
        [sys.executable, "-m", "flask", "--app", "inventory_service", "db", "--help"],
        project,
        {**os.environ, "APP_ENV": "development"},
    )
    assert re.search(r"^  upgrade\s", group.stdout, re.MULTILINE), group.stdout


def test_the_quickstart_serves_requests_without_a_database_server(
    project: Path,
) -> None:
    """The README's serve command, as written, on the .env the hook wrote."""
    port = free_port()
    command = ["flask", "--app", PACKAGE, "run", "--port", str(port)]
    server = subprocess.Popen(
        [sys.executable, "-m", *command],
        cwd=project,
        # As the README's command sets it; the hook's own key was printed once
        # (test_auth_bake.py checks it), so a test key is added in the environment.
        env=clean_env(APP_ENV="development", API_KEYS=ENTRY),
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
    # gunicorn loads the app to print its config: give it production settings.
    production = {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "MONGODB_URI": f"mongodb://127.0.0.1:9/{PACKAGE}",
    }
    command = [sys.executable, "-m", "gunicorn", "--print-config"]
    environ = clean_env(**{**production, **env})
    return run([*command, f"{PACKAGE}:create_app()"], project, environ)


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
    # The app writes its own access line (route template, request id, MongoDB time).
    assert settings["accesslog"] == "None"
    assert settings["errorlog"] == "-"
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


def test_a_worker_sets_its_loaded_app_aside_from_the_garbage_collector(
    project: Path, tmp_path: Path
) -> None:
    """gunicorn calls post_worker_init once the worker has loaded the app."""
    script = textwrap.dedent(
        """
        import gc, runpy, types
        hooks = runpy.run_path("gunicorn.conf.py")
        worker = types.SimpleNamespace(
            wsgi=types.SimpleNamespace(config={"MONGODB_TIMEOUT_MS": 5000}),
            cfg=types.SimpleNamespace(timeout=30),
        )
        print(gc.get_freeze_count())
        hooks["post_worker_init"](worker)
        print(gc.get_freeze_count())
        """
    )
    environ = clean_env(
        GUNICORN_WORKER_CLASS="gthread", PROMETHEUS_MULTIPROC_DIR=str(tmp_path)
    )
    done = run([sys.executable, "-c", script], project, environ)
    assert done.returncode == 0, done.stderr
    before, after = (int(count) for count in done.stdout.split())
    assert before == 0
    assert after > 1000  # modules, classes and functions: all long-lived
