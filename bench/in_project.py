"""Run a bench module inside a baked project, with nothing on ``sys.path`` edited.

The in-process measurements (JSON encoding, pagination, storing a GridFS file)
import the baked package. A child process started with the project on its
``PYTHONPATH`` can do that, as a user's own script would; it takes its keyword
arguments as one JSON argument and prints its result as one JSON line.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from support.baking import TEMPLATE
from support.commands import run
from support.environment import clean_env


def project_env(project: Path, **env: str) -> dict[str, str]:
    """The environment of a process that imports the baked package and bench."""
    return clean_env(PYTHONPATH=f"{project}{os.pathsep}{TEMPLATE}", **env)


def run_module(project: Path, module: str, **arguments: Any) -> Any:
    """``python -m <module> '<arguments as JSON>'`` in ``project``; its JSON answer."""
    command = [sys.executable, "-m", module, json.dumps(arguments)]
    result = run(command, project, project_env(project), timeout=1800)
    if result.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def answer(measure: Callable[..., Any]) -> None:
    """The child's side: call ``measure`` with the JSON arguments, print the result."""
    print(json.dumps(measure(**json.loads(sys.argv[1]))))
