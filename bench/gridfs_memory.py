"""How much resident memory serving a big GridFS file costs the serving process.

The generated ``send_file`` promises to stream: one GridFS chunk at a time, never
the whole file. This measures it end to end, on a real socket:

1. bake the template (or use ``--project``), start nx-27017 (support/live_server.py);
2. a child process (``bench.gridfs_store``) stores a ``size_mb`` file through the
   app's ``save_file``, from a stream that makes the bytes as they are read (the
   file never exists in memory or on disk);
3. another child (``bench.gridfs_serve``) serves the app with Werkzeug's WSGI
   server; after a warm-up
   request (imports, connection pool, a first chunk) its peak-RSS counter is reset
   (``/proc/<pid>/clear_refs``), then the whole file is downloaded and checked
   against the SHA-256 the upload computed;
4. growth = the server's peak RSS during the download (VmHWM) - its RSS before.

Run: ``python -m bench.gridfs_memory [--size-mb 200]``; prints ``key=value`` lines,
``gridfs_rss_growth_mb`` being the figure (target: under 32). It asserts nothing,
so a caller (bench.run) decides what a regression is.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.baking import bake_quietly
from bench.in_project import project_env, run_module
from support.api_key import ENTRY, HEADERS
from support.baking import package_of
from support.live_server import LiveServer
from support.network import free_port, wait_for_http

DATABASE = "bench_gridfs"
MB = 1024 * 1024


def rss_kb(pid: int, field: str) -> int:
    """``VmRSS`` or ``VmHWM`` (peak) of a process, in kB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def download(port: int, path: str) -> tuple[str, int]:
    """GET ``path`` reading 64 KiB at a time; returns the body's SHA-256 and size."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path, headers=HEADERS)
    response = connection.getresponse()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status}")
    digest, size = hashlib.sha256(), 0
    while block := response.read(64 * 1024):
        digest.update(block)
        size += len(block)
    connection.close()
    return digest.hexdigest(), size


def measure(size_mb: int = 200, project: Path | None = None) -> dict[str, float]:
    """Store a ``size_mb`` file, serve it once, and report the memory it cost."""
    with tempfile.TemporaryDirectory(prefix="gridfs-bench-") as tmp:
        directory = Path(tmp)
        project = project or bake_quietly(directory, include_files=True)
        server = LiveServer(directory / "nx")
        server.start()
        try:
            return _measure(project, server.uri, size_mb)
        finally:
            server.stop()


def _measure(project: Path, uri: str, size_mb: int) -> dict[str, float]:
    package = package_of(project)
    started = time.perf_counter()
    file = run_module(
        project,
        "bench.gridfs_store",
        package=package,
        uri=uri,
        database=DATABASE,
        size=size_mb * MB,
    )
    upload_seconds = time.perf_counter() - started

    port = free_port()
    environ = project_env(
        project,
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        MONGODB_URI=uri,
        MONGODB_DB=DATABASE,
        LOG_LEVEL="WARNING",
        API_KEYS=ENTRY,
        RATE_LIMITS="",
    )
    serving = subprocess.Popen(
        [sys.executable, "-m", "bench.gridfs_serve", package, str(port)],
        cwd=project,
        env=environ,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for_http(f"http://127.0.0.1:{port}/healthz")
        url = f"/api/files/{file['id']}"
        # Warm-up: imports, the connection pool, GridFS's first chunk query.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", url, headers={**HEADERS, "Range": "bytes=0-1023"})
        connection.getresponse().read()
        connection.close()
        before_kb = rss_kb(serving.pid, "VmRSS")
        Path(f"/proc/{serving.pid}/clear_refs").write_text("5")  # reset VmHWM
        started = time.perf_counter()
        sha256, size = download(port, url)
        serve_seconds = time.perf_counter() - started
        peak_kb = rss_kb(serving.pid, "VmHWM")
    finally:
        serving.terminate()
        serving.wait(timeout=10)
    if sha256 != file["sha256"] or size != file["length"]:
        raise RuntimeError("the downloaded file differs from the stored one")
    return {
        "gridfs_file_mb": size / MB,
        "gridfs_rss_before_mb": round(before_kb / 1024, 1),
        "gridfs_rss_peak_mb": round(peak_kb / 1024, 1),
        "gridfs_rss_growth_mb": round((peak_kb - before_kb) / 1024, 1),
        "gridfs_serve_mb_per_s": round(size / MB / serve_seconds, 1),
        "gridfs_upload_mb_per_s": round(size / MB / upload_seconds, 1),
        "gridfs_upload_peak_rss_mb": round(file["peak_mb"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--size-mb", type=int, default=200)
    parser.add_argument(
        "--project", type=Path, help="a baked project (default: bake one)"
    )
    args = parser.parse_args()
    for key, value in measure(args.size_mb, args.project).items():
        print(f"{key}={value}")


if __name__ == "__main__":
    main()
