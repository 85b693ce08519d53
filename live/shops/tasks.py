"""The shops' RQ jobs: a worker's turn at a shop (its pushes and detail fetches) and a
backfill poll. The push path and every worker's watchdog enqueue them (`watch.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from rq import Queue

from live import redis_conn
from live.queueing import PLATFORMS, job_database
from live.settings import load_settings
from live.shops import backfill, pushes
from live.shops.fetching import SETTLE_SECONDS, ShopWorker
from live.shops.models import Shop
from live.shops.service import ShopView, view

QUEUE = PLATFORMS
JOB_TIMEOUT = 120  # a turn spends at most ~20 s; a hung one is stopped, its ids recovered


def _shop(shop_id: int) -> ShopView | None:
    settings = load_settings()
    with job_database().reading() as db:
        shop = db.get(Shop, shop_id)
        return view(settings, shop) if shop is not None and shop.active else None


def work_shop(shop_id: int) -> dict[str, Any]:
    settings = load_settings()
    shop = _shop(shop_id)
    if shop is None:
        return {"shop": shop_id, "skipped": "unknown or inactive"}
    redis = redis_conn.connect(settings)
    try:
        worker = ShopWorker(redis, settings, shop)
        try:
            turn = worker.run()
        finally:
            worker.http.close()
        if not turn.locked_out:
            hand_over(redis, shop_id, turn.yielded)
        return turn.__dict__
    finally:
        redis.close()


def hand_over(redis: Any, shop_id: int, yielded: bool) -> None:
    """The end of a turn: the next one is queued if work is left (pushes that came during it,
    ids due soon, or a turn cut short for an order drain: then it queues behind the drain).

    The "scheduled" flag a push sets says a job is queued for the shop, so pushes don't queue
    one each. A job queued during a turn finds the shop's lock taken and ends at once, leaving
    the flag set; so the turn's end clears it and decides: otherwise no push and no watchdog
    could queue a turn until the flag expired, and the shop's orders waited up to 10 s (seen
    as the dashboard lag's tail in `sieulive bench platforms`)."""
    flag = pushes.scheduled_key(shop_id)
    redis.delete(flag)
    if yielded or pushes.work_waiting(redis, shop_id, SETTLE_SECONDS):
        redis.set(flag, "1", ex=10)
        enqueue_work(redis, shop_id)


def poll_shop(shop_id: int, since: str | None = None) -> dict[str, Any]:
    settings = load_settings()
    shop = _shop(shop_id)
    if shop is None:
        return {"shop": shop_id, "skipped": "unknown or inactive"}
    redis = redis_conn.connect(settings)
    try:
        start = datetime.fromisoformat(since) if since else None
        return backfill.poll(redis, shop, since=start)
    finally:
        redis.delete(pushes.polling_key(shop_id))
        redis.close()


def enqueue_work(redis: Any, shop_id: int) -> None:
    Queue(QUEUE, connection=redis).enqueue(
        work_shop, shop_id, job_timeout=JOB_TIMEOUT, result_ttl=300, failure_ttl=7 * 24 * 3600
    )


def enqueue_poll(redis: Any, shop_id: int, since: str | None = None) -> None:
    Queue(QUEUE, connection=redis).enqueue(
        poll_shop,
        shop_id,
        since,
        job_timeout=JOB_TIMEOUT,
        result_ttl=3600,
        failure_ttl=7 * 24 * 3600,
    )
