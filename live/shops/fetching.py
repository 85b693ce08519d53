"""A worker's turn at one shop: read its pushes, fetch the details of the orders they name in
batches, and hand the orders to the pipeline as order events.

One worker at a time per shop (a lock in Redis with a time to live): the shop's rate limit
and its in-flight ids are then one worker's to keep. An order becomes events through the
same inbox as sieulive's own webhook — one writer per order, the event record, statuses
forward only — so a push, its repeats, a backfill poll and a refetch all land on one order:

- `created` at the platform's creation time, with the lines (the order's time, which decides
  its session, is that of its earliest event);
- and, past unpaid, its status (`paid`, `delivered`, `cancelled`, `returned`) at the
  platform's update time.

Refetching gives the same events again, which the event record keeps once.

A push that says an order was returned (TikTok's return pushes: its order API has no such
status) becomes a `returned` event at the push's time, no fetch needed — or at the order's
update time last fetched, when that is later (TikTok updates the order after a refund, its
status still COMPLETED): the return is then the order's newest word, whichever came first.
The shop remembers the return (`pushes.returns_key`), so a later fetch — whose status still
reads DELIVERED or COMPLETED, maybe with a newer update time — can't put the order back on net.
"""

from __future__ import annotations

import json
import logging
import random
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx2 as httpx
from pydantic import ValidationError

from live.platforms.adapters import adapter as adapter_for
from live.platforms.common import ApiFailed, Notice, PlatformOrder
from live.sales.intake import inbox
from live.sales.intake.events import OrderEvent
from live.sales.tasks import drain_kept_waiting, enqueue_drain
from live.settings import Settings
from live.shops import pushes
from live.shops.service import ShopView

log = logging.getLogger(__name__)

READ_AT_ONCE = 500  # pushes read a round
# Ids gather this long before a call (unless a whole call's worth waits): a storm's ids go
# 50 a call, a trickle's within half a second.
SETTLE_SECONDS = 0.5
LOCK_SECONDS = 60
# An order drain queued this long found no free worker: a turn then makes way for it. Shorter
# than a snapshot tick, longer than a free worker takes to pick a job up (so a turn isn't cut
# just because it queued a drain itself a moment ago).
MAKE_WAY_AFTER_SECONDS = 0.1
MAX_BACKOFF_SECONDS = 300.0
NO_SKU = "(no-sku)"  # a line the platform gave without a seller SKU: kept, listed unmapped


@dataclass
class Turn:
    """What one turn did, for the job's result and the tests."""

    pushes: int = 0
    calls: int = 0
    orders: int = 0
    events: int = 0
    failures: int = 0
    waiting_inbox: int = 0
    yielded: bool = False  # ended early for an order drain waiting for a worker
    errors: list[str] = field(default_factory=list)


def events_of(
    order: PlatformOrder, channel: str, returned_at: datetime | None = None
) -> list[OrderEvent]:
    """`created` with the lines as placed; past unpaid — or with lines off on their own —
    its status with the lines as they now stand (the units cancelled or returned on their
    own named on each line: lines are set once, so that is how a later partial
    cancellation reaches the figures).

    `returned_at`: a return the shop was told of by push. The order API's status (still
    delivered) is then kept only if older than the return, and `returned` follows at the
    later of the return's and the order's update time; a cancellation goes through as it
    is."""
    placed = [
        {"sku": (line.sku or NO_SKU)[:64], "quantity": line.quantity, "unit_price": line.unit_price}
        for line in order.lines
    ]
    now = [
        {
            **fields,
            **({"cancelled_quantity": line.cancelled} if line.cancelled else {}),
            **({"returned_quantity": line.returned} if line.returned else {}),
        }
        for fields, line in zip(placed, order.lines, strict=True)
    ]
    base: dict[str, Any] = {"order_id": order.order_id, "channel": channel}
    if order.province:
        base["buyer_province"] = order.province[:100]
    events = [
        OrderEvent.model_validate(
            {**base, "type": "created", "occurred_at": order.created_at, "lines": placed}
        )
    ]
    status = order.kind != "created" or now != placed
    if returned_at is not None and order.kind != "cancelled":
        status = status and order.updated_at < returned_at
        at = max(returned_at, order.updated_at)
        events.append(OrderEvent.model_validate({**base, "type": "returned", "occurred_at": at}))
    if status:
        events.insert(
            1,
            OrderEvent.model_validate(
                {**base, "type": order.kind, "occurred_at": order.updated_at, "lines": now}
            ),
        )
    return events


