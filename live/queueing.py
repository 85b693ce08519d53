"""Job queues: the RQ queues the workers serve, and a job's database.

Domain-free: each area keeps its jobs beside it (`live/sales/tasks.py`, `live/imports/tasks.py`)
and enqueues them on these queues; `workers/` starts the processes that run them.
"""

from __future__ import annotations

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
