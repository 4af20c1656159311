"""The baked service keeps its OpenAPI contract, and a second resource is cheap.

schemathesis runs with every check and every phase (examples, coverage, fuzzing,
stateful) against the default bake served by gunicorn, once on nx-27017 and
once on the in-memory mongomock backend: no failure, no 5xx, no traceback in
the service's log. Then the README's "Add a resource" recipe is followed into a
fresh bake, and the bake still lints, type-checks and passes its own suite,
contract test included. See the figures with ``pytest tests/test_contract.py -rP``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from support.api_key import KEY
from support.baking import PACKAGE, Bake
from support.commands import passed_count, run, run_project_tests
from support.deploy_step import flask_db_upgrade
from support.environment import BIN
from support.live_server import LiveServer
from support.recipe import add_resource
from support.serving import served_by_gunicorn
from support.typecheck import mypy_strict

EXAMPLES = "60"  # per operation and phase; a full run is about 1,500 requests
SEED = "20261122"  # fixed: a failure here can be replayed with the same cases
# The fuzzer sends ~1,500 requests with one key; limits have their own tests.
UNTHROTTLED = {"RATE_LIMITS": "100000/minute"}


def run_schemathesis(project: Path, url: str) -> str:
    """``st run`` with every check and phase; returns its report (fails on issues).

    The bake's ``schemathesis.toml`` applies; it runs outside the bake, so the
    cache schemathesis writes where it runs never lands in a shared bake.
    """
    command = [
        str(BIN / "st"),
        "--config-file",
        str(project / "schemathesis.toml"),
        "run",
        f"{url}/openapi.json",
        "--checks",
        "all",
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        EXAMPLES,
        "--seed",
        SEED,
        "--no-color",
        # Authenticated, so every operation is reached; "all" includes
        # ignored_auth, which repeats requests without the key and with a bad one.
        "--header",
        f"Authorization: Bearer {KEY}",
    ]
    result = run(command, project.parent, timeout=900)
    report = result.stdout + result.stderr
    assert result.returncode == 0, report[-6000:]
    assert "No issues found" in report, report[-6000:]
    return report


def test_the_contract_holds_on_a_live_server(
    project: Path, live_server: LiveServer
) -> None:
    uri = f"{live_server.uri}/contract_live"
    # As a deployment runs it: the schema first, then the server.
    upgraded = flask_db_upgrade(project, uri)
    assert upgraded.returncode == 0, upgraded.stdout + upgraded.stderr
    with served_by_gunicorn(project, MONGODB_URI=uri, **UNTHROTTLED) as app:
        report = run_schemathesis(project, app.url)
    output = app.output()
    assert "Traceback" not in output, output[-4000:]
    assert not re.search(r'" 5\d\d ', output), "a 5xx in the access log"
    print(report[-600:])


@pytest.mark.slow  # schemathesis against a served bake: the full loop
def test_the_contract_holds_in_memory(project: Path) -> None:
    """One worker: each process has its own in-memory database."""
    with served_by_gunicorn(
        project,
        APP_ENV="development",
        MONGODB_URI="mongomock://localhost/contract",
        WEB_CONCURRENCY="1",
        **UNTHROTTLED,
    ) as app:
        report = run_schemathesis(project, app.url)
    output = app.output()
    assert "Traceback" not in output, output[-4000:]
    assert not re.search(r'" 5\d\d ', output), "a 5xx in the access log"
    print(report[-600:])


@pytest.fixture(scope="module")
def with_orders(bake: Bake) -> Path:
    """A bake with the README's orders resource added exactly as it says."""
    project = bake()
    add_resource(project, PACKAGE)
    return project


def test_the_readme_resource_is_one_short_module(with_orders: Path) -> None:
    module = with_orders / PACKAGE / "orders.py"
    lines = module.read_text().splitlines()
    assert len(lines) <= 70, len(lines)
    items = (with_orders / PACKAGE / "items.py").read_text().splitlines()
    code = {line for line in lines if not line.startswith(("from ", "import "))}
    shared = {line for line in code if len(line.strip()) > 30} & set(items)
    assert not shared, shared  # nothing copied from items.py but imports


def test_the_readme_resource_lints_and_type_checks(
    with_orders: Path, mypy_cache: Path
) -> None:
    for command in (["ruff", "check", "."], ["ruff", "format", "--check", "."]):
        result = run([str(BIN / command[0]), *command[1:]], with_orders)
        assert result.returncode == 0, result.stdout + result.stderr
    mypy_strict(with_orders, mypy_cache)


@pytest.mark.slow  # schemathesis against a served bake: the full loop
def test_the_readme_resource_passes_the_suite_and_the_contract(
    with_orders: Path,
) -> None:
    """Its CRUD tests (written by recipe.py) and the contract test, which now
    covers its routes too (every route must be in the document)."""
    result = run_project_tests(with_orders)
    assert passed_count(result) > 0
    contract = run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_orders.py",
            "tests/test_contract.py",
        ],
        with_orders,
    )
    assert passed_count(contract) >= 9  # 3 for orders, 6 contract tests
