"""The benchmark harness runs from a clone and reports in the promised shape."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from support.baking import TEMPLATE
from support.commands import run

pytestmark = pytest.mark.slow  # about a minute of servers under load
RATIO = r"\d+\.\d\d"
RATIOS_LINE = re.compile(
    rf"ratios: shared_vs_per_request=(?P<shared_vs_per_request>{RATIO}) "
    rf"shared_vs_flask_pymongo=(?P<shared_vs_flask_pymongo>{RATIO}) "
    rf"shared_vs_minimal=(?P<shared_vs_minimal>{RATIO}) "
    rf"create_vs_minimal=(?P<create_vs_minimal>{RATIO}) "
    rf"api_key_read_vs_minimal=(?P<api_key_read_vs_minimal>{RATIO}) "
    rf"shared_vs_fastapi=(?P<shared_vs_fastapi>{RATIO}) "
    rf"json_vs_flask_pymongo=(?P<json_vs_flask_pymongo>{RATIO}) "
    rf"deep_vs_first_page=(?P<deep_vs_first_page>{RATIO}) "
    rf"observability_on_vs_off=(?P<observability_on_vs_off>{RATIO}) "
    rf"rate_limits_on_vs_off=(?P<rate_limits_on_vs_off>{RATIO})"
)


def test_quick_run_prints_the_ratios_and_writes_its_files(tmp_path: Path) -> None:
    command = [sys.executable, "-m", "bench.run", "--quick", "--output", str(tmp_path)]
    result = run(command, TEMPLATE, timeout=180)
    assert result.returncode == 0, result.stderr[-4000:]

    last_line = result.stdout.rstrip("\n").splitlines()[-1]
    match = RATIOS_LINE.fullmatch(last_line)
    assert match, last_line
    for app in (
        "baked service (shared client, auth none)",
        "baked service (default bake, API key)",
        "FastAPI + AsyncMongoClient",
    ):
        for route in (
            "GET /api/items/<id>",
            "GET /api/items?limit=20",
            "POST /api/items",
        ):
            assert f"| {app} | `{route}` |" in result.stdout

    results = json.loads((tmp_path / "results.json").read_text())
    assert results["settings"]["mode"] == "quick"
    for name, printed in match.groupdict().items():
        assert f"{results['ratios'][name]:.2f}" == printed
    # Every ratio is a measured, positive figure. Whether a target is met is read
    # from a full run's printed ratios (bench/README.md), not asserted here: this
    # quick run shares two CPUs with the rest of the suite, and once measured
    # shared_vs_per_request at 0.89 that way against 2.8-5.9 in full runs.
    assert all(ratio > 0 for ratio in results["ratios"].values())
    assert (tmp_path / "throughput.png").read_bytes().startswith(b"\x89PNG")
