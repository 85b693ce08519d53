"""RQ job: drain the order inbox in batches (one job per batch run, never one per order)."""

from __future__ import annotations

from datetime import timedelta

from rq import Queue

from live import redis_conn
from live.db import Database
from live.sales import service
from live.settings import load_settings

QUEUE = "orders"
# A job waits this long on an empty inbox before it ends (see `service.drain`).
LINGER_SECONDS = 0.5
JOB_TIMEOUT = 120  # short, so a killed worker's batch is retried soon


_databases: dict[str, Database] = {}


def _database(url: str) -> Database:
    """One engine per worker process, kept across jobs: a non-forking worker then reuses its
    connection and compiled statements from one drain to the next. (A forking worker's work
    horse exits after its job, so it gets a fresh one each time, as before.)"""
    if url not in _databases:
        _databases[url] = Database(load_settings())
    return _databases[url]


def drain_inbox() -> dict[str, int]:
    settings = load_settings()
    db = _database(settings.effective_database_url)
    redis = redis_conn.connect(settings)
    try:
        report = service.drain(
            db, redis, batch_size=settings.order_batch_size, linger_seconds=LINGER_SECONDS
        )
        if service.more_waiting(redis):
            enqueue_drain(redis)
        elif service.batches_in_flight(redis):
            # Someone else's batch, or a dead worker's: look again once it would be stale.
            enqueue_drain(redis, after=service.STALE_BATCH_SECONDS + 1)
        return report.__dict__
    finally:
        redis.close()


def enqueue_drain(redis: object, after: float | None = None) -> None:
    queue = Queue(QUEUE, connection=redis)  # type: ignore[arg-type]
    options = {"job_timeout": JOB_TIMEOUT, "result_ttl": 300, "failure_ttl": 7 * 24 * 3600}
    if after:
        # Needs a worker running the RQ scheduler (`sieulive worker` does).
        queue.enqueue_in(timedelta(seconds=after), drain_inbox, **options)
    else:
        queue.enqueue(drain_inbox, **options)
