"""Files written by Flask-PyMongo's own ``save_file``, served by a bake's send_file.

Run as ``python -m support.flask_pymongo_files PACKAGE`` with the bake and the
template's root on PYTHONPATH; prints one JSON object: for each file, what
Flask-PyMongo's ``send_file`` answers and what the bake's ``GET /api/files/<id>``
answers. Both apps share one in-memory (mongomock) client: nx-27017's GridFS
drops the top-level fields that Flask-PyMongo writes, so it cannot stand in here.
"""

from __future__ import annotations

import importlib
import io
import json
import sys
from typing import Any

import flask_pymongo
import gridfs
import mongomock
import mongomock.gridfs
from flask import Flask

from support.api_key import ENTRY, HEADERS

DATABASE = "legacy_files"
# name -> (bytes, content_type given to save_file; None: Flask-PyMongo guesses)
FILES: dict[str, tuple[bytes, str | None]] = {
    "report.pdf": (b"%PDF-1.4 report", None),
    "page.html": (b"<script>alert(1)</script>", None),
    "notes.unknownext": (b"plain words", None),
    "data.bin": (b"\x00\x01\x02", "application/x-custom"),
    "evil.txt": (b"header split", "text/plain\r\nSet-Cookie: a=b"),
}


def response_facts(response: Any) -> dict[str, Any]:
    return {
        "status": response.status_code,
        "type": response.headers.get("Content-Type"),
        "etag": response.headers.get("ETag"),
        "body": response.get_data().decode("latin-1"),
        "nosniff": response.headers.get("X-Content-Type-Options"),
    }


def main(package: str) -> dict[str, Any]:
    mongomock.gridfs.enable_gridfs_integration()
    shared = mongomock.MongoClient(tz_aware=True, uuidRepresentation="standard")

    # Flask-PyMongo's app, as a project being moved would have it.
    flask_pymongo.MongoClient = lambda *args, **kwargs: shared
    legacy = Flask("legacy")
    mongo = flask_pymongo.PyMongo(legacy, f"mongodb://localhost/{DATABASE}")

    @legacy.get("/files/<path:filename>")
    def serve(filename: str) -> Any:
        return mongo.send_file(filename)

    ids = {}
    with legacy.test_request_context():
        for name, (data, kind) in FILES.items():
            ids[name] = mongo.save_file(name, io.BytesIO(data), content_type=kind)
    # A file from before Flask-PyMongo 3: pymongo 3 stored an MD5, no SHA-1.
    md5 = "0123456789abcdef0123456789abcdef"
    ids["old.txt"] = gridfs.GridFS(shared[DATABASE]).put(
        b"old", filename="old.txt", contentType="text/plain", md5=md5
    )

    # The bake, on the same client.
    bake = importlib.import_module(package)
    db = importlib.import_module(f"{package}.db")
    db.connect = lambda uri, options: shared  # type: ignore[attr-defined]
    app = bake.create_app(
        {
            "APP_ENV": "testing",
            "MONGODB_URI": f"mongomock://localhost/{DATABASE}",
            "API_KEYS": ENTRY,  # the default bake wants a key for every read
        }
    )
    ours, theirs = app.test_client(), legacy.test_client()
    report: dict[str, Any] = {}
    for name, file_id in ids.items():
        document = shared[DATABASE].fs.files.find_one({"_id": file_id})
        mine = ours.get(f"/api/files/{file_id}", headers=HEADERS)
        entry = {
            "stored": {k: document.get(k) for k in ("contentType", "sha1", "md5")},
            "ours": response_facts(mine),
            "theirs": response_facts(theirs.get(f"/files/{name}")),
        }
        etag = mine.headers.get("ETag")
        if etag:
            conditional = {**HEADERS, "If-None-Match": etag}
            again = ours.get(f"/api/files/{file_id}", headers=conditional)
            entry["revalidated"] = again.status_code
        report[name] = entry
    return report


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1])))
