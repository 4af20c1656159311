"""Files in GridFS: ``save_file`` stores an upload, ``send_file`` streams one back.

GridFS splits a file into 255 KiB chunk documents, so files of any size fit in
MongoDB and are read back a few chunks at a time (``ChunkReader``). The legacy
``gridfs.GridFS`` API is used because it is the one mongomock also implements
(the in-memory development database has files too).

What ``save_file`` stores with each file, so that serving never has to guess or
re-read it: a filename without path parts, the content type, and a SHA-256
computed while the upload streams in (it becomes the ETag).
"""

from __future__ import annotations

import hashlib
import io
import logging
import mimetypes
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from itertools import islice
from typing import IO, Any
from urllib.parse import quote

import gridfs
from bson import ObjectId
from flask import Response, current_app, request
from gridfs.errors import CorruptGridFile
from gridfs.grid_file import GridIn, GridOut
from pymongo import ASCENDING, DESCENDING
from pymongo.errors import PyMongoError
from werkzeug.datastructures import ContentRange
from werkzeug.exceptions import BadRequest, NotFound

from . import names
from .conditional import select
from .db import get_db
from .media_types import clean_media_type

BUCKET = "fs"
CHUNK_SIZE = 255 * 1024
CHUNKS_PER_QUERY = 4  # at most 1 MiB of a file in memory while it is served
DEFAULT_CONTENT_TYPE = "application/octet-stream"
FILENAME_MAX = 255
SHA256_HEX = re.compile(r"[0-9a-f]{64}")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StoredFile:
    """What a client is told about a file it uploaded (Flask serialises it)."""

    id: ObjectId
    filename: str
    length: int
    content_type: str
    sha256: str


def get_fs() -> gridfs.GridFS:
    """The GridFS store in the current app's database (``fs.files``, ``fs.chunks``)."""
    return gridfs.GridFS(get_db(), collection=BUCKET)


def safe_filename(name: str) -> str:
    """``name`` without directories, invisible characters or leading dots.

    The name rule of names.py applies first (NFKC can turn a full-width solidus
    into ``/``, so directories are split off after it). Unlike
    ``werkzeug.utils.secure_filename`` it keeps non-ASCII letters, so
    ``Übersicht.pdf`` stays ``Übersicht.pdf``; ``Content-Disposition`` carries it
    with ``filename*``. The result may be empty (``"../.."``): callers decide.
    """
    return _bounded(re.split(r"[/\\]", names.display(name))[-1])


def _bounded(name: str) -> str:
    return name.lstrip(". ")[:FILENAME_MAX]


def content_type_for(filename: str, declared: str | None) -> str:
    """The client's content type if it is one, else a guess from the name.

    Only what a header can carry is kept (``clean_media_type``), so the file
    can always be sent back. Never ``text/html`` by accident: an unknown name
    is ``application/octet-stream``.
    """
    cleaned = clean_media_type(declared)
    if cleaned:
        return cleaned
    guessed, _ = mimetypes.guess_type(filename, strict=False)
    return guessed or DEFAULT_CONTENT_TYPE


def save_file(
    stream: IO[bytes],
    filename: str,
    content_type: str | None = None,
    metadata: Mapping[str, Any] | None = None,
) -> StoredFile:
    """Copy ``stream`` into GridFS chunk by chunk, hashing it on the way.

    Memory use does not grow with the file: ``stream`` is read a chunk at a time
    and pymongo sends chunks in batches of up to 32 MiB. If reading the stream
    fails half-way (a client that disconnects, say), the chunks written so far
    are removed, so no partial file is left. ``metadata`` is stored with the
    file's own (who uploaded it, say).
    """
    name = safe_filename(filename)
    if not name:
        raise BadRequest("The file needs a name.")
    kind = content_type_for(name, content_type)
    digest = hashlib.sha256()
    grid_in = get_fs().new_file(filename=name, chunkSize=CHUNK_SIZE)
    try:
        while chunk := stream.read(CHUNK_SIZE):
            digest.update(chunk)
            grid_in.write(chunk)
        grid_in.metadata = {
            **(metadata or {}),
            "contentType": kind,
            "sha256": digest.hexdigest(),
        }
    except BaseException:
        _discard(grid_in)
        raise
    grid_in.close()
    return StoredFile(grid_in._id, name, grid_in.length, kind, digest.hexdigest())


def _discard(grid_in: GridIn) -> None:
    """Remove an unfinished upload's chunks, without hiding why it failed."""
    try:
        grid_in.abort()
    except PyMongoError:
        log.warning(
            "Could not clean up unfinished upload %s", grid_in._id, exc_info=True
        )


def open_file(file_id: Any) -> GridOut:
    """The file with ``file_id``, ready to read, or a 404."""
    try:
        return get_fs().get(file_id)
    except gridfs.NoFile:
        raise NotFound(f"No file with id {file_id}.") from None


def open_file_by_name(filename: str, version: int = -1) -> GridOut:
    """Revision ``version`` of ``filename`` (0 the first, -1 the newest), or a 404.

    ``filename`` is cleaned as an upload's name is (``safe_filename``), so a file
    is found by the name it was sent with; a name with directories never is.

    Revisions are ordered by upload time, then by id, so two uploads in the same
    millisecond still have a fixed order. Only ``_id``s are read to pick one, and
    no more of them than needed.
    """
    wanted_name = _bounded(names.display(filename))
    order = ASCENDING if version >= 0 else DESCENDING
    wanted = version if version >= 0 else -version - 1
    revisions = (
        get_db()[f"{BUCKET}.files"]
        .find({"filename": wanted_name}, {"_id": 1})
        .sort([("uploadDate", order), ("_id", order)])
    )
    with revisions:
        found = next(islice(revisions, wanted, None), None)
    if found is None:
        raise NotFound(f"No revision {version} of a file named {filename!r}.")
    return open_file(found["_id"])


