"""From bake to production: the image, compose, CI, pre-commit, the Makefile, types.

No Docker engine or GitHub runner is needed: the files are validated against their
schemas, read as data, and every command in them that can run here is run.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from dotenv import dotenv_values

from support.baking import PACKAGE, PROJECT_SLUG, TEMPLATE, Bake
from support.commands import passed_count, run
from support.environment import BIN, clean_env
from support.live_server import LiveServer
from support.network import free_port, wait_for_http
from support.options import OFF
from support.typecheck import mypy_strict

PYTHON_VERSIONS = ["3.11", "3.12", "3.13", "3.14"]


def dockerfile(project: Path) -> list[tuple[str, str]]:
    """The Dockerfile as (INSTRUCTION, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (project / "Dockerfile").read_text())
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return [(line.split(" ", 1)[0], line.split(" ", 1)[1]) for line in lines]


def healthcheck_command(project: Path) -> str:
    [check] = [args for name, args in dockerfile(project) if name == "HEALTHCHECK"]
    return check.split(" CMD ", 1)[1]


def dockerignored(patterns: list[str], path: str) -> bool:
    """Whether Docker leaves ``path`` out of the build context (last match wins)."""
    ignored = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = pattern.removeprefix("!").rstrip("/")
        regex = "".join(
            ".*" if part == "**" else "[^/]*" if part == "*" else re.escape(part)
            for part in re.split(r"(\*\*|\*)", glob)
        )
        # A pattern that names a directory covers everything under it.
        if re.fullmatch(f"{regex}(/.*)?", path):
            ignored = not negated
    return ignored


def test_the_image_is_multi_stage_slim_and_runs_gunicorn_as_a_non_root_user(
    project: Path,
) -> None:
    steps = dockerfile(project)
    names = [name for name, _ in steps]
    args = dict(steps)
    assert args["ARG"] == "PYTHON_VERSION=3.11"
    assert [a for n, a in steps if n == "FROM"] == [
        "python:${PYTHON_VERSION}-slim AS build",
        "python:${PYTHON_VERSION}-slim",
    ]
    runtime = len(names) - names[::-1].index("FROM")
    user = names.index("USER", runtime)
    assert args["USER"] not in ("root", "0")
    assert names.index("CMD") > user
    assert names.index("ENTRYPOINT") > user
    assert json.loads(args["CMD"]) == ["gunicorn", f"{PACKAGE}:create_app()"]
    assert "APP_ENV=production" in " ".join(a for n, a in steps if n == "ENV")


def test_the_image_bakes_in_no_settings_or_secrets(project: Path) -> None:
    declared = " ".join(a for n, a in dockerfile(project) if n in ("ENV", "ARG"))
    assert not re.search(r"SECRET|PASSWORD|TOKEN|MONGODB_URI", declared)


def test_dependencies_are_installed_before_the_code_is_copied(project: Path) -> None:
    """Editing the code must not invalidate the dependency layer."""
    steps = dockerfile(project)
    copy_lock = steps.index(("COPY", "requirements.txt ./"))
    [install_deps] = [
        i for i, (n, a) in enumerate(steps) if n == "RUN" and "requirements" in a
    ]
    copy_code = steps.index(("COPY", f"{PACKAGE}/ {PACKAGE}/"))
    assert copy_lock < install_deps < copy_code


def test_the_image_installs_the_lock_and_nothing_else(project: Path) -> None:
    """Production runs what CI tested: the locked versions, hash-checked."""
    installs = [a for n, a in dockerfile(project) if n == "RUN" and "pip install" in a]
    assert installs == [
        "pip install --require-hashes -r requirements.txt",
        "pip install --no-deps .",
    ]


def test_every_file_the_image_copies_is_in_the_bake(project: Path) -> None:
    sources = [
        source
        for name, args in dockerfile(project)
        if name == "COPY" and not args.startswith("--from")
        for source in args.split()[:-1]
    ]
    assert sources
    assert [s for s in sources if not (project / s).exists()] == []


def test_dockerignore_keeps_secrets_venvs_caches_and_git_out(project: Path) -> None:
    text = (project / ".dockerignore").read_text()
    patterns = [line for line in text.splitlines() if line and line[0] != "#"]
    for path in [
        ".env",
        ".venv/bin/python",
        ".git/HEAD",
        ".mypy_cache/3.11/cache.db",
        "tests/test_app.py",
        f"{PACKAGE}/__pycache__/db.cpython-311.pyc",
    ]:
        assert dockerignored(patterns, path), path
    for path in [
        "pyproject.toml",
        "README.md",
        "docker-entrypoint.sh",
        f"{PACKAGE}/db.py",
    ]:
        assert not dockerignored(patterns, path), path


