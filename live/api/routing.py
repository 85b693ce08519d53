"""Declaring API routes: who may call each one, and the types of what it takes and answers.

A handler's annotations are its declaration: `body: SupplierPatch` is the JSON body it takes,
`query: SupplierQuery` its query string, its return type (`-> SupplierOut`) the answer. Routing
validates the body and query against them before the handler runs, and shapes and validates
what the handler returns through the response model, so the OpenAPI document built from the
same types (`live/api/openapi.py`) is what the API does, and mypy checks the handler's body
against them. `body=`, `query=` and `response=` may still be passed to `route()`; a test checks
they agree with the annotations (tests/api/test_routing.py).

The declared access is kept on the Starlette endpoint (`endpoint.access`), so a test can walk
every route of the app and check it against the policy: a route without one fails the suite.

Routing knows no area: roles are plain strings here, and who is calling is found by the
authenticator the app registers at assembly (`app.state.authenticator`, see `live/app.py`).
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, Protocol, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy.exc import IntegrityError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Receive, Scope, Send

from live import jsontext
from live.api.cookies import COOKIE, check_cookie_call
from live.api.fields import MAX_INT, RULE
from live.api.jsonparse import parse_json
from live.db import Database
from live.errors import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    RuleBroken,
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
Handler = TypeVar("Handler", bound=Callable[..., Any])

JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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
    # What the answer carries besides its body: a handler may set another success status it
    # declared (`other_success`), e.g. 200 for "already there" on a 201 route, and headers.
    status: int | None = field(default=None, kw_only=True)
    headers: dict[str, str] = field(default_factory=dict, kw_only=True)

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
    # What a success answers, validated on the way out; None: no body (204) or undeclared.
    response: type[BaseModel] | None = None
    # "json" bodies are validated against `body`; "upload" handlers read the request themselves.
    body_kind: Literal["json", "upload", "none"] = "none"
    # The setting that bounds the body while it is read: SIEULIVE_MAX_BODY_BYTES (1 MB) or, for
    # files, SIEULIVE_MAX_UPLOAD_BYTES (20 MB). Reading stops at the limit: 413.
    limit: Literal["body", "upload"] = "body"
    # The content types a success answers with: JSON (the response model) and, for exports,
    # CSV or XLSX files the handler returns as a Response.
    produces: tuple[str, ...] = (JSON,)
    # Answers beyond the usual ones, documented in the OpenAPI: {"429": "why"}.
    errors: dict[str, str] = field(default_factory=dict)
    # Other success statuses the handler may answer with (`ctx.status`): {200: "why"}.
    other_success: dict[int, str] = field(default_factory=dict)


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
        produces: str | tuple[str, ...] = JSON,
        errors: dict[str, str] | None = None,
        other_success: dict[int, str] | None = None,
    ) -> Callable[[Handler], Handler]:
        """Declare `handler` as the route. Its `body`, `query` and return annotations declare
        what it takes and answers (the keyword arguments of the same names, if given, win).

        `upload=True`: the handler gets the raw body as `upload`, read up to the upload limit
        unless `limit="body"` (a raw body that isn't a file, such as a webhook's)."""

        def register(handler: Handler) -> Handler:
            declared = annotated(handler)
            body_model = body or declared.body
            self.endpoints.append(
                ApiEndpoint(
                    method=method,
                    path=path,
                    handler=handler,
                    access=access,
                    summary=summary,
                    tag=self.tag,
                    body=body_model,
                    query=query or declared.query,
                    status=status,
                    response=response or declared.response,
                    body_kind="upload" if upload else ("json" if body_model else "none"),
                    limit=limit or ("upload" if upload else "body"),
                    produces=(produces,) if isinstance(produces, str) else tuple(produces),
                    errors=errors or {},
                    other_success=other_success or {},
                )
            )
            return handler

        return register

    def routes(self) -> list[Route]:
        return api_routes([self])


@dataclass(frozen=True)
class Declared:
    """What a handler's annotations declare: its body, query and response models."""

    body: type[BaseModel] | None
    query: type[BaseModel] | None
    response: type[BaseModel] | None


