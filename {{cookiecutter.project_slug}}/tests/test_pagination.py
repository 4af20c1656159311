from __future__ import annotations

from typing import Any

from pymongo.database import Database

from {{ cookiecutter.package_name }}.pagination import keyset_page


def test_pages_follow_id_order_and_end_with_none(db: Database[Any]) -> None:
    ids = db.things.insert_many([{"n": n} for n in range(5)]).inserted_ids
    first = keyset_page(db.things, {}, after=None, limit=2)
    assert [doc["_id"] for doc in first.documents] == ids[:2]
    assert first.next_after == ids[1]
    second = keyset_page(db.things, {}, after=first.next_after, limit=2)
    assert [doc["_id"] for doc in second.documents] == ids[2:4]
    last = keyset_page(db.things, {}, after=second.next_after, limit=2)
    assert [doc["_id"] for doc in last.documents] == ids[4:]
    assert last.next_after is None


def test_a_filter_combines_with_the_cursor(db: Database[Any]) -> None:
    db.things.insert_many([{"n": n, "even": n % 2 == 0} for n in range(6)])
    first = keyset_page(db.things, {"even": True}, after=None, limit=2)
    assert [doc["n"] for doc in first.documents] == [0, 2]
    rest = keyset_page(db.things, {"even": True}, after=first.next_after, limit=2)
    assert [doc["n"] for doc in rest.documents] == [4]
    assert rest.next_after is None
