"""Keep secrets out of messages and logs.

A MongoDB URI carries a password, and a malformed one cannot be trusted to say
where its password ends: ``mongodb://user:pa/ss@host`` puts half of it in the
path. So nothing copied from a URI reaches a message: ``scrub`` hides every run
of characters a message shares with the URI, and ``redact_uris`` hides the user
part of any URI that reaches a log line.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import unquote, unquote_plus

HIDDEN = "***"
# Shorter runs are ordinary words ("to", "db"); four characters of a password
# are already too many to show.
MIN_RUN = 4
USERINFO = re.compile(r"(?i)\b((?:mongodb(?:\+srv)?|mongomock)://)[^\s]*@")


def scrub(message: str, secret: str) -> str:
    """``message`` with every run of ``MIN_RUN`` or more characters of ``secret``
    (as written, or percent-decoded, in any letter case) replaced by ``***``."""
    haystacks = {
        form.casefold() for form in (secret, unquote(secret), unquote_plus(secret))
    }
    folded = message.casefold()
    kept: list[str] = []
    start = 0
    while start < len(message):
        end = start + MIN_RUN
        if end <= len(message) and any(folded[start:end] in h for h in haystacks):
            while end < len(message) and any(
                folded[start : end + 1] in h for h in haystacks
            ):
                end += 1
            kept.append(HIDDEN)
            start = end
        else:
            kept.append(message[start])
            start += 1
    return "".join(kept)


def redact_uris(text: str) -> str:
    """``text`` with the user and password of every MongoDB URI hidden.

    Every log line passes through here, and almost none holds a URI: a line
    without ``://`` cannot match, so the regular expression is not run on it.
    """
    if "://" not in text:
        return text
    return USERINFO.sub(rf"\1{HIDDEN}@", text)


class RedactingFormatter(logging.Formatter):
    """A formatter whose lines, tracebacks included, never show URI credentials."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_uris(super().format(record))
