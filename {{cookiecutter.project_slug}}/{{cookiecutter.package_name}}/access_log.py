"""One access line per request, written by the app instead of gunicorn.

The app knows what gunicorn cannot: the route template (``/api/items/<id>``, not
the raw path, so lines group by endpoint and no id or query string is logged), the
request id, and what MongoDB cost (commands and their time, from monitoring.py).
gunicorn's own access log is off (gunicorn.conf.py), so there is one line, not two.

Only the method, route, status, sizes and timings are logged: never a body, a
header, a query string or a cookie.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, request

from . import monitoring

log = logging.getLogger(__name__)
UNMATCHED = "<unmatched>"


def route_template() -> str:
    """The matched rule (``/api/items/<objectid:item_id>``), never the raw path."""
    rule = request.url_rule
    return rule.rule if rule is not None else UNMATCHED


def _log(response: Response) -> Response:
    cost = monitoring.current_request()
    if cost is None or not log.isEnabledFor(logging.INFO):
        return response
    fields: dict[str, Any] = {
        "method": request.method,
        "route": route_template(),
        "status": response.status_code,
        "duration_ms": round(cost.seconds * 1000, 3),
    }
    summary = f"{fields['duration_ms']:.1f} ms"
    if cost.mongo_commands is not None and cost.mongo_seconds is not None:
        fields["mongo_commands"] = cost.mongo_commands
        fields["mongo_ms"] = round(cost.mongo_seconds * 1000, 3)
        summary += f", MongoDB {cost.mongo_commands} in {fields['mongo_ms']:.1f} ms"
    # Streamed bodies (file downloads) have no length until they are sent.
    if response.content_length is not None:
        fields["response_bytes"] = response.content_length
        summary += f", {response.content_length} bytes"
    # The record is made here rather than by ``log.info``, which would also walk
    # the stack to find the caller: a cost paid on every request, for a file name
    # and line number that no format shows.
    arguments = (fields["method"], fields["route"], fields["status"], summary)
    log.handle(
        log.makeRecord(
            log.name,
            logging.INFO,
            __file__,
            0,
            "%s %s %s (%s)",
            arguments,
            None,
            extra=fields,
        )
    )
    return response


def init_app(app: Flask) -> bool:
    """Write access lines if the log level lets them through; says whether it does.

    The level is read once, here, as the app is made (``LOG_LEVEL``): an app
    made at WARNING has no access-line hook and times no request.
    """
    if not log.isEnabledFor(logging.INFO):
        return False
    app.after_request(_log)
    return True
