"""The app a user would pick instead: FastAPI, pydantic and pymongo's AsyncMongoClient.

Written the way FastAPI's documentation and its full-stack template write a
resource: models declared once with their constraints (the same limits as the
generated service), async views, one client per worker process made in the
lifespan. Served by uvicorn with as many worker processes as the Flask apps get.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import quote

from bson import ObjectId
from fastapi import FastAPI, HTTPException, Query, Request, Response
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pymongo import AsyncMongoClient
from pymongo.errors import DuplicateKeyError

# An ObjectId from the database, a 24-hex string on the wire.
IdText = Annotated[str, BeforeValidator(str)]
Tag = Annotated[str, Field(min_length=1, max_length=50)]
Scalar = str | int | float | bool | None


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=2000)] = ""
    quantity: Annotated[int, Field(ge=0, strict=True)] = 0
    tags: Annotated[list[Tag], Field(max_length=20)] = []
    attributes: Annotated[dict[str, Scalar], Field(max_length=50)] = {}


class Change(BaseModel):
    at: datetime
    by: IdText
    change: str


class Item(BaseModel):
    """An item as stored; the benchmark's documents also carry an owner and history."""

    id: IdText = Field(validation_alias="_id")
    name: str
    description: str
    quantity: int
    tags: list[str]
    attributes: dict[str, Scalar]
    owner_id: IdText | None = None
    history: list[Change] | None = None
    version: int | None = None
    created_by: str | None = None
    created_at: datetime
    updated_at: datetime


class Page(BaseModel):
    items: list[Item]
    next: str | None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(
        os.environ["MONGODB_URI"], tz_aware=True
    )
    app.state.items = client.get_default_database()["items"]
    yield
    await client.close()


app = FastAPI(lifespan=lifespan)
# Fields a document does not have (a new item's owner and history) stay out of
# its answer: response_model_exclude_unset=True.


@app.get("/api/items/{item_id}", response_model=Item, response_model_exclude_unset=True)
async def get_item(item_id: str, request: Request) -> Any:
    if not ObjectId.is_valid(item_id):
        raise HTTPException(404)
    document = await request.app.state.items.find_one({"_id": ObjectId(item_id)})
    if document is None:
        raise HTTPException(404)
    return document


@app.get("/api/items", response_model=Page, response_model_exclude_unset=True)
async def list_items(
    request: Request,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    after: Annotated[str | None, Query(max_length=200)] = None,
) -> dict[str, Any]:
    # In the service's order: by name key, on its unique index.
    query = {"name_key": {"$gt": after}} if after else {}
    cursor = request.app.state.items.find(query).sort("name_key", 1).limit(limit + 1)
    documents = await cursor.to_list()
    next_url = None
    if len(documents) > limit:
        del documents[limit:]
        next_url = f"/api/items?after={quote(documents[-1]['name_key'])}&limit={limit}"
    return {"items": documents, "next": next_url}


@app.post(
    "/api/items",
    status_code=201,
    response_model=Item,
    response_model_exclude_unset=True,
)
async def create_item(body: ItemIn, request: Request, response: Response) -> Any:
    now = datetime.now(UTC)
    item = {**body.model_dump(), "created_at": now, "updated_at": now}
    item["name_key"] = body.name.casefold()  # the unique key lists sort on
    try:
        await request.app.state.items.insert_one(item)
    except DuplicateKeyError:
        raise HTTPException(
            409, f"An item named {body.name!r} already exists."
        ) from None
    response.headers["Location"] = f"/api/items/{item['_id']}"
    return item
