"""Job queues: the RQ queues the workers serve, and a job's database.

Domain-free: each area keeps its jobs beside it (`live/sales/tasks.py`, `live/imports/tasks.py`)
and enqueues them on these queues; `workers/` starts the processes that run them.
"""

from __future__ import annotations

import time
from typing import Any

from live.db import Database
from live.settings import load_settings

ORDERS = "orders"
PLATFORMS = "platforms"  # shops' detail fetches and backfill polls
IMPORTS = "imports"
DEFAULT = "default"
# Every worker serves them all, in this order: order batches first (dashboards wait on them).
QUEUES = (ORDERS, PLATFORMS, IMPORTS, DEFAULT)

_databases: dict[str, Database] = {}


def job_database() -> Database:
    """One engine per worker process, kept across jobs: a non-forking worker then reuses its
    connection and compiled statements from one job to the next. (A forking worker's work
    horse exits after its job, so it gets a fresh one each time.)"""
    settings = load_settings()
    url = settings.effective_database_url
    if url not in _databases:
        _databases[url] = Database(settings)
    return _databases[url]


# Workers say they are alive here, name → when (epoch seconds), from their watchdog thread
# every second: RQ's own heartbeat comes only every few minutes while a worker is idle, too
# late for /readyz and the NoLiveWorker alert. Entries older than an hour are swept.
WORKERS_SEEN = "sieulive:workers:seen"
FORGET_AFTER_SECONDS = 3600


def worker_seen(redis: Any, name: str, now: float | None = None) -> None:
    now = time.time() if now is None else now
    pipe = redis.pipeline(transaction=False)
    pipe.zadd(WORKERS_SEEN, {name: now})
    pipe.zremrangebyscore(WORKERS_SEEN, "-inf", now - FORGET_AFTER_SECONDS)
    pipe.execute()


def worker_gone(redis: Any, name: str) -> None:
    """A worker stopping cleanly leaves at once rather than after the staleness window."""
    redis.zrem(WORKERS_SEEN, name)


def workers_seen(redis: Any, now: float | None = None) -> dict[str, float]:
    """Each worker seen in the last hour and how many seconds ago."""
    now = time.time() if now is None else now
    return {
        (name.decode() if isinstance(name, bytes) else str(name)): round(now - float(at), 1)
        for name, at in redis.zrange(WORKERS_SEEN, 0, -1, withscores=True)
    }
