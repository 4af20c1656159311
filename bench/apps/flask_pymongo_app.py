"""The same routes written the Flask-PyMongo 3.x way, as its docs show them.

Same query, same public shape (``_id`` becomes ``id``); the JSON is Flask-PyMongo's
own BSONProvider (extended JSON: ``{"$date": ...}``), because that is what using the
library gives you.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from flask import Flask, Response, abort, jsonify, request, url_for
from flask_pymongo import PyMongo
from pymongo.errors import DuplicateKeyError

mongo = PyMongo()
FIELDS = {"name", "description", "quantity", "tags", "attributes"}


# The id is renamed; the name key is the service's own index field, never shown.
PRIVATE = {"_id", "name_key"}


def to_json(document: dict[str, Any]) -> dict[str, Any]:
    public = {key: value for key, value in document.items() if key not in PRIVATE}
    return {"id": str(document["_id"]), **public}


def create_app() -> Flask:
    app = Flask(__name__)
    mongo.init_app(app, os.environ["MONGODB_URI"], tz_aware=True)

    @app.get("/api/items/<ObjectId:item_id>")
    def get_item(item_id: Any) -> Response:
        return jsonify(to_json(mongo.db.items.find_one_or_404({"_id": item_id})))

    @app.get("/api/items")
    def list_items() -> Response:
        limit = request.args.get("limit", 20, type=int)
        # In the service's order: by name key, on its unique index.
        after = request.args.get("after")
        query = {"name_key": {"$gt": after}} if after else {}
        found = mongo.db.items.find(query).sort("name_key", 1).limit(limit + 1)
        documents = list(found)
        next_url = None
        if len(documents) > limit:
            del documents[limit:]
            after = documents[-1]["name_key"]
            next_url = url_for("list_items", after=after, limit=limit)
        return jsonify(items=[to_json(doc) for doc in documents], next=next_url)

    @app.post("/api/items")
    def create_item() -> tuple[Response, int, dict[str, str]]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or not body.keys() <= FIELDS:
            abort(422)
        if not isinstance(body.get("name"), str) or not body["name"].strip():
            abort(422)
        now = datetime.now(UTC)
        item = {"description": "", "quantity": 0, "tags": [], "attributes": {}}
        item.update(body, created_at=now, updated_at=now)
        item["name_key"] = item["name"].casefold()  # the unique key lists sort on
        try:
            mongo.db.items.insert_one(item)
        except DuplicateKeyError:
            abort(409)
        location = url_for("get_item", item_id=item["_id"])
        return jsonify(to_json(item)), 201, {"Location": location}

    return app
