"""A running import's progress, kept in Redis.

The rows are written in one transaction, and SQLite has a single writer: the worker can't
commit a progress counter to the database while that transaction holds the lock. Redis can
take a counter from the worker and hand it to any web process.
"""

from __future__ import annotations

from typing import Any

from redis import Redis

# Kept a day: long enough to outlive any import, short enough to leave no litter.
TTL_SECONDS = 24 * 3600


def progress_key(import_id: int) -> str:
    return f"sieulive:imports:{import_id}:processed"


def write_progress(redis: Redis, import_id: int, done: int) -> None:
    redis.set(progress_key(import_id), done, ex=TTL_SECONDS)


def read_progress(redis: Redis, import_id: int) -> int | None:
    value = redis.get(progress_key(import_id))
    return int(value) if value is not None else None


def reporter(redis: Redis, import_id: int, steps: int = 100) -> Any:
    """A `progress(done, total)` callback writing about `steps` times over the import."""
    last = -1

    def report(done: int, total: int) -> None:
        nonlocal last
        every = max(1, total // steps)
        if done == total or done - last >= every:
            write_progress(redis, import_id, done)
            last = done

    return report
