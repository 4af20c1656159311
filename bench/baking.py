"""Bake time and the baked project's test-suite time."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from support.baking import bake_into
from support.commands import passed_count, run_project_tests


@contextmanager
def hook_output_to_stderr() -> Iterator[None]:
    """The post-generation hook prints its next steps to file descriptor 1; the
    benchmark's stdout is the report alone, so the hook's lines go to stderr."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def bake_quietly(output: Path, **answers: Any) -> Path:
    with hook_output_to_stderr():
        return bake_into(output, **answers)


def measure(workdir: Path, *, bakes: int, suites: int) -> tuple[Path, dict[str, Any]]:
    """Bake ``bakes`` times (keeping the last) and run its suite ``suites`` times."""
    bake_seconds = []
    for number in range(bakes):
        output = workdir / f"bake-{number}"
        started = time.perf_counter()
        project = bake_quietly(output)
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
