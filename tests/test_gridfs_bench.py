"""bench/gridfs_memory.py still runs end to end (on a small file, to stay quick)."""

from __future__ import annotations

import pytest

from bench import gridfs_memory

pytestmark = pytest.mark.slow  # a live server and a served bake


def test_the_gridfs_memory_benchmark_runs() -> None:
    figures = gridfs_memory.measure(size_mb=4)
    assert figures["gridfs_file_mb"] == 4
    assert 0 <= figures["gridfs_rss_growth_mb"] < 32
    assert figures["gridfs_serve_mb_per_s"] > 0
