"""What every resource shares, written once: field types, models and ``Store``.

A resource module (``items.py``) declares its pydantic models with the types
below and writes each view as a plain function that calls ``Store``. ``Store``
holds the plumbing that would otherwise be copied into every resource: the
document shaped to JSON, the next-page link, the 404 and 409 wording, the
unique name's key, and update-then-read in one round trip.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Annotated, Any, Self, cast

from bson import ObjectId
from flask import Response, jsonify, url_for
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    create_model,
)
from pymongo import ReturnDocument
from pymongo.collection import Collection
from pymongo.errors import DuplicateKeyError
from werkzeug.exceptions import Conflict, HTTPException, NotFound, PreconditionFailed

from . import names, versions
{%- if cookiecutter.auth != "none" %}
from .auth import caller_name, not_yours, owned
{%- endif %}
from .db import Document, get_collection
from .listing import Listing, list_page
from .pagination import keyset_page, page_arguments
from .validation import ValidationError, parse_body

OBJECT_ID = "^[0-9a-fA-F]{24}$"
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
# Keys MongoDB would read as operators ($) or paths (.), or cannot store (NUL).
KEY = r"^[^$.\x00][^.\x00]*$"


class Model(BaseModel):
    """Strict: no ``"3"`` for 3, no ``true`` for 1, no field the model lacks."""

    model_config = ConfigDict(
        extra="forbid", strict=True, json_schema_serialization_defaults_required=True
    )

    @classmethod
    def from_request(cls) -> Self:
        """The request's JSON body as this model, or a 400/415/422 (``parse_body``)."""
        return cast(Self, parse_body(cls))


def _visible_name(value: str) -> str:
    value = names.display(value)
    if not value:
        raise ValueError("must contain a visible character")
    return value


