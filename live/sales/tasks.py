"""The sales' RQ jobs: drain the order inbox in batches (one job per batch run, never one per
order). The webhook and every worker's watchdog enqueue them; `workers/` runs them."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime

from redis import Redis
from rq import Queue, get_current_job

from live import redis_conn
from live.queueing import ORDERS, job_database
from live.sales.pipeline import service
from live.settings import load_settings

QUEUE = ORDERS
JOB_TIMEOUT = 120  # short, so a hung drain is stopped; a killed one is recovered by its lease


def drain_inbox() -> dict[str, int]:
    settings = load_settings()
    db = job_database()
    redis = redis_conn.connect(settings)
    job = get_current_job()
    worker = f"{job.worker_name or socket.gethostname()}:{os.getpid()}" if job else ""
    try:
        report = service.drain(db, redis, batch_size=settings.order_batch_size, worker=worker)
        # More came in meanwhile: go on in a new job, so other queues get their turn. Batches
        # still held by other live drains are theirs; dead drains' are every watchdog's.
        if service.more_waiting(redis):
            enqueue_drain(redis)
        return report.__dict__
    finally:
        redis.close()


def enqueue_drain(redis: Redis) -> None:
    queue = Queue(QUEUE, connection=redis)
    queue.enqueue(drain_inbox, job_timeout=JOB_TIMEOUT, result_ttl=300, failure_ttl=7 * 24 * 3600)


def drain_waiting(redis: Redis) -> bool:
    """Whether a drain job waits in the queue (running ones don't count: they are busy)."""
    return Queue(QUEUE, connection=redis).count > 0


def drain_kept_waiting(redis: Redis, seconds: float) -> bool:
    """Whether a drain job has waited in the queue longer than `seconds`: no worker was free
    to take it (a free one takes a job within milliseconds)."""
    queue = Queue(QUEUE, connection=redis)
    first = queue.get_job_ids(0, 1)
    job = queue.fetch_job(first[0]) if first else None
    if job is None or job.enqueued_at is None:
        return False
    waited = datetime.now(UTC) - job.enqueued_at.replace(tzinfo=UTC)
    return waited.total_seconds() > seconds
