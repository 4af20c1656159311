"""Benchmark the generated service against the alternatives: ``python -m bench.run``.

One command bakes the template, starts one nx-27017 server, seeds the same data and
measures side by side: HTTP throughput of the baked service against the same
service with a client per request, a Flask-PyMongo app and a minimal Flask app; JSON
encoding; keyset against skip/limit pagination; bake and test time; and the memory
it costs to serve a big GridFS file. It prints a markdown report
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

from pymongo import MongoClient

from bench import baking, gridfs_memory, report, switches, throughput
from bench.data import ids, seed
from bench.in_project import run_module
from bench.throughput import THREADS, WORKERS
from support.baking import package_of
from support.live_server import LiveServer

BENCH = Path(__file__).resolve().parent

MODES: dict[str, dict[str, Any]] = {
    "quick": {
        "rounds": 1,
        "seconds": 1.0,
        "warmup": 0.3,
        "connections": 8,
        "items": 1_000,
        "collection_size": 5_000,
        "page_repeat": 3,
        "json_repeat": 5,
        "json_number": 20,
        "bakes": 1,
        "suites": 1,
        "gridfs_mb": 8,
    },
    "full": {
        # Many short rounds rather than a few long ones: the machine's speed
        # moves within seconds (one 5 s run of an app could read 0.70 or 1.21 of
        # another's in the same round), and a round drives every app back to
        # back, so shorter runs sit closer together and more rounds make the
        # median steadier.
        "rounds": 15,
        "seconds": 2.0,
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


STARTED = time.perf_counter()


def progress(message: str) -> None:
    """Progress goes to stderr so stdout is the report alone."""
    elapsed = time.perf_counter() - STARTED
    print(f"[bench {elapsed:5.1f} s] {message}", file=sys.stderr, flush=True)


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
        package = package_of(project)
        # Issue 9's targets are for every optional feature off: auth too.
        open_project = baking.bake_quietly(workdir / "open", auth="none")

        server = LiveServer(workdir / "nx")
        server.start()
        try:
            client: MongoClient[dict[str, Any]] = MongoClient(server.uri, tz_aware=True)
            items = client["bench"]["items"]
            seed(items, settings["items"])
            # The same rounds, durations and load for every side-by-side measurement.
            timing = {
                key: settings[key]
                for key in ("rounds", "seconds", "warmup", "connections")
            }
            progress(f"HTTP throughput: {settings['rounds']} round(s)")
            results["throughput"] = throughput.measure(
                project,
                open_project,
                package,
                f"{server.uri}/bench",
                items,
                ids(items, 200),
                workdir,
                **timing,
            )
            for switch in switches.SWITCHES:
                progress(f"{switch.label.lower()} on against off")
                results[switch.name] = switches.measure(
                    switch,
                    project,
                    package,
                    f"{server.uri}/bench",
                    ids(items, 200),
                    workdir,
                    **timing,
                )
            progress("JSON encoding")
            results["json"] = run_module(
                project,
                "bench.encoding",
                package=package,
                repeat=settings["json_repeat"],
                number=settings["json_number"],
            )
            progress(f"pagination in {settings['collection_size']:,} documents")
            results["pagination"] = run_module(
                project,
                "bench.paging",
                package=package,
                uri=f"{server.uri}/paging",
                size=settings["collection_size"],
                repeat=settings["page_repeat"],
            )
            progress("filtered, sorted pages (tag=red, sort=quantity)")
            results["sorted_pagination"] = run_module(
                project,
                "bench.sorted_paging",
                package=package,
                uri=f"{server.uri}/sorted_paging",
                size=settings["collection_size"],
                repeat=settings["page_repeat"],
            )
            client.close()
        finally:
            server.stop()
        progress("GridFS memory")
        results["gridfs"] = gridfs_memory.measure(size_mb=settings["gridfs_mb"])

    results["ratios"] = report.ratios(results)
    results["seconds"] = time.perf_counter() - started
    report.write_json(results, args.output / "results.json")
    report.chart(results, args.output / "throughput.png")
    print(report.markdown(results))
    for switch in switches.SWITCHES:
        print("\n" + switches.markdown(results[switch.name]))
    print(
        f"\n(took {results['seconds']:.0f} s; raw numbers: {args.output}/results.json)"
    )
    print(report.ratios_line(results["ratios"]))


if __name__ == "__main__":
    main()
