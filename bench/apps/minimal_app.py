"""The floor: one global MongoClient, three plain Flask views, no extension layers.

What the bare stack (Flask + pymongo + json) can do on the same routes with the
same public shape; the generated service's layers are measured against this. Its
create checks only what keeps the data sane (an object with a non-empty name and
known fields), where the service checks every field.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from bson import ObjectId
from flask import Flask, Response, abort, request
from pymongo import MongoClient
from pymongo.errors import DuplicateKeyError

FIELDS = {"name", "description", "quantity", "tags", "attributes"}
client: MongoClient[dict[str, Any]] = MongoClient(
    os.environ["MONGODB_URI"], tz_aware=True
)
items = client.get_default_database()["items"]
app = Flask(__name__)


def encode(value: Any) -> Any:
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        return value.isoformat(timespec="milliseconds")
    raise TypeError(repr(value))


# The id is renamed; the name key is the service's own index field, never shown.
PRIVATE = {"_id", "name_key"}


def to_json(document: dict[str, Any]) -> dict[str, Any]:
    public = {key: value for key, value in document.items() if key not in PRIVATE}
    return {"id": str(document["_id"]), **public}


def respond(body: Any) -> Response:
    return Response(json.dumps(body, default=encode), mimetype="application/json")


@app.get("/api/items/<item_id>")
def get_item(item_id: str) -> Response:
    if not ObjectId.is_valid(item_id):
        abort(404)
    document = items.find_one({"_id": ObjectId(item_id)})
    if document is None:
        abort(404)
    return respond(to_json(document))


@app.get("/api/items")
def list_items() -> Response:
    limit = int(request.args.get("limit", 20))
    # In the service's order: by name key, on its unique index, the key the cursor.
    after = request.args.get("after")
    query = {"name_key": {"$gt": after}} if after else {}
    documents = list(items.find(query).sort("name_key", 1).limit(limit + 1))
    next_url = None
    if len(documents) > limit:
        del documents[limit:]
        next_url = f"/api/items?after={quote(documents[-1]['name_key'])}&limit={limit}"
    return respond({"items": [to_json(doc) for doc in documents], "next": next_url})


@app.post("/api/items")
def create_item() -> Response:
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not body.keys() <= FIELDS:
        abort(422)
    if not isinstance(body.get("name"), str) or not body["name"].strip():
        abort(422)
    now = datetime.now(UTC)
    item = {"description": "", "quantity": 0, "tags": [], "attributes": {}, **body}
    item["created_at"] = item["updated_at"] = now
    item["name_key"] = item["name"].casefold()  # the unique key lists sort on
    try:
        items.insert_one(item)
    except DuplicateKeyError:
        abort(409)
    response = respond(to_json(item))
    response.status_code = 201
    response.headers["Location"] = f"/api/items/{item['_id']}"
    return response