def _model(hint: Any) -> type[BaseModel] | None:
    """The pydantic model in a hint: `M`, or the one model of a union such as `M | Response`
    (a handler that answers JSON or a file)."""
    if isinstance(hint, type) and issubclass(hint, BaseModel):
        return hint
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        models = [m for m in map(_model, typing.get_args(hint)) if m is not None]
        return models[0] if len(models) == 1 else None
    return None


def annotated(handler: Callable[..., Any]) -> Declared:
    hints = typing.get_type_hints(handler)
    return Declared(
        body=_model(hints.get("body")),
        query=_model(hints.get("query")),
        response=_model(hints.get("return")),
    )


class ApiRoute(Route):
    """One method of a path. A method the path doesn't take is a 405 whose `Allow` names every
    method of the path (Starlette's own names only this route's, e.g. `GET, HEAD` on a path
    that also takes POST)."""

    allow: tuple[str, ...] = ()

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.methods and scope["method"] not in self.methods and self.allow:
            raise HTTPException(status_code=405, headers={"Allow": ", ".join(self.allow)})
        await super().handle(scope, receive, send)


def api_routes(routers: Iterable[ApiRouter]) -> list[Route]:
    """The Starlette routes of every endpoint of `routers`, each knowing its path's methods."""
    endpoints = [e for router in routers for e in router.endpoints]
    methods: dict[str, set[str]] = {}
    for e in endpoints:
        methods.setdefault(e.path, set()).add(e.method)
    routes: list[Route] = []
    for e in endpoints:
        route = ApiRoute(e.path, make_endpoint(e), methods=[e.method])
        allowed = methods[e.path] | ({"HEAD"} if "GET" in methods[e.path] else set())
        route.allow = tuple(sorted(allowed))
        routes.append(route)
    return routes


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
    return await run_in_threadpool(identified, request, access, token, action)


def identified(
    request: Request, access: Access, token: str | None, action: str = "do this"
) -> Caller | None:
    """`identify`, blocking (it reads the DB): for code already in a worker thread."""
    if access == PUBLIC:
        return None
    authenticate: Authenticator = request.app.state.authenticator
    principal = authenticate(token)
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


def validation_failed(exc: ValidationError, prefix: str = "") -> ValidationFailed:
    """The 422 for `exc`: `RuleBroken` when every error is a rule between fields, which no
    JSON Schema states; `ValidationFailed` when some field breaks its documented schema."""
    fields = validation_fields(exc, prefix)
    if all(err["type"] == RULE for err in exc.errors(include_url=False, include_input=False)):
        return RuleBroken(fields)
    return ValidationFailed(fields)


def integral(data: Any) -> Any:
    """`data` with every number that has no fraction (5.0, 1e3) as an int."""
    if isinstance(data, float) and data.is_integer():
        return int(data)
    if isinstance(data, dict):
        return {k: integral(v) for k, v in data.items()}
    if isinstance(data, list):
        return [integral(v) for v in data]
    return data


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def surrogate_at(data: Any, path: str = "") -> str | None:
    """Where a lone surrogate (JSON's "\ud800", not text) is in `data`: its dotted path.
    Bodies are at most `MAX_DEPTH` deep (the parser checked), so recursing is safe."""
    if isinstance(data, str):
        return path or "body" if _SURROGATE.search(data) else None
    items: Iterable[tuple[Any, Any]] = ()
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    for key, value in items:
        where = f"{path}.{key}" if path else str(key)
        if isinstance(key, str) and _SURROGATE.search(key):
            return where
        found = surrogate_at(value, where)
        if found is not None:
            return found
    return None


async def parse_json_body(request: Request, model: type[BaseModel]) -> BaseModel:
    check_json_type(request)
    raw = await read_body(request, request.app.state.settings.max_body_bytes)
    return json_body(raw, model)


def check_json_type(request: Request) -> None:
    content_type = request.headers.get("content-type", "")
    if content_type and "json" not in content_type.split(";")[0].lower():
        raise UnsupportedMediaType("send JSON: Content-Type: application/json")


