"""``mypy --strict`` over a bake, as its CI runs it."""

from __future__ import annotations

import sys
from pathlib import Path

from support.baking import package_of
from support.commands import run


def mypy_strict(project: Path, cache: Path) -> None:
    """``mypy --strict`` over a bake's package, tests and gunicorn.conf.py passes.

    ``cache`` lies outside every bake (a shared bake must stay exactly as
    generated) and is shared by the session's runs: the installed libraries are
    analysed once, not once per bake, and mypy re-checks whatever differs.
    """
    files = [package_of(project), "tests", "gunicorn.conf.py"]
    command = [sys.executable, "-m", "mypy", "--strict", f"--cache-dir={cache}"]
    result = run([*command, *files], project)
    assert result.returncode == 0, result.stdout + result.stderr
