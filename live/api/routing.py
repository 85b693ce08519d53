"""Declaring API routes: each one names who may call it, its query and body schemas.

The declared access is kept on the Starlette endpoint (`endpoint.access`), so a test can walk
every route of the app and check it against the policy: a route without one fails the suite.

Routing knows no area: roles are plain strings here, and who is calling is found by the
authenticator the app registers at assembly (`app.state.authenticator`, see `live/app.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from live import jsontext
from live.api.cookies import COOKIE, check_cookie_call
from live.api.fields import MAX_INT
from live.api.jsonparse import parse_json
from live.db import Database
from live.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)
from live.settings import Settings

Access = frozenset[str] | Literal["public"]
PUBLIC: Literal["public"] = "public"


class Caller(Protocol):
    """Who is calling, as far as routing needs to know: the role a route's access names."""

    @property
    def role(self) -> str: ...


# Finds who holds a token; raises Unauthorized for a missing, unknown or revoked one. Blocking
# (it reads the database): run in a thread.
Authenticator = Callable[[str | None], Caller]
CallerT = TypeVar("CallerT", bound=Caller)


class ApiResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        try:
            return jsontext.dumps(content).encode()
        except UnicodeEncodeError:
            # A lone surrogate echoed back (a bad field's name): \u-escaped JSON still encodes.
            return jsontext.dumps_ascii(content).encode()


@dataclass
class RequestCtx(Generic[CallerT]):
    """What a handler gets besides its inputs: the caller and the process's resources.

    The caller's type is the authenticator's: areas name it (`live.access.roles.Ctx`)."""

    request: Request
    principal: CallerT | None

    @property
    def db(self) -> Database:
        db: Database = self.request.app.state.db
        return db

    @property
    def settings(self) -> Settings:
        settings: Settings = self.request.app.state.settings
        return settings

    @property
    def public_url(self) -> str:
        """Where links handed out in answers point (see `public_base`)."""
        return public_base(self.request)

    @property
    def me(self) -> CallerT:
        assert self.principal is not None, "route is public"
        return self.principal


@dataclass
class ApiEndpoint:
    method: str
    path: str
    handler: Callable[..., Any]
    access: Access
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    status: int = 200
    response: type[BaseModel] | None = None
    # "json" bodies are validated against `body`; "upload" handlers read the request themselves.
    body_kind: Literal["json", "upload", "none"] = "none"
    # The setting that bounds the body while it is read: SIEULIVE_MAX_BODY_BYTES (1 MB) or, for
    # files, SIEULIVE_MAX_UPLOAD_BYTES (20 MB). Reading stops at the limit: 413.
    limit: Literal["body", "upload"] = "body"
    produces: str = "application/json"
    # Answers beyond the usual ones, documented in the OpenAPI: {"429": "why"}.
    errors: dict[str, str] = field(default_factory=dict)


@dataclass
class ApiRouter:
    tag: str
    endpoints: list[ApiEndpoint] = field(default_factory=list)

    def route(
        self,
        method: str,
        path: str,
        *,
        access: Access,
        summary: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        status: int = 200,
        response: type[BaseModel] | None = None,
        upload: bool = False,
        limit: Literal["body", "upload"] | None = None,
        produces: str = "application/json",
        errors: dict[str, str] | None = None,
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        """`upload=True`: the handler gets the raw body as `upload`, read up to the upload
        limit unless `limit="body"` (a raw body that isn't a file, such as a webhook's)."""

        def register(handler: Callable[..., Any]) -> Callable[..., Any]:
            self.endpoints.append(
                ApiEndpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    access=access,
                    summary=summary,
                    tag=self.tag,
                    body=body,
                    query=query,
                    status=status,
                    response=response,
                    body_kind="upload" if upload else ("json" if body else "none"),
                    limit=limit or ("upload" if upload else "body"),
                    produces=produces,
                    errors=errors or {},
                )
            )
            return handler

        return register

    def routes(self) -> list[Route]:
        return [Route(e.path, make_endpoint(e), methods=[e.method]) for e in self.endpoints]


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


