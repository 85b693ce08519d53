"""What the whole state of each kind of channel is, read from the DB (the source of truth)."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool

from live.db import Database
from live.errors import NotFound


def state_loader(db: Database, redis: Any = None) -> Any:
    async def load(channel: str) -> dict[str, Any]:
        kind, _, ident = channel.partition(":")
        return await run_in_threadpool(_load, db, redis, kind, int(ident))

    return load


def _load(db: Database, redis: Any, kind: str, ident: int) -> dict[str, Any]:
    if kind == "show":
        from live.shows.service import current_state

        with db.unit_of_work() as session:
            return current_state(session, ident)
    if kind == "campaign":
        from live.schedule.models import Campaign

        with db.reading() as session:
            campaign = session.get(Campaign, ident)
            if campaign is None:
                raise NotFound("campaign", ident)
            name = campaign.name
        from live.sales.snapshots import campaign_snapshot

        snapshot = campaign_snapshot(redis, ident) if redis is not None else {}
        return {**snapshot, "campaign_id": ident, "name": name}
    raise NotFound("channel", f"{kind}:{ident}")
