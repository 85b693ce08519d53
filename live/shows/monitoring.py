"""What monitoring asks of the shows: the overlays of every show on air and whether each is
current, stale or gone (the same judgement as the producer console's client list)."""

from __future__ import annotations

import time
from collections import Counter
from typing import Any

from sqlalchemy import select

from live.db import Database
from live.hub import presence
from live.schedule.models import LiveSession
from live.shows.models import Phase, Show
from live.shows.service import show_channel

ON_AIR = (Phase.live, Phase.held)


def overlays_on_air(db: Database, redis: Any) -> dict[tuple[str, str], int]:
    """(session code, status) → overlays, for each show live or held; ok, stale or gone."""
    with db.reading() as session:
        shows = session.execute(
            select(Show.session_id, LiveSession.code, Show.revision, Show.updated_at)
            .join(LiveSession, LiveSession.id == Show.session_id)
            .where(Show.phase.in_(ON_AIR))
        ).all()
    counts: Counter[tuple[str, str]] = Counter()
    now = time.time()
    for session_id, code, revision, updated_at in shows:
        raw = redis.hgetall(presence.KEY + show_channel(session_id))
        for client in presence.listing(raw, revision, updated_at.timestamp(), now):
            if client["kind"] == "overlay":
                counts[(code, client["status"])] += 1
        for status in ("ok", "stale", "gone"):
            counts.setdefault((code, status), 0)
    return dict(counts)
