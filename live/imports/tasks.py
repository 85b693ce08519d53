"""The imports' RQ job: runs a stored ImportJob all or nothing, reporting progress through
Redis. `live/imports/service.py` enqueues it by name on the imports queue."""

from __future__ import annotations

from typing import Any

from redis import Redis
from rq import get_current_job

from live import redis_conn
from live.db import Database
from live.imports.service import mark_abandoned, run_stored_import
from live.logs import log_context
from live.settings import load_settings


def run_import(import_id: int) -> dict[str, Any] | None:
    settings = load_settings()
    job = get_current_job()
    # The job's own connection reaches the Redis the web process reads progress from.
    redis = job.connection if job is not None else redis_conn.connect(settings)
    db = Database(settings)
    try:
        with log_context(job_id=f"import-{import_id}"):
            return run_stored_import(db, redis, import_id)
    finally:
        db.dispose()


def import_failed(job: Any, connection: Redis, exc_type: Any, exc: Any, traceback: Any) -> None:
    """RQ's failure callback: also called for a job whose worker died (found abandoned)."""
    settings = load_settings()
    db = Database(settings)
    try:
        mark_abandoned(db, int(job.args[0]), will_retry=bool(job.retries_left))
    finally:
        db.dispose()
