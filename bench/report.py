"""Turn the raw numbers into the ratios, a markdown report, results.json and a chart.

The report is one small function per table, joined by ``markdown``.
"""

from __future__ import annotations

import json
import math
import statistics
from pathlib import Path
from typing import Any

from bench.throughput import APPS, READS, ROUTES, SERVICE, WITH_API_KEY

# ratio name -> (target or None when only reported, True if higher is better)
TARGETS: dict[str, tuple[float | None, bool]] = {
    "shared_vs_per_request": (2.0, True),
    "shared_vs_flask_pymongo": (1.0, True),
    "shared_vs_minimal": (0.95, True),
    "create_vs_minimal": (0.85, True),
    "api_key_read_vs_minimal": (0.95, True),
    "shared_vs_fastapi": (None, True),
    "json_vs_flask_pymongo": (1.5, True),
    "deep_vs_first_page": (2.0, False),
    "observability_on_vs_off": (0.90, True),
    "rate_limits_on_vs_off": (None, True),
}
# Per route, the baked service against the minimal app (every option off).
ROUTE_TARGETS = {"by_id": 0.95, "page": 0.95, "create": 0.85}
# And a read with the default bake's API key checked (issue 11).
API_KEY_ROUTE = "by_id"


def spread(values: list[float]) -> dict[str, float]:
    return {
        "min": min(values),
        "median": statistics.median(values),
        "max": max(values),
    }


def _throughput_ratio(
    throughput: dict[str, Any],
    other: str,
    routes: tuple[str, ...] = tuple(ROUTES),
    app: str = SERVICE,
) -> float:
    """``app``'s req/s over ``other``'s: geometric mean of ``routes``.

    Each route's figure is the median of the rounds' ratios, as in switches.py:
    a round drives every app back to back, so a change in the shared machine's
    speed between rounds cancels out within each ratio.
    """
    logs = []
    for route in routes:
        pairs = zip(
            throughput[app][route]["rps"],
            throughput[other][route]["rps"],
            strict=True,
        )
        ratios = [mine / theirs for mine, theirs in pairs]
        logs.append(math.log(statistics.median(ratios)))
    return math.exp(sum(logs) / len(logs))


def ratios(results: dict[str, Any]) -> dict[str, float]:
    throughput, encoding = results["throughput"], results["json"]
    paging = results["pagination"]
    return {
        "shared_vs_per_request": _throughput_ratio(throughput, "per_request"),
        "shared_vs_flask_pymongo": _throughput_ratio(throughput, "flask_pymongo"),
        "shared_vs_minimal": _throughput_ratio(throughput, "minimal", READS),
        "create_vs_minimal": _throughput_ratio(throughput, "minimal", ("create",)),
        "api_key_read_vs_minimal": _throughput_ratio(
            throughput, "minimal", (API_KEY_ROUTE,), app=WITH_API_KEY
        ),
        "shared_vs_fastapi": _throughput_ratio(throughput, "fastapi"),
        "json_vs_flask_pymongo": encoding["flask_pymongo"]["median_ms"]
        / encoding["generated"]["median_ms"],
        "deep_vs_first_page": paging["keyset_deep"]["median_ms"]
        / paging["keyset_first"]["median_ms"],
        "observability_on_vs_off": results["observability"]["on_vs_off"],
        "rate_limits_on_vs_off": results["rate_limits"]["on_vs_off"],
    }


def ratios_line(values: dict[str, float]) -> str:
    return "ratios: " + " ".join(
        f"{name}={value:.2f}" for name, value in values.items()
    )


def _met(value: float, target: float | None, higher: bool) -> tuple[str, str]:
    """The target as written, and whether ``value`` meets it."""
    if target is None:
        return "reported", "-"
    met = value >= target if higher else value <= target
    return f"{'>=' if higher else '<='} {target}", "yes" if met else "no"


def settings_table(results: dict[str, Any]) -> list[str]:
    settings = results["settings"]
    return [
        f"## Benchmark ({settings['mode']} run)",
        "",
        f"{settings['machine']}; nx-27017 on loopback (no auth, no TLS); "
        f"{settings['workers']} worker processes per app (gunicorn with "
        f"{settings['threads']} threads for the Flask apps, uvicorn for FastAPI); "
        f"{settings['connections']} keep-alive connections; "
        f"{settings['rounds']} interleaved round(s) of {settings['seconds']} s per app "
        "and route.",
    ]


