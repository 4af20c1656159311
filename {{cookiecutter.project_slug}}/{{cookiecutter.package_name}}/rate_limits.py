"""Rate limits: Flask-Limiter, counting in the service's own MongoDB.

Flask-Limiter does the limiting: it parses ``RATE_LIMITS`` ("600/minute;20/second"),
picks the key and refuses with a 429, which errors.py shapes like every other error,
with ``Retry-After`` saying when the window ends. (Flask-Limiter's own headers are
off: it would put ``Retry-After`` on every response, 200s and 503s included.)
Where it counts is ours: the counts must be shared by every worker and
every instance, so they live in MongoDB through the service's own client (in memory
on the mongomock backend). The ``limits`` library's own MongoDB storage relies on
update pipelines that neither mongomock nor nx-27017 accepts, so the storage here
is the smallest that works everywhere: one document per key and fixed window,
counted with one atomic ``$inc`` upsert, and deleted by a TTL index once its window
has passed. Windows are aligned to the clock, so every worker agrees on them.
"""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime

from flask import Flask, Response, g, request
from flask_limiter import Limiter, RateLimitExceeded
from limits.storage import Storage
from pymongo import ReturnDocument
from pymongo.errors import PyMongoError

{% if cookiecutter.auth != "none" -%}
from .auth import current_caller
{% endif -%}
from .db import get_db
from .errors import http_error_response

COLLECTION = "rate_limits"
# Never limited: load balancers and orchestrators poll them.
PROBES = frozenset({"/healthz", "/readyz"})
STORAGE_URI = "service-mongodb://"


def client_key() -> str:
{%- if cookiecutter.auth != "none" %}
    """Who a limit counts against: the verified caller, else the address.

    Only a credential that verified names a budget of its own; anything else
    counts against the address (after ``PROXY_FIX_HOPS``), so sending made-up
    keys never buys a fresh budget.
    """
    caller = current_caller()
    if caller is not None:
        return f"caller:{caller.name}"
{%- else %}
    """Who a limit counts against: the caller's address (after ``PROXY_FIX_HOPS``)."""
{%- endif %}
    return f"address:{request.remote_addr or 'unknown'}"


class MongoWindowStorage(Storage):
    """Flask-Limiter's counters as one document per key and fixed window.

    ``get`` and ``get_expiry`` answer from what this request's own ``incr``
    returned (kept on ``flask.g``): they are read only to say when the window of
    the request just counted ends, so no second round trip is needed.
    """

    STORAGE_SCHEME = ["service-mongodb"]  # noqa: RUF012 (limits declares it so)

    @property
    def base_exceptions(self) -> type[Exception]:
        return PyMongoError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        window_end = (int(now // expiry) + 1) * expiry
        document = get_db()[COLLECTION].find_one_and_update(
            {"_id": f"{key}@{window_end}"},
            {
                "$inc": {"count": amount},
                "$setOnInsert": {"expires_at": datetime.fromtimestamp(window_end, UTC)},
            },
            upsert=True,
            return_document=ReturnDocument.AFTER,
        )
        # On MongoDB an upsert returning AFTER always has the document. The
        # development backends may not: mongomock drops a TTL-expired document
        # as it reads it back, so an upsert at the very end of a short window
        # returns None (nx-27017 has answered without the field too). Then this
        # request is the only one counted in a window that is over.
        count: int = (document or {}).get("count", amount)
        _seen()[key] = (count, float(window_end))
        return count

    def get(self, key: str) -> int:
        return _seen().get(key, (0, 0.0))[0]

    def get_expiry(self, key: str) -> float:
        return _seen().get(key, (0, time.time()))[1]

    def check(self) -> bool:
        return True  # /readyz already pings the database this storage uses

    def reset(self) -> int | None:
        return get_db()[COLLECTION].delete_many({}).deleted_count

    def clear(self, key: str) -> None:
        _seen().pop(key, None)


def _seen() -> dict[str, tuple[int, float]]:
    seen: dict[str, tuple[int, float]] = g.setdefault("rate_limit_counts", {})
    return seen


def init_app(app: Flask) -> None:
    """Limit every route but the probes; ``RATE_LIMITS`` empty turns limits off."""
    limits: str = app.config["RATE_LIMITS"]
    limiter = Limiter(
        client_key,
        app=app,
        # One budget per client across every route, not one per route.
        application_limits=[limits] if limits else [],
        storage_uri=STORAGE_URI,
        strategy="fixed-window",
        headers_enabled=False,
        # A database outage is a 503 from errors.py, never a silent pass.
        swallow_errors=False,
        enabled=bool(limits),
    )
    limiter.request_filter(_is_probe)

    def too_many_requests(error: RateLimitExceeded) -> Response:
        response = http_error_response(error)
        limit = limiter.current_limit
        # ``window[0]`` is when the window ends, as the storage said;
        # ``reset_at`` adds a second to it (Flask-Limiter's header rounding).
        seconds = math.ceil(limit.window[0] - time.time()) if limit else 1
        response.headers["Retry-After"] = str(max(seconds, 1))
        return response

    app.register_error_handler(RateLimitExceeded, too_many_requests)


def _is_probe() -> bool:
    return request.path in PROBES
