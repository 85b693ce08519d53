"""The hub's own numbers, for producers and for `sieulive bench fanout`."""

from __future__ import annotations

from typing import Any

from live.api.routing import PRODUCERS, ApiRouter, Ctx

router = ApiRouter(tag="hub")


@router.route(
    "GET",
    "/api/hub/stats",
    access=PRODUCERS,
    summary="This web process's websocket clients and recent fan-out times",
)
def hub_stats(ctx: Ctx) -> dict[str, Any]:
    hub = ctx.request.app.state.hub
    return {
        "epoch": hub.epoch,
        "mode": "naive" if hub.naive else "fast",
        "clients": sum(len(c) for c in list(hub.channels.values())),
        "channels": len(hub.channels),
        "fanouts": list(hub.stats),
    }
