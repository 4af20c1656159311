"""``mypy --strict`` over a bake, as its CI runs it."""

from __future__ import annotations

import sys
from pathlib import Path

from support.baking import package_of
from support.commands import run


def mypy_strict(project: Path) -> None:
    """``mypy --strict`` over a bake's package, tests and gunicorn.conf.py passes."""
    files = [package_of(project), "tests", "gunicorn.conf.py"]
    # No cache: a shared bake must stay exactly as generated.
    command = [sys.executable, "-m", "mypy", "--strict", "--cache-dir=/dev/null"]
    result = run([*command, *files], project)
    assert result.returncode == 0, result.stdout + result.stderr
