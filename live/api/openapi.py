"""The OpenAPI 3.1 document, built from the declared routes and their pydantic schemas."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel

from live import __version__
from live.api.routing import PUBLIC, ApiEndpoint

ERROR_SCHEMA = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "details": {"type": "object"},
            },
        }
    },
}
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")


def _schema(model: type[BaseModel], components: dict[str, Any]) -> dict[str, Any]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    components[model.__name__] = schema
    return {"$ref": f"#/components/schemas/{model.__name__}"}


def _not_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is left out, never null: `X | None = None` is just X, not required."""
    branches = prop.get("anyOf")
    if not branches or {"type": "null"} not in branches:
        return prop
    rest = [b for b in branches if b != {"type": "null"}]
    outer = {k: v for k, v in prop.items() if k != "anyOf" and not (k == "default" and v is None)}
    return {**outer, **rest[0]} if len(rest) == 1 else {**outer, "anyOf": rest}


def _query_params(model: type[BaseModel], components: dict[str, Any]) -> list[dict[str, Any]]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    # Enums and other named types go to components, where the $refs point.
    for name, sub in schema.pop("$defs", {}).items():
        components[name] = sub
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": _not_null(prop)}
        for name, prop in schema.get("properties", {}).items()
    ]


def openapi_document(endpoints: list[ApiEndpoint]) -> dict[str, Any]:
    components: dict[str, Any] = {"Error": ERROR_SCHEMA}
    paths: dict[str, dict[str, Any]] = {}
    error_ref = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for e in endpoints:
        path = _PARAM.sub(lambda m: "{" + m.group(1) + "}", e.path)
        params: list[dict[str, Any]] = [
            {
                "name": m.group(1),
                "in": "path",
                "required": True,
                "schema": {"type": "integer", "minimum": 1}
                if m.group(2) == "int"
                else {"type": "string"},
            }
            for m in _PARAM.finditer(e.path)
        ]
        if e.query is not None:
            params += _query_params(e.query, components)
        responses: dict[str, Any] = {
            "400": {"description": "bad request", "content": error_ref},
            "404": {"description": "not found", "content": error_ref},
            "422": {"description": "invalid input, naming the field", "content": error_ref},
        }
        ok: dict[str, Any] = {"description": "success"}
        if e.status != 204:
            schema = _schema(e.response, components) if e.response else {}
            ok["content"] = {e.produces: {"schema": schema}}
        responses[str(e.status)] = ok
        op: dict[str, Any] = {
            "operationId": e.handler.__name__,
            "summary": e.summary,
            "tags": [e.tag],
            "parameters": params,
            "responses": responses,
        }
        if e.access != PUBLIC:
            op["security"] = [{"bearer": []}]
            op["x-roles"] = sorted(str(r) for r in e.access)
            responses["401"] = {"description": "missing or bad token", "content": error_ref}
            responses["403"] = {"description": "role not allowed", "content": error_ref}
        if e.method != "GET":
            responses["409"] = {"description": "conflicts, each named", "content": error_ref}
        if e.body_kind != "none":
            limit = f"SIEULIVE_MAX_{e.limit.upper()}_BYTES"
            responses["413"] = {"description": f"body over {limit}", "content": error_ref}
            responses["415"] = {"description": "wrong content type", "content": error_ref}
        for status, why in e.errors.items():
            responses[status] = {"description": why, "content": error_ref}
        if e.body is not None:
            op["requestBody"] = {
                "required": True,
                "content": {"application/json": {"schema": _schema(e.body, components)}},
            }
        elif e.body_kind == "upload":
            op["requestBody"] = {
                "required": True,
                "content": {
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {"file": {"type": "string", "format": "binary"}},
                        }
                    }
                },
            }
        paths.setdefault(path, {})[e.method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "sieulive", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
