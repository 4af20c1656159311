from __future__ import annotations

import re
import sys
import unicodedata

import pytest

from {{ cookiecutter.package_name }}.names import (
    INVISIBLE,
    VISIBLE_PATTERN,
    display,
    key,
)


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("Widget", "Widget"),
        ("  Widget \t", "Widget"),
        ("Wid\u200bget", "Widget"),  # zero-width space
        ("Wid\u200c\u200dget", "Widget"),  # zero-width non-joiner and joiner
        ("\ufeffWidget", "Widget"),  # byte order mark
        ("\u202eWidget\u202c", "Widget"),  # bidi override and pop
        ("\u2066Widget\u2069", "Widget"),  # bidi isolates
        ("Wid\u00adget", "Widget"),  # soft hyphen
        ("Wid\u2060get", "Widget"),  # word joiner
        ("Widget\ufe0f", "Widget"),  # variation selector
        ("Wid\x00get\x7f", "Widget"),  # controls
        ("Wid\U000e0041get", "Widget"),  # tag character (past U+FFFF)
        ("\uff37\uff49\uff44\uff47\uff45\uff54", "Widget"),  # full-width
        ("\ufb01sh", "fish"),  # ligature
        ("Cafe\u0301", "Caf\u00e9"),  # decomposed accent
        ("two\u3000words\u00a0here", "two words here"),  # ideographic, no-break space
        ("line\nbreak\u2028", "line break"),
    ],
)
def test_display_is_what_a_reader_sees(given: str, shown: str) -> None:
    assert display(given) == shown


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("Widget", "widget"),
        ("Widget", "WIDGET"),
        ("Stra\u00dfe", "STRASSE"),  # casefold, not lower
        ("Wid\u200bget", "widget"),
        ("\uff37idget", "widget"),
        ("Caf\u00e9", "cafe\u0301"),
        ("\u2126", "\u03c9"),  # ohm sign and omega
    ],
)
def test_names_a_reader_cannot_tell_apart_share_a_key(one: str, other: str) -> None:
    assert key(one) == key(other)


@pytest.mark.parametrize(
    "invisible", ["", "   ", "\u200b", "\ufeff\u200d", "\x00\t", "\U000e0020"]
)
def test_nothing_visible_leaves_nothing(invisible: str) -> None:
    assert display(invisible) == ""
    assert key(invisible) == ""


@pytest.mark.parametrize("around", ["{}", "a{}b", " {} x{}"])
def test_plain_ascii_follows_the_same_rule(around: str) -> None:
    """Printable ASCII takes a shortcut (NFKC and the table change none of it)."""
    invisible = {p: None for low, high in INVISIBLE for p in range(low, high + 1)}
    for point in range(0x80):
        name = around.format(chr(point), chr(point))
        full = unicodedata.normalize("NFKC", name)
        full = " ".join(" ".join(full.split()).translate(invisible).split())
        assert display(name) == full, f"U+{point:04X}"
        assert key(name) == unicodedata.normalize("NFKC", full.casefold())


def test_the_table_covers_this_pythons_controls_and_format_characters() -> None:
    """A newer Unicode (a newer Python) may add format characters: add them too."""
    covered = {p for low, high in INVISIBLE for p in range(low, high + 1)}
    for point in range(sys.maxunicode + 1):
        if unicodedata.category(chr(point)) in ("Cc", "Cf"):
            assert point in covered, f"U+{point:04X}"


def test_the_schema_pattern_agrees_with_the_rule_in_the_basic_plane() -> None:
    """JSON Schema's regexes cannot name astral code points; the rest must agree."""
    pattern = re.compile(VISIBLE_PATTERN)
    for point in range(0x10000):
        char = chr(point)
        if 0xD800 <= point <= 0xDFFF or unicodedata.normalize("NFKC", char) != char:
            continue  # surrogates; characters NFKC changes into others
        assert bool(pattern.search(char)) == bool(display(char)), f"U+{point:04X}"
