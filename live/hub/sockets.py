"""Serving a websocket on a channel: what every area's websocket endpoint shares.

An area's endpoint (`live/shows/sockets.py`, `live/sales/sockets.py`) checks who connects and to
what, then hands the connection to `serve_channel`: the hub writes the whole state first and
every change after it, and the page registers what it is (presence). Tokens and roles are
checked on connect; a bad one is closed with an explicit code (4401 bad or missing token, 4403
wrong role, 4404 unknown channel). Browsers can't set headers on a websocket, so consoles use
the page cookie or `?token=`, overlays their overlay token.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.websockets import WebSocket

from live.api.fields import MAX_INT
from live.api.routing import Access, Authenticator, Caller
from live.errors import Unauthorized
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


# What a page may call itself: letters (Vietnamese too), digits, spaces and a few signs.
NAME = re.compile(r"[^\w +\-.,:/#()]", re.UNICODE)
INSTANCE = re.compile(r"[A-Za-z0-9_-]{6,40}")
# A role other than the producer's registers at most this many pages per channel on one web
# process: an overlay token copied into a script can't flood the producer's list.
MAX_PAGES_PER_ROLE = 32
# Roles whose pages may name their kind (the producer's console and its overlay preview);
# every other page is listed as its role.
KIND_CHOOSERS = frozenset({"producer"})


def _text(value: Any, limit: int = 60) -> str | None:
    if not isinstance(value, str):
        return None
    return NAME.sub("", value)[:limit].strip()


def _count(value: Any, limit: int) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= limit:
        return value
    return None


def _entry_id(client: Client, message: dict[str, Any]) -> str:
    """The page's own stable id (kept across its reconnections), under its role: a page of one
    role can never overwrite another role's entry."""
    instance = message.get("instance")
    if isinstance(instance, str) and INSTANCE.fullmatch(instance):
        return f"{client.role}:{instance}"
    return f"{client.role}:{client.id}"


def _registered(client: Client, message: dict[str, Any], hub: Hub) -> None:
    """`hello` registers what the page is; `shown` reports the revision it displays; pings
    refresh the registration now and then. Written in batches (`presence.Writer`)."""
    kind = message.get("type")
    info = client.info
    if kind == "ping":
        seen = float(info.get("at", 0)) if info else None
        if seen is not None and time.time() - seen >= PRESENCE_REFRESH_S:
            info["at"] = time.time()
            hub.presence.put(client.channel, info["entry_id"], _public(info))
        return
    if kind not in ("hello", "shown"):
        return
    if kind == "hello" and "entry_id" not in info:
        pages = (client.channel, client.role)
        if client.role not in KIND_CHOOSERS and hub.pages[pages] >= MAX_PAGES_PER_ROLE:
            return
        hub.pages[pages] += 1
        info["entry_id"] = _entry_id(client, message)
        info["kind"] = client.role
        if client.role in KIND_CHOOSERS:
            info["kind"] = _text(message.get("kind"), 30) or client.role
        for key, limit in (("name", 60), ("version", 40)):
            value = _text(message.get(key), limit)
            if value is not None:
                info[key] = value
        retry = _count(message.get("retry_max_ms"), 120_000)
        if retry is not None:
            info["retry_max_ms"] = retry
        reconnects = _count(message.get("reconnects"), 10**9)
        if reconnects is not None:
            info["reconnects"] = reconnects
        info["role"] = client.role
        info["user_agent"] = _text(client.websocket.headers.get("user-agent", ""), 120)
        info["epoch"] = hub.epoch
        info["connected"] = True
        info["connected_at"] = time.time()
    if "entry_id" not in info:
        return  # `shown` before `hello`: nothing registered yet
    revision = _count(message.get("revision"), 10**12)
    if revision is not None:
        info["revision"] = revision
    info["at"] = time.time()
    hub.presence.put(client.channel, info["entry_id"], _public(info))


def _public(info: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in info.items() if k not in ("entry_id", "at")}


def _went_away(client: Client, hub: Hub) -> None:
    """The connection ended. A page that closed itself (1000: navigated away, the source
    removed from OBS) is forgotten; any other end is a page that will redial: it is listed as
    reconnecting until it does (or for a minute, then gone)."""
    info = client.info
    if "entry_id" not in info:
        return
    pages = (client.channel, client.role)
    hub.pages[pages] -= 1
    if hub.pages[pages] <= 0:
        del hub.pages[pages]
    if client.close_code == 1000:
        hub.presence.forget(client.channel, info["entry_id"])
        return
    entry = {**_public(info), "connected": False, "disconnected_at": time.time()}
    hub.presence.put(client.channel, info["entry_id"], entry)


async def serve_channel(
    websocket: WebSocket, channel: str, role: str, audience: str | None = None
) -> None:
    """Serve `channel` on the connection until it goes (the hub accepts it when its turn
    comes): the whole state first (the audience's projection; the role's by default), then
    every change."""
    hub: Hub = websocket.app.state.hub
    audience = audience or role
    if not hub.registry.serves(channel, audience):
        # A projection nobody registered is a bug, never a reason to send the whole state.
        raise LookupError(f"no projection of {channel} for {audience}")
    client = Client(websocket=websocket, channel=channel, role=role, audience=audience)

    async def on_text(c: Client, message: dict[str, Any]) -> None:
        _registered(c, message, hub)

    try:
        await hub.serve(client, on_text)
    finally:
        _went_away(client, hub)


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
