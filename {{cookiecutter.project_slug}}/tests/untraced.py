"""The package used with tracing off, in a new interpreter: `python -m tests.untraced`.

With tracing off, nothing of OpenTelemetry may be imported (tracing.py loads it
only when tracing is on). Only a new interpreter can show that: the test run has
loaded OpenTelemetry for the tracing tests. test_tracing.py runs this module in
one and reads what it printed; importing it runs nothing.
"""

from __future__ import annotations

import sys

from {{ cookiecutter.package_name }} import create_app
{%- if cookiecutter.auth != "none" %}
from {{ cookiecutter.package_name }}.auth import IDENTIFY, Caller
{%- endif %}


def main() -> None:
    """Create and list an item, then print (and refuse) any OpenTelemetry module."""
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


if __name__ == "__main__":
    main()
