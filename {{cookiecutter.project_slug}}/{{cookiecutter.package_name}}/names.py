"""One rule for every name that identifies something (an item's name, say).

Two names a person cannot tell apart must be the same name, or a unique index
lets ``Widget`` and ``Widget`` plus a zero-width space live side by side, and a
thing stored under one spelling cannot be found under another. So every name
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

# Every invisible code point, as ranges: controls (Cc), format characters (Cf,
# Unicode 15.1) and the other default-ignorable code points (combining grapheme
# joiner, Hangul fillers, Khmer inherent vowels, Mongolian and other variation
# selectors). A fixed table, not unicodedata, so every Python version applies
# the same rule; tests check it still covers the running Python's Cc and Cf.
INVISIBLE = (
    (0x0000, 0x001F), (0x007F, 0x009F), (0x00AD, 0x00AD), (0x034F, 0x034F),
    (0x0600, 0x0605), (0x061C, 0x061C), (0x06DD, 0x06DD), (0x070F, 0x070F),
    (0x0890, 0x0891), (0x08E2, 0x08E2), (0x115F, 0x1160), (0x17B4, 0x17B5),
    (0x180B, 0x180F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064),
    (0x2066, 0x206F), (0x3164, 0x3164), (0xFE00, 0xFE0F), (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0), (0xFFF9, 0xFFFB), (0x110BD, 0x110BD), (0x110CD, 0x110CD),
    (0x13430, 0x1343F), (0x1BCA0, 0x1BCA3), (0x1D173, 0x1D17A),
    (0xE0001, 0xE0001), (0xE0020, 0xE007F), (0xE0100, 0xE01EF),
)  # fmt: skip
# White space (str.isspace) outside those ranges.
SPACES = (
    (0x0020, 0x0020), (0x00A0, 0x00A0), (0x1680, 0x1680), (0x2000, 0x200A),
    (0x2028, 0x2029), (0x202F, 0x202F), (0x205F, 0x205F), (0x3000, 0x3000),
)  # fmt: skip
_DROP = {point: None for low, high in INVISIBLE for point in range(low, high + 1)}


def _range(low: int, high: int) -> str:
    return f"\\u{low:04x}" + (f"-\\u{high:04x}" if high > low else "")


# "Contains a visible character", as a JSON Schema pattern for the contract.
# ECMA-262 regexes (what JSON Schema means) cannot name code points past U+FFFF
# without the u flag, so astral invisibles are left out of the pattern; the
# rule itself (``display``) still removes them.
VISIBLE_PATTERN = (
    "[^"
    + "".join(
        _range(low, high) for low, high in (*INVISIBLE, *SPACES) if high <= 0xFFFF
    )
    + "]"
)


def display(name: str) -> str:
    """``name`` as it is stored and shown; empty if nothing visible is left."""
    if name.isascii() and name.isprintable():
        # NFKC leaves ASCII as it is and nothing printable is invisible: only
        # the spaces are left to tidy (most names, at a fifth of the cost).
        return " ".join(name.split())
    name = unicodedata.normalize("NFKC", name)
    # White space first (tabs and newlines are controls too), then the rest.
    name = " ".join(name.split())
    return " ".join(name.translate(_DROP).split())


def key(name: str) -> str:
    """What two names must share to be the same name: the casefolded display.

    Casefolding can undo NFKC (``ß`` folds to ``ss``, some letters decompose),
    so the result is normalized again.
    """
    shown = display(name)
    if shown.isascii():
        return shown.lower()  # casefolds ASCII, and NFKC leaves it as it is
    return unicodedata.normalize("NFKC", shown.casefold())