def compose(project: Path) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((project / "compose.yaml").read_text())
    return loaded


def interpolate(value: str, env: dict[str, str]) -> str:
    """Compose's ``${NAME}``, ``${NAME:?message}`` and ``${NAME:-default}``."""

    def one(match: re.Match[str]) -> str:
        name, operator, argument = match[1], match[2] or "", match[3] or ""
        if env.get(name):
            return env[name]
        assert operator != ":?", f"{name} is required by compose.yaml: {argument}"
        return argument if operator == ":-" else ""

    return re.sub(r"\$\{(\w+)(?:(:\?|:-)([^}]*))?\}", one, value)


def test_compose_runs_the_app_beside_a_healthy_mongo(project: Path) -> None:
    services = compose(project)["services"]
    app, mongo = services["app"], services["mongo"]
    assert app["build"] == "."
    assert app["env_file"] == ".env"
    assert app["depends_on"] == {"mongo": {"condition": "service_healthy"}}
    assert mongo["image"] == "mongo:8"
    assert "db.adminCommand('ping')" in mongo["healthcheck"]["test"]
    data = [v for v in mongo["volumes"] if v.endswith(":/data/db")]
    assert [volume.split(":")[0] for volume in data] == ["mongo-data"]
    assert "mongo-data" in compose(project)["volumes"]


def test_compose_mongo_requires_auth_and_stays_off_public_interfaces(
    project: Path,
) -> None:
    services = compose(project)["services"]
    mongo, app = services["mongo"], services["app"]
    env = {k: v or "" for k, v in dotenv_values(project / ".env").items()}
    settings = {k: interpolate(v, env) for k, v in mongo["environment"].items()}
    assert settings["MONGO_INITDB_ROOT_USERNAME"] == "root"
    for name in ("ROOT", "APP", "DEPLOY"):
        key = (
            "MONGO_INITDB_ROOT_PASSWORD" if name == "ROOT" else f"MONGO_{name}_PASSWORD"
        )
        assert len(settings[key]) >= 32, key  # generated by the hook, per bake
        assert settings[key] not in (project / "compose.yaml").read_text()
    # Every published port of the database is on loopback only.
    assert mongo["ports"]
    assert all(str(port).startswith("127.0.0.1:") for port in mongo["ports"])
    assert "./mongo-init:/docker-entrypoint-initdb.d:ro" in mongo["volumes"]
    # The app logs in as the service user; the deploy step as the deploy user.
    uri = urlsplit(interpolate(app["environment"]["MONGODB_URI"], env))
    deploy = urlsplit(interpolate(app["environment"]["MONGODB_DEPLOY_URI"], env))
    assert (uri.username, uri.password) == ("app", env["MONGO_APP_PASSWORD"])
    assert (deploy.username, deploy.password) == (
        "deployer",
        env["MONGO_DEPLOY_PASSWORD"],
    )
    assert uri.path == deploy.path == f"/{PACKAGE}"
    assert settings["MONGO_INITDB_DATABASE"] == PACKAGE


