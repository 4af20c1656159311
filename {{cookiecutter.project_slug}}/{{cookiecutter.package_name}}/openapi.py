"""The OpenAPI 3.1 document at ``GET /openapi.json``, generated from the code.

Each view carries an ``@operation(...)`` saying what its body and answers are
(pydantic models); paths and path parameters come from Flask's URL map, so a
route cannot be left out or drift from its URL, and the errors every route can
give (400, 404, 415, 422, 503...) follow from what it takes. The document is
built once per app, on the first request for it; no other request pays for it.
API_DOCS_ENABLED=false removes the route (404).
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, jsonify
from pydantic import BaseModel, ConfigDict
from pydantic.json_schema import JsonSchemaMode
from werkzeug.routing import Rule

{% if cookiecutter.auth != "none" -%}
from .auth import SCHEME, required_scope
{% endif -%}
from .rate_limits import PROBES
from .resources import OBJECT_ID, Model
from .validators import json_schema

F = TypeVar("F", bound=Callable[..., Any])
Parameters = Callable[[Mapping[str, Any]], list[dict[str, Any]]]
EXTENSION = "openapi"
REF = "#/components/schemas/{model}"
SKIPPED_METHODS = {"HEAD", "OPTIONS"}
# A variable in a Flask rule: <name>, <converter:name>, <converter(args):name>.
VARIABLE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
CONVERTERS = {
    "objectid": {"type": "string", "pattern": OBJECT_ID},
    "path": {"type": "string", "minLength": 1},
    "default": {"type": "string", "pattern": "^[^/]+$"},
}
ERRORS = {
    400: "The request is malformed (bad JSON, a bad query argument...).",
{%- if cookiecutter.auth != "none" %}
    401: "No credential, or one that is not valid (`WWW-Authenticate: Bearer`).",
    403: "The credential lacks the scope, or the object is another caller's.",
{%- endif %}
    404: "Nothing with that id or name.",
    409: "A unique value is already taken.",
    412: "A precondition (If-Match, If-Unmodified-Since) failed.",
    413: "The body is larger than the service accepts.",
    415: "The body is not of a type this operation accepts.",
    416: "The Range cannot be satisfied.",
    422: "The body is well-formed but invalid; `details` names each field.",
    429: "Too many requests (RATE_LIMITS); retry after `Retry-After` seconds.",
    501: "The server cannot do this: transactions need a MongoDB replica set.",
    503: "The database is unavailable; retry after `Retry-After` seconds.",
}
HEADERS = {
    "ETag": "The version, for If-Match on a later change.",
    "Idempotent-Replayed": "true when this is the stored answer to a retry.",
}
JSON_BODY_ERRORS = (400, 413, 415, 422)
# gunicorn refuses a request line over limit_request_line itself, before the
# app runs, so that answer has gunicorn's small HTML body, not the error shape.
TOO_LONG = "The URL is too long (the server refuses it before the app runs)."

{%- if cookiecutter.auth == "api_key" %}
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API key: `Authorization: Bearer <key>` (create-api-key).",
}
{%- elif cookiecutter.auth == "jwt" %}
SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "JWT",
    "description": "A JWT from the identity provider: `Authorization: Bearer <token>`.",
}
{%- endif %}

bp = Blueprint("openapi", __name__)


class ErrorBody(Model):
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    status: int
    code: str
    message: str
    details: dict[str, str] | None = None
    details_omitted: int | None = None  # how many details were left out


class Error(Model):
    """Every error the service returns (errors.py)."""

    error: ErrorBody


@dataclass(frozen=True)
class Operation:
    """What one view takes and gives, beyond what its URL rule says."""

    response: type[BaseModel] | None = None
    status: int = 200
    body: type[BaseModel] | None = None
    content: dict[str, Any] | None = None  # a request body that is not JSON
    query: Parameters | None = None
    errors: tuple[int, ...] = ()
    database: bool = True
    responses: dict[int, dict[str, Any]] = field(default_factory=dict)
    link_id: str | None = None  # the response field that names what was created
    parameters: tuple[dict[str, Any], ...] = ()  # headers the view reads
    headers: tuple[str, ...] = ()  # headers the success answer carries (HEADERS)


def operation(**spec: Any) -> Callable[[F], F]:
    """Attach an ``Operation`` to a view; see ``Operation`` for the fields."""
    described = Operation(**spec)

    def attach(view: F) -> F:
        view.openapi = described  # type: ignore[attr-defined]
        return view

    return attach


def described(view: Callable[..., Any]) -> Operation | None:
    found: Operation | None = getattr(view, "openapi", None)
    return found


class Builder:
    """Collects the models' JSON Schemas into ``components`` as paths use them."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.schemas: dict[str, Any] = {}

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, str]:
        schema = copy.deepcopy(json_schema(model, mode, REF))
        self.schemas.update(schema.pop("$defs", {}))
        name = model.__name__.replace("[", "_").replace("]", "")
        self.schemas[name] = schema
        return {"$ref": REF.format(model=name)}

    def json(
        self, model: type[BaseModel], mode: JsonSchemaMode = "serialization"
    ) -> dict[str, Any]:
        return {"application/json": {"schema": self.ref(model, mode)}}

    def error(self, status: int) -> dict[str, Any]:
        answer: dict[str, Any] = {
            "description": ERRORS[status],
            "content": self.json(Error),
        }
        if status in (429, 503):
            answer["headers"] = {"Retry-After": _header("Seconds to wait.", "integer")}
{%- if cookiecutter.auth != "none" %}
        if status == 401:
            answer["headers"] = {"WWW-Authenticate": _header("Bearer.")}
{%- endif %}
        return answer

    def operation(
        self, rule: Rule, method: str, spec: Operation, links: dict[str, Any]
    ) -> dict[str, Any]:
        view = self.app.view_functions[rule.endpoint]
        summary, _, description = (view.__doc__ or "").strip().partition("\n")
        parameters = [_path_parameter(name, kind) for kind, name in _arguments(rule)]
        if spec.query:
            parameters.extend(spec.query(self.app.config))
        parameters.extend(spec.parameters)
        document: dict[str, Any] = {
            "operationId": rule.endpoint.split(".")[-1],
            "tags": [rule.endpoint.split(".")[0]],
            "summary": summary or rule.endpoint,
            "parameters": parameters,
            "responses": self.responses(rule, spec, links),
        }
        if description.strip():
            document["description"] = " ".join(description.split())
        answers = document["responses"]
{%- if cookiecutter.auth != "none" %}
        scope = required_scope(rule.rule, method)
        document["security"] = [{SCHEME: [scope]}] if scope else []
        for status in (401, 403) if scope else ():
            answers.setdefault(str(status), self.error(status))
{%- endif %}
        if self.app.config["RATE_LIMITS"] and rule.rule not in PROBES:
            answers.setdefault("429", self.error(429))
        if spec.body is not None:
            body = self.json(spec.body, "validation")
            document["requestBody"] = {"required": True, "content": body}
        elif spec.content is not None:
            document["requestBody"] = {"required": True, "content": spec.content}
        return document

    def responses(
        self, rule: Rule, spec: Operation, links: dict[str, Any]
    ) -> dict[str, Any]:
        answers: dict[Any, Any] = {}
        if spec.status == 204:
            answers["204"] = {"description": "Done; no body."}
        elif spec.response is not None:
            answers[str(spec.status)] = {
                "description": "OK.",
                "content": self.json(spec.response),
            }
        for name in spec.headers:
            success = answers[str(spec.status)].setdefault("headers", {})
            success[name] = _header(HEADERS[name])
        if spec.status == 201:
            answers["201"]["description"] = "Created."
            answers["201"].setdefault("headers", {})["Location"] = _header(
                "The new resource's URL."
            )
            if links:
                answers["201"]["links"] = links
        for status, answer in spec.responses.items():
            answers[str(status)] = answer
        errors = set(spec.errors)
        if rule.arguments:
            errors.add(404)
        if spec.query:
            errors.add(400)
        if spec.body is not None:
            errors.update(JSON_BODY_ERRORS)
        if spec.content is not None:
            errors.add(400)
        if spec.database:
            errors.add(503)
        for status in sorted(errors):
            answers.setdefault(str(status), self.error(status))
        answers["414"] = {"description": TOO_LONG}
        return answers


