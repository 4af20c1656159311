"""Which changes between two OpenAPI documents break clients, and which only add.

A client built against the old document must keep working against the new one.
So a request may only get more permissive (the service keeps accepting what it
accepted) and a response may only get more precise (the service never sends what
a client was not told about): a schema is compared one way for what clients send
and the other way for what they receive. No maintained differ on PyPI works
offline from Python (the well-known ones are Java or Go programs), so the rules
are here, small enough to read. Descriptions, examples and ``info`` are prose:
they change nothing a client relies on.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

METHODS = ("get", "put", "post", "delete", "patch", "head", "options", "trace")
# Keywords that bound a value from below and from above.
LOWER = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
# Keywords no order applies to: any change may refuse a value that passed before.
EXACT = ("pattern", "format", "multipleOf", "const")
REQUEST, RESPONSE = "request", "response"


@dataclass(frozen=True)
class Change:
    breaking: bool
    where: str
    what: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what}"


class Diff:
    """Walks two documents side by side, collecting each change once."""

    def __init__(self, old: dict[str, Any], new: dict[str, Any]) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self._seen: set[tuple[str, str, str]] = set()

    def note(self, breaking: bool, where: str, what: str) -> None:
        self.changes.append(Change(breaking, where, what))

    def run(self) -> list[Change]:
        old_paths, new_paths = self.old.get("paths", {}), self.new.get("paths", {})
        for path in sorted(old_paths.keys() - new_paths.keys()):
            self.note(True, path, "path removed")
        for path in sorted(new_paths.keys() - old_paths.keys()):
            self.note(False, path, "path added")
        for path in sorted(old_paths.keys() & new_paths.keys()):
            for method in METHODS:
                before = old_paths[path].get(method)
                after = new_paths[path].get(method)
                where = f"{method.upper()} {path}"
                if before is not None and after is None:
                    self.note(True, where, "operation removed")
                elif before is None and after is not None:
                    self.note(False, where, "operation added")
                elif before is not None and after is not None:
                    self.operation(where, before, after)
        return self.changes

    def operation(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        if old.get("operationId") != new.get("operationId"):
            self.note(True, where, f"operationId {old.get('operationId')!r} renamed")
        self.parameters(where, old.get("parameters", []), new.get("parameters", []))
        self.request_body(where, old.get("requestBody"), new.get("requestBody"))
        old_answers, new_answers = old.get("responses", {}), new.get("responses", {})
        for status in sorted(old_answers.keys() - new_answers.keys()):
            self.note(True, where, f"response {status} removed")
        for status in sorted(new_answers.keys() - old_answers.keys()):
            self.note(False, where, f"response {status} added")
        for status in sorted(old_answers.keys() & new_answers.keys()):
            self.response(f"{where} {status}", old_answers[status], new_answers[status])

    def parameters(self, where: str, old: list[Any], new: list[Any]) -> None:
        def by_key(document: dict[str, Any], items: list[Any]) -> dict[str, Any]:
            resolved = (resolve(document, item) for item in items)
            return {f"{p['in']} parameter {p['name']!r}": p for p in resolved}

        before, after = by_key(self.old, old), by_key(self.new, new)
        for key in sorted(before.keys() - after.keys()):
            self.note(True, where, f"{key} removed")
        for key in sorted(after.keys() - before.keys()):
            required = after[key].get("required", False)
            self.note(required, where, f"{key} added" + (", required" * required))
        for key in sorted(before.keys() & after.keys()):
            if after[key].get("required") and not before[key].get("required"):
                self.note(True, where, f"{key} became required")
            self.schema(
                f"{where} {key}",
                before[key].get("schema", {}),
                after[key].get("schema", {}),
                REQUEST,
            )

    def request_body(self, where: str, old: Any, new: Any) -> None:
        old = resolve(self.old, old) if old else None
        new = resolve(self.new, new) if new else None
        if old is not None and new is None:
            # Clients that send one may now be refused (415, 422).
            self.note(True, where, "request body removed")
        elif old is None and new is not None:
            required = bool(new.get("required"))
            self.note(required, where, "request body added" + ", required" * required)
        elif old is not None and new is not None:
            if new.get("required") and not old.get("required"):
                self.note(True, where, "request body became required")
            self.content(f"{where} body", old, new, REQUEST)

    def response(self, where: str, old: dict[str, Any], new: dict[str, Any]) -> None:
        old, new = resolve(self.old, old), resolve(self.new, new)
        old_headers, new_headers = old.get("headers", {}), new.get("headers", {})
        for name in sorted(old_headers.keys() - new_headers.keys()):
            self.note(True, where, f"header {name} removed")
        for name in sorted(new_headers.keys() - old_headers.keys()):
            self.note(False, where, f"header {name} added")
        self.content(where, old, new, RESPONSE)

    def content(
        self, where: str, old: dict[str, Any], new: dict[str, Any], way: str
    ) -> None:
        old_types, new_types = old.get("content", {}), new.get("content", {})
        for kind in sorted(old_types.keys() - new_types.keys()):
            self.note(True, where, f"media type {kind} removed")
        for kind in sorted(new_types.keys() - old_types.keys()):
            self.note(False, where, f"media type {kind} added")
        for kind in sorted(old_types.keys() & new_types.keys()):
            self.schema(
                f"{where} {kind}",
                old_types[kind].get("schema", {}),
                new_types[kind].get("schema", {}),
                way,
            )

    def schema(self, where: str, old: Any, new: Any, way: str) -> None:
        """Compare two schemas for ``way``: narrowing breaks a request, widening
        breaks a response."""
        key = (way, _ref(old), _ref(new))
        if any(key[1:]):
            if key in self._seen:  # a shared or recursive model: compared already
                return
            self._seen.add(key)
            where += f" ({(key[1] or key[2]).rpartition('/')[2]})"
        before, after = branches(self.old, old), branches(self.new, new)
        request = way == REQUEST
        for kind in sorted(before.keys() - after.keys()):
            if not _covered(kind, after):
                self.note(request, where, f"type {kind} no longer allowed")
        for kind in sorted(after.keys() - before.keys()):
            if not _covered(kind, before):
                self.note(not request, where, f"type {kind} now allowed")
        for kind in sorted(before.keys() & after.keys()):
            self.constraints(where, before[kind], after[kind], way)

    def constraints(
        self, where: str, old: dict[str, Any], new: dict[str, Any], way: str
    ) -> None:
        request = way == REQUEST

        def narrowed(what: str) -> None:
            self.note(request, where, what)

        def widened(what: str) -> None:
            self.note(not request, where, what)

        old_enum, new_enum = _enum(old), _enum(new)
        if old_enum is not None and new_enum is None:
            widened("enum removed")
        elif old_enum is None and new_enum is not None:
            narrowed(f"enum {sorted(new_enum, key=repr)} added")
        elif old_enum is not None and new_enum is not None:
            if old_enum - new_enum:
                narrowed(f"enum values {sorted(old_enum - new_enum, key=repr)} removed")
            if new_enum - old_enum:
                widened(f"enum values {sorted(new_enum - old_enum, key=repr)} added")
        for word in (*LOWER, *UPPER):
            before, after = old.get(word), new.get(word)
            if before == after:
                continue
            tighter = (after is not None) and (
                before is None or (after > before if word in LOWER else after < before)
            )
            (narrowed if tighter else widened)(f"{word} {before} -> {after}")
        for word in EXACT:
            before, after = old.get(word), new.get(word)
            if before == after:
                continue
            what = f"{word} {before!r} -> {after!r}"
            if before is None:
                narrowed(what)
            elif after is None:
                widened(what)
            else:  # neither contains the other as far as anyone can tell
                self.note(True, where, what)
        self.object(where, old, new, way)
        if "items" in old or "items" in new:
            self.schema(f"{where}[]", old.get("items", {}), new.get("items", {}), way)

    def object(
        self, where: str, old: dict[str, Any], new: dict[str, Any], way: str
    ) -> None:
        request = way == REQUEST
        old_props, new_props = old.get("properties", {}), new.get("properties", {})
        old_required = set(old.get("required", []))
        new_required = set(new.get("required", []))
        for name in sorted(old_props.keys() - new_props.keys()):
            self.note(True, where, f"property {name!r} removed")
        for name in sorted(new_props.keys() - old_props.keys()):
            required = request and name in new_required
            what = f"property {name!r} added" + (", required" * required)
            self.note(required, where, what)
        for name in sorted(old_props.keys() & new_props.keys()):
            if request and name in new_required - old_required:
                self.note(True, where, f"property {name!r} became required")
            if not request and name in old_required - new_required:
                self.note(True, where, f"property {name!r} no longer always sent")
            self.schema(f"{where}.{name}", old_props[name], new_props[name], way)
        old_extra, new_extra = (
            old.get("additionalProperties"),
            new.get("additionalProperties"),
        )
        if request and old_extra is not False and new_extra is False:
            self.note(True, where, "unknown properties now refused")
        if isinstance(old_extra, dict) and isinstance(new_extra, dict):
            self.schema(f"{where}.*", old_extra, new_extra, way)
        if "propertyNames" in old or "propertyNames" in new:
            self.schema(
                f"{where} names",
                {"type": "string", **old.get("propertyNames", {})},
                {"type": "string", **new.get("propertyNames", {})},
                way,
            )


def resolve(document: dict[str, Any], node: Any) -> Any:
    """Follow local ``$ref``s (``#/components/...``) to what they point at."""
    seen = set()
    while isinstance(node, dict) and "$ref" in node:
        ref = node["$ref"]
        if ref in seen or not ref.startswith("#/"):
            break
        seen.add(ref)
        target: Any = document
        for part in ref[2:].split("/"):
            target = target[part.replace("~1", "/").replace("~0", "~")]
        node = target
    return node


def branches(document: dict[str, Any], schema: Any) -> dict[str, dict[str, Any]]:
    """A schema as one branch per JSON type it allows (anyOf/oneOf flattened)."""
    schema = resolve(document, schema)
    if schema is True or schema == {} or not isinstance(schema, dict):
        return {"any": {}}
    found: dict[str, dict[str, Any]] = {}
    for word in ("anyOf", "oneOf"):
        for branch in schema.get(word, []):
            found.update(branches(document, branch))
    if word_types := schema.get("type"):
        kinds = [word_types] if isinstance(word_types, str) else word_types
        found.update(dict.fromkeys(kinds, schema))
    elif (values := _enum(schema)) is not None:
        found.update({_json_type(value): schema for value in values})
    elif not found:
        found["any"] = schema
    return found


def _enum(schema: dict[str, Any]) -> set[Any] | None:
    if "const" in schema:
        return {_hashable(schema["const"])}
    if "enum" in schema:
        return {_hashable(value) for value in schema["enum"]}
    return None


def _hashable(value: Any) -> Any:
    return repr(value) if isinstance(value, dict | list) else value


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string"}
    return "null" if value is None else names.get(type(value), "object")


def _covered(kind: str, others: dict[str, Any]) -> bool:
    """``integer`` fits in ``number``; anything fits in a schema without a type."""
    return "any" in others or (kind == "integer" and "number" in others)


def _ref(schema: Any) -> str:
    return schema.get("$ref", "") if isinstance(schema, dict) else ""


def compare(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Every change from ``old`` to ``new`` that a client could notice."""
    return Diff(old, new).run()


def breaking(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    return [change for change in compare(old, new) if change.breaking]
