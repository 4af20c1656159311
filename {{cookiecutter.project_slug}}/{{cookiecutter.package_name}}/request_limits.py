"""A body over the size limit is a 413, however the client frames it.

With a ``Content-Length`` over ``max_content_length``, Werkzeug refuses the
request before reading it. A chunked body (``Transfer-Encoding: chunked``) has
no length up front; Werkzeug then reads it through a ``LimitedStream`` that
stops at the limit and returns what it has, so a body over the limit was cut
off silently. A JSON document padded with whitespace past the limit still
parsed, and a truncated one answered 400 instead of 413. The same stream also
refuses any read after the limit, so under gunicorn (which terminates every
body, ``wsgi.input_terminated``) an upload of exactly the limit was a 413.
``Request`` swaps in a stream that looks one byte past the limit: more data
there is a 413; none means the body was at most the limit, which is allowed.

``max_content_length`` is read when the body is first read, so a view may
raise it for itself beforehand
{%- if cookiecutter.include_files %} (the upload view does, with FILES_MAX_SIZE)
{%- endif %}.
"""

from __future__ import annotations

from typing import IO, cast

import flask
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.utils import cached_property
from werkzeug.wsgi import LimitedStream


class StrictLimitedStream(LimitedStream):
    """A stream of at most ``limit`` bytes that refuses, not truncates, the rest."""

    def __init__(self, stream: IO[bytes], limit: int) -> None:
        # A maximum, not a length: the body may end before it (no "disconnect").
        super().__init__(stream, limit, is_max=True)

    def on_exhausted(self) -> None:
        # Werkzeug raises here even when the body ended exactly at the limit.
        if self._stream.read(1):
            raise RequestEntityTooLarge()

    def readall(self) -> bytes:
        data = super().readall()
        if self.is_exhausted:  # Werkzeug's readall stops here without checking
            self.on_exhausted()
        return data


class Request(flask.Request):
    """Flask's request with bodies of unknown length held to the size limit.

    A multipart body refused half-way leaves the parts read so far in files
    Werkzeug never closes (it hands them over only when parsing succeeds); they
    are closed here, so a 413 leaks no temporary file.
    """

    _part_files: list[IO[bytes]]

    @cached_property
    def stream(self) -> IO[bytes]:
        limit = self.max_content_length
        if limit is None or self.shallow or "wsgi.input_terminated" not in self.environ:
            return super().stream  # Werkzeug's checks, or its empty stream
        if self.content_length is not None and self.content_length > limit:
            raise RequestEntityTooLarge()
        return cast(IO[bytes], StrictLimitedStream(self.input_stream, limit))

    def _load_form_data(self) -> None:
        self._part_files = []
        try:
            super()._load_form_data()
        except BaseException:
            for file in self._part_files:
                file.close()
            raise

    def _get_file_stream(
        self,
        total_content_length: int | None,
        content_type: str | None,
        filename: str | None = None,
        content_length: int | None = None,
    ) -> IO[bytes]:
        stream = super()._get_file_stream(
            total_content_length, content_type, filename, content_length
        )
        self._part_files.append(stream)
        return stream
