"""The studios' websockets: the bridge (by its studio's bridge token) and the producers' studio
panels follow a studio's hub channel, `studio:<id>`.

The bridge receives the channel like any client — the whole state first, then every change —
and acts only on `obs` changes (a scene to switch, overlays to refresh). What it sends back
(OBS's health every few seconds, each action's outcome, a scene switched by hand in OBS) is
stored and published to the channel as the studio's new whole state, so every producer's panel
on every web process sees it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from typing import Any

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from live.access.roles import PRODUCERS, Principal
from live.api.routing import PUBLIC
from live.db import Database, after_commit
from live.hub.channels import Channels, whole
from live.hub.hub import (
    CLOSE_BAD_TOKEN,
    CLOSE_FORBIDDEN,
    CLOSE_NOT_FOUND,
    CLOSE_REVOKED,
    Client,
    Hub,
)
from live.hub.publish import RedisPublisher
from live.hub.sockets import caller, exists, reject, serve_channel, websocket_access
from live.studios import service
from live.studios.models import Studio

log = logging.getLogger(__name__)
BRIDGE_ROLE = "bridge"


def register_channel(channels: Channels, db: Database) -> None:
    """A studio channel's whole state; a published `studio` change carries it whole."""

    def load(studio_id: int) -> dict[str, Any]:
        with db.reading() as session:
            return service.studio_state_by_id(session, studio_id)

    channels.register(
        service.CHANNEL_KIND,
        load,
        # Producers see the whole panel; the bridge on the studio PC needs none of it, only
        # the `obs` actions meant for it (a signal every audience of the channel receives).
        audiences={"producer": whole, BRIDGE_ROLE: for_bridge},
        whole_state={"studio"},
        signals={"obs"},
    )


def for_bridge(state: dict[str, Any]) -> dict[str, Any]:
    return {"studio_id": state["studio"]["id"]}


def revoke_bridges(hub: Hub) -> Callable[[str, str, dict[str, Any]], None]:
    """A hub hook: a new or revoked bridge token disconnects the bridge still connected with
    the old one, on whichever web process holds it."""

    def hook(channel: str, kind: str, data: dict[str, Any]) -> None:
        if kind == "revoke_bridge":
            asyncio.get_running_loop().create_task(
                hub.close_channel(channel, CLOSE_REVOKED, "bridge token revoked", BRIDGE_ROLE)
            )

    return hook


def bridge_token(websocket: WebSocket) -> str:
    """`Authorization: Bearer <token>` (kept out of access logs), or `?token=`."""
    scheme, _, token = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return websocket.query_params.get("token", "")


class BridgeMessages:
    """Stores what one bridge reports and publishes the studio's new state."""

    def __init__(self, db: Database, redis: Any, studio_id: int) -> None:
        self.db = db
        self.publisher = RedisPublisher(redis)
        self.studio_id = studio_id

    def handle(self, message: dict[str, Any]) -> None:
        kind = message.get("type")
        with self.db.unit_of_work() as session:
            if kind == "health":
                service.record_health(session, self.studio_id, message)
            elif kind == "result":
                if not service.record_result(session, self.studio_id, message):
                    return
            elif kind == "scene_changed":
                # The bridge says who switched: only a switch by hand in OBS is reported.
                if message.get("by") != "obs":
                    return
                service.record_manual_switch(session, self.studio_id, message.get("scene"))
            else:
                return
            self._republish(session)

    def connected(self) -> None:
        with self.db.unit_of_work() as session:
            service.bridge_connected(session, self.studio_id)
            self._republish(session)

    def gone(self) -> None:
        with self.db.unit_of_work() as session:
            service.bridge_gone(session, self.studio_id)
            self._republish(session)

    def _republish(self, session: Any) -> None:
        studio = session.get(Studio, self.studio_id)
        if studio is None:
            return
        state = service.studio_state(session, studio)
        channel = service.studio_channel(self.studio_id)
        after_commit(session, lambda: self.publisher.publish(channel, "studio", state))


@websocket_access(PUBLIC)  # the studio's bridge token is the credential
async def bridge_socket(websocket: WebSocket) -> None:
    token = bridge_token(websocket)
    app = websocket.app

    def lookup() -> int | None:
        with app.state.db.reading() as session:
            return service.studio_for_bridge(session, token)

    studio_id = await run_in_threadpool(lookup) if token else None
    if studio_id is None:
        await reject(websocket, CLOSE_BAD_TOKEN, "unknown or revoked bridge token")
        return
    messages = BridgeMessages(app.state.db, app.state.redis, studio_id)
    hub: Hub = app.state.hub
    await websocket.accept()
    await run_in_threadpool(messages.connected)
    client = Client(websocket=websocket, channel=service.studio_channel(studio_id), role="bridge")

    async def on_text(c: Client, message: dict[str, Any]) -> None:
        try:
            await run_in_threadpool(messages.handle, message)
        except Exception:
            # A report lost to a database hiccup: the next one, seconds later, says it again.
            log.exception("a message from the bridge of studio %s failed", studio_id)

    try:
        await hub.serve(client, on_text)
    finally:
        # Said even when the server is cancelling this handler (shutting down): the panels
        # must not show a bridge connected that is gone.
        with anyio.CancelScope(shield=True), contextlib.suppress(Exception):
            await run_in_threadpool(messages.gone)


@websocket_access(PRODUCERS)
async def studio_panel_socket(websocket: WebSocket) -> None:
    studio_id = int(websocket.path_params["studio_id"])
    who: Principal | None = await caller(websocket)  # type: ignore[assignment]
    if who is None:
        await reject(websocket, CLOSE_BAD_TOKEN, "missing or bad token")
        return
    if who.role not in PRODUCERS:
        await reject(websocket, CLOSE_FORBIDDEN, f"the {who.role.value} role has no studio panel")
        return
    if not await exists(websocket, Studio, studio_id):
        await reject(websocket, CLOSE_NOT_FOUND, f"studio {studio_id} not found")
        return
    await serve_channel(websocket, service.studio_channel(studio_id), who.role.value)


def routes() -> list[BaseRoute]:
    return [
        WebSocketRoute("/ws/studios/bridge", bridge_socket),
        WebSocketRoute("/ws/studios/{studio_id:int}", studio_panel_socket),
    ]
