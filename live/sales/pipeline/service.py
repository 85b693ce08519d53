"""Draining the inbox: apply queued batches (workers), each in one transaction.

Services own the transaction; Redis effects that follow it (live counters, dashboard marks,
removing the processed batch) happen only after the commit.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from redis import Redis
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from live import metrics
from live.db import Database
from live.hub.publish import RedisPublisher
from live.logs import log_context
from live.sales.intake import inbox
from live.sales.intake.events import AnyEvent, EventType, OrderEvent, QueuedEvent, QueuedLine
from live.sales.pipeline import counters, record, snapshots
from live.sales.pipeline.processing import BatchApplier, Outcome
from live.sales.pipeline.stock import StockGate
from live.schedule.models import LiveSession

log = logging.getLogger(__name__)

BATCH_SIZE = 500  # events a transaction; workers take `Settings.order_batch_size`
CONFLICT_RETRIES = 8  # pauses of ~0.1, 0.2, 0.4 … 2 s: about 7 s of losing before giving back
REST_SECONDS = 1.0  # a batch given back waits this long (times its attempts after an error)
MAX_ATTEMPTS = 5  # then a batch failing for another reason than a conflict is dead-lettered


@dataclass
class DrainReport:
    batches: int = 0
    events: int = 0
    new_orders: int = 0
    changed_orders: int = 0
    dead: int = 0
    reclaimed: int = 0  # batches a dead drain left behind
    released: int = 0  # batches given back after an attempt that could not finish
    paused: bool = False  # stopped for a repair (`drains_paused`)


def drain(
    db: Database,
    redis: Redis,
    *,
    budget_seconds: float = 20.0,
    batch_size: int = BATCH_SIZE,
    worker: str = "",
) -> DrainReport:
    """Apply queued events batch by batch until the inbox is empty or the time is up.

    Batches a dead drain left behind come first, looked for before every batch, so a batch
    orphaned while this drain runs waits no longer than its lease."""
    box = inbox.Inbox(redis)
    gate = StockGate(redis)
    report = DrainReport()
    redis.delete(inbox.DRAIN_SCHEDULED)  # before the last emptiness check: no lost wake-ups
    deadline = time.monotonic() + budget_seconds
    with inbox.Lease(redis, worker) as lease:
        while time.monotonic() < deadline:
            if redis.exists(inbox.PAUSED):
                report.paused = True
                break  # a repair is rewriting orders: the pause's end queues a drain
            batches = box.reclaim(lease)
            report.reclaimed += len(batches)
            claimed = box.claim(batch_size, lease)
            if claimed is not None:
                batches.append(claimed)
            if not batches:
                break
            for key, raw in batches:
                with log_context(batch_id=key.removeprefix(inbox.BATCH)):
                    if not _run_batch(db, redis, box, gate, key, raw, report, lease.worker):
                        return report  # the database is unreachable: the watchdog comes back
    return report


class StillApplying(Exception):
    """Drains did not finish the batches they held in time: nothing was repaired."""


@contextmanager
def drains_paused(redis: Redis, wait_seconds: float = 120.0) -> Iterator[None]:
    """Hold the order drains still — the batches being applied finished, no new one taken —
    for work that rewrites orders and aggregates (`reconcile --repair`): an increment
    committed under it would be lost to the absolute values it writes. Webhooks and pushes
    still queue meanwhile: the caller queues a drain at the end for what waited."""
    box = inbox.Inbox(redis)
    with inbox.Pause(redis):
        deadline = time.monotonic() + wait_seconds
        while box.being_applied():
            if time.monotonic() > deadline:
                held = box.being_applied()
                raise StillApplying(f"{held} batch(es) still applied after {wait_seconds:.0f} s")
            time.sleep(0.2)
        yield


def batches_in_flight(redis: Redis) -> int:
    return inbox.Inbox(redis).in_flight()


def more_waiting(redis: Redis) -> bool:
    """Events waiting, or batches no live drain holds: a drain has work to do."""
    box = inbox.Inbox(redis)
    return box.depth() > 0 or box.orphans() > 0


def _run_batch(
    db: Database,
    redis: Redis,
    box: inbox.Inbox,
    gate: StockGate,
    key: str,
    raw: list[bytes],
    report: DrainReport,
    worker: str,
) -> bool:
    """Apply one claimed batch; False when the database could not be reached (the batch is
    given back to wait a moment and the drain should stop)."""
    items: list[tuple[str, AnyEvent]] = []
    received: list[float] = []
    dead: list[bytes] = []
    for blob in raw:
        try:
            envelope = json.loads(blob)
            items.append((envelope["platform"], inbox_event(envelope["event"])))
            received.append(float(envelope.get("received_at") or time.time()))
        except (ValueError, KeyError, TypeError, ValidationError):
            dead.append(blob)  # validated at the webhook; only a format change lands here
    started = time.perf_counter()
    try:
        applied = apply_batch(db, gate, items, batch_key=key, received_at=received, worker=worker)
    except BatchConflict as exc:
        # Lost every race of its retries, or the database is away: nothing was written. Give
        # it back for a moment; it is never failed for a conflict.
        log.warning("batch %s given back: %s", key, exc)
        box.release(key, str(exc), REST_SECONDS)
        report.released += 1
        metrics.BATCHES.labels("given_back").inc()
        if exc.unreachable:
            metrics.BACKEND_ERRORS.labels("database", "order_batch").inc()
        return not exc.unreachable
    except Exception as exc:
        metrics.count_backend_error(exc, "order_batch")
        with log_context(order_ids=_order_ids(items)):
            if box.attempts(key) >= MAX_ATTEMPTS:
                log.exception(
                    "batch %s failed %d times: its events go to the dead list", key, MAX_ATTEMPTS
                )
                box.bury(key, raw, _describe(exc))
                report.dead += len(raw)
                metrics.BATCHES.labels("dead").inc()
            else:
                log.exception("batch %s failed; it will be tried again", key)
                box.release(key, _describe(exc), REST_SECONDS * box.attempts(key))
                report.released += 1
                metrics.BATCHES.labels("failed").inc()
        return True
    metrics.BATCH_SECONDS.observe(time.perf_counter() - started)
    outcome = applied.outcome
    # The batch knows the campaigns of the sessions its orders are in now; only a session an
    # order left (or a rerun's, which knows none) costs a query.
    sessions = {grain[0] for grain in outcome.deltas if grain[0]}
    campaign_of = {s: c for s, c in outcome.campaign_of.items() if s in sessions}
    campaign_of.update(_campaigns(db, sessions - campaign_of.keys()))
    # After the commit: live counters (once per batch, however often it is run), then the
    # batch is done. A crash in between leaves the batch in flight: its next run finds it
    # applied and adds the counters it did not get to.
    counters.add(redis, outcome.deltas, campaign_of, batch=key)
    # The dashboards hear of it now rather than at the next tick (throttled per campaign).
    snapshots.publish_campaigns(redis, RedisPublisher(redis), sorted(set(campaign_of.values())))
    # Accepted by the webhook → on the dashboards (at most one snapshot tick more when the
    # campaign's throttle held it): the figure the one-second target is about.
    if received:
        metrics.DASHBOARD_LAG.observe(max(0.0, time.time() - min(received)))
    metrics.BATCHES.labels("applied").inc()
    metrics.BATCH_EVENTS.inc(len(raw))
    log.debug(
        "batch applied: %d events, %d new orders, %d changed",
        len(raw),
        outcome.new_orders,
        outcome.changed_orders,
    )
    if dead:
        redis.rpush(inbox.DEAD, *dead)
    box.done(key)
    report.batches += 1
    report.events += len(raw)
    report.new_orders += outcome.new_orders
    report.changed_orders += outcome.changed_orders
    report.dead += len(dead)
    return True


def _order_ids(items: list[tuple[str, AnyEvent]], shown: int = 10) -> str:
    """The orders a batch's log line concerns (the first few; the batch id finds the rest)."""
    ids = list(dict.fromkeys(f"{platform}:{event.order_id}" for platform, event in items))
    more = f" (+{len(ids) - shown})" if len(ids) > shown else ""
    return ",".join(ids[:shown]) + more


