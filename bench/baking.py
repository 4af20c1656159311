"""Bake time and the baked project's test-suite time."""

from __future__ import annotations

import shutil
import statistics
import time
from pathlib import Path
from typing import Any

from support.baking import bake_into
from support.commands import passed_count, run_project_tests


def measure(workdir: Path, *, bakes: int, suites: int) -> tuple[Path, dict[str, Any]]:
    """Bake ``bakes`` times (keeping the last) and run its suite ``suites`` times."""
    bake_seconds = []
    for number in range(bakes):
        output = workdir / f"bake-{number}"
        started = time.perf_counter()
        project = bake_into(output)
        bake_seconds.append(time.perf_counter() - started)
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
