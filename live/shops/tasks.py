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
from live.shops.fetching import ShopWorker
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
        if turn.yielded and redis.set(pushes.scheduled_key(shop_id), "1", nx=True, ex=10):
            enqueue_work(redis, shop_id)  # behind the order drain it made way for
        return turn.__dict__
    finally:
        redis.close()


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