def _whole(value: object) -> object:
    """JSON has one number type: ``3.0`` is the integer 3 (``3.5`` still fails)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _free_map_schema(schema: dict[str, Any]) -> None:
    """Say "every key must match" (pydantic says "keys that match may be...")."""
    for pattern, values in schema.pop("patternProperties", {}).items():
        schema["propertyNames"] = {"pattern": pattern}
        schema["additionalProperties"] = values


# Field before the validator, or pydantic leaves "ge"/"le" in the JSON Schema.
Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX), BeforeValidator(_whole)]
Count = Annotated[int, Field(ge=0, le=INT64_MAX), BeforeValidator(_whole)]
Positive = Annotated[int, Field(ge=1, le=INT64_MAX), BeforeValidator(_whole)]
Scalar = (
    str
    | Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
    | Annotated[float, Field(allow_inf_nan=False)]
    | bool
    | None
)
# A unique, human-written name (see names.py); at least one visible character.
Name = Annotated[
    str,
    Field(
        min_length=1,
        max_length=200,
        json_schema_extra={"pattern": names.VISIBLE_PATTERN},
    ),
    AfterValidator(_visible_name),
]
Text = Annotated[str, Field(max_length=2000)]
Tags = Annotated[
    list[Annotated[str, Field(min_length=1, max_length=50)]], Field(max_length=20)
]
FreeMap = Annotated[
    dict[Annotated[str, Field(pattern=KEY)], Scalar],
    Field(max_length=50, json_schema_extra=_free_map_schema),
]


def partial(model: type[Model]) -> type[Model]:
    """``model`` for PATCH: every field optional, none nullable, at least one set."""
    fields: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        optional = copy.copy(field)
        optional.default, optional.default_factory = None, None
        fields[name] = (field.annotation, optional)

    def schema(document: dict[str, Any]) -> None:
        document["minProperties"] = 1
        for prop in document["properties"].values():
            prop.pop("default", None)

    config = ConfigDict(**{**model.model_config, "json_schema_extra": schema})
    patch: type[Model] = create_model(
        f"{model.__name__}Patch", __base__=model, **fields
    )
    patch.model_config = config
    patch.model_rebuild(force=True)
    return patch


def stored(model: type[Model]) -> type[Model]:
    """The response form of ``model``: its fields, ``id``, ``version``, two times."""
    result: type[Model] = create_model(
        f"{model.__name__}Out",
        __base__=model,
        id=(Annotated[str, Field(pattern=OBJECT_ID)], ...),
        version=(Annotated[int, Field(ge=1)], ...),
        created_at=(datetime, ...),
        updated_at=(datetime, ...),
{%- if cookiecutter.auth != "none" %}
        # Who created it (a key's name or a token's subject); "" for seeded data.
        created_by=(str, ...),
{%- endif %}
    )
    return result


def paged(model: type[Model]) -> type[Model]:
    """What ``Store.page`` answers: ``items`` of ``model``, ``next`` (URL or null)."""
    page: type[Model] = create_model(
        f"{model.__name__}Page",
        __base__=Model,
        items=(list[model], ...),  # type: ignore[valid-type]
        next=(str | None, ...),
    )
    return page


class Store:
    """One collection behind an API: the steps every resource's views share.

    ``unique`` names a field whose value is a name (names.py): its key is stored
    next to it as ``<field>_key``, which carries the unique index.
    """

    def __init__(self, collection: str, noun: str, unique: str | None = None) -> None:
        self.name, self.noun, self.unique = collection, noun, unique
        self.hidden = frozenset({"_id", f"{unique}_key"})  # never in to_json

    def collection(self) -> Collection[Document]:
        return get_collection(self.name)

    def to_json(self, document: Document) -> dict[str, Any]:
        """The public form: ``_id`` becomes ``id``; the name's key stays inside."""
        public = {
            key: value for key, value in document.items() if key not in self.hidden
        }
        return {"id": str(document["_id"]), **public}

    def missing(self, document_id: ObjectId) -> NotFound:
        return NotFound(f"No {self.noun} with id {document_id}.")

    def keyed(self, fields: dict[str, Any]) -> dict[str, Any]:
        if self.unique and self.unique in fields:
            fields[f"{self.unique}_key"] = names.key(fields[self.unique])
        return fields

    def stamped(self, model: Model) -> dict[str, Any]:
        """A new document's fields: the model's, the name's key, version 1,
        the timestamps{% if cookiecutter.auth != "none" %}, who{% endif %}."""
        now = datetime.now(UTC)
        fields = {
            **model.model_dump(),
            "version": 1,
            "created_at": now,
            "updated_at": now,
        }
{%- if cookiecutter.auth != "none" %}
        fields["created_by"] = caller_name()
{%- endif %}
        return self.keyed(fields)

    def _conflict(self, fields: dict[str, Any]) -> Conflict:
        value = fields.get(self.unique or "", "that unique value")
        return Conflict(f"A {self.noun} named {value!r} already exists.")

    def create(
        self, model: Model, location: str
    ) -> tuple[Response, int, dict[str, str]]:
        """Insert; 201, the stored document, ``Location`` from endpoint ``location``."""
        document = self.stamped(model)
        try:
            document_id = self.collection().insert_one(document).inserted_id
        except DuplicateKeyError:
            raise self._conflict(document) from None
        url = url_for(location, **{f"{self.noun}_id": document_id})
        headers = {"Location": url, "ETag": versions.etag(document)}
        return jsonify(self.to_json(document)), 201, headers

    def get(self, document_id: ObjectId) -> Response:
        document = self.collection().find_one({"_id": document_id})
        if document is None:
            raise self.missing(document_id)
        return self.tagged(document)

    def tagged(self, document: Document) -> Response:
        """The document as JSON with its version as the ``ETag``."""
        response = jsonify(self.to_json(document))
        response.headers["ETag"] = versions.etag(document)
        return response

    def target(self, document_id: ObjectId) -> dict[str, Any]:
        """The filter of a write to one document, all checked by the write itself.

        Its id and the version If-Match names{% if cookiecutter.auth != "none" %} and, unless the caller is
        admin, its owner{% endif %}: nothing can change between a check and
        the write.
        """
{%- if cookiecutter.auth != "none" %}
        return owned({"_id": document_id, **versions.if_match()})
{%- else %}
        return {"_id": document_id, **versions.if_match()}
{%- endif %}

    def refusal(self, document_id: ObjectId) -> HTTPException:
        """Why a write matched nothing, asked after it (the write decided).

        No such object: 404.{% if cookiecutter.auth != "none" %} Someone else's: 403.{% endif %}
        Changed since the If-Match version: 412.
        """
        if self.collection().find_one({"_id": document_id}, {"_id": 1}) is None:
            return self.missing(document_id)
{%- if cookiecutter.auth != "none" %}
        if self.collection().find_one(owned({"_id": document_id}), {"_id": 1}) is None:
            return not_yours(self.noun)
{%- endif %}
        return PreconditionFailed(
            f"The {self.noun} changed since that version (If-Match); read it again."
        )

    def update(self, document_id: ObjectId, changes: Model) -> Response:
        """Set the given fields and read the result back in one round trip.

        The database stamps ``updated_at`` (``$currentDate``) and adds one to
        ``version`` in the same write, and matches ``If-Match``'s version in
        the same filter: two editors of one version cannot both succeed.
        """
        fields = self.keyed(changes.model_dump(exclude_unset=True))
        if not fields:
            raise ValidationError({"body": "must set at least one field"})
        try:
            document = self.collection().find_one_and_update(
                self.target(document_id),
                {
                    "$set": fields,
                    "$inc": {"version": 1},
                    "$currentDate": {"updated_at": True},
                },
                return_document=ReturnDocument.AFTER,
            )
        except DuplicateKeyError:
            raise self._conflict(fields) from None
        if document is None:
            raise self.refusal(document_id)
        return self.tagged(document)

    def delete(self, document_id: ObjectId) -> tuple[str, int]:
        found = self.target(document_id)
        if self.collection().delete_one(found).deleted_count == 0:
            raise self.refusal(document_id)
        return "", 204

    def page(
        self,
        endpoint: str,
        filter: dict[str, Any] | None = None,
        listing: Listing | None = None,
    ) -> Response:
        """One page and the next page's link, from ``endpoint``.

        In ``_id`` order, or with ``listing``'s filters and sorts (listing.py).
        """
        if listing is not None:
            documents, next_url = list_page(self.collection(), listing, endpoint)
            items = [self.to_json(document) for document in documents]
            return jsonify(items=items, next=next_url)
        after, limit = page_arguments()
        page = keyset_page(self.collection(), filter or {}, after=after, limit=limit)
        next_url = None
        if page.next_after is not None:
            next_url = url_for(endpoint, after=page.next_after, limit=limit)
        items = [self.to_json(document) for document in page.documents]
        return jsonify(items=items, next=next_url)
