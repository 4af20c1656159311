"""How the baked suite is written: pytest-flask as documented, no hidden context.

A test that needs an app context must ask for it (the ``app_context`` fixture or
``with app.app_context()``) instead of leaning on the request context that
pytest-flask pushes for every test using ``app``. Nothing shows a test leaning on
it until the push is switched off, so this runs a copy of the baked suite with
pytest-flask's pushing fixture replaced by one that does nothing.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest_flask.plugin

from support.commands import passed_count, run_project_tests

# pytest-flask's autouse fixture that pushes a request context; a conftest
# fixture of the same name overrides it.
PUSHING_FIXTURE = "_push_request_context"
NO_PUSH = f'''

@pytest.fixture(autouse=True)
def {PUSHING_FIXTURE}() -> None:
    """Switched off by the template's tests: no test may need it."""
'''


def test_no_baked_test_module_imports_conftest(project: Path) -> None:
    for path in sorted((project / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom):
                assert node.module != "conftest", path
            elif isinstance(node, ast.Import):
                assert "conftest" not in [alias.name for alias in node.names], path


def test_no_baked_test_leans_on_the_request_context_pytest_flask_pushes(
    project: Path, tmp_path: Path
) -> None:
    # If pytest-flask renames the fixture, the override would do nothing.
    assert hasattr(pytest_flask.plugin, PUSHING_FIXTURE)
    copy = shutil.copytree(project, tmp_path / project.name)
    with (copy / "tests" / "conftest.py").open("a", encoding="utf-8") as conftest:
        conftest.write(NO_PUSH)
    assert passed_count(run_project_tests(copy)) >= 100