def json_body(raw: bytes, model: type[BaseModel]) -> BaseModel:
    """A JSON body as `model`, or the 400/422 that says what is wrong with it."""
    # Our parser first: depth, number size and NaN are a 400 before pydantic sees the text.
    data = parse_json(raw)
    if not isinstance(data, dict):
        raise ValidationFailed.one("body", "must be a JSON object")
    where = surrogate_at(data)
    if where is not None:
        # pydantic's JSON parser refuses the whole body; name the field instead.
        raise ValidationFailed.one(where, "must be valid Unicode text (a lone surrogate was sent)")
    try:
        # Strict JSON, as the document says: a number is a number, not "5" or true; 5.0 is
        # the integer 5 (JSON Schema's reading), so integral numbers are made ints first.
        text = jsontext.dumps(integral(data), compact=True)
        return model.model_validate_json(text, strict=True)
    except ValidationError as exc:
        raise validation_failed(exc) from exc
    except RecursionError as exc:
        raise BadRequest("the body is nested too deeply", code="malformed_json") from exc


def parse_query(request: Request, model: type[BaseModel]) -> BaseModel:
    try:
        return model.model_validate(dict(request.query_params))
    except ValidationError as exc:
        raise validation_failed(exc, "query.") from exc


def shaped(spec: ApiEndpoint, result: Any) -> Any:
    """What the handler returned, through the declared response model: the answer has the
    model's fields and nothing else, and a value that doesn't fit fails here, loudly (a 500
    and a log line naming the route) instead of reaching clients as something the document
    doesn't promise."""
    model = spec.response
    if model is None:
        return result
    if not isinstance(result, model):
        result = model.model_validate(result, from_attributes=True)
    return result.model_dump(mode="json", by_alias=True)


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
    json = spec.body_kind == "json" and spec.body is not None

    async def endpoint(request: Request) -> Response:
        token = request_token(request, spec.access)
        # Who calls and what the route does run in one trip to a worker thread: each trip
        # back waits its turn on the event loop, the turns a producer's command waits for
        # while thousands of overlays reconnect. So a JSON body (at most `max_body_bytes`) is
        # read first, and every check still answers in its order: a bad token is a 401 before
        # a body is found too big, of the wrong type or malformed.
        raw, unread, known, principal = b"", None, False, None
        if json:
            try:
                raw = await read_body(request, request.app.state.settings.max_body_bytes)
            except PayloadTooLarge as exc:
                unread = exc
        elif spec.body_kind == "upload":
            # Uploads are big: read only for a caller known to be allowed.
            principal, known = await identify(request, spec.access, token), True
            raw = await read_body(request, body_limit(request, spec))

        def run() -> tuple[RequestCtx[Any], Any]:
            caller = principal if known else identified(request, spec.access, token)
            kwargs: dict[str, Any] = dict(request.path_params)
            for name, value in kwargs.items():
                if isinstance(value, int) and value > MAX_INT:
                    raise NotFound(name.removesuffix("_id"), value)
            if spec.query is not None:
                kwargs["query"] = parse_query(request, spec.query)
            if json:
                check_json_type(request)
                if unread is not None:
                    raise unread
                assert spec.body is not None
                kwargs["body"] = json_body(raw, spec.body)
            elif spec.body_kind == "upload":
                kwargs["upload"] = raw
            ctx = RequestCtx(request=request, principal=caller)
            return ctx, spec.handler(ctx, **kwargs)

        try:
            ctx, result = await run_in_threadpool(run)
        except IntegrityError as exc:
            # Services check what they can and name the field; a constraint the database still
            # enforces (a concurrent writer got there first) is a conflict, not a crash.
            raise Conflict(
                "the change conflicts with data saved meanwhile; reload and try again",
                code="integrity",
            ) from exc
        if isinstance(result, Response):
            return result
        status = ctx.status or spec.status
        if status == 204:
            return Response(status_code=204, headers=ctx.headers)
        return ApiResponse(shaped(spec, result), status_code=status, headers=ctx.headers)

    endpoint.access = spec.access  # type: ignore[attr-defined]
    endpoint.spec = spec  # type: ignore[attr-defined]
    endpoint.__name__ = spec.handler.__name__
    return endpoint
