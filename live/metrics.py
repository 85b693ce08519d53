"""Prometheus metrics: what each process counts, and the `/metrics` text that adds them up.

prometheus-client in its multiprocess mode when `PROMETHEUS_MULTIPROC_DIR` is set: each
process (web, worker, a forked work horse) writes its samples to files in that folder and
`/metrics` sums them, so several web processes and the workers `sieulive dev` starts beside
them answer as one. The library reads the variable itself when it is first imported, which is
why it is set in the environment of the processes a command starts (`child_environment`) and
never changed afterwards. Without it (the test suite, a lone process) the process's own
registry is served.

Figures that live in Redis (inbox depth, queue lengths, live workers, stuck batches, stale
overlays) are not counted here: the app reads them when scraped (`live/monitoring.py`), so
every web process answers the same figures and dashboards take `max` over them.

Labels are bounded: routes are templates (`/api/sessions/{session_id}`), never raw paths;
platforms, reasons, commands and channel kinds are fixed sets.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

# Seconds: HTTP answers and show commands are expected in tens of milliseconds, a platform
# gives up after 0.5–3 s.
FAST = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
# Batches and lag: the target is a second from webhook to dashboard.
SLOW = (0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30, 60)

HTTP_REQUESTS = Counter(
    "sieulive_http_requests", "HTTP requests answered", ["method", "route", "status"]
)
HTTP_SECONDS = Histogram(
    "sieulive_http_request_seconds",
    "time to answer an HTTP request",
    ["method", "route"],
    buckets=FAST,
)
WEBHOOK_EVENTS_ACCEPTED = Counter(
    "sieulive_webhook_events_accepted", "order events queued in the inbox", ["platform"]
)
WEBHOOK_REFUSED = Counter(
    "sieulive_webhook_requests_refused",
    "order webhook requests refused, by the error code answered",
    ["platform", "reason"],
)
BATCH_SECONDS = Histogram(
    "sieulive_order_batch_apply_seconds", "time to apply one batch of order events", buckets=SLOW
)
BATCH_EVENTS = Counter("sieulive_order_batch_events", "order events applied by batches")
BATCHES = Counter(
    "sieulive_order_batches", "order batches taken by a worker, by outcome", ["outcome"]
)
DASHBOARD_LAG = Histogram(
    "sieulive_order_dashboard_lag_seconds",
    "oldest event of a batch: accepted by the webhook → its figures published to dashboards",
    buckets=SLOW,
)
WS_CONNECTIONS = Gauge(
    "sieulive_websocket_connections",
    "websocket clients connected",
    ["kind"],
    multiprocess_mode="livesum",
)
WS_FRAMES = Counter("sieulive_websocket_frames_sent", "frames written to clients", ["kind"])
WS_SLOW_DROPS = Counter(
    "sieulive_websocket_slow_client_drops", "clients dropped for not reading fast enough"
)
WS_RESYNCS = Counter(
    "sieulive_websocket_resyncs", "whole states sent again to a client that asked (gap, epoch)"
)
SHOW_COMMAND_SECONDS = Histogram(
    "sieulive_show_command_seconds",
    "time to apply a show command",
    ["command", "outcome"],
    buckets=FAST,
)
BACKEND_ERRORS = Counter(
    "sieulive_backend_errors", "errors talking to Redis or the database", ["backend", "where"]
)
WORKER_HEARTBEATS = Counter(
    "sieulive_worker_heartbeats", "heartbeats written by workers (see /readyz)"
)


@contextmanager
def timing_show_command(command: str) -> Iterator[dict[str, str]]:
    """Time a show command, labelled by how it ended: the caller sets `outcome` to applied or
    repeated; an exception leaves it refused."""
    result = {"outcome": "refused"}
    started = time.perf_counter()
    try:
        yield result
    finally:
        SHOW_COMMAND_SECONDS.labels(command, result["outcome"]).observe(
            time.perf_counter() - started
        )


def backend_of(exc: BaseException) -> str | None:
    """`redis` or `database` when the exception came from that client library."""
    module = type(exc).__module__
    if module.startswith("redis"):
        return "redis"
    if module.startswith(("sqlalchemy", "psycopg", "sqlite3")):
        return "database"
    return None


def count_backend_error(exc: BaseException, where: str) -> None:
    backend = backend_of(exc)
    if backend:
        BACKEND_ERRORS.labels(backend, where).inc()


def exposition(metrics_dir: Path | None, *extra: Collector) -> tuple[bytes, str]:
    """The text `/metrics` answers: every process's samples (multiprocess mode) or this one's,
    plus the collectors read at scrape time."""
    from prometheus_client import REGISTRY

    registry: CollectorRegistry
    if metrics_dir is not None and metrics_dir.is_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path=str(metrics_dir))
    else:
        registry = CollectorRegistry()
        registry.register(_Forward(REGISTRY))
    for collector in extra:
        registry.register(collector)
    return generate_latest(registry), CONTENT_TYPE_LATEST


class _Forward(Collector):
    """The process's own registry, served through a fresh one that the scrape-time collectors
    join (registering them on the global one would keep them, and their Redis client, forever)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


def prepare_folder(metrics_dir: Path) -> None:
    """Empty the folder before the processes that share it start: samples of processes from a
    previous run would otherwise be summed in (and their gauges never go away)."""
    metrics_dir.mkdir(parents=True, exist_ok=True)
    for old in metrics_dir.glob("*.db"):
        old.unlink(missing_ok=True)


def process_exited(metrics_dir: Path | None) -> None:
    """Drop this process's live gauges (websocket connections) from the sums."""
    if metrics_dir is not None and metrics_dir.is_dir():
        multiprocess.mark_process_dead(os.getpid(), str(metrics_dir))