def _header(description: str, kind: str = "string") -> dict[str, Any]:
    return {"description": description, "schema": {"type": kind}}


def _arguments(rule: Rule) -> list[tuple[str, str]]:
    """(converter, name) of each variable of ``rule``, in URL order."""
    return [(kind or "default", name) for kind, name in VARIABLE.findall(rule.rule)]


def _path_parameter(name: str, kind: str) -> dict[str, Any]:
    schema = CONVERTERS.get(kind, CONVERTERS["default"])
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _openapi_path(rule: Rule) -> str:
    return VARIABLE.sub(lambda match: "{" + match[2] + "}", rule.rule)


def _links(
    rule: Rule, spec: Operation, rules: Iterable[tuple[Rule, str, Operation]]
) -> dict[str, Any]:
    """From a create to every operation of the same blueprint on the new id."""
    if spec.link_id is None:
        return {}
    blueprint = rule.endpoint.split(".")[0]
    links: dict[str, Any] = {}
    for other, _, _ in rules:
        if other.endpoint.split(".")[0] == blueprint and other.arguments:
            (argument,) = other.arguments
            links[other.endpoint.split(".")[-1]] = {
                "operationId": other.endpoint.split(".")[-1],
                "parameters": {argument: f"$response.body#/{spec.link_id}"},
            }
    return links


def build_document(app: Flask) -> dict[str, Any]:
    """The whole document for ``app``: every route that has an ``@operation``."""
    builder = Builder(app)
    rules: list[tuple[Rule, str, Operation]] = []
    for rule in app.url_map.iter_rules():
        spec = described(app.view_functions[rule.endpoint])
        for method in sorted((rule.methods or set()) - SKIPPED_METHODS):
            if spec is not None:
                rules.append((rule, method, spec))
    paths: dict[str, dict[str, Any]] = {}
    for rule, method, spec in rules:
        links = _links(rule, spec, rules) if spec.status == 201 else {}
        paths.setdefault(_openapi_path(rule), {})[method.lower()] = builder.operation(
            rule, method, spec, links
        )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "{{ cookiecutter.project_slug }}",
            "version": app.config.get("API_VERSION", "0.1.0"),
        },
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(builder.schemas.items())),
{%- if cookiecutter.auth != "none" %}
            "securitySchemes": {SCHEME: SECURITY_SCHEME},
{%- endif %}
        },
    }


@bp.get("/openapi.json")
@operation(database=False, responses={200: {"description": "This document."}})
def openapi_document() -> Response:
    """The OpenAPI 3.1 document of this service."""
    document = current_app.extensions.get(EXTENSION)
    if document is None:
        document = current_app.extensions[EXTENSION] = build_document(current_app)
    return jsonify(document)


def init_app(app: Flask) -> None:
    """Serve the document unless API_DOCS_ENABLED is off."""
    if app.config["API_DOCS_ENABLED"]:
        app.register_blueprint(bp)
