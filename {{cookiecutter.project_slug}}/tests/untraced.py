"""The package used in a fresh interpreter with tracing off, in the background.

With tracing off, nothing of OpenTelemetry may be imported (tracing.py loads it
only when tracing is on). Only a new interpreter can show that: this one has
loaded OpenTelemetry for the tracing tests. Starting one costs about 0.4 s, nearly
all of it importing Flask, pymongo and the package, and it needs nothing from the
run, so conftest.py starts it as soon as collection ends (under pytest-xdist,
when the test asks): it runs on another core while the suite does, and
test_tracing.py reads how it ended.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]

SCRIPT = textwrap.dedent(
    """
    import sys
    from {{ cookiecutter.package_name }} import create_app
{%- if cookiecutter.auth != "none" %}
    from {{ cookiecutter.package_name }}.auth import IDENTIFY, Caller
{%- endif %}

    app = create_app({"APP_ENV": "testing", "MONGODB_URI": "mongomock://localhost/t"})
    client = app.test_client()
{%- if cookiecutter.auth != "none" %}
    # Any bearer token is a reader and writer here: auth is not what this checks.
    caller = Caller("tracer", frozenset({"read", "write"}))
    app.extensions[IDENTIFY] = lambda token: caller
    client.environ_base["HTTP_AUTHORIZATION"] = "Bearer any"
{%- endif %}
    assert client.post("/api/items", json={"name": "x"}).status_code == 201
    assert client.get("/api/items").status_code == 200
    loaded = sorted(name for name in sys.modules if name.startswith("opentelemetry"))
    print(loaded)
    assert not loaded, loaded
    """
)

# Far longer than the run ever takes (about 0.4 s), short enough to end a hang.
TIMEOUT_SECONDS = 60


def start() -> subprocess.Popen[str]:
    """Run SCRIPT in a new interpreter, without the settings that turn tracing on
    or point at a database."""
    environ = {
        k: v for k, v in os.environ.items() if not k.startswith(("OTEL_", "MONGODB_"))
    }
    return subprocess.Popen(
        [sys.executable, "-c", SCRIPT],
        cwd=PROJECT,
        env=environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    """Wait for the run to end and say how it ended; a hung one is killed."""
    try:
        stdout, stderr = process.communicate(timeout=TIMEOUT_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)


def stop(process: subprocess.Popen[str]) -> None:
    """End a run nobody read (the session stopped before its test)."""
    if process.poll() is None:
        process.kill()
    process.communicate()
