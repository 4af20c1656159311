"""How much resident memory serving a big GridFS file costs the serving process.

The generated ``send_file`` promises to stream: one GridFS chunk at a time, never
the whole file. This measures it end to end, on a real socket:

1. bake the template (or use ``--project``), start nx-27017 (support/live_server.py);
2. a child process stores a ``size_mb`` file through the app's ``save_file``, from
   a stream that makes the bytes as they are read (the file never exists in
   memory or on disk);
3. another child serves the app with Werkzeug's WSGI server; after a warm-up
   request (imports, connection pool, a first chunk) its peak-RSS counter is reset
   (``/proc/<pid>/clear_refs``), then the whole file is downloaded and checked
   against the SHA-256 the upload computed;
4. growth = the server's peak RSS during the download (VmHWM) - its RSS before.

Run: ``python -m bench.gridfs_memory [--size-mb 200]``; prints ``key=value`` lines,
``gridfs_rss_growth_mb`` being the figure (target: under 32). It asserts nothing,
so a caller (bench/run.py) decides what a regression is.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from support.baking import bake_into
from support.commands import run
from support.environment import clean_env
from support.live_server import LiveServer
from support.network import free_port, wait_for_http

DATABASE = "bench_gridfs"
MB = 1024 * 1024

# Runs in the baked project: stores the file through the app's own save_file.
STORE = """
import hashlib, io, json, resource, sys
from {package} import create_app
from {package}.files import save_file

class Generated(io.RawIOBase):
    '''size bytes of a repeating, non-trivial pattern, made as they are read.'''
    def __init__(self, size):
        self.left = size
        self.block = hashlib.sha256(b"seed").digest() * 32768  # 1 MiB
    def readable(self):
        return True
    def read(self, n=-1):
        n = self.left if n is None or n < 0 else min(n, self.left)
        self.left -= n
        whole, part = divmod(n, len(self.block))
        return self.block * whole + self.block[:part]

app = create_app({{"APP_ENV": "testing", "MONGODB_URI": sys.argv[1],
                   "MONGODB_DB": "{database}"}})
with app.test_request_context():
    stored = save_file(Generated(int(sys.argv[2])), "big.bin")
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"id": str(stored.id), "sha256": stored.sha256,
                   "length": stored.length, "peak_mb": peak}}))
"""

# Runs in the baked project: the real app behind a real HTTP server, one thread.
SERVE = """
import sys
from werkzeug.serving import make_server
from {package} import create_app

server = make_server("127.0.0.1", int(sys.argv[1]), create_app(), threaded=False)
server.serve_forever()
"""


def rss_kb(pid: int, field: str) -> int:
    """``VmRSS`` or ``VmHWM`` (peak) of a process, in kB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} for process {pid}")


def download(port: int, path: str) -> tuple[str, int]:
    """GET ``path`` reading 64 KiB at a time; returns the body's SHA-256 and size."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    connection.request("GET", path)
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
        project = project or bake_into(directory, include_files=True)
        server = LiveServer(directory / "nx")
        server.start()
        try:
            return _measure(project, server.uri, size_mb)
        finally:
            server.stop()


def _measure(project: Path, uri: str, size_mb: int) -> dict[str, float]:
    package = next(path.parent.name for path in project.glob("*/files.py"))
    script = STORE.format(package=package, database=DATABASE)
    started = time.perf_counter()
    stored = run(
        [sys.executable, "-c", script, uri, str(size_mb * MB)], project, timeout=1800
    )
    if stored.returncode != 0:
        raise RuntimeError(stored.stderr)
    upload_seconds = time.perf_counter() - started
    file = json.loads(stored.stdout.strip().splitlines()[-1])

    port = free_port()
    environ = clean_env(
        APP_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(48),
        MONGODB_URI=uri,
        MONGODB_DB=DATABASE,
        LOG_LEVEL="WARNING",
    )
    serving = subprocess.Popen(
        [sys.executable, "-c", SERVE.format(package=package), str(port)],
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
        connection.request("GET", url, headers={"Range": "bytes=0-1023"})
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
