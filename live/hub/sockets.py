"""Serving a websocket on a channel: what every area's websocket endpoint shares.

An area's endpoint (`live/shows/sockets.py`, `live/sales/sockets.py`) checks who connects and to
what, then hands the connection to `serve_channel`: the hub writes the whole state first and
every change after it, and the page registers what it is (presence). Tokens and roles are
checked on connect; a bad one is closed with an explicit code (4401 bad or missing token, 4403
wrong role, 4404 unknown channel). Browsers can't set headers on a websocket, so consoles use
the page cookie or `?token=`, overlays their overlay token.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket

from live.api.fields import MAX_INT
from live.api.routing import Access, Authenticator, Caller
from live.errors import Unauthorized
from live.hub import presence
from live.hub.hub import Client, Hub

COOKIE = "sieulive_token"

# Pings come every 10 s; the producer's list calls a client gone after 60 s of silence. A
# connected overlay that sees no change for a minute is alive: its pings say so, every 20 s.
PRESENCE_REFRESH_S = 20.0


def websocket_access(access: Access) -> Callable[[Any], Any]:
    """Mark a websocket endpoint with who may connect, like the API's routes (`.access`), so
    the route-policy test covers websockets too."""

    def mark(endpoint: Any) -> Any:
        endpoint.access = access
        return endpoint

    return mark


async def reject(websocket: WebSocket, code: int, reason: str) -> None:
    # Accept first: a close code can only be sent on an open websocket.
    await websocket.accept()
    await websocket.close(code=code, reason=reason)


async def caller(websocket: WebSocket) -> Caller | None:
    """Who is connecting, by the token in the URL or the page cookie; None without a valid one.
    Found by the app's authenticator, the one API routing uses."""
    token = websocket.query_params.get("token") or websocket.cookies.get(COOKIE)
    authenticate: Authenticator = websocket.app.state.authenticator
    try:
        return await run_in_threadpool(authenticate, token)
    except Unauthorized:
        return None


async def _registered(client: Client, message: dict[str, Any], hub: Hub, redis: Any) -> None:
    """`hello` registers what the page is; `shown` reports the revision it displays; pings
    refresh the registration now and then."""
    kind = message.get("type")
    if kind == "ping":
        seen = float(client.info.get("at", 0)) if client.info else None
        if seen is not None and time.time() - seen >= PRESENCE_REFRESH_S:
            client.info["at"] = time.time()
            await presence.register(redis, client.channel, client.id, client.info)
        return
    if kind not in ("hello", "shown"):
        return
    for key in ("kind", "name", "version"):
        value = message.get(key)
        if isinstance(value, str):
            client.info[key] = value[:60]
    revision = message.get("revision")
    if isinstance(revision, int):
        client.info["revision"] = revision
    client.info.setdefault("kind", client.role)
    client.info["role"] = client.role
    client.info["user_agent"] = client.websocket.headers.get("user-agent", "")[:120]
    client.info["epoch"] = hub.epoch
    client.info["at"] = time.time()
    await presence.register(redis, client.channel, client.id, client.info)


async def serve_channel(websocket: WebSocket, channel: str, role: str) -> None:
    """Accept the connection and serve `channel` on it until it goes: the whole state first,
    then every change."""
    hub: Hub = websocket.app.state.hub
    redis = websocket.app.state.aredis
    await websocket.accept()
    client = Client(websocket=websocket, channel=channel, role=role)

    async def on_text(c: Client, message: dict[str, Any]) -> None:
        await _registered(c, message, hub, redis)

    try:
        await hub.serve(client, on_text)
    finally:
        # With Redis down the entry can't be removed; it ages into "gone" by itself.
        if client.info:
            with contextlib.suppress(Exception):
                await presence.forget(redis, channel, client.id)


async def exists(websocket: WebSocket, model: Any, ident: int) -> bool:
    """Whether the row a channel is about exists (a session, a campaign). An id past the
    database's integer range can't exist: asking PostgreSQL would fail, not answer no."""
    if not 1 <= ident <= MAX_INT:
        return False
    db = websocket.app.state.db

    def lookup() -> bool:
        with db.reading() as session:
            return session.get(model, ident) is not None

    return await run_in_threadpool(lookup)
