"""Starting an RQ worker on the project's queues with the one settings object."""

from __future__ import annotations

from rq import Queue, SimpleWorker, Worker

from live import redis_conn
from live.sales.service import batches_in_flight, more_waiting
from live.settings import Settings
from workers.orders import enqueue_drain

QUEUES = ("orders", "imports", "default")


def run_worker(settings: Settings, *, burst: bool = False, worker_class: str = "simple") -> None:
    """`simple` (our default) runs jobs in the worker process itself: no fork per job, and the
    drain keeps its DB engine, connection and compiled statements from one job to the next —
    `sieulive bench orders` measured 1.3–1.6× the batched orders a second of RQ's default
    `fork`, which runs each job in a forked work horse. What fork would buy — a crashing or
    leaking job can't take the worker down — matters little for our own short jobs, and a
    killed worker's batch is recovered either way. Job timeouts still apply (SIGALRM)."""
    connection = redis_conn.connect(settings)
    queues = [Queue(name, connection=connection) for name in QUEUES]
    # A worker killed mid-batch left its batch in flight: whoever boots next picks it up.
    if more_waiting(connection) or batches_in_flight(connection):
        enqueue_drain(connection)
    _warm_up()
    cls = SimpleWorker if worker_class == "simple" else Worker
    cls(queues, connection=connection).work(burst=burst, with_scheduler=True)


def _warm_up() -> None:
    """Configure the ORM mappers once in the worker: a forked work horse inherits them instead
    of configuring every model again for each job."""
    from sqlalchemy.orm import configure_mappers

    import live.models  # every model, so the mappers are complete
    import live.sales.processing  # noqa: F401

    configure_mappers()
