"""Rate limits across processes: two gunicorn workers, one budget, on nx-27017."""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from support.http_client import fetch
from support.live_server import LiveServer
from support.serving import served_by_gunicorn

LIMIT = 10
# gunicorn's own access log, with the pid of the worker that served each request.
WORKER_LOG = ["--access-logfile", "-", "--access-logformat", "worker=%(p)s %(s)s"]


def test_two_workers_share_one_limit(project: Path, live_server: LiveServer) -> None:
    if 3600 - time.time() % 3600 < 15:  # windows are aligned to the clock
        time.sleep(3600 - time.time() % 3600 + 0.1)
    uri = f"{live_server.uri}/limits_{uuid.uuid4().hex[:8]}"
    statuses: list[int] = []

    def list_items(_: int) -> int:
        return fetch(app.url, "GET", "/api/items").status

    with served_by_gunicorn(
        project, *WORKER_LOG, MONGODB_URI=uri, RATE_LIMITS=f"{LIMIT}/hour"
    ) as app:
        # Batches of concurrent requests, each on its own connection, until both
        # workers have answered and the budget is well past spent. Which worker
        # accepts a connection is the kernel's choice, and on a busy machine one
        # may take dozens in a row: up to 240 requests, most of them quick 429s.
        with ThreadPoolExecutor(max_workers=4) as pool:
            for _ in range(60):
                statuses.extend(pool.map(list_items, range(4)))
                served_by = set(re.findall(r"worker=<(\d+)>", app.output()))
                if len(statuses) >= 2 * LIMIT and len(served_by) == 2:
                    break
        refused = fetch(app.url, "GET", "/api/items")
        output = app.output()

    assert len(served_by) == 2, output[-2000:]
    assert statuses.count(200) == LIMIT
    assert statuses.count(429) == len(statuses) - LIMIT
    assert refused.status == 429
    assert refused.body["error"]["code"] == "too_many_requests"
    assert int(refused.headers["retry-after"]) > 0
    assert "Traceback" not in output
