"""Turn the raw numbers into the ratios, a markdown report, results.json and a chart."""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

from bench.throughput import APPS, ROUTES

# ratio name -> (target, True if higher is better)
TARGETS = {
    "shared_vs_per_request": (2.0, True),
    "shared_vs_flask_pymongo": (1.0, True),
    "shared_vs_minimal": (0.85, True),
    "json_vs_flask_pymongo": (1.5, True),
    "deep_vs_first_page": (2.0, False),
}


def spread(values: list[float]) -> dict[str, float]:
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }


def _throughput_ratio(throughput: dict[str, Any], other: str) -> float:
    """Shared client's median req/s over ``other``'s: geometric mean of the routes."""
    logs = [
        math.log(
            statistics.median(throughput["shared"][route]["rps"])
            / statistics.median(throughput[other][route]["rps"])
        )
        for route in ROUTES
    ]
    return math.exp(sum(logs) / len(logs))


def ratios(results: dict[str, Any]) -> dict[str, float]:
    throughput, encoding = results["throughput"], results["json"]
    paging = results["pagination"]
    return {
        "shared_vs_per_request": _throughput_ratio(throughput, "per_request"),
        "shared_vs_flask_pymongo": _throughput_ratio(throughput, "flask_pymongo"),
        "shared_vs_minimal": _throughput_ratio(throughput, "minimal"),
        "json_vs_flask_pymongo": encoding["flask_pymongo"]["median_ms"]
        / encoding["generated"]["median_ms"],
        "deep_vs_first_page": paging["keyset_deep"]["median_ms"]
        / paging["keyset_first"]["median_ms"],
    }


def ratios_line(values: dict[str, float]) -> str:
    return "ratios: " + " ".join(
        f"{name}={value:.2f}" for name, value in values.items()
    )


def markdown(results: dict[str, Any]) -> str:
    settings = results["settings"]
    lines = [
        f"## Benchmark ({settings['mode']} run)",
        "",
        f"{settings['machine']}; nx-27017 on loopback (no auth, no TLS); "
        f"gunicorn -w {settings['workers']} --threads {settings['threads']} for every "
        f"app; {settings['connections']} keep-alive connections; "
        f"{settings['rounds']} interleaved round(s) of {settings['seconds']} s per app "
        "and route.",
        "",
        "| App | Route | req/s median (min-max) | p50 ms | p99 ms | shared / app |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    throughput = results["throughput"]
    for route, label in ROUTES.items():
        shared = statistics.median(throughput["shared"][route]["rps"])
        for name, (_, description) in APPS.items():
            data = throughput[name][route]
            rps = spread(data["rps"])
            lines.append(
                f"| {description} | `{label}` | {rps['median']:.0f} "
                f"({rps['min']:.0f}-{rps['max']:.0f}) | "
                f"{statistics.median(data['p50_ms']):.2f} | "
                f"{statistics.median(data['p99_ms']):.2f} | "
                f"{shared / rps['median']:.2f} |"
            )
    encoding = results["json"]
    lines += [
        "",
        f"| JSON encoding of {encoding['documents']} BSON documents | ms (median) |",
        "| --- | ---: |",
        f"| generated `MongoJSONProvider` | {encoding['generated']['median_ms']:.3f} |",
        f"| Flask-PyMongo `BSONProvider` "
        f"| {encoding['flask_pymongo']['median_ms']:.3f} |",
    ]
    paging = results["pagination"]
    size, depth = paging["collection_size"], paging["depth"]
    lines += [
        "",
        f"| Page of 20 in {size:,} documents | first page ms | page at {depth:,} ms "
        "| deep / first |",
        "| --- | ---: | ---: | ---: |",
    ]
    for kind, label in (("keyset", "keyset (`keyset_page`)"), ("skip", "skip/limit")):
        first = paging[f"{kind}_first"]["median_ms"]
        deep = paging[f"{kind}_deep"]["median_ms"]
        lines.append(f"| {label} | {first:.2f} | {deep:.2f} | {deep / first:.2f} |")
    lines.append(
        f"\n(seeding {size:,} documents with insert_many took "
        f"{paging['insert_seconds']:.1f} s)"
    )
    baking = results["bake"]
    lines += [
        "",
        "| Bake and test | seconds (median) |",
        "| --- | ---: |",
        "| bake (`cookiecutter`, no input, in-process) "
        f"| {baking['bake_median_seconds']:.2f} |",
        f"| baked test suite on mongomock ({baking['suite_tests']} tests) "
        f"| {baking['suite_median_seconds']:.2f} |",
        "",
    ]
    gridfs = results["gridfs"]
    lines.append("GridFS memory: " + ", ".join(f"{k}={v}" for k, v in gridfs.items()))
    lines += ["", "| Ratio | value | target | met |", "| --- | ---: | ---: | --- |"]
    for name, value in results["ratios"].items():
        target, higher = TARGETS[name]
        met = value >= target if higher else value <= target
        sign = ">=" if higher else "<="
        lines.append(
            f"| {name} | {value:.2f} | {sign} {target} | {'yes' if met else 'no'} |"
        )
    return "\n".join(lines)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2) + "\n")


def chart(results: dict[str, Any], path: Path) -> None:
    """Grouped bars: median req/s per app for each route, whiskers from min to max."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    throughput = results["throughput"]
    figure, axes = plt.subplots(figsize=(8, 4.2), dpi=100)
    width = 0.8 / len(APPS)
    for index, (name, (_, description)) in enumerate(APPS.items()):
        medians, low, high = [], [], []
        for route in ROUTES:
            rps = spread(throughput[name][route]["rps"])
            medians.append(rps["median"])
            low.append(rps["median"] - rps["min"])
            high.append(rps["max"] - rps["median"])
        positions = [
            n + (index - (len(APPS) - 1) / 2) * width for n in range(len(ROUTES))
        ]
        axes.bar(
            positions, medians, width, yerr=[low, high], capsize=3, label=description
        )
    axes.set_xticks(range(len(ROUTES)), list(ROUTES.values()))
    axes.set_ylabel("requests per second (median, min-max)")
    axes.set_title(f"Throughput on nx-27017 ({results['settings']['mode']} run)")
    axes.legend(fontsize="small")
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
