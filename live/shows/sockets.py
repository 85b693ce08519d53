"""The shows' websockets: overlays (by their overlay token) and the consoles (by an API token)
follow a show's channel; the app registers the channel's whole state and these endpoints.

The hub serves the channel (`live/hub/sockets.py`); this module decides who may follow which
show, and closes with an explicit code otherwise.
"""

from __future__ import annotations

import asyncio
import time
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
from live.shows.audiences import AUDIENCES, OVERLAY
from live.shows.service import (
    CHANNEL_KIND,
    current_state,
    hosts,
    session_for_overlay,
    show_channel,
)
from live.tokens import secret_hash

CONSOLES = frozenset({Role.producer, Role.creator})


def register_channel(channels: Channels, db: Database) -> None:
    """The show channels' whole state, for the hub's first frame; a published `show` change
    carries it whole."""

    def load(session_id: int) -> dict[str, Any]:
        with db.unit_of_work() as session:
            return current_state(session, session_id)

    channels.register(
        CHANNEL_KIND,
        load,
        audiences=AUDIENCES,
        whole_state={"show"},
        signals={"reload", "revoke_overlays"},
    )


class OverlayTokens:
    """Which session an overlay token opens, remembered by this web process.

    After a restart thousands of overlays of one show come back with the same token within a
    second: one DB read answers them all (one read in flight per token, its answer kept), so a
    connection's first state costs no DB round trip and the thread pool stays free for the
    producer's commands. A new overlay URL forgets the session's token on every web process at
    once (the `revoke_overlays` hook); `TTL_S` bounds it should that message be lost (Redis
    away at that moment). An unknown token is remembered briefly, so a stale OBS scene
    retrying it costs little either.
    """

    TTL_S = 30.0
    UNKNOWN_TTL_S = 5.0

    def __init__(self, db: Database) -> None:
        self.db = db
        self._known: dict[str, tuple[float, int | None]] = {}
        self._reading: dict[str, asyncio.Future[int | None]] = {}
        self._revoked = 0  # bumped by every revocation: a read that began before it is not kept

    async def session_for(self, token: str) -> int | None:
        if not token:
            return None
        key = secret_hash(token)
        known = self._known.get(key)
        if known is not None:
            at, session_id = known
            ttl = self.TTL_S if session_id is not None else self.UNKNOWN_TTL_S
            if time.monotonic() - at < ttl:
                return session_id
        reading = self._reading.get(key)
        if reading is not None:
            return await asyncio.shield(reading)
        reading = self._reading[key] = asyncio.get_running_loop().create_future()
        revoked = self._revoked
        try:
            session_id = await run_in_threadpool(self._lookup, token)
        except BaseException as exc:
            reading.set_exception(exc)
            reading.exception()  # retrieved: nobody else may be waiting
            raise
        finally:
            self._reading.pop(key, None)
        if revoked == self._revoked:
            self._known[key] = (time.monotonic(), session_id)
        reading.set_result(session_id)
        return session_id

    def _lookup(self, token: str) -> int | None:
        with self.db.reading() as session:
            return session_for_overlay(session, token)

    def revoked(self, session_id: int) -> None:
        self._revoked += 1
        for key in [k for k, (_at, sid) in self._known.items() if sid == session_id]:
            del self._known[key]


def revoke_overlays(
    hub: Hub, tokens: OverlayTokens | None = None
) -> Callable[[str, str, dict[str, Any]], None]:
    """A hub hook: a new overlay URL (`revoke_overlays` on the show's channel) forgets the old
    token and closes the overlays still connected with it, on every web process."""

    def hook(channel: str, kind: str, data: dict[str, Any]) -> None:
        if kind == "revoke_overlays":
            if tokens is not None:
                tokens.revoked(int(channel.partition(":")[2]))
            asyncio.get_running_loop().create_task(
                hub.close_channel(channel, CLOSE_REVOKED, "overlay token revoked", OVERLAY)
            )

    return hook


@websocket_access(PUBLIC)  # the overlay token in the URL is the credential
async def overlay_socket(websocket: WebSocket) -> None:
    token = websocket.query_params.get("token", "")
    tokens: OverlayTokens = websocket.app.state.overlay_tokens
    session_id = await tokens.session_for(token)
    if session_id is None:
        await reject(websocket, CLOSE_BAD_TOKEN, "unknown or revoked overlay token")
        return
    await serve_channel(websocket, show_channel(session_id), OVERLAY)


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
    # `?view=overlay`: the console's preview frame sees exactly what OBS's overlay gets (a
    # narrower view than the role's own, so any console may ask for it), never more.
    view = OVERLAY if websocket.query_params.get("view") == OVERLAY else who.role.value
    await serve_channel(websocket, show_channel(session_id), who.role.value, view)


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
