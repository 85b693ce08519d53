"""The Starlette application: API, pages and health checks, all declared with their access."""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from redis import ConnectionError as RedisConnectionError
from redis import Redis
from redis import TimeoutError as RedisTimeoutError
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from live import monitoring, redis_conn
from live.access.roles import PRODUCERS
from live.access.routes import router as access_router
from live.access.service import token_authenticator
from live.api.observe import RequestObserver, request_id_of
from live.api.openapi import openapi_document
from live.api.routing import PUBLIC, ApiResponse, ApiRouter, api_routes
from live.assembly import assemble
from live.catalog.routes import router as catalog_router
from live.db import Database
from live.errors import DomainError
from live.hub.api import stats_router
from live.hub.channels import Channels
from live.hub.hub import CaptureServerSend, Hub
from live.hub.publish import RedisPublisher
from live.hub.static import OverlayFiles, overlays_dir
from live.imports.routes import router as imports_router
from live.metrics import count_backend_error, process_exited
from live.monitoring import worker_check
from live.sales import sockets as sales_sockets
from live.sales.pipeline import snapshots
from live.sales.routes import router as sales_router
from live.sales.webhooks import router as webhooks_router
from live.schedule.routes import router as schedule_router
from live.settings import Settings, load_settings
from live.shops.receiving import router as shop_push_router
from live.shops.routes import router as shops_router
from live.shows import autoadvance
from live.shows import sockets as show_sockets
from live.shows.routes import router as shows_router
from live.studios import sockets as studio_sockets
from live.studios.routes import router as studios_router

log = logging.getLogger("sieulive")

API_ROUTERS: list[ApiRouter] = [
    catalog_router,
    schedule_router,
    access_router,
    shows_router,
    stats_router(PRODUCERS),
    imports_router,
    webhooks_router,
    sales_router,
    studios_router,
    shops_router,
    shop_push_router,
]


def public(endpoint: Any) -> Any:
    endpoint.access = PUBLIC
    return endpoint


@public
async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


@public
async def readyz(request: Request) -> Response:
    """Ready when the database and Redis both answer and a worker was seen lately; each
    check says why not."""
    checks: dict[str, str] = {}

    def ping_db() -> None:
        with request.app.state.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    try:
        await run_in_threadpool(ping_db)
        checks["database"] = "ok"
    except Exception as exc:  # readiness reports every failure rather than raising
        count_backend_error(exc, "readyz")
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        await run_in_threadpool(request.app.state.redis.ping)
        checks["redis"] = "ok"
    except Exception as exc:
        count_backend_error(exc, "readyz")
        checks["redis"] = f"error: {type(exc).__name__}"
    else:
        checks["workers"] = await run_in_threadpool(
            worker_check, request.app.state.redis, request.app.state.settings
        )
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503
    )


@public
async def openapi(request: Request) -> Response:
    return ApiResponse(request.app.state.openapi)


async def domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    # Platforms and clients back off by Retry-After before trying again: a full order inbox
    # drains within a second, an unavailable service takes longer.
    retry_after = {429: "1", 503: "5"}.get(exc.status_code)
    headers = {"Retry-After": retry_after} if retry_after else None
    return ApiResponse(
        with_request_id(request, exc.as_body()), status_code=exc.status_code, headers=headers
    )


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    codes = {404: "not_found", 405: "method_not_allowed"}
    body = {
        "error": {
            "code": codes.get(exc.status_code, "http_error"),
            "message": exc.detail,
            "details": {"path": request.url.path},
        }
    }
    return ApiResponse(
        with_request_id(request, body), status_code=exc.status_code, headers=exc.headers
    )


# A backend that can't be reached or didn't answer in time: the request may well succeed
# in a moment, so it is a 503 naming which one (and when to retry), not a 500. Handlers for
# these classes run in Starlette's ExceptionMiddleware, which answers without re-raising.
UNAVAILABLE: dict[type[Exception], str] = {
    RedisConnectionError: "redis",
    RedisTimeoutError: "redis",
    OperationalError: "database",
}


async def backend_unavailable(request: Request, exc: Exception) -> Response:
    count_backend_error(exc, "request")
    backend = next(name for kind, name in UNAVAILABLE.items() if isinstance(exc, kind))
    log.warning("%s unavailable on %s %s: %s", backend, request.method, request.url.path, exc)
    body = {
        "error": {
            "code": "backend_unavailable",
            "message": f"{backend} is not answering; try again shortly",
            "details": {"backend": backend},
        }
    }
    return ApiResponse(
        with_request_id(request, body), status_code=503, headers={"Retry-After": "5"}
    )


