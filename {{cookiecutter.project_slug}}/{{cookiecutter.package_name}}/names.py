"""One rule for every name that identifies something (item names, file names).

Two names a person cannot tell apart must be the same name, or a unique index
lets ``Widget`` and ``Widget`` plus a zero-width space live side by side, and a
file uploaded under one spelling cannot be fetched under another. So every name
is cleaned the same way on write and on lookup:

- NFKC: compatibility forms fold together (``ﬁ`` is ``fi``, full-width
  letters are ASCII ones, a precomposed ``é`` equals ``e`` plus its accent);
- invisible characters go: control and format characters (Unicode categories
  Cc and Cf: zero-width spaces and joiners, the BOM, bidi overrides that make
  text display backwards) and the other default-ignorable code points;
- runs of white space become one space, and the ends are trimmed.

That is the display name, kept as the client wrote it otherwise. Letter case
is a choice: ``key`` casefolds the display name, and the unique index sits on
the key, so ``Widget`` and ``widget`` conflict while each keeps its spelling.
"""

from __future__ import annotations

import unicodedata

INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf"})
# Default-ignorable code points outside Cc/Cf (Unicode's DerivedCoreProperties):
# combining grapheme joiner, Hangul fillers, Khmer inherent vowels, Mongolian
# variation selectors, variation selectors.
IGNORABLE_RANGES = (
    (0x034F, 0x034F),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFFA0, 0xFFA0),
    (0xE0100, 0xE01EF),
)


def _visible(char: str) -> bool:
    if unicodedata.category(char) in INVISIBLE_CATEGORIES:
        return char.isspace()  # tabs and newlines become a plain space below
    point = ord(char)
    return not any(low <= point <= high for low, high in IGNORABLE_RANGES)


def display(name: str) -> str:
    """``name`` as it is stored and shown; empty if nothing visible is left."""
    name = unicodedata.normalize("NFKC", name)
    name = "".join(char for char in name if _visible(char))
    return " ".join(name.split())


def key(name: str) -> str:
    """What two names must share to be the same name: the casefolded display.

    Casefolding can undo NFKC (``ß`` folds to ``ss``, some letters decompose),
    so the result is normalized again.
    """
    return unicodedata.normalize("NFKC", display(name).casefold())
