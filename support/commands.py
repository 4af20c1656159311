"""Running commands, a baked project's own test suite among them."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from support.environment import clean_env


def run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """Run a command and return its result; output is kept for failure messages."""
    return subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def run_project_tests(
    project: Path, python: str = sys.executable, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run a baked project's own test suite; TEST_MONGODB_URI only if given."""
    command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
    return run(command, project, clean_env(**env))


def passed_count(result: subprocess.CompletedProcess[str]) -> int:
    """How many tests a green pytest run passed; fails loudly on anything else."""
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    match = re.search(r"(\d+) passed", output)
    assert match, output[-4000:]
    assert " failed" not in output, output[-4000:]
    assert " error" not in output, output[-4000:]
    return int(match.group(1))
