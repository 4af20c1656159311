from __future__ import annotations

import hashlib
import io
from typing import Any

import pytest
from bson import ObjectId
from gridfs.errors import CorruptGridFile
from pymongo.database import Database
from werkzeug.exceptions import BadRequest, NotFound

from {{ cookiecutter.package_name }}.files import (
    CHUNK_SIZE,
    CHUNKS_PER_QUERY,
    ChunkReader,
    content_disposition,
    content_type_for,
    delete_file,
    open_file,
    open_file_by_name,
    safe_filename,
    save_file,
)


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("report.pdf", "report.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\notes.txt", "notes.txt"),
        ("Übersicht 2024.pdf", "Übersicht 2024.pdf"),
        ("U\u0308bersicht.pdf", "Übersicht.pdf"),  # decomposed form, normalised
        ("  .hidden", "hidden"),
        ("tab\there\x00.txt", "tab here.txt"),
        ("zero\u200bwidth\ufeff.txt", "zerowidth.txt"),
        ("\u202eevil\u202c.txt", "evil.txt"),  # bidi override removed
        ("\uff0e\uff0e\uff0fetc\uff0fpasswd", "passwd"),  # full-width ../
        ("\ufb01le.txt", "file.txt"),  # NFKC: the fi ligature
        ("many   spaces .txt", "many spaces .txt"),
        ("../..", ""),
    ],
)
def test_safe_filename(given: str, kept: str) -> None:
    assert safe_filename(given) == kept


def test_safe_filename_is_bounded() -> None:
    assert len(safe_filename("a" * 1000 + ".txt")) == 255


@pytest.mark.parametrize(
    ("filename", "declared", "stored"),
    [
        ("photo.jpg", "image/png", "image/png"),  # the client's word wins
        ("notes.txt", "text/plain; charset=utf-8", "text/plain; charset=utf-8"),
        ("photo.jpg", None, "image/jpeg"),
        ("photo.jpg", "", "image/jpeg"),
        ("photo.jpg", "not a type", "image/jpeg"),
        ("notes.txt", "text/plain\r\nX-Injected: 1", "text/plain"),
        ("data.unknown-extension", None, "application/octet-stream"),
        ("no-extension", None, "application/octet-stream"),
    ],
)
def test_content_type_for(filename: str, declared: str | None, stored: str) -> None:
    assert content_type_for(filename, declared) == stored


def test_content_disposition_ascii_name() -> None:
    assert content_disposition("report.pdf", as_attachment=False) == (
        'inline; filename="report.pdf"'
    )
    assert content_disposition("report.pdf", as_attachment=True) == (
        'attachment; filename="report.pdf"'
    )


def test_content_disposition_non_ascii_name_has_a_utf8_form() -> None:
    header = content_disposition("Übersicht €.pdf", as_attachment=True)
    assert header == (
        'attachment; filename="Ubersicht .pdf"; '
        "filename*=UTF-8''%C3%9Cbersicht%20%E2%82%AC.pdf"
    )


def test_content_disposition_quotes_cannot_break_out() -> None:
    header = content_disposition('say "hi"\\.txt', as_attachment=False)
    assert header.startswith('inline; filename="say _hi__.txt"; filename*=')
    assert "%22hi%22%5C.txt" in header


@pytest.mark.usefixtures("app_context")
def test_save_file_streams_hashes_and_stores_metadata(db: Database[Any]) -> None:
    data = bytes(range(256)) * 4000  # 1 MB: several GridFS chunks
    stored = save_file(io.BytesIO(data), "dir/data.bin", "application/x-thing")
    assert stored.filename == "data.bin"
    assert stored.length == len(data)
    assert stored.content_type == "application/x-thing"
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    document = db.fs.files.find_one({"_id": stored.id})
    assert document is not None
    assert document["filename"] == "data.bin"
    assert document["metadata"] == {
        "contentType": "application/x-thing",
        "sha256": stored.sha256,
    }
    chunks = db.fs.chunks.find({"files_id": stored.id}, {"n": 1}).sort("n")
    assert [chunk["n"] for chunk in chunks] == [0, 1, 2, 3]
    assert open_file(stored.id).read() == data


