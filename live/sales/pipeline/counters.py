"""Live counters in Redis, for speed; the DB's aggregates are the truth (`reconcile`)."""

from __future__ import annotations

import redis as redis_errors
from redis import Redis

from live.sales.pipeline.processing import COUNTERS, Grain

SESSION = "sieulive:sales:session:"
CAMPAIGN = "sieulive:sales:campaign:"
COUNTED = "sieulive:sales:counted:"  # + batch key: its deltas are in the counters already
COUNTED_TTL = 7 * 24 * 3600  # far longer than a batch can stay in flight
DIRTY = "sieulive:sales:dirty"  # sessions whose show state needs a new snapshot
DIRTY_CAMPAIGNS = "sieulive:sales:dirty-campaigns"  # campaigns whose dashboards do
# Products whose stock left moved: shows featuring them need a new snapshot too, though the
# sale may be another session's (or no session's).
DIRTY_PRODUCTS = "sieulive:sales:dirty-products"
_GROSS, _CANCELLED, _RETURNED = (
    COUNTERS.index(name) for name in ("gross_units", "cancelled_units", "returned_units")
)


def add(
    redis: Redis,
    deltas: dict[Grain, list[int]],
    campaign_of: dict[int, int],
    *,
    batch: str | None = None,
) -> None:
    """Add a committed batch's deltas; mark the sessions, and the products whose stock left
    moved, for a dashboard snapshot. With `batch`, once per batch however often it is called
    (a batch rerun after its worker died between the commit and here)."""
    per_session: dict[int, list[int]] = {}
    moved: set[int] = set()
    for grain, counters in deltas.items():
        if counters[_GROSS] - counters[_CANCELLED] - counters[_RETURNED]:
            moved.add(grain[2])
        totals = per_session.setdefault(grain[0], [0] * len(COUNTERS))
        for i, value in enumerate(counters):
            totals[i] += value
    pipe = redis.pipeline(transaction=batch is not None)
    if batch is not None:
        # WATCH, then all increments and the mark in one MULTI: all of them or none.
        pipe.watch(COUNTED + batch)
        if pipe.exists(COUNTED + batch):
            pipe.reset()
            return
        pipe.multi()
        pipe.set(COUNTED + batch, 1, ex=COUNTED_TTL)
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
    if moved:
        pipe.sadd(DIRTY_PRODUCTS, *sorted(moved))
    try:
        pipe.execute()
    except redis_errors.WatchError:
        pass  # another run of the same batch counted it just now
    finally:
        pipe.reset()


def read(redis: Redis, key: str) -> dict[str, int]:
    raw = redis.hgetall(key)
    values = {name: 0 for name in COUNTERS}
    for name, value in raw.items():
        values[name.decode() if isinstance(name, bytes) else name] = int(value)
    return values
