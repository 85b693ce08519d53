"""The durable inbox in Redis between the webhook and the workers.

The webhook appends raw events and answers 202 only once Redis has them; no DB write on the
request path. A drain claims a batch by moving it, in one atomic script, from the inbox to
a batch key listed in an in-flight set, owned by the drain's lease; the batch key is deleted
only after the batch's DB transaction committed.

A lease is a key with a short time to live that a thread of the drain renews every second: it
lives exactly as long as the drain's process. A worker killed mid-batch (SIGKILL, OOM, a lost
machine) stops renewing it, and within `LEASE_SECONDS` its batches are anyone's to take again
(`reclaim`) — seconds, not a guessed "longer than any batch takes". A drain that is merely slow
(a long lock wait) keeps its lease. Taking a batch twice is harmless anyway: the batch's row in
the DB (`record.begin_batch`) makes the second run apply nothing.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import threading
import time
import uuid
from types import TracebackType
from typing import Any, Self

from live.sales.intake.events import OrderEvent

INBOX = "sieulive:orders:inbox"
IN_FLIGHT = "sieulive:orders:inflight"  # zset: batch key -> when its current owner took it
OWNERS = "sieulive:orders:owners"  # hash: batch key -> lease id of the drain applying it
ATTEMPTS = "sieulive:orders:attempts"  # hash: batch key -> times a drain took it
ERRORS = "sieulive:orders:errors"  # hash: batch key -> why its last attempt did not finish
NOT_BEFORE = "sieulive:orders:not-before"  # hash: batch key -> don't retake it before (epoch s)
LEASE = "sieulive:orders:lease:"  # + lease id: JSON of who holds it; expires unless renewed
BATCH = "sieulive:orders:batch:"
DRAIN_SCHEDULED = "sieulive:orders:drain-scheduled"
# Set while `reconcile --repair` rewrites orders and aggregates: drains take no new batch.
# Kept alive by its holder (a few seconds' expiry), so a killed repair pauses nothing for long.
PAUSED = "sieulive:orders:paused"
HOLDS = "sieulive:orders:holds"  # hash: order (platform|id) -> the batch in flight holding it
ORDERS_OF = ":orders"  # batch key + this: a set of the orders the batch holds
DEAD = "sieulive:orders:dead"  # events no batch could apply, kept for producers to see
THROTTLED = "sieulive:orders:throttled"  # requests refused with 429 (a full inbox), a count

# Append unless the inbox is full. A request is refused whole or queued whole; an empty inbox
# takes any request, so a batch larger than the limit is never refused for ever.
APPEND = """
local depth = redis.call('LLEN', KEYS[1])
local count = #ARGV - 1
if depth > 0 and depth + count > tonumber(ARGV[1]) then
  redis.call('INCR', KEYS[3])
  return -1
end
redis.call('RPUSH', KEYS[1], unpack(ARGV, 2))
if redis.call('SET', KEYS[2], '1', 'NX', 'EX', 30) then return 1 end
return 0
"""

# How far past a batch's size a claim looks for events of orders no batch holds (the inbox's
# limit is 3 batches by default: a claim sees it all).
CLAIM_LOOKS_AHEAD = 3
LEASE_SECONDS = 5  # a dead drain's batches wait at most this long (plus a watchdog tick)
RENEW_SECONDS = 1.0

# A batch takes the inbox's events in order, leaving where they are those of an order that a
# batch still in flight holds: two batches in flight never share an order, so two workers
# don't queue on the same rows and run side by side. A hint for speed, not the guarantee —
# one writer per order is the row locks' job (docs/orders.md), so a hold whose batch is no
# longer in flight is simply taken over. KEYS: inbox, batch, in flight, owners, attempts,
# holds, the batch's orders; ARGV: size, now, lease id, how far to look.
CLAIM = """
local size = tonumber(ARGV[1])
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[4]) - 1)
if #items == 0 then return 0 end
local take, keep, mine = {}, {}, {}
local looked = 0
for _, item in ipairs(items) do
  if #take == size then break end
  looked = looked + 1
  local order = nil
  local ok, e = pcall(cjson.decode, item)
  if ok and type(e) == 'table' and type(e.event) == 'table' and e.event.order_id ~= nil then
    order = tostring(e.platform) .. '|' .. tostring(e.event.order_id)
  end
  if order and not mine[order] then
    local holder = redis.call('HGET', KEYS[6], order)
    if holder and redis.call('ZSCORE', KEYS[3], holder) then
      table.insert(keep, item)
      order = false
    else
      mine[order] = true
      redis.call('HSET', KEYS[6], order, KEYS[2])
      redis.call('SADD', KEYS[7], order)
    end
  end
  if order ~= false then table.insert(take, item) end
