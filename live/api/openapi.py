"""The OpenAPI 3.1 document, built from the declared routes and their pydantic schemas.

Everything a route enforces is stated here, because it is built from the very types routing
validates with: bodies and queries in pydantic's "validation" mode, answers in its
"serialization" mode (what `model_dump` writes). Every status a route may answer is listed
with its content type: the success (JSON, or CSV/XLSX for exports) and the errors, all in the
one error shape.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from live import __version__
from live.api.routing import CSV, JSON, PUBLIC, XLSX, ApiEndpoint

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
# The files exports answer with: text for CSV, bytes for XLSX.
FILE_SCHEMAS: dict[str, dict[str, Any]] = {
    CSV: {"type": "string"},
    XLSX: {"type": "string", "format": "binary"},
}
_PARAM = re.compile(r"\{(\w+)(?::(\w+))?\}")
REF = "#/components/schemas/{model}"


def _not_null(prop: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is left out, never null: `X | None = None` is just X, not required."""
    branches = prop.get("anyOf")
    if not branches or {"type": "null"} not in branches:
        return prop
    rest = [b for b in branches if b != {"type": "null"}]
    outer = {k: v for k, v in prop.items() if k != "anyOf" and not (k == "default" and v is None)}
    return {**outer, **rest[0]} if len(rest) == 1 else {**outer, "anyOf": rest}


def _models(endpoints: list[ApiEndpoint]) -> list[tuple[type[BaseModel], JsonSchemaMode]]:
    wanted: list[tuple[type[BaseModel], JsonSchemaMode]] = []
    for e in endpoints:
        for model, mode in ((e.body, "validation"), (e.query, "validation")):
            if model is not None:
                wanted.append((model, mode))  # type: ignore[arg-type]
        if e.response is not None:
            wanted.append((e.response, "serialization"))
    return list(dict.fromkeys(wanted))


def _query_params(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", []))
    return [
        {"name": name, "in": "query", "required": name in required, "schema": _not_null(prop)}
        for name, prop in schema.get("properties", {}).items()
    ]


def _error(why: str) -> dict[str, Any]:
    return {
        "description": why,
        "content": {JSON: {"schema": {"$ref": "#/components/schemas/Error"}}},
    }


def _responses(e: ApiEndpoint, schemas: dict[Any, Any]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "400": _error("bad request: malformed JSON, a body nested too deeply"),
        "404": _error("not found: the path's record, or one the request names"),
    }
    if e.query is not None or e.body_kind != "none" or _PARAM.search(e.path):
        responses["422"] = _error("invalid input, naming each field")
    if e.access != PUBLIC:
        responses["401"] = _error("missing, unknown or revoked token")
        responses["403"] = _error("the token's role may not call this, or not on this record")
    if e.method != "GET":
        responses["409"] = _error("conflicts with data saved meanwhile, each named")
    if e.body_kind != "none":
        limit = f"SIEULIVE_MAX_{e.limit.upper()}_BYTES"
        responses["413"] = _error(f"body over {limit}")
        responses["415"] = _error("wrong content type")
    for code, why in e.errors.items():
        responses[code] = _error(why)
    for status in (e.status, *e.other_success):
        ok: dict[str, Any] = {"description": e.other_success.get(status, "success")}
        if status != 204:
            content = {}
            for media in e.produces:
                if media == JSON:
                    schema = schemas[(e.response, "serialization")] if e.response else {}
                    content[media] = {"schema": schema}
                else:
                    content[media] = {"schema": FILE_SCHEMAS.get(media, {"type": "string"})}
            ok["content"] = content
        responses[str(status)] = ok
    return responses


def _request_body(e: ApiEndpoint, schemas: dict[Any, Any]) -> dict[str, Any] | None:
    if e.body is not None:
        return {
            "required": True,
            "content": {JSON: {"schema": schemas[(e.body, "validation")]}},
        }
    if e.body_kind == "upload" and e.limit == "body":
        # A raw body the handler reads itself (a signed webhook): JSON it checks on its own.
        return {"required": True, "content": {JSON: {"schema": {}}}}
    if e.body_kind == "upload":
        return {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {"file": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    return None


def openapi_document(endpoints: list[ApiEndpoint]) -> dict[str, Any]:
    schemas, defs = models_json_schema(_models(endpoints), ref_template=REF)
    components: dict[str, Any] = {"Error": ERROR_SCHEMA, **defs.get("$defs", {})}
    paths: dict[str, dict[str, Any]] = {}
    query_schemas: set[str] = set()
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
            ref = schemas[(e.query, "validation")]["$ref"].rsplit("/", 1)[1]
            # Parameters, not a schema: the model's properties are each a parameter.
            params += _query_params(components[ref])
            query_schemas.add(ref)
        op: dict[str, Any] = {
            "operationId": e.handler.__name__,
            "summary": e.summary,
            "tags": [e.tag],
            "parameters": params,
            "responses": _responses(e, schemas),
        }
        if e.access != PUBLIC:
            op["security"] = [{"bearer": []}]
            op["x-roles"] = sorted(str(r) for r in e.access)
        body = _request_body(e, schemas)
        if body is not None:
            op["requestBody"] = body
        paths.setdefault(path, {})[e.method.lower()] = op
    for ref in query_schemas:
        del components[ref]
    return {
        "openapi": "3.1.0",
        "info": {"title": "sieulive", "version": __version__},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }
