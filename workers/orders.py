"""RQ job: drain the order inbox in batches (one job per batch run, never one per order)."""

from __future__ import annotations

import os
import socket
from typing import Any

from rq import Queue, get_current_job

from live import redis_conn
from live.db import Database
from live.sales import service
from live.settings import load_settings

QUEUE = "orders"
JOB_TIMEOUT = 120  # short, so a hung drain is stopped; a killed one is recovered by its lease


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


def enqueue_drain(redis: Any) -> None:
    queue = Queue(QUEUE, connection=redis)
    queue.enqueue(drain_inbox, job_timeout=JOB_TIMEOUT, result_ttl=300, failure_ttl=7 * 24 * 3600)


def drain_waiting(redis: Any) -> bool:
    """Whether no drain job waits in the queue (running ones may: they are busy)."""
    return Queue(QUEUE, connection=redis).count > 0