end
if #take == 0 then return 0 end
redis.call('LTRIM', KEYS[1], looked, -1)
for i = #keep, 1, -1 do redis.call('LPUSH', KEYS[1], keep[i]) end
redis.call('RPUSH', KEYS[2], unpack(take))
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
redis.call('HSET', KEYS[4], KEYS[2], ARGV[3])
redis.call('HINCRBY', KEYS[5], KEYS[2], 1)
return #take
"""

# Batches whose owner's lease is gone (and that aren't resting after an error) become the
# caller's, atomically: two drains never take the same orphan. ARGV: lease prefix, the
# caller's lease id, now, how many to take (0: only count them).
RECLAIM = """
local taken = {}
local orphans = 0
for _, key in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local owner = redis.call('HGET', KEYS[2], key)
  local alive = owner and owner ~= '' and redis.call('EXISTS', ARGV[1] .. owner) == 1
  local rest = tonumber(redis.call('HGET', KEYS[4], key) or '0')
  if not alive and rest <= tonumber(ARGV[3]) then
    orphans = orphans + 1
    if #taken < tonumber(ARGV[4]) then
      redis.call('HSET', KEYS[2], key, ARGV[2])
      redis.call('ZADD', KEYS[1], ARGV[3], key)
      redis.call('HINCRBY', KEYS[3], key, 1)
      redis.call('HDEL', KEYS[4], key)
      table.insert(taken, key)
    end
  end
