"""Filters and sort orders for a list endpoint, declared once per resource.

A resource says which query arguments filter its list and which orders it can
be sorted in (``Listing``); this module turns the request into a MongoDB filter
built from *values* only (the client picks an argument by name, never a field,
an operator or a stage), pages through it by keyset over (sort key, ``_id``),
describes the arguments in the OpenAPI document, and says which index each
filter and sort combination needs, so a test can hold ``indexes.py`` to it.

Why keyset on (key, ``_id``): ``skip`` walks every earlier document, so page
1,000 is slow; "after this (key, id)" starts where the last page stopped, on an
index whose keys are the equality filters, then the sort key, then ``_id``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property
from itertools import combinations
from typing import Any, Literal

from bson import ObjectId
from flask import request, url_for
from pymongo import ASCENDING, DESCENDING
from werkzeug.exceptions import BadRequest

from . import names
from .pagination import Page, keyset_page, page_limit
from .validation import WHOLE_NUMBER, query_int, query_text

MAX_TEXT = 200
PAGING = ("after", "limit")
SORT = "sort"
Key = tuple[str, int]  # an index or sort key: (field, ASCENDING or DESCENDING)


TEXT = {"type": "string", "minLength": 1, "maxLength": MAX_TEXT}
# query_int reads at most 18 digits.
MAX_COUNT = 10**18 - 1
COUNT = {"type": "integer", "minimum": 0, "maximum": MAX_COUNT}


@dataclass(frozen=True)
class Filter:
    """One query argument that narrows the list by the stored ``field``.

    ``kind`` is one of: ``equals`` (the value, or an element of a list field),
    ``prefix`` (a name's key starts with the value's key, see names.py),
    ``min`` and ``max`` (an integer bound). Only equality shapes the index
    prefix; the others are ranges.
    """

    field: str
    kind: Literal["equals", "prefix", "min", "max"]
    description: str

    @property
    def equality(self) -> bool:
        return self.kind == "equals"

    @property
    def schema(self) -> dict[str, Any]:
        if self.kind in ("min", "max"):
            return COUNT
        return {**TEXT, "maxLength": 50} if self.kind == "equals" else TEXT

    def parameter(self, name: str) -> dict[str, Any]:
        """This filter as the OpenAPI query parameter ``name``."""
        return {
            "name": name,
            "in": "query",
            "description": self.description,
            "schema": self.schema,
        }

    def clause(self, name: str, raw: str) -> dict[str, Any]:
        """The MongoDB condition for ``raw``: the value goes in, never a key."""
        if self.kind in ("min", "max"):
            bound = query_int(name, 0, minimum=0, maximum=MAX_COUNT)
            return {self.field: {"$gte" if self.kind == "min" else "$lte": bound}}
        if not 1 <= len(raw) <= self.schema["maxLength"]:
            raise BadRequest(
                f"{name} must be 1 to {self.schema['maxLength']} characters."
            )
        if self.kind == "equals":
            return {self.field: raw}
        return {self.field: prefix_range(raw)}


def prefix_range(raw: str) -> dict[str, str]:
    """Keys starting with ``raw``'s key: ``key <= k < key with its last letter raised``.

    A case-insensitive ``$regex`` cannot use an index; this range on the stored
    key can, and it ignores case and invisible characters the way names do. A
    prefix with nothing visible is the empty prefix: every name starts with it.
    """
    key = names.key(raw)
    if key and raw[-1].isspace():
        key += " "  # "blue " must not match "bluebird"; names keep one space
    following = after_prefix(key)
    return {"$gte": key} if following is None else {"$gte": key, "$lt": following}


def tag(field: str) -> Filter:
    return Filter(field, "equals", "Only those with this tag.")


def name_prefix(field: str) -> Filter:
    return Filter(field, "prefix", "Names starting with this, in any case.")


def at_least(field: str) -> Filter:
    return Filter(field, "min", f"Only those whose {field} is at least this.")


def at_most(field: str) -> Filter:
    return Filter(field, "max", f"Only those whose {field} is at most this.")


def after_prefix(key: str) -> str | None:
    """The least string greater than every string starting with ``key``.

    None when there is none (empty, or only U+10FFFF). Strings compare by code
    point in Python and by UTF-8 bytes in MongoDB's default (simple) collation:
    the same order. Surrogates cannot be stored, so after U+D7FF comes U+E000.
    """
    while key:
        last = ord(key[-1])
        if last < 0x10FFFF:
            following = 0xE000 if 0xD800 <= last + 1 <= 0xDFFF else last + 1
            return key[:-1] + chr(following)
        key = key[:-1]
    return None


@dataclass(frozen=True)
class Order:
    """A sort order: the stored field and its type, the direction, the tie-break.

    ``tiebreak`` is a unique field (``_id``, or a unique key such as
    ``name_key``) so that (sort value, tie-break) names one document: a
    cursor then says exactly where a page stopped, even among equal values.
    """

    name: str
    field: str
    kind: type
    direction: int
    tiebreak: str

    @property
    def spec(self) -> list[Key]:
        if self.field == self.tiebreak:
            return [(self.field, self.direction)]
        return [(self.field, self.direction), (self.tiebreak, self.direction)]


@dataclass(frozen=True)
class Listing:
    """The filters (argument name -> ``Filter``) and sorts (name -> field) of a list.

    ``sorts`` maps a public name to a stored field and its type; each name is
    accepted as ``name`` (ascending) and ``-name`` (descending). The first sort
    is the default.
    """

    filters: Mapping[str, Filter]
    sorts: Mapping[str, tuple[str, type]]
    tiebreak: str = "_id"

    @cached_property
    def orders(self) -> dict[str, Order]:
        """Every order by the name a request gives; made once, read per request."""
        found: dict[str, Order] = {}
        for name, (stored, kind) in self.sorts.items():
            found[name] = Order(name, stored, kind, ASCENDING, self.tiebreak)
            found[f"-{name}"] = Order(
                f"-{name}", stored, kind, DESCENDING, self.tiebreak
            )
        return found

    def arguments(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The MongoDB filter and the filter arguments as given (for ``next``).

        An argument this list does not declare is a 400 naming it: a typo such
        as ``?tags=red`` must not quietly return everything.
        """
        for name in request.args:
            if name not in self.filters and name not in (*PAGING, SORT):
                accepted = ", ".join([*self.filters, SORT, *PAGING])
                raise BadRequest(
                    f"{name} is not an argument of this list ({accepted})."
                )
        clauses: list[dict[str, Any]] = []
        given: dict[str, str] = {}
        for name, spec in self.filters.items():
            raw = query_text(name)
            if raw is None:
                continue
            given[name] = raw
            clauses.append(spec.clause(name, raw))
        if not clauses:
            return {}, given
        return (clauses[0] if len(clauses) == 1 else {"$and": clauses}), given

    def order(self) -> Order:
        orders = self.orders
        raw = query_text(SORT)
        if raw is None:
            return next(iter(orders.values()))
        if raw not in orders:
            raise BadRequest(f"sort must be one of: {', '.join(orders)}.")
        return orders[raw]

    def parameters(self, config: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Every argument as an OpenAPI parameter, with enums and bounds."""
        found = [spec.parameter(name) for name, spec in self.filters.items()]
        orders = list(self.orders)
        found.append(
            {
                "name": SORT,
                "in": "query",
                "description": "Sort order; a leading '-' is descending.",
                "schema": {"type": "string", "enum": orders, "default": orders[0]},
            }
        )
        limit = {
            "type": "integer",
            "minimum": 1,
            "maximum": config["API_MAX_PAGE_SIZE"],
            "default": config["API_PAGE_SIZE"],
        }
        found.append(
            {
                "name": "after",
                "in": "query",
                "description": "The cursor from the previous page's next link.",
                "schema": {"type": "string", "pattern": self.cursor_pattern()},
            }
        )
        found.append(
            {
                "name": "limit",
                "in": "query",
                "description": "Page size.",
                "schema": limit,
            }
        )
        return found

    def cursor_pattern(self) -> str:
        """Every cursor any sort could give, so any match is a usable cursor."""
        tie = OBJECT_ID if self.tiebreak == "_id" else TEXT_VALUE
        shapes = [
            f"-?{name}:" + (tie if stored == self.tiebreak else f"{VALUE[kind]}:{tie}")
            for name, (stored, kind) in self.sorts.items()
        ]
        return "^(?:" + "|".join(shapes) + ")$"

    def needed_indexes(self) -> list[list[Key]]:
        """The index key prefix every filter set and sort needs.

        Equality fields first, then the sort key and ``_id``: the server walks
        that index in order from the cursor, so a page at any depth reads about
        ``limit`` entries. A range on the sort key narrows the same walk; a range
        on another field is checked on the documents the walk reaches (its cost
        follows how selective it is, not how deep the page is).
        """
        needed = []
        for size in range(len(self.filters) + 1):
            for chosen in combinations(self.filters.values(), size):
                equal = sorted({spec.field for spec in chosen if spec.equality})
                for order in self.orders.values():
                    prefix = [(name, order.direction) for name in equal] + order.spec
                    if prefix not in needed:
                        needed.append(prefix)
        return needed


OBJECT_ID = "[0-9a-fA-F]{24}"
# Values in a cursor: any text for a text key (it is only a bound, so any text
# is a valid one); digits that fit query_int for a number or a time (in
# microseconds since 1970, the finest a stored time can be).
MAX_TIE = 800
TEXT_VALUE = "[\\s\\S]{0,800}"  # MAX_TIE
NUMBER = "-?[0-9]{1,18}"
VALUE = {str: TEXT_VALUE, int: NUMBER, datetime: NUMBER}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
BAD_CURSOR = "after must be the cursor from a next link."


def encode_cursor(order: Order, document: Mapping[str, Any]) -> str:
    """Where the page stopped: the order, the last sort value, the tie-break.

    The cursor carries its own order, so a next link cannot be misread with
    another ``sort``: when ``after`` is given, its order is the one used.
    """
    tie = str(document[order.tiebreak])
    if order.field == order.tiebreak:
        return f"{order.name}:{tie}"
    value = document.get(order.field)
    if isinstance(value, datetime):
        value = (value.replace(tzinfo=value.tzinfo or UTC) - EPOCH) // MICROSECOND
    return f"{order.name}:{value}:{tie}"


def decode_cursor(listing: Listing, raw: str) -> tuple[Order, tuple[Any, ...]]:
    """The order and the position (sort value, tie-break) of a cursor, or a 400."""
    name, colon, rest = raw.partition(":")
    order = listing.orders.get(name)
    if order is None or not colon:
        raise BadRequest(BAD_CURSOR)
    if order.field == order.tiebreak:
        return order, (_tie(order, rest),)
    value, colon, tie = rest.partition(":")
    if not (colon and WHOLE_NUMBER.fullmatch(value)) or order.kind is str:
        raise BadRequest(BAD_CURSOR)
    number = int(value)
    if order.kind is datetime:
        return order, (_moment(number), _tie(order, tie))
    return order, (number, _tie(order, tie))


def _moment(microseconds: int) -> datetime:
    """A time from a cursor; past either end of Python's calendar, that end.

    Any 18 digits fit the cursor's pattern, so each must mean a usable bound.
    """
    try:
        return EPOCH + microseconds * MICROSECOND
    except OverflowError:
        end = datetime.max if microseconds > 0 else datetime.min
        return end.replace(tzinfo=UTC)


def _tie(order: Order, raw: str) -> Any:
    if order.tiebreak != "_id":
        if len(raw) > MAX_TIE:
            raise BadRequest(BAD_CURSOR)
        return raw
    if not ObjectId.is_valid(raw):
        raise BadRequest(BAD_CURSOR)
    return ObjectId(raw)


def list_page(
    collection: Any, listing: Listing, endpoint: str
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the filtered, sorted list and the URL of the next one."""
    query, given = listing.arguments()
    order = listing.order()
    after = None
    raw_after = query_text("after")
    if raw_after is not None:
        order, after = decode_cursor(listing, raw_after)
    limit = page_limit()
    page: Page = keyset_page(
        collection, query, after=after, limit=limit, order=order.spec
    )
    next_url = None
    if page.next_after is not None:
        arguments: dict[str, Any] = dict(given)
        cursor = encode_cursor(order, page.documents[-1])
        next_url = url_for(endpoint, **arguments, after=cursor, limit=limit)
    return page.documents, next_url


def covered(declared: Iterable[list[tuple[str, int]]], prefix: list[Key]) -> bool:
    """Whether one of the ``declared`` index key lists serves a walk in ``prefix``.

    An index serves a walk in either direction, so its keys may match with
    every direction flipped.
    """
    for keys in declared:
        for flip in (1, -1):
            flipped = [(name, direction * flip) for name, direction in keys]
            if flipped[: len(prefix)] == prefix:
                return True
    return False