@pytest.mark.usefixtures("app_context")
def test_save_file_reads_the_stream_a_chunk_at_a_time() -> None:
    sizes: list[int] = []

    class Recording(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            sizes.append(-1 if size is None else size)
            return super().read(size)

    stream = Recording(b"x" * (CHUNK_SIZE * 2 + 1))
    save_file(stream, "big.bin")
    assert set(sizes) == {CHUNK_SIZE}


@pytest.mark.usefixtures("app_context")
def test_save_file_needs_a_name(db: Database[Any]) -> None:
    with pytest.raises(BadRequest):
        save_file(io.BytesIO(b"data"), "../")
    assert db.fs.files.find_one() is None


@pytest.mark.usefixtures("app_context")
def test_a_failed_upload_leaves_no_chunks(db: Database[Any]) -> None:
    class Broken(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() >= CHUNK_SIZE:
                raise OSError("client went away")
            return super().read(size)

    with pytest.raises(OSError, match="went away"):
        save_file(Broken(b"x" * CHUNK_SIZE * 3), "partial.bin")
    assert db.fs.files.find_one() is None
    assert db.fs.chunks.find_one() is None


@pytest.mark.usefixtures("app_context")
def test_open_file_missing_is_a_404() -> None:
    with pytest.raises(NotFound):
        open_file(ObjectId())


@pytest.mark.usefixtures("app_context")
def test_open_file_by_name_picks_revisions() -> None:
    for number in range(3):
        save_file(io.BytesIO(b"v%d" % number), "notes.txt")
    save_file(io.BytesIO(b"other"), "other.txt")
    assert open_file_by_name("notes.txt").read() == b"v2"
    assert open_file_by_name("notes.txt", 0).read() == b"v0"
    assert open_file_by_name("notes.txt", 1).read() == b"v1"
    assert open_file_by_name("notes.txt", -1).read() == b"v2"
    assert open_file_by_name("notes.txt", -3).read() == b"v0"
    for version in (3, -4):
        with pytest.raises(NotFound):
            open_file_by_name("notes.txt", version)
    with pytest.raises(NotFound):
        open_file_by_name("missing.txt")


@pytest.mark.usefixtures("app_context")
def test_chunk_reader_reads_a_chunk_at_a_time() -> None:
    chunks = CHUNKS_PER_QUERY * 2 + 1
    data = hashlib.sha256(b"x").digest() * (chunks * CHUNK_SIZE // 32)
    stored = save_file(io.BytesIO(data), "many-chunks.bin")
    reader = ChunkReader(open_file(stored.id))
    pieces = list(iter(lambda: reader.read(10 * CHUNK_SIZE), b""))
    assert [len(piece) for piece in pieces] == [CHUNK_SIZE] * chunks
    assert b"".join(pieces) == data
    assert reader.tell() == len(data)
    reader.seek(CHUNK_SIZE + 1)
    assert b"".join(reader) == data[CHUNK_SIZE + 1 :]


@pytest.mark.usefixtures("app_context")
def test_chunk_reader_seeks() -> None:
    data = bytes(range(256)) * (CHUNKS_PER_QUERY * CHUNK_SIZE // 128)
    reader = ChunkReader(open_file(save_file(io.BytesIO(data), "x.bin").id))
    middle = CHUNKS_PER_QUERY * CHUNK_SIZE + 7  # in the second query's window
    assert reader.seek(middle) == middle
    assert reader.read(5) == data[middle : middle + 5]
    assert reader.read(CHUNK_SIZE) == data[middle + 5 : middle - 7 + CHUNK_SIZE]
    reader.seek(10)
    assert reader.read(3) == data[10:13]
    reader.seek(-4, io.SEEK_END)
    assert reader.read(100) == data[-4:]
    assert reader.read(100) == b""


@pytest.mark.usefixtures("app_context")
def test_chunk_reader_reports_a_missing_chunk(db: Database[Any]) -> None:
    stored = save_file(io.BytesIO(b"x" * (CHUNK_SIZE * 2)), "damaged.bin")
    reader = ChunkReader(open_file(stored.id))
    db.fs.chunks.delete_many({"files_id": stored.id})
    with pytest.raises(CorruptGridFile, match="no chunk 0"):
        reader.read(CHUNK_SIZE)


@pytest.mark.usefixtures("app_context")
def test_delete_file_removes_the_chunks(db: Database[Any]) -> None:
    stored = save_file(io.BytesIO(b"x" * (CHUNK_SIZE + 1)), "two-chunks.bin")
    assert delete_file(stored.id) is True
    assert db.fs.files.find_one() is None
    assert db.fs.chunks.find_one() is None
    assert delete_file(stored.id) is False
