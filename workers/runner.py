"""Starting an RQ worker on the project's queues with the one settings object."""

from __future__ import annotations

import logging
from typing import Any

from rq import Queue, SimpleWorker, Worker

from live import redis_conn
from live.assembly import assemble
from live.logs import configure_logging
from live.metrics import exposition, process_exited
from live.queueing import QUEUES
from live.settings import Settings
from workers.watchdog import Watchdog

log = logging.getLogger("sieulive.worker")


def run_worker(settings: Settings, *, burst: bool = False, worker_class: str = "simple") -> None:
    """`simple` (our default) runs jobs in the worker process itself: no fork per job, and the
    drain keeps its DB engine, connection and compiled statements from one job to the next —
    `sieulive bench orders` measured 1.3–1.6× the batched orders a second of RQ's default
    `fork`, which runs each job in a forked work horse. What fork would buy — a crashing or
    leaking job can't take the worker down — matters little for our own short jobs, and a
    killed worker's batch is recovered either way. Job timeouts still apply (SIGALRM)."""
    assemble()
    configure_logging(settings, "worker")
    connection = redis_conn.connect(settings)
    queues = [Queue(name, connection=connection) for name in QUEUES]
    _warm_up()
    if settings.worker_metrics_port:
        # Workers in containers of their own have no web process to sum their samples:
        # each serves its own for Prometheus to scrape (docs/operations.md).
        serve_metrics(settings)
    _known_shops(connection)
    watchdog = Watchdog(connection)
    watchdog.heartbeat()
    # A batch a killed worker left, or events whose drain job was lost: enqueue one now.
    watchdog.look()
    if not burst:
        watchdog.start()
    cls = SimpleWorker if worker_class == "simple" else Worker
    log.info("worker %s serving %s (%s)", watchdog.name, ", ".join(QUEUES), worker_class)
    try:
        cls(queues, connection=connection).work(burst=burst, logging_level=settings.log_level)
    finally:
        if not burst:
            watchdog.stop()
        process_exited(settings.metrics_dir)


def serve_metrics(settings: Settings) -> None:
    """/metrics on SIEULIVE_WORKER_METRICS_PORT, in a thread (prometheus-client's server)."""
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Thread

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            token = settings.metrics_token
            if token and self.headers.get("Authorization") != f"Bearer {token}":
                self.send_response(401)
                self.end_headers()
                return
            body, content_type = exposition(settings.metrics_dir)
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass  # a scrape every 15 s is not news

    server = ThreadingHTTPServer(("0.0.0.0", int(settings.worker_metrics_port or 0)), Handler)
    Thread(target=server.serve_forever, name="metrics", daemon=True).start()


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
