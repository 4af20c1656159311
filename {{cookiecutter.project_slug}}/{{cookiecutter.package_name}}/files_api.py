"""The files API: upload, download (by id or by name) and delete, over GridFS.

The views are thin: ``files.py`` does the storing and serving, so any other view
can call ``save_file``/``send_file`` the same way.
"""

from __future__ import annotations

from bson import ObjectId
from flask import Blueprint, Response, current_app, jsonify, request, url_for
from werkzeug.exceptions import BadRequest, NotFound

from .files import delete_file, open_file, open_file_by_name, save_file, send_file
from .validation import query_int

bp = Blueprint("files", __name__, url_prefix="/api/files")

FIELD = "file"
# Revisions counted from either end; far past any real history, still a bound.
MAX_VERSION = 1_000_000


def wants_attachment() -> bool:
    """``?download=1`` asks the browser to save the file instead of showing it."""
    return request.args.get("download", "").lower() in ("1", "true", "yes")


@bp.post("")
def upload_file() -> tuple[Response, int, dict[str, str]]:
    """Store the multipart field ``file``; 413 if the body is over FILES_MAX_SIZE.

    The limit is raised for this request only, before the body is parsed, so
    MAX_CONTENT_LENGTH stays small for every JSON endpoint.
    """
    request.max_content_length = current_app.config["FILES_MAX_SIZE"]
    upload = request.files.get(FIELD)
    if upload is None or not upload.filename:
        raise BadRequest(f"Send the file as the multipart form field {FIELD!r}.")
    stored = save_file(upload.stream, upload.filename, upload.content_type)
    location = url_for("files.download_file", file_id=stored.id)
    return jsonify(stored), 201, {"Location": location}


@bp.get("/<objectid:file_id>")
def download_file(file_id: ObjectId) -> Response:
    return send_file(open_file(file_id), as_attachment=wants_attachment())


@bp.get("/by-name/<path:filename>")
def download_file_by_name(filename: str) -> Response:
    """The newest revision, or ``?version=N``: 0 the first, -1 the newest."""
    version = query_int("version", -1, minimum=-MAX_VERSION, maximum=MAX_VERSION)
    grid_out = open_file_by_name(filename, version)
    return send_file(grid_out, as_attachment=wants_attachment())


@bp.delete("/<objectid:file_id>")
def remove_file(file_id: ObjectId) -> tuple[str, int]:
    if not delete_file(file_id):
        raise NotFound(f"No file with id {file_id}.")
    return "", 204