NODE_HARNESS = """
const fs = require("fs"), vm = require("vm");
const users = [];
const record = (name) => (spec) => users.push({db: name, ...spec});
const db = {getSiblingDB: (name) => ({createUser: record(name)})};
vm.runInNewContext(fs.readFileSync(process.argv[1], "utf8"), {db, process});
console.log(JSON.stringify(users));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="node runs the init script")
def test_the_init_script_creates_a_least_privilege_user_and_a_deploy_user(
    project: Path,
) -> None:
    """mongosh runs the script with ``db`` and ``process.env``; node does the same
    here with a ``db`` that records each createUser call."""
    script = project / "mongo-init" / "create-users.js"
    env = {
        "PATH": clean_env()["PATH"],
        "MONGO_INITDB_DATABASE": PACKAGE,
        "MONGO_APP_USERNAME": "app",
        "MONGO_APP_PASSWORD": "app-secret",
        "MONGO_DEPLOY_USERNAME": "deployer",
        "MONGO_DEPLOY_PASSWORD": "deploy-secret",
    }
    result = run(["node", "-e", NODE_HARNESS, str(script)], project, env)
    assert result.returncode == 0, result.stderr
    users = {user["user"]: user for user in json.loads(result.stdout)}
    assert users["app"]["roles"] == [{"role": "readWrite", "db": PACKAGE}]
    assert users["app"]["pwd"] == "app-secret"
    assert sorted(r["role"] for r in users["deployer"]["roles"]) == [
        "dbAdmin",
        "readWrite",
    ]
    assert {r["db"] for r in users["deployer"]["roles"]} == {PACKAGE}
    assert {user["db"] for user in users.values()} == {PACKAGE}
    # A password left out of .env stops the first start with a clear message.
    missing = run(
        ["node", "-e", NODE_HARNESS, str(script)],
        project,
        {**env, "MONGO_DEPLOY_PASSWORD": ""},
    )
    assert missing.returncode != 0
    assert "MONGO_DEPLOY_PASSWORD is not set" in missing.stderr


def without_credentials(uri: str, server: LiveServer) -> str:
    """The same URI on nx-27017, which has no authentication to log in to."""
    return re.sub(r"//[^@/]*@mongo:27017", "//" + server.uri[10:], uri)


@pytest.mark.slow  # a live server
def test_the_container_start_upgrades_then_serves(
    project: Path, live_server: LiveServer
) -> None:
    """The container's start, without an engine: the image's environment, then .env
    (env_file), then compose's overrides, with nx-27017 in place of mongo:8; the
    entrypoint runs `flask db upgrade`, then the image's CMD (gunicorn)."""
    steps = dockerfile(project)
    image_env = dict(
        pair.split("=", 1)
        for name, args in steps
        if name == "ENV"
        for pair in args.split()
    )
    image_env.pop("PATH")
    dotenv = {k: v or "" for k, v in dotenv_values(project / ".env").items()}
    env = clean_env(**image_env)
    env.update(dotenv)
    for name, value in compose(project)["services"]["app"]["environment"].items():
        env[name] = without_credentials(interpolate(value, dotenv), live_server)
    port = free_port()
    env.update(PORT=str(port), HOST="127.0.0.1", WEB_CONCURRENCY="1")  # loopback
    [entrypoint] = json.loads(dict(steps)["ENTRYPOINT"])
    command = json.loads(dict(steps)["CMD"])
    assert entrypoint == "/app/docker-entrypoint.sh"
    script = project / "docker-entrypoint.sh"
    assert script.stat().st_mode & 0o111  # executable, as COPY keeps it
    check = ["sh", "-c", healthcheck_command(project)]
    # As the image starts it: the entrypoint, then the CMD (gunicorn).
    server = subprocess.Popen(
        [str(script), *command],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz", timeout=30)
        assert run(check, project, env).returncode == 0
        ready = f"http://127.0.0.1:{port}/readyz"
        with urllib.request.urlopen(ready, timeout=5) as response:
            assert response.status == 200  # the entrypoint built the indexes
    finally:
        server.terminate()
        output = server.communicate(timeout=30)[0].decode()
    assert "index items.name_key_unique (name_key: 1) unique:" in output, output
    assert "Schema up to date." in output
    assert "Using worker: gevent" in output
    assert run(check, project, env).returncode != 0


@pytest.mark.parametrize("oldest", ["3.11", "3.13"])
def test_ci_tests_every_supported_python_twice(bake: Bake, oldest: str) -> None:
    project = bake(python_version=oldest)
    workflow = yaml.safe_load((project / ".github/workflows/ci.yml").read_text())
    lint, test = workflow["jobs"]["lint"], workflow["jobs"]["test"]
    supported = PYTHON_VERSIONS[PYTHON_VERSIONS.index(oldest) :]
    assert test["strategy"]["matrix"]["python-version"] == supported
    assert test["services"]["mongo"]["image"] == "mongo:8"
    for job in (lint, test):
        [setup] = [s for s in job["steps"] if "setup-python" in s.get("uses", "")]
        assert setup["with"]["cache"] == "pip"
    assert lint["steps"][1]["with"]["python-version"] == oldest
    lint_runs = [step.get("run") for step in lint["steps"]]
    assert "ruff check ." in lint_runs
    assert "ruff format --check ." in lint_runs
    assert f"mypy --strict {PACKAGE} tests" in lint_runs
    pytests = [step for step in test["steps"] if step.get("run") == "pytest"]
    assert [step.get("env") for step in pytests] == [
        None,
        {"TEST_MONGODB_URI": "mongodb://localhost:27017"},
    ]


def test_pre_commit_config_is_plain_yaml_with_ruff_and_hygiene_hooks(
    project: Path,
) -> None:
    source = TEMPLATE / "{{cookiecutter.project_slug}}" / ".pre-commit-config.yaml"
    rendered = (project / ".pre-commit-config.yaml").read_text()
    assert rendered == source.read_text()  # no Jinja: pre-commit autoupdate works
    repos = yaml.safe_load(rendered)["repos"]
    hooks = {hook["id"] for repo in repos for hook in repo["hooks"]}
    assert {"ruff-check", "ruff-format"} <= hooks
    assert {"end-of-file-fixer", "trailing-whitespace", "check-yaml"} <= hooks


def test_make_lists_every_target_and_runs_them(bake: Bake, mypy_cache: Path) -> None:
    project = bake()  # its own: make writes ruff's and mypy's caches into it
    targets = re.findall(r"^([a-z-]+):", (project / "Makefile").read_text(), re.M)
    assert targets == [
        "help",
        "install",
        "lock",
        "upgrade",
        "audit",
        "run",
        "db-upgrade",
        "test",
        "test-live",
        "lint",
        "format",
        "typecheck",
        "docker-build",
    ]
    listed = run(["make", "help"], project)
    assert [line.split("\t")[0] for line in listed.stdout.splitlines()] == targets
    for target in targets:
        dry = run(["make", "-n", target], project)
        assert dry.returncode == 0, f"{target}: {dry.stderr}"
        assert dry.stdout.strip(), target
    # mypy reads MYPY_CACHE_DIR: the session's cache, as in support/typecheck.py.
    env = clean_env(MYPY_CACHE_DIR=str(mypy_cache))
    checks = run(["make", "lint", "typecheck"], project, env)
    assert checks.returncode == 0, checks.stdout + checks.stderr


@pytest.mark.slow  # a live server
def test_make_test_live_runs_the_suite_on_a_server(
    bake: Bake, live_server: LiveServer
) -> None:
    project = bake()  # its own: pytest writes its cache into it
    dry = run(["make", "-n", "test-live"], project, clean_env())
    assert dry.stdout.startswith("TEST_MONGODB_URI=mongodb://localhost:27017 ")
    uri = f"TEST_MONGODB_URI={live_server.uri}"
    result = run(["make", "test-live", uri], project, clean_env())
    assert passed_count(result) >= 100
    assert live_server.uri in result.stdout


def test_a_bake_without_options_type_checks_and_has_no_docker_target(
    bake: Bake, mypy_cache: Path
) -> None:
    project = bake(**OFF)
    assert "docker" not in (project / "Makefile").read_text()
    assert run(["make", "-n", "docker-build"], project).returncode != 0
    mypy_strict(project, mypy_cache)


@pytest.mark.slow
def test_the_wheel_ships_py_typed(project: Path, tmp_path: Path) -> None:
    source = shutil.copytree(project, tmp_path / "src")
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", "dist", "."]
    built = run(command, source, timeout=600)
    assert built.returncode == 0, built.stdout + built.stderr
    [wheel] = (source / "dist").glob("*.whl")
    assert f"{PACKAGE}/py.typed" in zipfile.ZipFile(wheel).namelist()


def git(directory: Path, *args: str) -> None:
    command = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com"]
    result = run([*command, *args], directory)
    assert result.returncode == 0, result.stderr


@pytest.mark.slow
def test_cruft_creates_checks_and_updates_a_project(tmp_path: Path) -> None:
    """A template change reaches a project made with cruft, and .env survives it."""
    template = tmp_path / "template"
    shutil.copytree(
        TEMPLATE,
        template,
        ignore=shutil.ignore_patterns(".git", ".venv", "*cache*", "__pycache__"),
    )
    git(template, "init", "-q")
    git(template, "add", "-A")
    git(template, "commit", "-q", "-m", "template")
    cruft = str(BIN / "cruft")
    created = run(
        [cruft, "create", "--no-input", "--output-dir", "out", str(template)], tmp_path
    )
    assert created.returncode == 0, created.stdout + created.stderr
    project = tmp_path / "out" / PROJECT_SLUG
    dotenv = (project / ".env").read_text()
    assert run([cruft, "check"], project).returncode == 0

    readme = template / "{{cookiecutter.project_slug}}" / "README.md"
    readme.write_text(readme.read_text() + "\nA change made in the template.\n")
    git(template, "commit", "-q", "-am", "change the README")
    assert run([cruft, "check"], project).returncode != 0
    updated = run([cruft, "update", "--skip-apply-ask"], project)
    assert updated.returncode == 0, updated.stdout + updated.stderr
    assert "A change made in the template." in (project / "README.md").read_text()
    assert list(project.rglob("*.rej")) == []
    assert (project / ".env").read_text() == dotenv
    assert run([cruft, "check"], project).returncode == 0
