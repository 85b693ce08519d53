"""The durable inbox in Redis between the webhook and the workers.

The webhook appends raw events and answers 202 only once Redis has them; no DB write on the
request path. A drain job claims a batch by moving it, in one atomic script, from the inbox to
a batch key listed in an in-flight set; the batch key is deleted only after the batch's DB
transaction committed. A worker killed mid-batch leaves the batch key behind, and the next
drain runs it again — the DB upsert makes that harmless.
"""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

INBOX = "sieulive:orders:inbox"
IN_FLIGHT = "sieulive:orders:inflight"  # zset: batch key -> claim time
BATCH = "sieulive:orders:batch:"
DRAIN_SCHEDULED = "sieulive:orders:drain-scheduled"
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

CLAIM = """
local items = redis.call('LRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1)
if #items == 0 then return 0 end
redis.call('RPUSH', KEYS[2], unpack(items))
redis.call('LTRIM', KEYS[1], #items, -1)
redis.call('ZADD', KEYS[3], ARGV[2], KEYS[2])
return #items
"""


def envelope(platform: str, event: dict[str, Any], received_at: float) -> str:
    return json.dumps(
        {"platform": platform, "received_at": received_at, "event": event},
        ensure_ascii=False,
        separators=(",", ":"),
    )


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


class Inbox:
    def __init__(self, redis: Any) -> None:
        self.redis = redis
        self._claim = redis.register_script(CLAIM)

    def claim(self, size: int) -> tuple[str, list[bytes]] | None:
        key = BATCH + uuid.uuid4().hex
        count = self._claim(keys=[INBOX, key, IN_FLIGHT], args=[size, time.time()])
        if not count:
            return None
        return key, self.redis.lrange(key, 0, -1)

    def stale_batches(self, older_than: float) -> list[str]:
        """Batches claimed long ago whose worker died: run them again."""
        cutoff = time.time() - older_than
        keys = self.redis.zrangebyscore(IN_FLIGHT, "-inf", cutoff)
        return [k.decode() if isinstance(k, bytes) else k for k in keys]

    def reclaim(self, key: str) -> list[bytes]:
        self.redis.zadd(IN_FLIGHT, {key: time.time()})
        return list(self.redis.lrange(key, 0, -1))

    def done(self, key: str) -> None:
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(key)
        pipe.zrem(IN_FLIGHT, key)
        pipe.execute()

    def depth(self) -> int:
        return int(self.redis.llen(INBOX))

    def in_flight(self) -> int:
        return int(self.redis.zcard(IN_FLIGHT))