async def server_error(request: Request, exc: Exception) -> Response:
    count_backend_error(exc, "request")
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    body = {"error": {"code": "internal", "message": "internal server error", "details": {}}}
    return ApiResponse(with_request_id(request, body), status_code=500)


def with_request_id(request: Request, body: dict[str, Any]) -> dict[str, Any]:
    """Every error answer names its request: the id to find its log lines by."""
    request_id = request_id_of(request.scope)
    if request_id and isinstance(body.get("error"), dict):
        body["error"]["request_id"] = request_id
    return body


def channel_states(db: Database, redis: Redis) -> Channels:
    """Each area's channels and how the hub reads their whole state."""
    channels = Channels()
    show_sockets.register_channel(channels, db)
    sales_sockets.register_channel(channels, db, redis)
    studio_sockets.register_channel(channels, db)
    return channels


def build_routes(settings: Settings) -> list[BaseRoute]:
    from live.pages.routes import routes as page_routes

    # Websockets first: the router tries routes in order, and after a restart thousands of
    # overlays reconnect at once; each would otherwise be tried against every API route.
    routes: list[BaseRoute] = show_sockets.routes() + sales_sockets.routes()
    routes += studio_sockets.routes()
    routes += [
        Route("/healthz", healthz, methods=["GET"]),
        Route("/readyz", readyz, methods=["GET"]),
        Route("/openapi.json", openapi, methods=["GET"]),
        Route("/metrics", public(monitoring.metrics), methods=["GET"]),
    ]
    # All routers at once: a 405's Allow names every method of the path, whatever the router.
    routes += api_routes(API_ROUTERS)
    overlays = OverlayFiles(directory=overlays_dir(settings.overlays_dir))
    routes.append(Mount("/overlays", app=overlays, name="overlays"))
    routes += page_routes()
    return routes


def create_app(settings: Settings | None = None) -> Starlette:
    settings = settings or load_settings()
    assemble()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        app.state.settings = settings
        app.state.db = Database(settings)
        # Who is calling, for API routing, pages and websockets: found by the access area.
        app.state.authenticator = token_authenticator(app.state.db)
        redis_url = redis_conn.resolve_url(settings)
        app.state.redis = redis_conn.connect(
            settings.with_overrides(redis_url=redis_url), timeout=settings.redis_timeout_seconds
        )
        app.state.aredis = redis_conn.connect_async(redis_url)
        app.state.openapi = openapi_document([e for r in API_ROUTERS for e in r.endpoints])
        app.state.hub = hub = Hub(
            app.state.aredis,
            channel_states(app.state.db, app.state.redis),
            naive=settings.hub_mode == "naive",
        )
        app.state.overlay_tokens = show_sockets.OverlayTokens(app.state.db)
        hub.on_message.append(show_sockets.revoke_overlays(hub, app.state.overlay_tokens))
        hub.on_message.append(studio_sockets.revoke_bridges(hub))
        await hub.start()
        # Everything built so far (modules, the app, SQLAlchemy's mappers) lives as long as the
        # process: out of the collector's sight, a full collection no longer walks it. Under a
        # reconnect storm these walks were most of the CPU a connection cost.
        gc.collect()
        gc.freeze()
        # Young collections every 50,000 new objects (short-lived ones die before a pass sees
        # them); the middle generation collected every 2nd of those, not every 20th: its pass
        # walks what survived since, and after 20 passes of a storm that was 1M objects — a
        # 375 ms stop of the event loop. Full collections as rarely as before (every 2,000th).
        gc.set_threshold(50_000, 2, 1000)
        publisher = RedisPublisher(app.state.redis)
        background = [
            asyncio.create_task(autoadvance.run_forever(app.state.db, publisher)),
            asyncio.create_task(
                snapshots.run_forever(app.state.db, app.state.redis, publisher, hub.epoch)
            ),
        ]
        try:
            yield
        finally:
            for task in background:
                task.cancel()
            # A tick already running in a worker thread finishes before the DB goes away.
            await asyncio.gather(*background, return_exceptions=True)
            await hub.stop()
            await app.state.aredis.aclose()
            app.state.redis.close()
            app.state.db.dispose()
            process_exited(settings.metrics_dir)

    app = Starlette(
        routes=build_routes(settings),
        lifespan=lifespan,
        # CaptureServerSend first: it must see uvicorn's own `send` (see live/hub/hub.py).
        middleware=[Middleware(CaptureServerSend), Middleware(RequestObserver)],
        exception_handlers={
            DomainError: domain_error,
            HTTPException: http_error,
            **dict.fromkeys(UNAVAILABLE, backend_unavailable),
            Exception: server_error,
        },
    )
    return app
