"""A media type a client declared, reduced to what an HTTP header can carry.

A stored content type is sent back later as the ``Content-Type`` of a download.
HTTP header values are bytes a WSGI server encodes as Latin-1, and a value with
a CJK character, an emoji, CR/LF or NUL in it cannot be sent at all: stored
as-is, it would make the file impossible to download. So the declared value is
parsed with Werkzeug's header parser and rebuilt from its safe parts only:

- the type must be ``type/subtype`` made of RFC 6838 name characters (ASCII);
  it is lower-cased, since media types are case-insensitive;
- parameters are kept only if the whole declared value is printable ASCII
  (Werkzeug's parser stops a value at a control character, so a partial
  value could otherwise survive), and then only those whose name is such a
  name and whose decoded value is printable ASCII (RFC 2231 ``charset*=``
  can decode to anything). The rest are dropped: ``charset=中`` says nothing a
  client could use; the upload itself is never refused for it;
- if the result is still longer than ``MAX_LENGTH``, only the type is kept.

Anything else (no type, a wildcard, a list of types) is not a media type: the
caller falls back to guessing from the file name.
"""

from __future__ import annotations

import re

from werkzeug.http import dump_options_header, parse_options_header

# RFC 6838 section 4.2: restricted-name, at most 127 characters.
NAME = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
MEDIA_TYPE = re.compile(f"{NAME}/{NAME}")
PARAMETER_NAME = re.compile(NAME)
PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")
PARAMETER_MAX = 200
MAX_LENGTH = 255
# Longer input is no media type anyone meant; it is not worth parsing.
MAX_INPUT = 4096


def clean_media_type(declared: object) -> str | None:
    """``declared`` (any stored value) as a header-safe media type, or None."""
    if not isinstance(declared, str) or not declared or len(declared) > MAX_INPUT:
        return None
    mimetype, parameters = parse_options_header(declared)
    if not MEDIA_TYPE.fullmatch(mimetype):
        return None
    mimetype = mimetype.lower()
    if not PRINTABLE_ASCII.fullmatch(declared):
        return mimetype
    kept = {
        name.lower(): value
        for name, value in parameters.items()
        if PARAMETER_NAME.fullmatch(name)
        and len(value) <= PARAMETER_MAX
        and PRINTABLE_ASCII.fullmatch(value)
    }
    cleaned = dump_options_header(mimetype, kept)
    return cleaned if len(cleaned) <= MAX_LENGTH else mimetype
