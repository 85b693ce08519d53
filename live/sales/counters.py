"""Live counters in Redis, for speed; the DB's aggregates are the truth (`reconcile`)."""

from __future__ import annotations

from typing import Any

from live.sales.processing import COUNTERS, Grain

SESSION = "sieulive:sales:session:"
CAMPAIGN = "sieulive:sales:campaign:"
DIRTY = "sieulive:sales:dirty"  # sessions whose show state needs a new snapshot
DIRTY_CAMPAIGNS = "sieulive:sales:dirty-campaigns"  # campaigns whose dashboards do


def add(redis: Any, deltas: dict[Grain, list[int]], campaign_of: dict[int, int]) -> None:
    """Add a committed batch's deltas; mark the sessions for a dashboard snapshot."""
    per_session: dict[int, list[int]] = {}
    for grain, counters in deltas.items():
        totals = per_session.setdefault(grain[0], [0] * len(COUNTERS))
        for i, value in enumerate(counters):
            totals[i] += value
    pipe = redis.pipeline(transaction=False)
    for session_id, counters in per_session.items():
        for name, value in zip(COUNTERS, counters, strict=True):
            if value:
                pipe.hincrby(f"{SESSION}{session_id}", name, value)
                if session_id in campaign_of:
                    pipe.hincrby(f"{CAMPAIGN}{campaign_of[session_id]}", name, value)
        if session_id:
            pipe.sadd(DIRTY, session_id)
            if session_id in campaign_of:
                pipe.sadd(DIRTY_CAMPAIGNS, campaign_of[session_id])
    pipe.execute()


def read(redis: Any, key: str) -> dict[str, int]:
    raw = redis.hgetall(key)
    values = {name: 0 for name in COUNTERS}
    for name, value in raw.items():
        values[name.decode() if isinstance(name, bytes) else name] = int(value)
    return values
