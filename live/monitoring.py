"""What the on-call engineer's tools read: `/metrics` for Prometheus and the readiness checks.

`/metrics` answers the counters and histograms of every process sharing the metrics folder
(`live/metrics.py`) plus figures read from Redis and the database when scraped: the order
inbox, the RQ queues, the workers seen, the overlays of the shows on air. Those are the same
from every web process, so dashboards and alerts take `max` over instances.

Open on `sieulive dev`; behind `Authorization: Bearer <SIEULIVE_METRICS_TOKEN>` when that is
set (Prometheus's `authorization` block sends it).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Iterator
from typing import Any

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from live.db import Database
from live.metrics import count_backend_error, exposition
from live.queueing import workers_seen
from live.sales.models import Order
from live.sales.tools.queues import queue_figures
from live.schedule.models import LiveSession
from live.settings import Settings
from live.shows.models import Show
from live.shows.monitoring import ON_AIR, overlays_on_air

log = logging.getLogger(__name__)


class ServiceFigures(Collector):
    """Figures of the whole service, read when scraped. A part that can't be read is left out
    of this scrape (and counted as a backend error) rather than failing the others."""

    def __init__(self, db: Database, redis: Any, settings: Settings) -> None:
        self.db, self.redis, self.settings = db, redis, settings

    def collect(self) -> Iterator[GaugeMetricFamily]:
        try:
            yield from self._queues()
        except Exception as exc:
            count_backend_error(exc, "metrics")
            log.warning("metrics: could not read the queues: %s", exc)
        try:
            yield from self._overlays()
            yield from self._orders_on_air()
        except Exception as exc:
            count_backend_error(exc, "metrics")
            log.warning("metrics: could not read the shows on air: %s", exc)
        try:
            yield from self._redis_memory()
        except Exception as exc:
            count_backend_error(exc, "metrics")
            log.warning("metrics: could not read Redis's memory: %s", exc)

    def _queues(self) -> Iterator[GaugeMetricFamily]:
        figures = queue_figures(self.redis)

        def gauge(name: str, text: str, value: float) -> GaugeMetricFamily:
            return GaugeMetricFamily(name, text, value=value)

        yield gauge(
            "sieulive_inbox_events", "order events waiting in the inbox", figures["inbox_depth"]
        )
        yield gauge(
            "sieulive_inbox_oldest_event_age_seconds",
            "how long the oldest waiting order event has waited",
            figures["inbox_oldest_seconds"],
        )
        yield gauge(
            "sieulive_inbox_limit",
            "events waiting before webhooks get 429",
            self.settings.inbox_limit,
        )
        yield gauge(
            "sieulive_order_batches_in_flight",
            "order batches taken by a drain",
            figures["batches_in_flight"],
        )
        yield gauge(
            "sieulive_order_batches_stuck",
            "batches in flight whose drain is gone or whose last attempt failed",
            figures["batches_stuck"],
        )
        yield gauge(
            "sieulive_order_oldest_batch_seconds",
            "age of the oldest batch in flight",
            figures["oldest_batch_seconds"],
        )
        yield gauge(
            "sieulive_order_dead_events",
            "events no batch could apply (kept)",
            figures["dead_events"],
        )
        jobs = GaugeMetricFamily(
            "sieulive_queue_jobs", "RQ jobs by queue and state", labels=["queue", "state"]
        )
        for queue, states in figures["queues"].items():
            for state, count in states.items():
                jobs.add_metric([queue, state], count)
        yield jobs
        seen = workers_seen(self.redis)
        stale = self.settings.worker_stale_seconds
        yield gauge(
            "sieulive_workers_live",
            f"workers seen in the last {stale:g} s",
            sum(1 for age in seen.values() if age <= stale),
        )
        yield gauge(
            "sieulive_worker_last_seen_seconds",
            "seconds since any worker was last seen (3600: none in the last hour)",
            min(seen.values(), default=3600.0),
        )

    def _redis_memory(self) -> Iterator[GaugeMetricFamily]:
        # Queued orders must never be evicted (noeviction): a full Redis refuses webhooks.
        info = self.redis.info("memory")
        limit = int(info.get("maxmemory") or 0) or int(info.get("total_system_memory") or 0)
        yield GaugeMetricFamily(
            "sieulive_redis_used_memory_bytes", "memory Redis uses", value=info["used_memory"]
        )
        yield GaugeMetricFamily(
            "sieulive_redis_memory_limit_bytes",
            "Redis's maxmemory, else the machine's memory",
            value=limit,
        )

    def _orders_on_air(self) -> Iterator[GaugeMetricFamily]:
        """Orders so far of each session on air (a rehearsal's too, labelled): Grafana's
        orders a minute per session is the increase of this."""
        orders = GaugeMetricFamily(
            "sieulive_session_orders",
            "orders attributed to each session on air",
            labels=["session", "rehearsal"],
        )
        with self.db.reading() as session:
            rows = session.execute(
                select(LiveSession.code, Order.rehearsal, func.count(Order.id))
                .join(Show, Show.session_id == LiveSession.id)
                .join(Order, Order.session_id == LiveSession.id)
                .where(Show.phase.in_(ON_AIR))
                .group_by(LiveSession.code, Order.rehearsal)
            ).all()
        for code, rehearsal, count in rows:
            orders.add_metric([code, "true" if rehearsal else "false"], count)
        yield orders

    def _overlays(self) -> Iterator[GaugeMetricFamily]:
        overlays = GaugeMetricFamily(
            "sieulive_overlays",
            "overlays of the shows on air, by status (ok, stale, gone)",
            labels=["session", "status"],
        )
        for (code, status), count in sorted(overlays_on_air(self.db, self.redis).items()):
            overlays.add_metric([code, status], count)
        yield overlays


async def metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if settings.metrics_token:
        given = request.headers.get("authorization", "")
        expected = f"Bearer {settings.metrics_token}"
        if not hmac.compare_digest(given.encode(), expected.encode()):
            body = {
                "error": {
                    "code": "unauthorized",
                    "message": "a metrics token is needed",
                    "details": {},
                }
            }
            return JSONResponse(body, status_code=401, headers={"WWW-Authenticate": "Bearer"})
    figures = ServiceFigures(request.app.state.db, request.app.state.redis, settings)
    text, content_type = await run_in_threadpool(exposition, settings.metrics_dir, figures)
    return Response(text, media_type=content_type)


def worker_check(redis: Any, settings: Settings) -> str:
    """ "ok", or why not: no worker has said it is alive within SIEULIVE_WORKER_STALE_SECONDS
    (orders then wait in the inbox with nobody to apply them)."""
    seen = workers_seen(redis)
    stale = settings.worker_stale_seconds
    live = [name for name, age in seen.items() if age <= stale]
    if live:
        return "ok"
    if not seen:
        return "error: no worker seen in the last hour (none running?); orders wait unapplied"
    last = min(seen.values())
    return (
        f"error: no worker seen for {last:.0f} s (limit {stale:g} s, "
        f"SIEULIVE_WORKER_STALE_SECONDS); orders wait unapplied"
    )
