from __future__ import annotations

from {{ cookiecutter.package_name }}.validation import unsafe_keys


def test_plain_keys_are_safe() -> None:
    assert unsafe_keys({"a": {"b": [{"c": 1}]}}) == []


def test_operator_and_dotted_keys_are_found_at_any_depth() -> None:
    body = {"$set": 1, "a": {"b.c": 1, "list": [{"$where": "x"}]}}
    assert unsafe_keys(body) == ["$set", "a.b.c", "a.list[0].$where"]
