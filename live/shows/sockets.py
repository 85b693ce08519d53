"""The shows' websockets: overlays (by their overlay token) and the consoles (by an API token)
follow a show's channel; the app registers the channel's whole state and these endpoints.

The hub serves the channel (`live/hub/sockets.py`); this module decides who may follow which
show, and closes with an explicit code otherwise.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, cast

from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from live.access.roles import Principal, Role
from live.api.routing import PUBLIC
from live.db import Database
from live.hub.channels import Channels
from live.hub.hub import CLOSE_BAD_TOKEN, CLOSE_FORBIDDEN, CLOSE_NOT_FOUND, CLOSE_REVOKED, Hub
from live.hub.sockets import (
    caller,
    exists,
    refused_cross_site,
    reject,
    serve_channel,
    websocket_access,
)
from live.schedule.models import LiveSession
from live.shows.service import (
    CHANNEL_KIND,
    current_state,
    hosts,
    session_for_overlay,
    show_channel,
)

CONSOLES = frozenset({Role.producer, Role.creator})


def register_channel(channels: Channels, db: Database) -> None:
    """The show channels' whole state, for the hub's first frame; a published `show` change
    carries it whole."""

    def load(session_id: int) -> dict[str, Any]:
        with db.unit_of_work() as session:
            return current_state(session, session_id)

    channels.register(CHANNEL_KIND, load, whole_state={"show"})


def revoke_overlays(hub: Hub) -> Callable[[str, str, dict[str, Any]], None]:
    """A hub hook: a new overlay URL (`revoke_overlays` on the show's channel) closes the
    overlays still connected with the old token, on every web process."""

    def hook(channel: str, kind: str, data: dict[str, Any]) -> None:
        if kind == "revoke_overlays":
            asyncio.get_running_loop().create_task(
                hub.close_channel(channel, CLOSE_REVOKED, "overlay token revoked", "overlay")
            )

    return hook


@websocket_access(PUBLIC)  # the overlay token in the URL is the credential
async def overlay_socket(websocket: WebSocket) -> None:
    token = websocket.query_params.get("token", "")
    db = websocket.app.state.db

    def lookup() -> int | None:
        with db.reading() as session:
            return session_for_overlay(session, token) if token else None

    session_id = await run_in_threadpool(lookup)
    if session_id is None:
        await reject(websocket, CLOSE_BAD_TOKEN, "unknown or revoked overlay token")
        return
    await serve_channel(websocket, show_channel(session_id), "overlay")


@websocket_access(CONSOLES)
async def console_socket(websocket: WebSocket) -> None:
    session_id = int(websocket.path_params["session_id"])
    if await refused_cross_site(websocket):
        return
    who = cast(Principal | None, await caller(websocket))  # the app's authenticator's kind
    if who is None:
        await reject(websocket, CLOSE_BAD_TOKEN, "missing or bad token")
        return
    if who.role not in CONSOLES:
        await reject(websocket, CLOSE_FORBIDDEN, f"the {who.role.value} role has no console")
        return
    if not await exists(websocket, LiveSession, session_id):
        await reject(websocket, CLOSE_NOT_FOUND, f"session {session_id} not found")
        return
    if who.role is Role.creator and not await _hosts(websocket, who, session_id):
        await reject(websocket, CLOSE_FORBIDDEN, "not your session")
        return
    await serve_channel(websocket, show_channel(session_id), who.role.value)


async def _hosts(websocket: WebSocket, who: Principal, session_id: int) -> bool:
    db = websocket.app.state.db

    def lookup() -> bool:
        with db.reading() as session:
            return hosts(session, session_id, who.creator_id)

    return await run_in_threadpool(lookup)


def routes() -> list[BaseRoute]:
    return [
        WebSocketRoute("/ws/overlay", overlay_socket),
        WebSocketRoute("/ws/sessions/{session_id:int}", console_socket),
    ]