def delete_file(file_id: ObjectId) -> bool:
    """Delete the file and its chunks; False if there was no such file."""
    fs = get_fs()
    if not fs.exists(file_id):
        return False
    fs.delete(file_id)
    return True


class ChunkReader:
    """A stored file as a seekable stream of chunks, holding only a few in memory.

    ``GridOut`` reads through one cursor whose batches the server sizes: up to
    16 MiB on MongoDB, and a server may send more. This asks for CHUNKS_PER_QUERY
    chunks at a time by their number ``n`` (the ``files_id, n`` index answers
    it), so memory stays bounded whatever the server does, and a seek (a Range
    request) starts at the right chunk. ``read`` returns at most one chunk;
    iterating yields the chunks from the current position up to ``end``, which
    is what a WSGI server sends (``send_file`` narrows both for a Range request).
    """

    def __init__(self, grid_out: GridOut) -> None:
        self.file_id = grid_out._id
        self.length: int = grid_out.length
        self.chunk_size: int = grid_out.chunk_size
        self.position = 0
        self.end = self.length  # reading stops here (the end of a byte range)
        self._chunks = get_db()[f"{BUCKET}.chunks"]
        self._window: dict[int, bytes] = {}

    def __iter__(self) -> ChunkReader:
        return self

    def __next__(self) -> bytes:
        data = self.read(self.chunk_size)
        if not data:
            raise StopIteration
        return data

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}
        self.position = max(0, base[whence] + offset)
        return self.position

    def read(self, size: int = -1) -> bytes:
        if self.position >= self.end:
            return b""
        number, offset = divmod(self.position, self.chunk_size)
        data = self._chunk(number)[offset : offset + self.end - self.position]
        if 0 <= size < len(data):
            data = data[:size]
        self.position += len(data)
        return data

    def close(self) -> None:
        self._window = {}

    def _chunk(self, number: int) -> bytes:
        if number not in self._window:
            wanted = {"$gte": number, "$lt": number + CHUNKS_PER_QUERY}
            found = self._chunks.find({"files_id": self.file_id, "n": wanted})
            self._window = {chunk["n"]: bytes(chunk["data"]) for chunk in found}
            if number not in self._window:
                raise CorruptGridFile(f"File {self.file_id} has no chunk {number}.")
        return self._window[number]


def content_disposition(filename: str, *, as_attachment: bool) -> str:
    """An RFC 6266 header: an ASCII ``filename`` and, if needed, ``filename*``.

    Old clients read the quoted ASCII fallback; every current browser prefers
    the UTF-8 ``filename*``, so ``Übersicht.pdf`` is saved under its own name.
    Whatever the stored name holds (control characters, a length no upload
    would be given), the header is printable ASCII of bounded length.
    """
    kind = "attachment" if as_attachment else "inline"
    filename = filename[:FILENAME_MAX]
    ascii_name = unicodedata.normalize("NFKD", filename)
    ascii_name = "".join(c for c in ascii_name if " " <= c <= "~")
    ascii_name = ascii_name.replace("\\", "_").replace('"', "_") or "file"
    header = f'{kind}; filename="{ascii_name}"'
    if ascii_name != filename:
        header += f"; filename*=UTF-8''{quote(filename, safe='', errors='replace')}"
    return header


def send_file(
    grid_out: GridOut, *, as_attachment: bool = False, max_age: int | None = None
) -> Response:
    """Stream a stored file with the headers that make caching and resuming work.

    The body is read a chunk at a time as the server sends it (``ChunkReader``).
    ``conditional.select`` decides between 200, 206 (a seek inside GridFS),
    304, 412 and 416 before anything is read. Content has its stored type,
    ``nosniff`` and a sandboxing CSP, so an uploaded HTML page cannot run
    scripts on this site. ``max_age`` defaults to FILES_CACHE_SECONDS.

    Every stored value that becomes a header is checked again here, so a file
    stored before these rules, or by another program, still downloads.
    """
    metadata = grid_out.metadata or {}
    etag = metadata.get("sha256")
    if not isinstance(etag, str) or not SHA256_HEX.fullmatch(etag):
        etag = None
    # A GridFS file never changes, so the moment its id was made serves.
    made = grid_out._id.generation_time if isinstance(grid_out._id, ObjectId) else None
    selection = select(request, etag=etag, last_modified=made, length=grid_out.length)
    reader = ChunkReader(grid_out)
    content_type = clean_media_type(metadata.get("contentType"))
    filename = grid_out.filename if isinstance(grid_out.filename, str) else None
    response = Response(
        reader,
        status=selection.status,
        content_type=content_type or DEFAULT_CONTENT_TYPE,
        direct_passthrough=True,
    )
    response.content_length = selection.stop - selection.start
    if selection.status == 206:
        reader.seek(selection.start)
        reader.end = selection.stop
        response.content_range = ContentRange(
            "bytes", selection.start, selection.stop, grid_out.length
        )
    response.accept_ranges = "bytes"
    response.headers["Content-Disposition"] = content_disposition(
        filename or "file", as_attachment=as_attachment
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "sandbox"
    if etag:
        response.set_etag(etag)
    response.last_modified = made
    if max_age is None:
        max_age = current_app.config["FILES_CACHE_SECONDS"]
    response.cache_control.max_age = max_age
    return response