def inbox_event(data: dict[str, Any]) -> AnyEvent:
    """An event from the inbox. The webhook validated and normalised it before queueing it,
    so it is rebuilt without running every validator again (pydantic was a fifth of a batch's
    time); anything unexpected goes through full validation, which dead-letters it."""
    try:
        at = datetime.fromisoformat(data["occurred_at"])
        if at.tzinfo is None:
            raise ValueError("naive")
        return QueuedEvent(
            type=EventType(data["type"]),
            order_id=str(data["order_id"]),
            occurred_at=at,
            lines=tuple(
                QueuedLine(
                    str(line["sku"]),
                    int(line["quantity"]),
                    int(line["unit_price"]),
                    line.get("cancelled_quantity"),
                    line.get("returned_quantity"),
                )
                for line in data.get("lines", ())
            ),
            live_code=data.get("live_code"),
            channel=data.get("channel"),
            buyer_province=data.get("buyer_province"),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return OrderEvent.model_validate(data)


class BatchConflict(Exception):
    """A batch that lost its race with other writers on every retry, or met no database."""

    def __init__(self, message: str, *, unreachable: bool = False) -> None:
        super().__init__(message)
        self.unreachable = unreachable


@dataclass
class Applied:
    outcome: Outcome
    again: bool = False  # the batch had been applied before: `outcome` holds only its deltas


def apply_batch(
    db: Database,
    gate: StockGate | None,
    items: list[tuple[str, AnyEvent]],
    *,
    batch_key: str | None = None,
    received_at: list[float] | None = None,
    worker: str = "",
) -> Applied:
    """Keep the batch's events and apply them, in one transaction.

    Two workers touching the same orders wait for each other on the orders' row locks; what
    can still happen — a deadlock the database breaks, SQLite busy past its timeout, a
    connection cut — rolls the whole batch back, and it runs again here after a growing,
    jittered pause. The stock gate remembers its answers, so a rerun takes no stock twice."""
    key = batch_key or f"direct:{uuid.uuid4().hex}"
    for attempt in range(1, CONFLICT_RETRIES + 1):
        try:
            with db.unit_of_work() as session:
                if not record.begin_batch(session, key, worker):
                    return Applied(Outcome(deltas=record.applied_deltas(session, key)), again=True)
                applier = BatchApplier(session, gate)
                prepared = applier.prepare(items)
                record.keep_events(session, key, items, received_at)
                outcome = applier.apply(prepared)
                record.finish_batch(session, key, outcome)
                return Applied(outcome)
        except (OperationalError, IntegrityError) as exc:
            unreachable = isinstance(exc, OperationalError) and exc.connection_invalidated
            if attempt == CONFLICT_RETRIES or unreachable:
                raise BatchConflict(_describe(exc), unreachable=unreachable) from exc
            pause = min(2.0, 0.05 * 2**attempt) * random.uniform(0.5, 1.5)
            log.info("batch %s met a concurrent writer (%s); again in %.2f s", key, exc, pause)
            time.sleep(pause)
    raise AssertionError("unreachable")


def _describe(exc: BaseException) -> str:
    """One line: the exception's class and first line, never the statement's parameters."""
    text = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}"[:300]


def _campaigns(db: Database, session_ids: set[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    with db.reading() as session:
        rows = session.execute(
            select(LiveSession.id, LiveSession.campaign_id).where(LiveSession.id.in_(session_ids))
        ).all()
    return {sid: cid for sid, cid in rows}
