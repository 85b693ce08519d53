"""Websocket endpoints: thin — authenticate, then hand the connection to the hub.

Tokens and roles are checked on connect; a bad one is closed with an explicit code (4401 bad or
missing token, 4403 wrong role, 4404 unknown session). Browsers can't set headers on a
websocket, so consoles use the page cookie or `?token=`, overlays their overlay token.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from live.access.models import Role
from live.access.service import Principal, authenticate
from live.api.routing import EVERYONE, PUBLIC, Access
from live.errors import Unauthorized
from live.hub import presence
from live.hub.hub import CLOSE_BAD_TOKEN, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, Client, Hub
from live.hub.publish import campaign_channel, show_channel
from live.schedule.models import Campaign, LiveSession
from live.shows.service import session_for_overlay

COOKIE = "sieulive_token"


def _access(access: Access) -> Any:
    def mark(endpoint: Any) -> Any:
        endpoint.access = access
        return endpoint

    return mark


async def _reject(websocket: WebSocket, code: int, reason: str) -> None:
    # Accept first: a close code can only be sent on an open websocket.
    await websocket.accept()
    await websocket.close(code=code, reason=reason)


async def _principal(websocket: WebSocket) -> Principal | None:
    token = websocket.query_params.get("token") or websocket.cookies.get(COOKIE)
    db = websocket.app.state.db

    def lookup() -> Principal:
        with db.reading() as session:
            return authenticate(session, token)

    try:
        return await run_in_threadpool(lookup)
    except Unauthorized:
        return None


async def _exists(websocket: WebSocket, model: Any, ident: int) -> bool:
    db = websocket.app.state.db

    def lookup() -> bool:
        with db.reading() as session:
            return session.get(model, ident) is not None

    return await run_in_threadpool(lookup)


# Pings come every 10 s; the producer's list calls a client gone after 60 s of silence. A
# connected overlay that sees no change for a minute is alive: its pings say so, every 20 s.
PRESENCE_REFRESH_S = 20.0


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


async def _run(websocket: WebSocket, channel: str, role: str) -> None:
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


@_access(PUBLIC)  # the overlay token in the URL is the credential
async def overlay_socket(websocket: WebSocket) -> None:
    token = websocket.query_params.get("token", "")
    db = websocket.app.state.db

    def lookup() -> int | None:
        with db.reading() as session:
            return session_for_overlay(session, token) if token else None

    session_id = await run_in_threadpool(lookup)
    if session_id is None:
        await _reject(websocket, CLOSE_BAD_TOKEN, "unknown or revoked overlay token")
        return
    await _run(websocket, show_channel(session_id), "overlay")


@_access(frozenset({Role.producer, Role.creator}))
async def console_socket(websocket: WebSocket) -> None:
    session_id = int(websocket.path_params["session_id"])
    who = await _principal(websocket)
    if who is None:
        await _reject(websocket, CLOSE_BAD_TOKEN, "missing or bad token")
        return
    if who.role not in (Role.producer, Role.creator):
        await _reject(websocket, CLOSE_FORBIDDEN, f"the {who.role.value} role has no console")
        return
    if not await _exists(websocket, LiveSession, session_id):
        await _reject(websocket, CLOSE_NOT_FOUND, f"session {session_id} not found")
        return
    if who.role is Role.creator and not await _hosts(websocket, who, session_id):
        await _reject(websocket, CLOSE_FORBIDDEN, "not your session")
        return
    await _run(websocket, show_channel(session_id), who.role.value)


async def _hosts(websocket: WebSocket, who: Principal, session_id: int) -> bool:
    db = websocket.app.state.db

    def lookup() -> bool:
        from live.schedule.rules import sessions_query

        with db.reading() as session:
            row = session.scalar(sessions_query().where(LiveSession.id == session_id))
            return row is not None and who.creator_id in row.creator_ids

    return await run_in_threadpool(lookup)


@_access(EVERYONE)
async def campaign_socket(websocket: WebSocket) -> None:
    campaign_id = int(websocket.path_params["campaign_id"])
    who = await _principal(websocket)
    if who is None:
        await _reject(websocket, CLOSE_BAD_TOKEN, "missing or bad token")
        return
    if not await _exists(websocket, Campaign, campaign_id):
        await _reject(websocket, CLOSE_NOT_FOUND, f"campaign {campaign_id} not found")
        return
    await _run(websocket, campaign_channel(campaign_id), who.role.value)


def routes() -> list[BaseRoute]:
    return [
        WebSocketRoute("/ws/overlay", overlay_socket),
        WebSocketRoute("/ws/sessions/{session_id:int}", console_socket),
        WebSocketRoute("/ws/campaigns/{campaign_id:int}", campaign_socket),
    ]
