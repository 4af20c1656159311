"""Filters and sort orders on the item list: results, cursors, refusals, indexes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from pymongo.database import Database
from support import Stock

from {{ cookiecutter.package_name }}.indexes import INDEXES
from {{ cookiecutter.package_name }}.items import LISTING
from {{ cookiecutter.package_name }}.listing import (
    after_prefix,
    covered,
    prefix_range,
)
from {{ cookiecutter.package_name }}.names import key as name_key

ITEMS = [
    ("Widget", 5, ["tools", "red"]),
    ("wide lens", 12, ["optics"]),
    ("WIDTH gauge", 0, ["tools"]),
    ("Straße sign", 7, ["signs", "red"]),
    ("bolt", 12, ["tools"]),
    ("Anchor", 30, []),
    ("zebra crossing", 3, ["signs"]),
    ("Wid.*get", 9, ["red"]),
]


def compares_dates_to_the_millisecond(db: Database[Any]) -> bool:
    """Whether ``find`` tells apart two times a millisecond apart in one second."""
    probe = db["probe_date_ranges"]
    moment = datetime(2026, 1, 1, 0, 0, 0, 500_000, tzinfo=UTC)
    probe.insert_many([{"at": moment}, {"at": moment + timedelta(milliseconds=1)}])
    try:
        return len(list(probe.find({"at": {"$gt": moment}}))) == 1
    finally:
        probe.drop()


@pytest.fixture
def stocked(
    client: FlaskClient, db: Database[Any], stock: Stock
) -> dict[str, dict[str, Any]]:
    """ITEMS in the test's database, by name, as the API answered making them."""
    bodies = [{"name": n, "quantity": q, "tags": t} for n, q, t in ITEMS]
    return stock.fill(client, db, bodies)


def every_page(client: FlaskClient, url: str) -> tuple[list[dict[str, Any]], int]:
    """All items reached from ``url`` by following ``next``, and the page count."""
    items, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        items.extend(body["items"])
        pages += 1
        url = body["next"]
    return items, pages


def names_of(items: list[dict[str, Any]]) -> list[str]:
    return [item["name"] for item in items]


def expected(
    rule: Any = lambda name, quantity, tags: True,
    key: Any = None,
    reverse: bool = False,
) -> list[str]:
    kept = [entry for entry in ITEMS if rule(*entry)]
    if key is not None:
        kept.sort(key=key, reverse=reverse)
    elif reverse:
        kept.reverse()
    return [name for name, _, _ in kept]


def test_every_filter_and_sort_has_a_matching_index() -> None:
    declared = [list(model.document["key"].items()) for model in INDEXES["items"]]
    declared.append([("_id", 1)])  # every collection has it
    needed = LISTING.needed_indexes()
    assert len(needed) == 12  # created, name, quantity; both ways; tag or not
    for prefix in needed:
        assert covered(declared, prefix), prefix


def test_the_tie_break_is_unique() -> None:
    unique = [
        list(model.document["key"])
        for model in INDEXES["items"]
        if model.document.get("unique")
    ]
    assert [LISTING.tiebreak] in unique


def test_the_index_check_can_fail() -> None:
    declared = [[("quantity", 1), ("name_key", 1)]]
    assert covered(declared, [("quantity", -1), ("name_key", -1)])
    assert covered(declared, [("quantity", 1)])
    assert not covered(declared, [("quantity", 1), ("name_key", -1)])  # mixed
    assert not covered(declared, [("tags", 1), ("quantity", 1), ("name_key", 1)])
    assert not covered(declared, [("name_key", 1)])
    assert not covered([], [("name_key", 1)])


def in_order(
    items: list[dict[str, Any]], stocked: dict[str, dict[str, Any]], sort: str
) -> bool:
    """Whether ``items`` are all of ITEMS in ``sort``'s order, ties by name key."""

    def order(entry: tuple[str, int, list[str]]) -> tuple[str, str]:
        name = entry[0]
        created = stocked[name]["created_at"] if sort.endswith("created") else ""
        return created, name_key(name)

    return names_of(items) == expected(key=order, reverse=sort.startswith("-"))


