from __future__ import annotations

import pytest

from {{ cookiecutter.package_name }}.media_types import (
    MAX_LENGTH,
    clean_media_type,
)


@pytest.mark.parametrize(
    ("declared", "kept"),
    [
        ("image/png", "image/png"),
        ("image/svg+xml", "image/svg+xml"),
        ("text/plain; charset=utf-8", "text/plain; charset=utf-8"),
        ("TEXT/Plain; Charset=UTF-8", "text/plain; charset=UTF-8"),
        ('text/plain; charset="utf-8"', "text/plain; charset=utf-8"),
        ('text/plain; name="a b"', 'text/plain; name="a b"'),
        ('text/plain; q="x\\"y"', 'text/plain; q="x\\"y"'),
        # Parameters a header cannot carry are dropped; the type stays.
        ("text/plain; charset=\u4e2d\u6587", "text/plain"),  # CJK
        ("text/plain; name=\U0001f600", "text/plain"),  # emoji
        ("text/plain; charset=\xe9", "text/plain"),  # Latin-1, not ASCII
        ("text/plain; charset*=UTF-8''%E4%B8%AD", "text/plain"),  # RFC 2231 form
        ("text/plain; a=b\x00c", "text/plain"),  # NUL
        ("text/plain; a=b\x01", "text/plain"),  # control character
        ("text/plain; a=b\x7f", "text/plain"),  # DEL
        ("text/plain; a=b\u2028c", "text/plain"),  # line separator
        ("text/plain; charset=utf-8; x=\u4e2d", "text/plain"),
        ("text/plain; charset=utf-8; x=b\x00", "text/plain"),
        ("text/plain; a=" + "b" * 300, "text/plain"),  # very long value
        ("text/plain; " + "; ".join(f"p{n}=v" for n in range(100)), "text/plain"),
    ],
)
def test_the_type_is_kept_with_only_header_safe_parameters(
    declared: str, kept: str
) -> None:
    assert clean_media_type(declared) == kept


@pytest.mark.parametrize(
    "declared",
    [
        None,
        "",
        "not a type",
        "text",
        "text/",
        "/plain",
        "*/*",
        "text/*",
        "text/plain, text/html",
        "\u4e2d\u6587/plain",
        "text/pl\u00e4in",
        "text/plain\r\nX-Injected: 1",
        "text/plain\x00",
        "te\nxt/plain",
        "a" * 128 + "/b",  # RFC 6838: at most 127 characters per name
        "text/plain; a=b" + " " * 5000,  # too long to be worth parsing
    ],
)
def test_anything_else_is_not_a_media_type(declared: str | None) -> None:
    assert clean_media_type(declared) is None


@pytest.mark.parametrize(
    "declared",
    [
        "text/plain; charset=\u4e2d",
        "application/x-" + "a" * 120 + "; a=" + "b" * 150,
        "text/plain; a=\x00\r\n\t\x7f",
        "a" * 127 + "/" + "b" * 127 + "; c=d",
    ],
)
def test_every_result_is_printable_ascii_of_bounded_length(declared: str) -> None:
    cleaned = clean_media_type(declared)
    assert cleaned is not None
    assert cleaned.isascii()
    assert cleaned.isprintable()
    assert len(cleaned) <= MAX_LENGTH
