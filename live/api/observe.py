"""Every HTTP request gets an id, a log line and its metrics, in one ASGI middleware.

The id is the caller's `X-Request-ID` when it looks like one (a load balancer's), else a new
one; it is bound to every log line of the request (`live.logs.log_context`), answered in the
`X-Request-ID` header and written into error bodies, so a retailer's screenshot of an error
finds its lines. The line names the path without its query string (links carry tokens).
Metrics are labelled by the route's template, never the raw path, so ids don't explode them.
Websockets get the id and the log context; their figures are the hub's.
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from typing import Any

from live.logs import log_context
from live.metrics import HTTP_REQUESTS, HTTP_SECONDS

log = logging.getLogger("sieulive.http")
REQUEST_ID_HEADER = "x-request-id"
_GOOD_ID = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")
# Probes and scrapes every few seconds are not news; their lines are logged at DEBUG.
QUIET = frozenset({"/healthz", "/readyz", "/metrics"})


def new_request_id() -> str:
    return secrets.token_hex(8)


def request_id_of(scope: Any) -> str | None:
    state = scope.get("state") or {}
    value = state.get("request_id")
    return str(value) if value else None


def _route_template(scope: Any) -> str:
    route = scope.get("route")
    path = getattr(route, "path", None)
    return str(path) if path else "unmatched"


class RequestObserver:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(REQUEST_ID_HEADER.encode(), b"")
        given = incoming.decode("latin-1")
        request_id = given if _GOOD_ID.match(given) else new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        if scope["type"] == "websocket":
            with log_context(request_id=request_id):
                await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def answer(message: Any) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers") or [])
                headers.append((REQUEST_ID_HEADER.encode(), request_id.encode()))
                message = {**message, "headers": headers}
            await send(message)

        with log_context(request_id=request_id):
            try:
                await self.app(scope, receive, answer)
            finally:
                seconds = time.perf_counter() - started
                method, route = scope["method"], _route_template(scope)
                HTTP_REQUESTS.labels(method, route, str(status)).inc()
                HTTP_SECONDS.labels(method, route).observe(seconds)
                level = logging.DEBUG if scope["path"] in QUIET else logging.INFO
                log.log(level, "%s %s %d %.1f ms", method, scope["path"], status, seconds * 1000)