@pytest.mark.parametrize("sort", ["name", "-name"])
@pytest.mark.parametrize("limit", [1, 3, 100])
def test_each_sort_pages_through_every_item_once_in_order(
    client: FlaskClient, stocked: dict[str, dict[str, Any]], sort: str, limit: int
) -> None:
    items, pages = every_page(client, f"/api/items?sort={sort}&limit={limit}")
    assert in_order(items, stocked, sort)
    assert pages == -(-len(ITEMS) // limit)


@pytest.mark.parametrize("sort", ["quantity", "-quantity"])
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_ties_in_quantity_are_broken_by_the_name_key(
    client: FlaskClient, stocked: Any, sort: str, limit: int
) -> None:
    items, _ = every_page(client, f"/api/items?sort={sort}&limit={limit}")
    pairs = [(item["quantity"], name_key(item["name"])) for item in items]
    assert pairs == sorted(pairs, reverse=sort.startswith("-"))
    assert len({item["id"] for item in items}) == len(ITEMS)


FILTERS = [
    ("tag=tools", lambda n, q, t: "tools" in t),
    ("tag=TOOLS", lambda n, q, t: False),  # tags are exact
    ("name_prefix=wid", lambda n, q, t: n.casefold().startswith("wid")),
    ("name_prefix=WIDT", lambda n, q, t: n.startswith("WIDTH")),
    ("name_prefix=w%E2%80%8Bid", lambda n, q, t: n.casefold().startswith("wid")),
    ("name_prefix=STRASS", lambda n, q, t: n.startswith("Straße")),
    ("name_prefix=stra%C3%9F", lambda n, q, t: n.startswith("Straße")),
    ("name_prefix=wid.*", lambda n, q, t: n == "Wid.*get"),  # not a regex
    ("name_prefix=wide%20", lambda n, q, t: n == "wide lens"),
    ("name_prefix=%24gt", lambda n, q, t: False),  # a value, not an operator
    ("name_prefix=%E2%80%8B", lambda n, q, t: True),  # nothing visible: all
    ("min_quantity=12", lambda n, q, t: q >= 12),
    ("max_quantity=5", lambda n, q, t: q <= 5),
    ("min_quantity=5&max_quantity=12", lambda n, q, t: 5 <= q <= 12),
    ("min_quantity=13&max_quantity=12", lambda n, q, t: False),
    ("tag=red&name_prefix=wid", lambda n, q, t: "red" in t and n[:3] == "Wid"),
    ("tag=tools&min_quantity=1", lambda n, q, t: "tools" in t and q >= 1),
]


@pytest.mark.parametrize(("query", "rule"), FILTERS)
@pytest.mark.parametrize("sort", ["-name", "quantity"])
def test_filters_keep_what_they_say_on_every_page(
    client: FlaskClient, stocked: Any, query: str, rule: Any, sort: str
) -> None:
    items, _ = every_page(client, f"/api/items?{query}&sort={sort}&limit=1")
    assert sorted(names_of(items)) == sorted(expected(rule))


def test_the_created_order_holds_to_the_millisecond(
    client: FlaskClient, db: Database[Any], stocked: dict[str, dict[str, Any]]
) -> None:
    """Items made within one second: the cursor's time must tell them apart.

    One test for every walk in creation order (each sort way and page size, then
    every filter), so a server that cannot run them skips once.
    """
    if not compares_dates_to_the_millisecond(db):
        pytest.skip(
            "this server's find compares dates to the whole second (nx-27017 "
            "0.8.1: $gt of 00:00:00.500 misses 00:00:00.501, though "
            "count_documents tells them apart); MongoDB compares milliseconds"
        )
    for sort in ("created", "-created"):
        for limit in (1, 3, 100):
            items, pages = every_page(client, f"/api/items?sort={sort}&limit={limit}")
            assert in_order(items, stocked, sort), (sort, limit)
            assert pages == -(-len(ITEMS) // limit), (sort, limit)
    for query, rule in FILTERS:
        items, _ = every_page(client, f"/api/items?{query}&sort=created&limit=1")
        assert sorted(names_of(items)) == sorted(expected(rule)), query


def test_next_links_keep_the_filters_and_carry_the_order(
    client: FlaskClient, stocked: Any
) -> None:
    url = "/api/items?tag=tools&min_quantity=1&sort=-quantity&limit=1"
    first = client.get(url).get_json()
    arguments = parse_qs(urlsplit(first["next"]).query)
    assert arguments["tag"] == ["tools"]
    assert arguments["min_quantity"] == ["1"]
    assert arguments["limit"] == ["1"]
    assert arguments["after"][0].startswith("-quantity:")


def test_the_cursor_order_wins_over_sort(client: FlaskClient, stocked: Any) -> None:
    first = client.get("/api/items?sort=name&limit=2").get_json()
    cursor = parse_qs(urlsplit(first["next"]).query)["after"][0]
    rest = client.get(
        "/api/items", query_string={"after": cursor, "sort": "-quantity"}
    ).get_json()
    names = expected(key=lambda entry: name_key(entry[0]))
    assert names_of(first["items"] + rest["items"]) == names


@pytest.mark.parametrize(
    "cursor",
    [
        "name:",
        "name:\u0000",
        "-name:" + "z" * 800,
        "quantity:-5:",
        "created:0:x",
        "created:999999999999999999:x",
        "-created:-999999999999999999:",
    ],
)
def test_any_cursor_of_the_declared_shape_is_a_page(
    client: FlaskClient, stocked: Any, cursor: str
) -> None:
    response = client.get("/api/items", query_string={"after": cursor})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "tags=red",
        "colour=red",
        "name=Widget",
        "%24where=1",
        "name_key=widget",
        "quantity=5",
    ],
)
def test_an_undeclared_argument_is_a_400_naming_it(
    client: FlaskClient, query: str
) -> None:
    response = client.get(f"/api/items?{query}")
    assert response.status_code == 400
    name = urlsplit(f"?{query}").query.split("=")[0].replace("%24", "$")
    assert name in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    "query",
    [
        "sort=price",
        "sort=-",
        "sort=name_key",
        "sort=%2Bname",
        "sort=NAME",
        "sort=name&sort=quantity",
        "min_quantity=-1",
        "min_quantity=1e3",
        "max_quantity=ten",
        "max_quantity=1000000000000000000",
        "tag=",
        "tag=" + "x" * 51,
        "name_prefix=",
        "name_prefix=" + "n" * 201,
        "after=name",
        "after=price:a",
        "after=Name:a",
        "after=quantity:5",
        "after=quantity:five:a",
        "after=quantity::a",
        "after=quantity:1.5:a",
        "after=quantity:" + "9" * 19 + ":a",
        "after=-created:2026-01-01:a",
        "after=name:" + "n" * 801,
        "after=created:1:" + "n" * 801,
    ],
)
def test_bad_arguments_are_a_400_naming_them(client: FlaskClient, query: str) -> None:
    response = client.get(f"/api/items?{query}")
    assert response.status_code == 400, query
    assert query.split("=")[0] in response.get_json()["error"]["message"]


