"""How the baked suite is written and run: pytest-flask as documented, no hidden
context, workers only for the whole suite.

A test that needs an app context must ask for it (the ``app_context`` fixture or
``with app.app_context()``) instead of leaning on the request context that
pytest-flask pushes for every test using ``app``. Nothing shows a test leaning on
it until the push is switched off, so the baked conftest switches it off for good
(a fixture of the same name), and a baked test fails if a context is pushed: every
run of the baked suite is then a run without the push.
"""

from __future__ import annotations

import ast
import re
import sys
from pathlib import Path

import pytest_flask.plugin

from support.commands import passed_count, run
from support.environment import clean_env

# pytest-flask's autouse fixture that pushes a request context; a conftest
# fixture of the same name overrides it.
PUSHING_FIXTURE = "_push_request_context"


def test_no_baked_test_module_imports_conftest(project: Path) -> None:
    for path in sorted((project / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "conftest", path
            elif isinstance(node, ast.Import):
                assert "conftest" not in [alias.name for alias in node.names], path


def test_the_baked_conftest_switches_off_the_request_context_pytest_flask_pushes(
    project: Path,
) -> None:
    # If pytest-flask renames the fixture, the override would do nothing.
    assert hasattr(pytest_flask.plugin, PUSHING_FIXTURE)
    conftest = ast.parse((project / "tests" / "conftest.py").read_text("utf-8"))
    overrides = [
        node
        for node in conftest.body
        if isinstance(node, ast.FunctionDef) and node.name == PUSHING_FIXTURE
    ]
    assert len(overrides) == 1
    (override,) = overrides
    # A fixture that does nothing: only a docstring in its body.
    assert len(override.body) == 1
    assert isinstance(override.body[0], ast.Expr)
    assert ast.get_docstring(override)
    # The baked test that fails when a context is pushed anyway.
    test_app = (project / "tests" / "test_app.py").read_text("utf-8")
    assert "def test_a_test_gets_no_context_it_did_not_ask_for(" in test_app


# What pytest-xdist prints (without -q) when it has started its workers.
WORKERS_STARTED = re.compile(r"created: \d+/\d+ workers")


def test_the_whole_suite_runs_on_workers_and_a_named_file_in_one_process(
    project: Path,
) -> None:
    """``-n auto`` starts workers when the run takes the suite from testpaths
    (here narrowed by -k only), and none when it names what to run."""
    pytest = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider"]
    whole = run([*pytest, "-k", "gets_no_context"], project, clean_env())
    assert passed_count(whole) == 1
    assert WORKERS_STARTED.search(whole.stdout), whole.stdout
    named = run([*pytest, "tests/test_app.py"], project, clean_env())
    assert passed_count(named) > 1
    assert not WORKERS_STARTED.search(named.stdout), named.stdout
    assert "bringing up nodes" not in named.stdout
