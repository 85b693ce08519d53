"""Queue health for producers: the RQ queues the workers serve, their failed jobs (with a retry),
the workers alive, and the order inbox in front of them (`live/sales/intake/inbox.py`)."""

from __future__ import annotations

import json
import re
import time
from datetime import datetime
from typing import Any

from redis import Redis
from rq import Queue, Worker
from rq.exceptions import InvalidJobOperation, NoSuchJobError
from rq.job import Job
from rq.registry import FailedJobRegistry, ScheduledJobRegistry, StartedJobRegistry

from live.errors import NotFound
from live.queueing import QUEUES
from live.sales.intake import inbox
from live.sales.tasks import enqueue_drain

FAILED_SHOWN = 50  # per queue: a producer reads the newest few, the count says the rest
_JOB_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,128}$")


def _text(value: Any) -> str:
    """RQ states come back as bytes, str or a str enum depending on where they were read."""
    if isinstance(value, bytes):
        return value.decode()
    return str(getattr(value, "value", value))


def _last_line(traceback: str | None) -> str:
    """The exception itself: the last non-empty line of the traceback."""
    lines = [line for line in (traceback or "").splitlines() if line.strip()]
    return lines[-1].strip()[:500] if lines else ""


def _failed_job(job: Job) -> dict[str, Any]:
    traceback = None
    try:
        result = job.latest_result()
        traceback = result.exc_string if result is not None else None
    except Exception:  # a result written by another rq version: show the job without it
        traceback = None
    try:
        name = job.func_name
    except Exception:  # the job's payload can't be read: still listable and retryable
        name = "?"
    return {
        "id": job.id,
        "queue": job.origin,
        "function": name,
        "enqueued_at": job.enqueued_at,
        "failed_at": job.ended_at,
        "error": _last_line(traceback),
    }


def queue_health(redis: Redis) -> dict[str, Any]:
    queues = []
    for name in QUEUES:
        queue = Queue(name, connection=redis)
        failed = FailedJobRegistry(queue=queue)
        ids = failed.get_job_ids(0, FAILED_SHOWN - 1, desc=True)
        jobs = [j for j in Job.fetch_many(ids, connection=redis) if j is not None]
        queues.append(
            {
                "name": name,
                "depth": queue.count,
                "started": StartedJobRegistry(queue=queue).count,
                "scheduled": ScheduledJobRegistry(queue=queue).count,
                "failed": failed.count,
                "failed_jobs": [_failed_job(j) for j in jobs],
            }
        )
    workers = Worker.all(connection=redis)
    box = inbox.Inbox(redis)
    batches = [_batch_state(b) for b in box.batches()]
    oldest = max((b["claimed_seconds_ago"] for b in batches), default=None)
    return {
        "queues": queues,
        "workers": [
            {
                "name": w.name,
                "state": _text(w.get_state()),
                "queues": [q.name for q in w.queues],
                "last_heartbeat": w.last_heartbeat,
            }
            for w in workers
        ],
        "inbox": {
            "depth": box.depth(),
            "batches_in_flight": len(batches),
            "stuck_batches": sum(1 for b in batches if b["state"] != "applying"),
            "oldest_batch_seconds": oldest,
            "batches": batches,
            "dead_events": int(redis.llen(inbox.DEAD)),
            # Requests refused with 429 since Redis started: platforms retried them.
            "throttled_requests": int(redis.get(inbox.THROTTLED) or 0),
        },
        "at": datetime.now().astimezone(),
    }


def _batch_state(batch: dict[str, Any]) -> dict[str, Any]:
    """What a producer needs to know of a batch in flight: being applied, or stuck and why.
    Stuck batches are taken again by the next drain (every worker's watchdog starts one within
    a second); the reason says what happened to the last attempt."""
    if batch["worker_alive"]:
        state, why = "applying", None
    elif batch["retry_in_seconds"] is not None:
        state = "waiting_to_retry"
        why = f"its last attempt did not finish: {batch['last_error'] or 'unknown error'}"
    else:
        state = "stuck"
        why = (
            f"its last attempt did not finish: {batch['last_error']}"
            if batch["last_error"]
            else "the worker that took it is gone (no heartbeat); a drain takes it next"
        )
    return {**batch, "state": state, "why": why}


def retry_failed(redis: Redis, job_id: str) -> dict[str, Any]:
    """Put a failed job back on its queue (rq's FailedJobRegistry.requeue)."""
    if not _JOB_ID.match(job_id):
        raise NotFound("failed job", job_id)
    for name in QUEUES:
        registry = FailedJobRegistry(queue=Queue(name, connection=redis))
        if job_id not in registry:
            continue
        try:
            job = registry.requeue(job_id)
        except NoSuchJobError:
            # Its data expired while its id stayed listed: nothing left to run.
            registry.remove(job_id)
            raise NotFound("failed job", job_id) from None
        except InvalidJobOperation:
            raise NotFound("failed job", job_id) from None  # someone retried it just now
        return {"id": job.id, "queue": name, "status": _text(job.get_status())}
    raise NotFound("failed job", job_id)


def requeue_dead(redis: Redis) -> dict[str, Any]:
    """The order events no batch could apply, back in the inbox, and a drain queued."""
    count = inbox.requeue_dead(redis)
    if count:
        enqueue_drain(redis)
    return {"requeued": count}


def queue_figures(redis: Any) -> dict[str, Any]:
    """The figures monitoring scrapes every few seconds: like `queue_health` without the
    failed jobs' details, and the age of the oldest event still waiting in the inbox."""
    box = inbox.Inbox(redis)
    batches = [_batch_state(b) for b in box.batches()]
    oldest_age = 0.0
    first = redis.lindex(inbox.INBOX, 0)
    if first:
        try:
            oldest_age = max(0.0, time.time() - float(json.loads(first)["received_at"]))
        except (ValueError, KeyError, TypeError):
            oldest_age = 0.0
    queues = {}
    for name in QUEUES:
        queue = Queue(name, connection=redis)
        queues[name] = {
            "waiting": queue.count,
            "started": StartedJobRegistry(queue=queue).count,
            "failed": FailedJobRegistry(queue=queue).count,
        }
    return {
        "inbox_depth": box.depth(),
        "inbox_oldest_seconds": round(oldest_age, 3),
        "batches_in_flight": len(batches),
        "batches_stuck": sum(1 for b in batches if b["state"] != "applying"),
        "batches_retrying": sum(1 for b in batches if b["state"] == "waiting_to_retry"),
        "oldest_batch_seconds": max((b["claimed_seconds_ago"] for b in batches), default=0.0),
        "dead_events": int(redis.llen(inbox.DEAD)),
        "throttled_requests": int(redis.get(inbox.THROTTLED) or 0),
        "queues": queues,
    }