@pytest.mark.parametrize(
    ("key", "bound"),
    [
        ("wid", "wie"),
        ("a\ud7ff", "a\ue000"),
        ("b\U0010ffff", "c"),
        ("z", "{"),
        ("\U0010ffff", None),
        ("", None),
    ],
)
def test_the_prefix_bound_is_the_next_string(key: str, bound: str | None) -> None:
    assert after_prefix(key) == bound


@pytest.mark.parametrize("raw", ["Wid", "  wid", "W\u200bID", "\uff37\uff49\uff44"])
def test_a_prefix_is_cleaned_like_a_name(raw: str) -> None:
    assert prefix_range(raw) == {"$gte": "wid", "$lt": "wie"}


def test_the_contract_declares_every_argument(client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    parameters = {
        parameter["name"]: parameter["schema"]
        for parameter in document["paths"]["/api/items"]["get"]["parameters"]
    }
    assert set(parameters) == {
        "tag",
        "name_prefix",
        "min_quantity",
        "max_quantity",
        "sort",
        "after",
        "limit",
    }
    assert parameters["sort"]["enum"] == [
        "name",
        "-name",
        "created",
        "-created",
        "quantity",
        "-quantity",
    ]
    assert parameters["min_quantity"]["minimum"] == 0
    assert parameters["tag"]["maxLength"] == 50
