"""Starting an RQ worker on the project's queues with the one settings object."""

from __future__ import annotations

from typing import Any

from rq import Queue, SimpleWorker, Worker

from live import redis_conn
from live.assembly import assemble
from live.queueing import QUEUES
from live.settings import Settings
from workers.watchdog import Watchdog


def run_worker(settings: Settings, *, burst: bool = False, worker_class: str = "simple") -> None:
    """`simple` (our default) runs jobs in the worker process itself: no fork per job, and the
    drain keeps its DB engine, connection and compiled statements from one job to the next —
    `sieulive bench orders` measured 1.3–1.6× the batched orders a second of RQ's default
    `fork`, which runs each job in a forked work horse. What fork would buy — a crashing or
    leaking job can't take the worker down — matters little for our own short jobs, and a
    killed worker's batch is recovered either way. Job timeouts still apply (SIGALRM)."""
    assemble()
    connection = redis_conn.connect(settings)
    queues = [Queue(name, connection=connection) for name in QUEUES]
    _warm_up()
    _known_shops(connection)
    watchdog = Watchdog(connection)
    # A batch a killed worker left, or events whose drain job was lost: enqueue one now.
    watchdog.look()
    if not burst:
        watchdog.start()
    cls = SimpleWorker if worker_class == "simple" else Worker
    try:
        cls(queues, connection=connection).work(burst=burst)
    finally:
        if not burst:
            watchdog.stop()


def _known_shops(connection: Any) -> None:
    """Every active shop in the watchdog's set, so each gets its backfill polls even before
    its first push."""
    from sqlalchemy import select

    from live.queueing import job_database
    from live.shops.models import Shop
    from live.shops.pushes import KNOWN

    with job_database().reading() as db:
        ids = db.scalars(select(Shop.id).where(Shop.active)).all()
    if ids:
        connection.sadd(KNOWN, *ids)


def _warm_up() -> None:
    """Configure the ORM mappers once in the worker: a forked work horse inherits them instead
    of configuring every model again for each job."""
    from sqlalchemy.orm import configure_mappers

    import live.models  # every model, so the mappers are complete
    import live.sales.pipeline.processing  # noqa: F401

    configure_mappers()
