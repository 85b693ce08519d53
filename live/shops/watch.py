"""Every worker's look at the shops, once a tick (from `workers/watchdog.py`): a shop with
pushes waiting or fetches due and no worker on it gets a turn; a shop whose poll is due gets
its backfill poll. Nothing waits on one process staying alive: whichever worker looks first
enqueues, and a flag in Redis keeps the others from doing it twice."""

from __future__ import annotations

import time
from typing import Any

from live.shops import pushes
from live.shops.tasks import enqueue_poll, enqueue_work


def look(redis: Any, shop_ids: list[int], poll_seconds: int) -> int:
    """One look; how many jobs it enqueued."""
    inactive = {int(i) for i in redis.smembers(pushes.INACTIVE)}  # deactivated: no turn, no poll
    ids = sorted({*shop_ids, *(int(i) for i in redis.smembers(pushes.KNOWN))} - inactive)
    if not ids:
        return 0
    pipe = redis.pipeline(transaction=False)
    for shop_id in ids:
        pipe.llen(pushes.pushes_key(shop_id))
        pipe.zrange(pushes.pending_key(shop_id), 0, 0, withscores=True)
        pipe.zcard(pushes.in_flight_key(shop_id))
        pipe.exists(pushes.lock_key(shop_id))
    answers = pipe.execute()
    enqueued = 0
    now = time.time()
    for n, shop_id in enumerate(ids):
        waiting, first, in_flight, locked = answers[4 * n : 4 * n + 4]
        due = bool(first) and float(first[0][1]) <= now + 0.5
        work = waiting or due or (in_flight and not locked)
        # Its own once-a-second flag, not the pushes' "scheduled" one: a job queued during a
        # turn finds the shop taken and ends at once, leaving that flag set for up to 10 s
        # with nothing queued — the watchdog is what bounds such a stall to its tick.
        if work and not locked and redis.set(pushes.watched_key(shop_id), "1", nx=True, px=900):
            enqueue_work(redis, shop_id)
            enqueued += 1
        if (
            poll_seconds > 0
            and not redis.exists(pushes.polling_key(shop_id))
            and redis.set(pushes.poll_due_key(shop_id), "1", nx=True, ex=poll_seconds)
        ):
            redis.set(pushes.polling_key(shop_id), "1", ex=600)
            enqueue_poll(redis, shop_id)
            enqueued += 1
    return enqueued
