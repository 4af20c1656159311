"""Benchmark the generated service against the alternatives: ``python bench/run.py``.

One command bakes the template, starts one nx-27017 server, seeds the same data and
measures side by side: HTTP throughput of the baked service against the same
service with a client per request, a Flask-PyMongo app and a minimal Flask app; JSON
encoding; keyset against skip/limit pagination; bake and test time; and the GridFS
memory figure when ``bench/gridfs_memory.py`` exists. It prints a markdown report
and, as its last line, the ratios; it writes results.json and throughput.png.
``--quick`` (under a minute) is for checking that it works, not for quoting.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH.parent / "tests"))  # helpers: LiveServer, free_port...

import baking  # noqa: E402
import encoding  # noqa: E402
import paging  # noqa: E402
import report  # noqa: E402
import sorted_paging  # noqa: E402
import throughput  # noqa: E402
from data import ids, seed  # noqa: E402
from pymongo import MongoClient  # noqa: E402
from serve import THREADS, WORKERS  # noqa: E402

from helpers import LiveServer  # noqa: E402

MODES: dict[str, dict[str, Any]] = {
    "quick": {
        "rounds": 2,
        "seconds": 1.0,
        "warmup": 0.5,
        "connections": 8,
        "items": 1_000,
        "collection_size": 10_000,
        "page_repeat": 3,
        "json_repeat": 5,
        "json_number": 20,
        "bakes": 1,
        "suites": 1,
        "gridfs_mb": 20,
    },
    "full": {
        "rounds": 5,
        "seconds": 5.0,
        "warmup": 2.0,
        "connections": 8,
        "items": 1_000,
        "collection_size": 100_000,
        "page_repeat": 7,
        "json_repeat": 9,
        "json_number": 100,
        "bakes": 3,
        "suites": 3,
        "gridfs_mb": 200,
    },
}


def progress(message: str) -> None:
    """Progress goes to stderr so stdout is the report alone."""
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def gridfs_figure(size_mb: int) -> Any:
    """The files issue's measurement, when it is part of this checkout."""
    if not (BENCH / "gridfs_memory.py").exists():
        return "n/a"
    import gridfs_memory

    return gridfs_memory.measure(size_mb=size_mb)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a short smoke run")
    parser.add_argument(
        "--output",
        type=Path,
        help="where results.json and the PNG go (default: bench/, or bench/out/ "
        "with --quick, so a smoke run never replaces the committed full run)",
    )
    args = parser.parse_args(argv)
    mode = "quick" if args.quick else "full"
    settings = MODES[mode]
    if args.output is None:
        args.output = BENCH / "out" if args.quick else BENCH
    args.output.mkdir(parents=True, exist_ok=True)
    # nx-27017 and gunicorn are scripts next to this interpreter (venv or not).
    bin_dir = str(Path(sys.executable).parent)
    os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    started = time.perf_counter()

    results: dict[str, Any] = {
        "settings": {
            "mode": mode,
            "machine": f"Python {platform.python_version()} on {os.cpu_count()} CPUs",
            "workers": WORKERS,
            "threads": THREADS,
            **settings,
        }
    }
    with tempfile.TemporaryDirectory(prefix="bench-") as temporary:
        workdir = Path(temporary)
        progress("baking the template and timing its test suite")
        project, results["bake"] = baking.measure(
            workdir, bakes=settings["bakes"], suites=settings["suites"]
        )
        package = baking.package_of(project)
        sys.path.insert(0, str(project))

        server = LiveServer(workdir / "nx")
        server.start()
        try:
            client: MongoClient[dict[str, Any]] = MongoClient(server.uri, tz_aware=True)
            items = client["bench"]["items"]
            seed(items, settings["items"])
            progress(f"HTTP throughput: {settings['rounds']} round(s)")
            results["throughput"] = throughput.measure(
                project,
                package,
                f"{server.uri}/bench",
                ids(items, 200),
                workdir,
                rounds=settings["rounds"],
                seconds=settings["seconds"],
                warmup=settings["warmup"],
                connections=settings["connections"],
            )
            progress("JSON encoding")
            results["json"] = encoding.measure(
                package, repeat=settings["json_repeat"], number=settings["json_number"]
            )
            progress(f"pagination in {settings['collection_size']:,} documents")
            results["pagination"] = paging.measure(
                package,
                client["paging"]["pages"],
                size=settings["collection_size"],
                repeat=settings["page_repeat"],
            )
            progress("filtered, sorted pages (tag=red, sort=quantity)")
            results["sorted_pagination"] = sorted_paging.measure(
                package,
                client["sorted_paging"]["items"],
                size=settings["collection_size"],
                repeat=settings["page_repeat"],
            )
            client.close()
        finally:
            server.stop()
        progress("GridFS memory")
        results["gridfs"] = gridfs_figure(settings["gridfs_mb"])

    results["ratios"] = report.ratios(results)
    results["seconds"] = time.perf_counter() - started
    report.write_json(results, args.output / "results.json")
    report.chart(results, args.output / "throughput.png")
    print(report.markdown(results))
    print(
        f"\n(took {results['seconds']:.0f} s; raw numbers: {args.output}/results.json)"
    )
    print(report.ratios_line(results["ratios"]))


if __name__ == "__main__":
    main()