def throughput_table(results: dict[str, Any]) -> list[str]:
    throughput = results["throughput"]
    lines = [
        "| App | Route | req/s median (min-max) | p50 ms | p99 ms | shared / app |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for route, label in ROUTES.items():
        for name, (_, _, description) in APPS.items():
            data = throughput[name][route]
            rps = spread(data["rps"])
            lines.append(
                f"| {description} | `{label}` | {rps['median']:.0f} "
                f"({rps['min']:.0f}-{rps['max']:.0f}) | "
                f"{statistics.median(data['p50_ms']):.2f} | "
                f"{statistics.median(data['p99_ms']):.2f} | "
                f"{_throughput_ratio(throughput, name, (route,)):.2f} |"
            )
    return lines


def route_targets_table(results: dict[str, Any]) -> list[str]:
    throughput = results["throughput"]
    lines = [
        "| Route | baked service / minimal app | target | met |",
        "| --- | ---: | ---: | --- |",
    ]
    for route, target in ROUTE_TARGETS.items():
        value = _throughput_ratio(throughput, "minimal", (route,))
        sign, met = _met(value, target, True)
        lines.append(f"| `{ROUTES[route]}` | {value:.2f} | {sign} | {met} |")
    value = results["ratios"]["api_key_read_vs_minimal"]
    sign, met = _met(value, *TARGETS["api_key_read_vs_minimal"])
    lines.append(
        f"| `{ROUTES[API_KEY_ROUTE]}`, default bake with its API key "
        f"| {value:.2f} | {sign} | {met} |"
    )
    return lines


def json_table(results: dict[str, Any]) -> list[str]:
    encoding = results["json"]
    return [
        f"| JSON encoding of {encoding['documents']} BSON documents | ms (median) |",
        "| --- | ---: |",
        f"| generated `MongoJSONProvider` | {encoding['generated']['median_ms']:.3f} |",
        f"| Flask-PyMongo `BSONProvider` "
        f"| {encoding['flask_pymongo']['median_ms']:.3f} |",
    ]


def paging_table(results: dict[str, Any]) -> list[str]:
    paging = results["pagination"]
    size, depth = paging["collection_size"], paging["depth"]
    lines = [
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
    return lines


def bake_table(results: dict[str, Any]) -> list[str]:
    baking = results["bake"]
    return [
        "| Bake and test | seconds (median) |",
        "| --- | ---: |",
        "| bake (`cookiecutter`, no input, in-process) "
        f"| {baking['bake_median_seconds']:.2f} |",
        f"| baked test suite on mongomock ({baking['suite_tests']} tests) "
        f"| {baking['suite_median_seconds']:.2f} |",
    ]


def gridfs_table(results: dict[str, Any]) -> list[str]:
    gridfs = results["gridfs"]
    return [
        f"| GridFS, a {gridfs['gridfs_file_mb']:.0f} MB file | value |",
        "| --- | ---: |",
        "| serving process RSS before / peak while streaming it all "
        f"| {gridfs['gridfs_rss_before_mb']} / {gridfs['gridfs_rss_peak_mb']} MB |",
        "| growth while serving (target < 32 MB) "
        f"| {gridfs['gridfs_rss_growth_mb']} MB |",
        f"| serving rate | {gridfs['gridfs_serve_mb_per_s']} MB/s |",
        "| upload rate / storing process peak RSS "
        f"| {gridfs['gridfs_upload_mb_per_s']} MB/s "
        f"/ {gridfs['gridfs_upload_peak_rss_mb']} MB |",
    ]


def ratios_table(results: dict[str, Any]) -> list[str]:
    lines = ["| Ratio | value | target | met |", "| --- | ---: | ---: | --- |"]
    for name, value in results["ratios"].items():
        sign, met = _met(value, *TARGETS[name])
        lines.append(f"| {name} | {value:.2f} | {sign} | {met} |")
    return lines


TABLES = (
    settings_table,
    throughput_table,
    route_targets_table,
    json_table,
    paging_table,
    bake_table,
    gridfs_table,
    ratios_table,
)


def markdown(results: dict[str, Any]) -> str:
    return "\n\n".join("\n".join(table(results)) for table in TABLES)


def write_json(results: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(results, indent=2) + "\n")


def chart(results: dict[str, Any], path: Path) -> None:
    """Grouped bars: median req/s per app for each route, whiskers from min to max."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    throughput = results["throughput"]
    figure, axes = plt.subplots(figsize=(9, 4.5), dpi=100)
    width = 0.8 / len(APPS)
    for index, (name, (_, _, description)) in enumerate(APPS.items()):
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
