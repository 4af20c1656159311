"""The files API: upload, download (by id or by name) and delete, over GridFS.

The views are thin: ``files.py`` does the storing and serving, so any other view
can call ``save_file``/``send_file`` the same way.
"""

from __future__ import annotations

{% if cookiecutter.auth != "none" -%}
import io
{% endif -%}
from collections.abc import Mapping
from typing import Annotated, Any

from bson import ObjectId
from flask import Blueprint, Response, current_app, jsonify, request, url_for
from pydantic import Field
from werkzeug.exceptions import BadRequest, NotFound

{% if cookiecutter.auth != "none" -%}
from . import quota
from .auth import ADMIN, caller_name, current_caller, not_yours
{% endif -%}
from .files import delete_file, open_file, open_file_by_name, save_file, send_file
from .openapi import operation
from .resources import OBJECT_ID, Model
from .validation import query_int, query_text

bp = Blueprint("files", __name__, url_prefix="/api/files")

FIELD = "file"
# Revisions counted from either end; far past any real history, still a bound.
MAX_VERSION = 1_000_000


class FileOut(Model):
    """What a client is told about a file it uploaded."""

    id: Annotated[str, Field(pattern=OBJECT_ID)]
    filename: str
    length: Annotated[int, Field(ge=0)]
    content_type: str
    sha256: Annotated[str, Field(pattern="^[0-9a-f]{64}$")]


UPLOAD = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "required": [FIELD],
            "properties": {FIELD: {"type": "string", "format": "binary"}},
        }
    }
}
BYTES = {"*/*": {"schema": {"type": "string", "format": "binary"}}}
DOWNLOAD_HEADERS = {
    name: {"schema": {"type": "string"}}
    for name in ("ETag", "Last-Modified", "Content-Disposition", "Accept-Ranges")
}
DOWNLOAD = {
    200: {"description": "The file.", "content": BYTES, "headers": DOWNLOAD_HEADERS},
    206: {
        "description": "The requested range of the file.",
        "content": BYTES,
        "headers": {"Content-Range": {"schema": {"type": "string"}}},
    },
    304: {"description": "Not modified since the copy the client has."},
    412: {"description": "If-Match or If-Unmodified-Since failed."},
}


def _download_parameters(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    save = {"type": "string", "description": "1, true or yes: save, not show."}
    return [{"name": "download", "in": "query", "schema": save}]


def _version_parameters(config: Mapping[str, Any]) -> list[dict[str, Any]]:
    version = {"type": "integer", "minimum": -MAX_VERSION, "maximum": MAX_VERSION}
    revision = {"name": "version", "in": "query", "schema": version}
    return [revision, *_download_parameters(config)]


def wants_attachment() -> bool:
    """``?download=1`` asks the browser to save the file instead of showing it."""
    return (query_text("download") or "").lower() in ("1", "true", "yes")


@bp.post("")
@operation(content=UPLOAD, response=FileOut, status=201, errors=(413,))
def upload_file() -> tuple[Response, int, dict[str, str]]:
    """Upload a file (multipart field ``file``); 413 over FILES_MAX_SIZE.

    The limit is raised for this request only, before the body is parsed, so
    MAX_CONTENT_LENGTH stays small for every JSON endpoint.
    """
    request.max_content_length = current_app.config["FILES_MAX_SIZE"]
    upload = request.files.get(FIELD)
    if upload is None or not upload.filename:
        raise BadRequest(f"Send the file as the multipart form field {FIELD!r}.")
{%- if cookiecutter.auth != "none" %}
    # The parsed upload waits in a temporary file: its exact size is reserved
    # against the caller's quota before a byte of it reaches the database.
    owner, size = caller_name(), upload.stream.seek(0, io.SEEK_END)
    upload.stream.seek(0)
    quota.reserve(owner, size)
    try:
        stored = save_file(
            upload.stream,
            upload.filename,
            upload.content_type,
            metadata={"created_by": owner},
        )
    except BaseException:
        quota.release(owner, size)
        raise
{%- else %}
    stored = save_file(upload.stream, upload.filename, upload.content_type)
{%- endif %}
    location = url_for("files.download_file", file_id=stored.id)
    return jsonify(stored), 201, {"Location": location}


@bp.get("/<objectid:file_id>")
@operation(query=_download_parameters, responses=DOWNLOAD, errors=(416,))
def download_file(file_id: ObjectId) -> Response:
    """Download a file; Range, If-None-Match and If-Match are honoured."""
    return send_file(open_file(file_id), as_attachment=wants_attachment())


@bp.get("/by-name/<path:filename>")
@operation(query=_version_parameters, responses=DOWNLOAD, errors=(416,))
def download_file_by_name(filename: str) -> Response:
    """Download a file by name: the newest revision, or ``?version=N``.

    0 is the first revision, -1 the newest.
    """
    version = query_int("version", -1, minimum=-MAX_VERSION, maximum=MAX_VERSION)
    grid_out = open_file_by_name(filename, version)
    return send_file(grid_out, as_attachment=wants_attachment())


@bp.delete("/<objectid:file_id>")
@operation(status=204)
def remove_file(file_id: ObjectId) -> tuple[str, int]:
    """Delete a file and its chunks."""
{%- if cookiecutter.auth != "none" %}
    grid_out = open_file(file_id)
    owner = (grid_out.metadata or {}).get("created_by", "")
    caller = current_caller()
    if owner != caller_name() and not (caller and ADMIN in caller.scopes):
        raise not_yours("file")
    if not delete_file(file_id):
        raise NotFound(f"No file with id {file_id}.")
    quota.release(owner, grid_out.length)
{%- else %}
    if not delete_file(file_id):
        raise NotFound(f"No file with id {file_id}.")
{%- endif %}
    return "", 204
