"""The campaign channel's websocket: every role's sales dashboard follows a campaign's figures.

The hub serves the channel (`live/hub/sockets.py`); the app registers its whole state
(`register_channel`) and this endpoint when it assembles.
"""

from __future__ import annotations

from typing import Any

from redis import Redis
from starlette.routing import BaseRoute, WebSocketRoute
from starlette.websockets import WebSocket

from live.access.roles import EVERYONE, Role
from live.db import Database
from live.errors import NotFound
from live.hub.channels import Channels, Projection
from live.hub.hub import CLOSE_BAD_TOKEN, CLOSE_NOT_FOUND
from live.hub.sockets import (
    caller,
    exists,
    refused_cross_site,
    reject,
    serve_channel,
    websocket_access,
)
from live.sales.pipeline.snapshots import CHANNEL_KIND, campaign_channel, campaign_snapshot
from live.schedule.models import Campaign


def register_channel(channels: Channels, db: Database, redis: Redis) -> None:
    """The campaign channels' whole state: the sales snapshot from the live counters; a
    published `sales` change carries it whole."""

    def load(campaign_id: int) -> dict[str, Any]:
        with db.reading() as session:
            campaign = session.get(Campaign, campaign_id)
            if campaign is None:
                raise NotFound("campaign", campaign_id)
            name = campaign.name
        snapshot = campaign_snapshot(redis, campaign_id) if redis is not None else {}
        return {**snapshot, "campaign_id": campaign_id, "name": name}

    channels.register(CHANNEL_KIND, load, audiences=AUDIENCES, whole_state={"sales"})


def for_producer(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Producers: the campaign-wide totals, which `GET /api/campaigns/{id}/sales` gives them."""
    return snapshot


def for_everyone_else(snapshot: dict[str, Any]) -> dict[str, Any]:
    """Creators, suppliers, retailers: campaign-wide revenue is not theirs to see (that route
    refuses them). Their dashboards read their own figures from their own routes; the channel
    only tells them when to: the campaign, its name, and when its figures last moved."""
    return {key: snapshot.get(key) for key in ("campaign_id", "name", "at")}


# Who sees what of a campaign channel, by role (each role's dashboard follows it).
AUDIENCES: dict[str, Projection] = {
    Role.producer.value: for_producer,
    Role.creator.value: for_everyone_else,
    Role.supplier.value: for_everyone_else,
    Role.retailer.value: for_everyone_else,
}


@websocket_access(EVERYONE)
async def campaign_socket(websocket: WebSocket) -> None:
    campaign_id = int(websocket.path_params["campaign_id"])
    if await refused_cross_site(websocket):
        return
    who = await caller(websocket)
    if who is None:
        await reject(websocket, CLOSE_BAD_TOKEN, "missing or bad token")
        return
    if not await exists(websocket, Campaign, campaign_id):
        await reject(websocket, CLOSE_NOT_FOUND, f"campaign {campaign_id} not found")
        return
    await serve_channel(websocket, campaign_channel(campaign_id), str(who.role))


def routes() -> list[BaseRoute]:
    return [WebSocketRoute("/ws/campaigns/{campaign_id:int}", campaign_socket)]
