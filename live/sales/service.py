"""Sales: take events in (webhook), apply queued batches (workers), reconcile.

Services own the transaction; Redis effects that follow it (live counters, dashboard marks,
removing the processed batch) happen only after the commit.
"""

from __future__ import annotations

import json
import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from live.db import Database
from live.hub.publish import RedisPublisher
from live.sales import counters, inbox, snapshots
from live.sales.events import AnyEvent, EventType, OrderEvent, QueuedEvent, QueuedLine
from live.sales.processing import BatchApplier, Outcome
from live.sales.stock import StockGate
from live.schedule.models import LiveSession

log = logging.getLogger(__name__)

BATCH_SIZE = 500  # events a transaction; workers take `Settings.order_batch_size`
# Longer than any batch takes: a batch claimed this long ago lost its worker.
STALE_BATCH_SECONDS = float(os.environ.get("SIEULIVE_STALE_BATCH_SECONDS", 60))


def accept(
    redis: Any, platform: str, events: list[OrderEvent], received_at: float, limit: int
) -> bool:
    """Queue validated events; True when a drain job must be enqueued. InboxFull when
    `limit` events are already waiting (nothing queued)."""
    items = [
        inbox.envelope(platform, e.model_dump(mode="json", exclude_none=True), received_at)
        for e in events
    ]
    return inbox.append(redis, items, limit)


@dataclass
class DrainReport:
    batches: int = 0
    events: int = 0
    new_orders: int = 0
    changed_orders: int = 0
    dead: int = 0


def drain(
    db: Database,
    redis: Any,
    *,
    budget_seconds: float = 20.0,
    batch_size: int = BATCH_SIZE,
    linger_seconds: float = 0.0,
) -> DrainReport:
    """Apply queued events batch by batch until the inbox is empty or the time is up.

    `linger_seconds`: how long an empty inbox is watched before giving up. Under a steady
    trickle (one order a request) the inbox empties between batches; waiting a moment here is
    cheaper and fresher than a new job for every trickle (a fork, connections, cold caches)."""
    box = inbox.Inbox(redis)
    gate = StockGate(redis)
    report = DrainReport()
    redis.delete(inbox.DRAIN_SCHEDULED)  # before the last emptiness check: no lost wake-ups
    deadline = time.monotonic() + budget_seconds
    while time.monotonic() < deadline:
        # Abandoned batches first (their worker died), checked on every round so a batch that
        # turns stale while this drain runs is not left for the next one.
        for key in box.stale_batches(STALE_BATCH_SECONDS):
            _run_batch(db, redis, box, gate, key, box.reclaim(key), report)
        claimed = box.claim(batch_size)
        if claimed is None:
            break
        _run_batch(db, redis, box, gate, claimed[0], claimed[1], report)
    return report


def batches_in_flight(redis: Any) -> int:
    return inbox.Inbox(redis).in_flight()


def more_waiting(redis: Any) -> bool:
    box = inbox.Inbox(redis)
    return box.depth() > 0 or bool(box.stale_batches(STALE_BATCH_SECONDS))


def _run_batch(
    db: Database,
    redis: Any,
    box: inbox.Inbox,
    gate: StockGate,
    key: str,
    raw: list[bytes],
    report: DrainReport,
) -> None:
    items: list[tuple[str, AnyEvent]] = []
    dead: list[bytes] = []
    for blob in raw:
        try:
            envelope = json.loads(blob)
            items.append((envelope["platform"], inbox_event(envelope["event"])))
        except (ValueError, KeyError, TypeError, ValidationError):
            dead.append(blob)  # validated at the webhook; only a format change lands here
    outcome = apply_batch(db, gate, items)
    campaign_of = _campaigns(db, {grain[0] for grain in outcome.deltas if grain[0]})
    # After the commit: live counters, then the batch is done. A crash in between leaves the
    # counters short until `reconcile`; the batch itself is not lost.
    counters.add(redis, outcome.deltas, campaign_of)
    # The dashboards hear of it now rather than at the next tick (throttled per campaign).
    snapshots.publish_campaigns(redis, RedisPublisher(redis), sorted(set(campaign_of.values())))
    if dead:
        redis.rpush(inbox.DEAD, *dead)
    box.done(key)
    report.batches += 1
    report.events += len(raw)
    report.new_orders += outcome.new_orders
    report.changed_orders += outcome.changed_orders
    report.dead += len(dead)


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
                QueuedLine(str(line["sku"]), int(line["quantity"]), int(line["unit_price"]))
                for line in data.get("lines", ())
            ),
            live_code=data.get("live_code"),
            channel=data.get("channel"),
            buyer_province=data.get("buyer_province"),
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return OrderEvent.model_validate(data)


def apply_batch(db: Database, gate: StockGate | None, items: list[tuple[str, AnyEvent]]) -> Outcome:
    for attempt in (1, 2, 3):
        try:
            with db.unit_of_work() as session:
                return BatchApplier(session, gate).apply(items)
        except IntegrityError:
            # Two workers applying the same new order at once (a duplicate delivery split
            # across batches): the other's insert won. Run again: it is now an update. The
            # stock gate remembers its answers, so a rerun takes no stock twice.
            if attempt == 3:
                raise
            log.info("batch met a concurrent insert; applying it again")
    raise AssertionError("unreachable")


def _campaigns(db: Database, session_ids: set[int]) -> dict[int, int]:
    if not session_ids:
        return {}
    with db.reading() as session:
        rows = session.execute(
            select(LiveSession.id, LiveSession.campaign_id).where(LiveSession.id.in_(session_ids))
        ).all()
    return {sid: cid for sid, cid in rows}
