"""Headers every response gets, set in one place so no view can forget them.

- ``X-Content-Type-Options: nosniff`` on every response: a browser must take
  the declared type at its word, never run a JSON body (or an error page
  echoing input) as HTML or script.
- ``Cache-Control: no-store`` on API responses (under ``/api``) that set no
  cache policy of their own: their data changes, and a shared cache or the
  browser's back button must not serve a stale copy or keep one on disk. A
  response that sets its own policy keeps it
{%- if cookiecutter.include_files %} (file downloads: ``max-age``, validated
  by their ETag){%- endif %}.
"""

from __future__ import annotations

from flask import Flask, Response, request

API_PREFIX = "/api"


def add_headers(response: Response) -> Response:
    # One look at what is set: each Werkzeug lookup of a missing header walks
    # the list and raises inside, and every response comes through here.
    headers = response.headers
    present = set(headers.keys(lower=True))
    if "x-content-type-options" not in present:
        headers.add("X-Content-Type-Options", "nosniff")
    path = request.path
    under_api = path == API_PREFIX or path.startswith(f"{API_PREFIX}/")
    if under_api and "cache-control" not in present:
        headers.add("Cache-Control", "no-store")
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_headers)