async def identify(
    request: Request, access: Access, token: str | None, action: str = "do this"
) -> Caller | None:
    """401 without a valid token, 403 when the token's role may not call the route."""
    if access == PUBLIC:
        return None
    authenticate: Authenticator = request.app.state.authenticator
    principal = await run_in_threadpool(authenticate, token)
    role = str(principal.role)
    if role not in access:
        raise Forbidden(
            f"the {role} role may not {action}",
            details={"role": role, "allowed": sorted(str(r) for r in access)},
        )
    return principal


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"the body is over {limit} bytes", details={"limit": limit})
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise PayloadTooLarge(f"the body is over {limit} bytes", details={"limit": limit})
        chunks.append(chunk)
    return b"".join(chunks)


def body_limit(request: Request, spec: ApiEndpoint) -> int:
    settings: Settings = request.app.state.settings
    return settings.max_upload_bytes if spec.limit == "upload" else settings.max_body_bytes


def validation_fields(exc: ValidationError, prefix: str = "") -> list[dict[str, Any]]:
    fields = []
    for err in exc.errors(include_url=False, include_input=False):
        loc = ".".join(str(p) for p in err["loc"]) or "body"
        fields.append({"field": prefix + loc, "message": err["msg"]})
    return fields


async def parse_json_body(request: Request, model: type[BaseModel]) -> BaseModel:
    content_type = request.headers.get("content-type", "")
    if content_type and "json" not in content_type.split(";")[0].lower():
        raise UnsupportedMediaType("send JSON: Content-Type: application/json")
    raw = await read_body(request, request.app.state.settings.max_body_bytes)
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise ValidationFailed.one("body", "must be a JSON object")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ValidationFailed(validation_fields(exc)) from exc
    except RecursionError as exc:
        raise BadRequest("the body is nested too deeply", code="malformed_json") from exc


def parse_query(request: Request, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise ValidationFailed(validation_fields(exc, "query.")) from exc


def request_token(request: Request, access: Access) -> str | None:
    """The caller's token: `Authorization: Bearer`, else the page cookie — the pages' scripts
    hold no token — checked against other sites' forgeries (`live/api/cookies.py`)."""
    token = bearer_token(request)
    if token is not None or access == PUBLIC:
        return token
    cookie = request.cookies.get(COOKIE)
    if cookie:
        settings: Settings = request.app.state.settings
        check_cookie_call(request.method, request.headers, cookie, settings.public_url)
    return cookie


def public_base(request: Request) -> str:
    """The address links handed out start with: the configured public URL, else the one the
    reader used to reach this server (the host and port it listens on, as the browser, OBS
    or a calendar app addressed it)."""
    settings: Settings = request.app.state.settings
    if settings.public_url:
        return settings.public_url
    return f"{request.url.scheme}://{request.url.netloc}"


def make_endpoint(spec: ApiEndpoint) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        principal = await identify(request, spec.access, request_token(request, spec.access))
        kwargs: dict[str, Any] = dict(request.path_params)
        for name, value in kwargs.items():
            if isinstance(value, int) and value > MAX_INT:
                raise NotFound(name.removesuffix("_id"), value)
        if spec.query is not None:
            kwargs["query"] = parse_query(request, spec.query)
        if spec.body_kind == "json" and spec.body is not None:
            kwargs["body"] = await parse_json_body(request, spec.body)
        elif spec.body_kind == "upload":
            kwargs["upload"] = await read_body(request, body_limit(request, spec))
        ctx = RequestCtx(request=request, principal=principal)
        try:
            result = await run_in_threadpool(spec.handler, ctx, **kwargs)
        except IntegrityError as exc:
            # Services check what they can and name the field; a constraint the database still
            # enforces (a concurrent writer got there first) is a conflict, not a crash.
            raise Conflict(
                "the change conflicts with data saved meanwhile; reload and try again",
                code="integrity",
            ) from exc
        if isinstance(result, Response):
            return result
        if spec.status == 204:
            return Response(status_code=204)
        return ApiResponse(result, status_code=spec.status)

    endpoint.access = spec.access  # type: ignore[attr-defined]
    endpoint.spec = spec  # type: ignore[attr-defined]
    endpoint.__name__ = spec.handler.__name__
    return endpoint
