"""Rules in the database: a ``$jsonSchema`` validator per collection.

The service checks every body with its pydantic models, but other writers (a
script, a migration, another service, the shell) do not pass through it. A
validator makes the server refuse what the models would refuse, for everyone.
``flask db upgrade`` applies them (``schema.py``); requests never do.

MongoDB's ``$jsonSchema`` is JSON Schema draft 4 with its own changes, so the
models' JSON Schema (draft 2020-12) is translated rather than copied:
``bsonType`` instead of ``type`` (no ``integer``: ``int`` or ``long``), no
``$ref``/``$defs`` (inlined), no ``format``, ``default``, ``title``-like
annotations it rejects, ``propertyNames`` (draft 6) becomes ``patternProperties``,
a numeric ``exclusiveMaximum`` (draft 6) becomes draft 4's boolean form, and
``\\uXXXX`` in patterns becomes PCRE's ``\\x{XXXX}``. Which servers enforce it:
MongoDB (any edition, Atlas included). mongomock has no validators (skipped),
and nx-27017 accepts one without enforcing it.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import DEFAULT_REF_TEMPLATE, JsonSchemaMode

# JSON Schema keywords MongoDB documents as unsupported ("$jsonSchema" omissions),
# plus later drafts' keywords its draft 4 dialect does not know.
UNSUPPORTED = frozenset(
    {
        "$ref",
        "$schema",
        "default",
        "definitions",
        "format",
        "id",
        "$id",
        "$defs",
        "$comment",
        "const",
        "contains",
        "examples",
        "if",
        "then",
        "else",
        "prefixItems",
        "propertyNames",
        "readOnly",
        "writeOnly",
        "deprecated",
        "contentEncoding",
        "contentMediaType",
        "unevaluatedItems",
        "unevaluatedProperties",
        "dependentRequired",
        "dependentSchemas",
        "discriminator",
    }
)
# JSON type -> the BSON types a driver may store for it.
BSON_TYPES: dict[str, str | list[str]] = {
    "string": "string",
    "integer": ["int", "long"],
    "number": ["double", "int", "long", "decimal"],
    "boolean": "bool",
    "null": "null",
    "array": "array",
    "object": "object",
}
# Keywords whose value is one schema, or a map or a list of schemas.
ONE_SCHEMA = ("items", "additionalProperties", "not", "additionalItems")
SCHEMA_MAP = ("properties", "patternProperties")
SCHEMA_LIST = ("anyOf", "oneOf", "allOf")
UNICODE_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _pcre(pattern: str) -> str:
    """MongoDB's regexes are PCRE, which writes a code point as ``\\x{...}``."""
    return UNICODE_ESCAPE.sub(r"\\x{\1}", pattern)


def translate(schema: Any, definitions: dict[str, Any] | None = None) -> Any:
    """One pydantic (JSON Schema 2020-12) schema in MongoDB's dialect."""
    if not isinstance(schema, dict):
        return schema
    definitions = schema.get("$defs", definitions or {})
    if "$ref" in schema:
        target = definitions[schema["$ref"].rsplit("/", 1)[-1]]
        return translate(target, definitions)
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in UNSUPPORTED or key == "title":
            continue
        if key == "type":
            out["bsonType"] = BSON_TYPES[value]
        elif key == "pattern":
            out[key] = _pcre(value)
        elif key in ("exclusiveMaximum", "exclusiveMinimum") and not isinstance(
            value, bool
        ):
            out["maximum" if key == "exclusiveMaximum" else "minimum"] = value
            out[key] = True
        elif key in ONE_SCHEMA:
            out[key] = translate(value, definitions)
        elif key in SCHEMA_MAP:
            out[key] = {name: translate(s, definitions) for name, s in value.items()}
        elif key in SCHEMA_LIST:
            out[key] = [translate(s, definitions) for s in value]
        else:
            out[key] = value
    names = schema.get("propertyNames")
    if isinstance(names, dict) and "pattern" in names:
        # Draft 6's "every key matches" is draft 4's "keys that match may have
        # these values, and no other key is allowed".
        values = out.pop("additionalProperties", {})
        out["patternProperties"] = {_pcre(names["pattern"]): values}
        out["additionalProperties"] = False
    elif "patternProperties" in out and "properties" not in out:
        # pydantic writes a dict with constrained keys this way, and refuses any
        # key that does not match: so must the server.
        out.setdefault("additionalProperties", False)
    return out


@functools.cache
def json_schema(
    model: type[BaseModel],
    mode: JsonSchemaMode = "validation",
    ref_template: str = DEFAULT_REF_TEMPLATE,
) -> dict[str, Any]:
    """A model's JSON Schema, made once per process (callers change only copies).

    pydantic builds it anew on every call, a millisecond or more each, and the
    same models are asked for again and again: by every in-memory database's
    set-up (the validators here) and by every app's OpenAPI document
    (openapi.py, where the error model comes once per error answer).
    """
    return model.model_json_schema(ref_template=ref_template, mode=mode)


def validator(
    model: type[BaseModel], stored: dict[str, Any] | None = None
) -> dict[str, Any]:
    """The ``$jsonSchema`` for documents made from ``model``.

    ``stored`` adds the fields the service writes itself (``_id``, keys,
    timestamps), in MongoDB's dialect already. Other fields stay allowed: a
    later version of the service may add one before every document has it.
    """
    schema = translate(json_schema(model))
    schema.pop("additionalProperties", None)
    schema.pop("description", None)
    schema["properties"] = {**schema.get("properties", {}), **(stored or {})}
    schema["required"] = sorted({*schema.get("required", []), *(stored or {})})
    return {"$jsonSchema": schema}


def declared() -> dict[str, dict[str, Any]]:
    """Each validated collection's validator.

    Imported here, not at the top: the resources import the database module,
    which imports the deploy step that reads this list.
    """
    from .items import Item

    return {
        "items": validator(
            Item,
            stored={
                "_id": {"bsonType": "objectId"},
                "name_key": {"bsonType": "string", "minLength": 1},
                "created_at": {"bsonType": "date"},
                "updated_at": {"bsonType": "date"},
                # Counts edits: the ETag, matched by If-Match (versions.py).
                "version": {"bsonType": ["int", "long"], "minimum": 1},
{%- if cookiecutter.auth != "none" %}
                # Who created it; "" for data the service made itself (seed).
                "created_by": {"bsonType": "string"},
{%- endif %}
            },
        )
    }