class ShopWorker:
    def __init__(
        self,
        redis: Any,
        settings: Settings,
        shop: ShopView,
        http: httpx.Client | None = None,
        *,
        settle: float = SETTLE_SECONDS,
    ) -> None:
        self.redis = redis
        self.settings = settings
        self.shop = shop
        self.adapter = adapter_for(shop.platform)
        self.http = http or httpx.Client(timeout=10)
        self.settle = settle
        self.turn = Turn()

    # --- the turn -----------------------------------------------------------------------

    def run(self, budget_seconds: float = 3.0) -> Turn:
        """Work the shop until nothing is due or the budget is spent; a worker already on
        this shop means nothing to do here. A short turn: a worker serves the order drain
        too, which waits meanwhile (the next turn is enqueued as pushes come, and by every
        watchdog's tick)."""
        token = uuid.uuid4().hex
        lock = pushes.lock_key(self.shop.id)
        if not self.redis.set(lock, token, nx=True, ex=LOCK_SECONDS):
            return self.turn
        self.redis.delete(pushes.scheduled_key(self.shop.id))
        deadline = time.monotonic() + budget_seconds
        try:
            pushes.recover_in_flight(self.redis, self.shop.id)
            while time.monotonic() < deadline:
                self.redis.expire(lock, LOCK_SECONDS)
                if drain_kept_waiting(self.redis, MAKE_WAY_AFTER_SECONDS):
                    # An order drain is queued and no worker was free for it: the dashboards
                    # wait on the drain, so it goes first and this shop's turn comes after
                    # it (orders are served before platforms), rather than up to a whole
                    # turn's budget later — measured as the tail of the dashboard lag. The job
                    # queues the next turn once this one's lock is gone (`tasks.work_shop`).
                    self.turn.yielded = True
                    break
                read = self.read_pushes()
                fetched = self.fetch_due()
                if read or fetched:
                    continue
                due = pushes.next_due(self.redis, self.shop.id)
                if due is None or due - time.time() > 0.3:
                    break
                time.sleep(max(0.02, due - time.time()))
        finally:
            # Only our own lock: one that ran out and was taken meanwhile is another's.
            if self.redis.get(lock) == token.encode():
                self.redis.delete(lock)
        return self.turn

    def read_pushes(self) -> int:
        key = pushes.pushes_key(self.shop.id)
        raw = self.redis.lrange(key, 0, READ_AT_ONCE - 1)
        if not raw:
            return 0
        ids: list[str] = []
        events: list[OrderEvent] = []
        notices = [n for n in (self._read(item) for item in raw) if n is not None]
        returns: dict[str, datetime] = {}
        for notice in self._news(notices):
            ids += notice.order_ids
            if notice.order is not None:
                events += self._events(notice.order)
            if notice.returned is not None:
                order_id, at = notice.returned
                returns[order_id] = min(at, returns.get(order_id, at))
        if returns:
            # Remembered before the events go: a fetch of these orders keeps them returned.
            pushes.remember_returns(self.redis, self.shop.id, returns)
            events += self._returned(returns)
        if events and not self._to_inbox(events):
            return 0  # the order inbox is full: the pushes stay, read again in a moment
        pushes.add_pending(self.redis, self.shop.id, ids, time.time() + self.settle)
        self.redis.ltrim(key, len(raw), -1)
        self.turn.pushes += len(raw)
        return len(raw)

    def _read(self, item: bytes) -> Notice | None:
        try:
            stored = json.loads(item)
            notice = self.adapter.read_push(stored["h"], json.loads(stored["b"]))
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            # Signed by the platform yet unreadable: kept aside with the reason, counted.
            self.redis.rpush(
                pushes.failed_key(self.shop.id),
                json.dumps({"error": str(exc)[:300], "push": item.decode(errors="replace")}),
            )
            pushes.failure(self.redis, self.shop.id, f"unreadable push: {exc}")
            self.turn.failures += 1
            return None
        if notice.shop_ref is not None and notice.shop_ref != self.shop.keys.shop_ref:
            # One app pushes every shop it serves to the URL set in its console: an order of
            # another shop is that shop's to fetch, with its own token.
            pushes.count(self.redis, self.shop.id, "other_shop")
            return None
        return notice

    def _news(self, notices: list[Notice]) -> list[Notice]:
        """The notices that may say something new: a push reporting an update time no later
        than the details already fetched for its order (a repeat, a retry, a late push of an
        earlier status) needs no fetch — a platform's retries and reorderings cost nothing."""
        dated = [n for n in notices if n.updated is not None and len(n.order_ids) == 1]
        if not dated:
            return notices
        known = self.redis.hmget(pushes.fetched_key(self.shop.id), [n.order_ids[0] for n in dated])
        stale = {
            id(n)
            for n, seen in zip(dated, known, strict=True)
            if seen is not None and n.updated is not None and n.updated <= int(seen)
        }
        if stale:
            pushes.count(self.redis, self.shop.id, "already_fetched", len(stale))
        return [n for n in notices if id(n) not in stale]

    def _events(
        self, order: PlatformOrder, returned_at: datetime | None = None
    ) -> list[OrderEvent]:
        try:
            return events_of(order, self.shop.channel, returned_at)
        except ValidationError as exc:
            pushes.failure(self.redis, self.shop.id, f"order {order.order_id}: {exc}")
            self.turn.failures += 1
            return []

    def _returned(self, returns: dict[str, datetime]) -> list[OrderEvent]:
        """A `returned` event for each order, at its return's time or, when later, at the
        update time of the details last fetched (whose status, still delivered, it beats)."""
        fetched = self.redis.hmget(pushes.fetched_key(self.shop.id), list(returns))
        events = []
        for (order_id, at), seen in zip(returns.items(), fetched, strict=True):
            if seen is not None:
                at = max(at, datetime.fromtimestamp(int(seen), UTC))
            event = {"order_id": order_id, "channel": self.shop.channel, "occurred_at": at}
            try:
                events.append(OrderEvent.model_validate({**event, "type": "returned"}))
            except ValidationError as exc:
                pushes.failure(self.redis, self.shop.id, f"return of order {order_id}: {exc}")
                self.turn.failures += 1
        return events

    def fetch_due(self) -> int:
        now = time.time()
        ids = pushes.take(
            self.redis, self.shop.id, now, self.adapter.batch_limit, now + self.settle
        )
        if not ids:
            return 0
        self._wait_for_rate()
        self.turn.calls += 1
        pushes.count(self.redis, self.shop.id, "calls")
        try:
            orders = self.adapter.fetch(self.http, self.shop.keys, ids)
        except (ApiFailed, httpx.HTTPError, ValueError, KeyError, TypeError) as exc:
            retry = exc.retry_after if isinstance(exc, ApiFailed) else None
            self._failed(ids, f"detail call: {type(exc).__name__}: {exc}", retry)
            return len(ids)
        events: list[OrderEvent] = []
        found = set()
        returns = pushes.returns_of(self.redis, self.shop.id, ids)
        for order in orders:
            if order.order_id in ids:
                found.add(order.order_id)
                events += self._events(order, returns.get(order.order_id))
        if events and not self._to_inbox(events):
            pushes.give_back(self.redis, self.shop.id, ids, time.time() + 0.2)
            return 0
        pushes.done(self.redis, self.shop.id, sorted(found))
        if found:
            fetched = {
                o.order_id: int(o.updated_at.timestamp()) for o in orders if o.order_id in found
            }
            pipe = self.redis.pipeline(transaction=False)
            pipe.hset(pushes.fetched_key(self.shop.id), mapping=fetched)
            pipe.expire(pushes.fetched_key(self.shop.id), pushes.SEEN_SECONDS)
            pipe.execute()
        missing = [i for i in ids if i not in found]
        if missing:  # not visible in the API yet (or not this shop's): asked again later
            self._failed(missing, f"{len(missing)} order(s) not in the detail answer", None)
        self.turn.orders += len(found)
        pushes.count(self.redis, self.shop.id, "fetched", len(found))
        return len(ids)

    # --- helpers ------------------------------------------------------------------------

    def _failed(self, ids: list[str], error: str, retry_after: float | None) -> None:
        self.turn.failures += 1
        self.turn.errors.append(error)
        pushes.failure(self.redis, self.shop.id, error)
        attempts = self.redis.hincrby(pushes.attempts_key(self.shop.id), ids[0], 1)
        for other in ids[1:]:
            self.redis.hincrby(pushes.attempts_key(self.shop.id), other, 1)
        backoff = min(MAX_BACKOFF_SECONDS, 0.5 * 2 ** (int(attempts) - 1))
        wait = max(retry_after or 0.0, backoff * random.uniform(0.8, 1.2))
        pushes.give_back(self.redis, self.shop.id, ids, time.time() + wait)

    def _to_inbox(self, events: list[OrderEvent]) -> bool:
        """Append to the order inbox; False while it is full (the workers are behind: this
        shop's orders wait in Redis a moment, never refused to the platform)."""
        try:
            if inbox.accept(
                self.redis, self.shop.platform, events, time.time(), self.settings.inbox_limit
            ):
                enqueue_drain(self.redis)
        except inbox.InboxFull:
            self.turn.waiting_inbox += 1
            time.sleep(0.1)
            return False
        self.turn.events += len(events)
        return True

    def _wait_for_rate(self) -> None:
        """At most `calls_per_second` calls to this shop's API, across every worker."""
        for _ in range(50):
            second = int(time.time())
            key = f"{pushes.PREFIX}calls:{self.shop.id}:{second}"
            pipe = self.redis.pipeline(transaction=True)
            pipe.incr(key)
            pipe.expire(key, 2)
            used, _ = pipe.execute()
            if int(used) <= self.shop.calls_per_second:
                return
            time.sleep(max(0.01, second + 1 - time.time()))
