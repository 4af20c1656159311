"""Bake time and the baked project's test-suite time, as a user would see them."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from helpers import TEMPLATE, passed_count, run_project_tests


def bake(output: Path) -> tuple[Path, float]:
    """``cookiecutter --no-input`` into ``output``; returns the project and seconds."""
    output.mkdir(parents=True)
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            str(TEMPLATE),
            "-o",
            str(output),
        ],
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    (project,) = output.iterdir()
    return project, seconds


def package_of(project: Path) -> str:
    (init,) = [p for p in project.glob("*/__init__.py") if p.parent.name != "tests"]
    return init.parent.name


def measure(workdir: Path, *, bakes: int, suites: int) -> tuple[Path, dict[str, Any]]:
    """Bake ``bakes`` times (keeping the last) and run its suite ``suites`` times."""
    bake_seconds = []
    for number in range(bakes):
        output = workdir / f"bake-{number}"
        project, seconds = bake(output)
        bake_seconds.append(seconds)
        if number < bakes - 1:
            shutil.rmtree(output)
    suite_seconds, tests = [], 0
    for _ in range(suites):
        started = time.perf_counter()
        result = run_project_tests(project)
        suite_seconds.append(time.perf_counter() - started)
        tests = passed_count(result)
    return project, {
        "bake_seconds": bake_seconds,
        "bake_median_seconds": statistics.median(bake_seconds),
        "suite_seconds": suite_seconds,
        "suite_median_seconds": statistics.median(suite_seconds),
        "suite_tests": tests,
    }
