"""The hub's own numbers, for producers and for `sieulive bench fanout`."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from live.api.routing import Access, ApiRouter, Caller, RequestCtx


class HubStats(BaseModel):
    epoch: str
    mode: Literal["naive", "fast"]
    clients: int
    channels: int
    fanouts: list[Any]


def stats_router(access: Access) -> ApiRouter:
    """The stats route behind `access`, which the app names when it assembles (the hub knows
    no roles)."""
    router = ApiRouter(tag="hub")

    @router.route(
        "GET",
        "/api/hub/stats",
        access=access,
        summary="This web process's websocket clients and recent fan-out times",
    )
    def hub_stats(ctx: RequestCtx[Caller]) -> HubStats:
        hub = ctx.request.app.state.hub
        return HubStats(
            epoch=hub.epoch,
            mode="naive" if hub.naive else "fast",
            clients=sum(len(c) for c in list(hub.channels.values())),
            channels=len(hub.channels),
            fanouts=list(hub.stats),
        )

    return router