end
if tonumber(ARGV[4]) == 0 then return orphans end
return taken
"""

LEASE_KEYS = [IN_FLIGHT, OWNERS, ATTEMPTS, NOT_BEFORE]


def envelope(platform: str, event: dict[str, Any], received_at: float) -> str:
    return json.dumps(
        {"platform": platform, "received_at": received_at, "event": event},
        ensure_ascii=False,
        separators=(",", ":"),
    )


# KEYS: the dead list, its reasons, the inbox. Every dead event back at the inbox's tail, at
# once; the limit is not asked: these were accepted long ago.
REQUEUE_DEAD = """
local events = redis.call('LRANGE', KEYS[1], 0, -1)
for i = 1, #events, 1000 do
  redis.call('RPUSH', KEYS[3], unpack(events, i, math.min(i + 999, #events)))
end
redis.call('DEL', KEYS[1], KEYS[2])
return #events
"""


def requeue_dead(redis: Any) -> int:
    """The dead list's events back in the inbox, for a drain to apply again — once the reason
    they failed is fixed. Safe whatever they are: the event record keeps each event once, so
    what was applied before changes nothing. How many went back."""
    script = redis.register_script(REQUEUE_DEAD)
    return int(script(keys=[DEAD, DEAD + ":why", INBOX]))


class InboxFull(Exception):
    """The inbox holds its limit of waiting events: nothing of the request was queued."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"the order inbox holds its limit of {limit} waiting events")
        self.limit = limit


def append(redis: Any, items: list[str], limit: int) -> bool:
    """Queue raw events durably in one round trip (one script: the limit check and the append
    are atomic). True when no drain job was pending, so the caller must enqueue one (the flag
    expires, so a lost job can't stall the inbox). InboxFull when `limit` events wait."""
    script = redis.register_script(APPEND)  # EVALSHA: the script isn't resent each time
    answer = script(keys=[INBOX, DRAIN_SCHEDULED, THROTTLED], args=[limit, *items])
    if int(answer) < 0:
        raise InboxFull(limit)
    return bool(answer)


def throttled(redis: Any) -> None:
    """Count a request refused before the append (its events counted unparsed)."""
    redis.incr(THROTTLED)


def accept(
    redis: Any, platform: str, events: list[OrderEvent], received_at: float, limit: int
) -> bool:
    """Queue validated events; True when a drain job must be enqueued. InboxFull when
    `limit` events are already waiting (nothing queued)."""
    items = [
        envelope(platform, e.model_dump(mode="json", exclude_none=True), received_at)
        for e in events
    ]
    return append(redis, items, limit)


class KeptAlive:
    """A Redis key that exists while its holder's process does: set on entering, renewed by a
    thread every RENEW_SECONDS, deleted on leaving — and, if the process dies, gone within
    LEASE_SECONDS by itself. Use as a context manager."""

    def __init__(self, redis: Any, key: str, value: str) -> None:
        self.redis = redis
        self.key = key
        self._value = value
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> Self:
        self.redis.set(self.key, self._value, ex=LEASE_SECONDS)
        self._thread = threading.Thread(target=self._renew, name=self.key, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        with contextlib.suppress(Exception):  # Redis gone: the key expires by itself
            self.redis.delete(self.key)

    def _renew(self) -> None:
        while not self._stop.wait(RENEW_SECONDS):
            try:
                self.redis.set(self.key, self._value, ex=LEASE_SECONDS)
            except Exception:  # a blip: the next tick tries again, the TTL allows four misses
                continue


class Lease(KeptAlive):
    """A drain's hold on the batches it takes: alive while its process is (see the module's
    docstring)."""

    def __init__(self, redis: Any, worker: str = "") -> None:
        self.id = uuid.uuid4().hex
        self.worker = worker or f"{socket.gethostname()}:{os.getpid()}"
        value = json.dumps({"worker": self.worker, "since": time.time()})
        super().__init__(redis, LEASE + self.id, value)


class Pause(KeptAlive):
    """Drains take no new batch while this is held (`reconcile --repair`); the batches they
    hold already are finished. Kept alive like a lease, so it ends with its holder."""

    def __init__(self, redis: Any) -> None:
        super().__init__(redis, PAUSED, socket.gethostname())


class Inbox:
    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self._claim = redis.register_script(CLAIM)
        self._reclaim = redis.register_script(RECLAIM)

    def claim(self, size: int, lease: Lease) -> tuple[str, list[bytes]] | None:
        key = BATCH + uuid.uuid4().hex
        count = self._claim(
            keys=[INBOX, key, IN_FLIGHT, OWNERS, ATTEMPTS, HOLDS, key + ORDERS_OF],
            args=[size, time.time(), lease.id, size * CLAIM_LOOKS_AHEAD],
        )
        if not count:
            return None
        return key, self.redis.lrange(key, 0, -1)

    def reclaim(self, lease: Lease, limit: int = 100) -> list[tuple[str, list[bytes]]]:
        """The batches whose drain died, now the caller's, with their events."""
        keys = self._reclaim(keys=LEASE_KEYS, args=[LEASE, lease.id, time.time(), limit])
        taken = [k.decode() if isinstance(k, bytes) else k for k in keys]
        return [(key, list(self.redis.lrange(key, 0, -1))) for key in taken]

    def orphans(self) -> int:
        """Batches in flight that no live drain holds and that may be taken now."""
        return int(self._reclaim(keys=LEASE_KEYS, args=[LEASE, "", time.time(), 0]))

    def release(self, key: str, error: str, rest_seconds: float) -> None:
        """Give a batch back after an attempt that could not finish: another drain (or this
        one) takes it again after `rest_seconds`; the error stays for producers to read."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.hset(OWNERS, key, "")
        pipe.hset(ERRORS, key, error[:500])
        pipe.hset(NOT_BEFORE, key, time.time() + rest_seconds)
        pipe.execute()

    def attempts(self, key: str) -> int:
        return int(self.redis.hget(ATTEMPTS, key) or 0)

    def bury(self, key: str, raw: list[bytes], error: str) -> None:
        """A batch that failed every attempt for a reason other than a conflict: its events go
        to the dead list with the reason, so the inbox moves on and nothing is lost."""
        note = json.dumps({"batch": key, "error": error[:500], "at": time.time()})
        holds = self.redis.smembers(key + ORDERS_OF)
        pipe = self.redis.pipeline(transaction=True)
        pipe.rpush(DEAD, *raw)
        pipe.rpush(DEAD + ":why", note)
        self._forget(pipe, key, holds)
        pipe.execute()

    def done(self, key: str) -> None:
        # The batch holds its orders until it leaves the in-flight set, so no other batch can
        # have taken one of them over between this read and the transaction.
        holds = self.redis.smembers(key + ORDERS_OF)
        pipe = self.redis.pipeline(transaction=True)
        self._forget(pipe, key, holds)
        pipe.execute()

    @staticmethod
    def _forget(pipe: Any, key: str, holds: set[bytes]) -> None:
        if holds:
            pipe.hdel(HOLDS, *holds)
        pipe.delete(key, key + ORDERS_OF)
        pipe.zrem(IN_FLIGHT, key)
        for registry in (OWNERS, ATTEMPTS, ERRORS, NOT_BEFORE):
            pipe.hdel(registry, key)

    def depth(self) -> int:
        return int(self.redis.llen(INBOX))

    def in_flight(self) -> int:
        return int(self.redis.zcard(IN_FLIGHT))

    def being_applied(self) -> int:
        """Batches a live drain holds (in flight, less those whose drain died)."""
        return max(0, self.in_flight() - self.orphans())

    def batches(self) -> list[dict[str, Any]]:
        """Every batch in flight, with its owner and whether that owner is alive."""
        now = time.time()
        claimed = self.redis.zrange(IN_FLIGHT, 0, -1, withscores=True)
        result = []
        for raw_key, since in claimed:
            key = raw_key.decode() if isinstance(raw_key, bytes) else raw_key
            owner = _text(self.redis.hget(OWNERS, key))
            holder = self.redis.get(LEASE + owner) if owner else None
            rest = float(self.redis.hget(NOT_BEFORE, key) or 0)
            result.append(
                {
                    "batch": key.removeprefix(BATCH),
                    "events": int(self.redis.llen(key)),
                    "claimed_seconds_ago": round(now - float(since), 1),
                    "attempts": int(self.redis.hget(ATTEMPTS, key) or 0),
                    "worker": json.loads(holder)["worker"] if holder else None,
                    "worker_alive": holder is not None,
                    "retry_in_seconds": round(rest - now, 1) if rest > now else None,
                    "last_error": _text(self.redis.hget(ERRORS, key)) or None,
                }
            )
        return result


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.decode() if isinstance(value, bytes) else str(value)
