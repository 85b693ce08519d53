"""The shops' Redis state: pushes received, orders waiting for their details, and what the
producer sees per shop.

A push is verified, deduplicated and appended to its shop's push list in one script — the
request path's only work. The list has no bound: a platform is never answered 429 (TikTok,
Shopee and Lazada retry minutes to hours later and Shopee disables a push that fails too
often), so a burst waits here, in Redis memory the producer sees, and the workers catch up.

Workers read the pushes into the shop's **pending** set: order ids with the time their details
are due. A set, not a queue: ten pushes of one order cost one detail call, and the ids of a
storm gather into calls of 50. An id taken for a call moves to **in flight** and leaves it only
once its order's events are in the order inbox, or goes back to pending with a backoff when
the call fails: never dropped. A worker that dies mid-call leaves its ids in flight; the next
worker to hold the shop's lock puts them back.
"""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from typing import Any

PREFIX = "sieulive:shops:"
KNOWN = PREFIX + "known"  # set of shop ids the watchdog looks at
INACTIVE = PREFIX + "inactive"  # set of shop ids a producer deactivated: the watchdog skips them
SEEN_SECONDS = 3 * 24 * 3600  # platforms retry for up to a day; Shopee's lost pushes, 3 days


def pushes_key(shop_id: int) -> str:
    return f"{PREFIX}pushes:{shop_id}"


def pending_key(shop_id: int) -> str:
    return f"{PREFIX}pending:{shop_id}"


def in_flight_key(shop_id: int) -> str:
    return f"{PREFIX}inflight:{shop_id}"


def attempts_key(shop_id: int) -> str:
    return f"{PREFIX}attempts:{shop_id}"


def fetched_key(shop_id: int) -> str:
    """Hash: order id -> the update time (Unix s) of the details last handed to the pipeline."""
    return f"{PREFIX}fetched:{shop_id}"


def returns_key(shop_id: int) -> str:
    """Hash: order id -> when (Unix s) a push said it was returned. Kept without expiry (a
    return is rare, and forgetting it would let a later fetch put the order back on net)."""
    return f"{PREFIX}returns:{shop_id}"


def stats_key(shop_id: int) -> str:
    return f"{PREFIX}stats:{shop_id}"


def scheduled_key(shop_id: int) -> str:
    return f"{PREFIX}scheduled:{shop_id}"


def watched_key(shop_id: int) -> str:
    """Set when a watchdog queued the shop's turn: one watchdog a tick, not one each."""
    return f"{PREFIX}watched:{shop_id}"


def lock_key(shop_id: int) -> str:
    return f"{PREFIX}lock:{shop_id}"


def poll_due_key(shop_id: int) -> str:
    return f"{PREFIX}poll-due:{shop_id}"


def polling_key(shop_id: int) -> str:
    """Set while a poll of the shop is queued or running: a slow platform API never piles
    polls up behind each other."""
    return f"{PREFIX}polling:{shop_id}"


def failed_key(shop_id: int) -> str:
    return f"{PREFIX}unreadable:{shop_id}"


# KEYS: seen, pushes, stats, known, scheduled. ARGV: record, now, seen ttl, shop id.
# Returns -1 for a repeat, 1 when the caller must enqueue the shop's work job, else 0.
RECEIVE = """
local fresh = redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[3])
redis.call('HSET', KEYS[3], 'last_push', ARGV[2])
redis.call('SADD', KEYS[4], ARGV[4])
if not fresh then
  redis.call('HINCRBY', KEYS[3], 'repeats', 1)
  return -1
end
redis.call('RPUSH', KEYS[2], ARGV[1])
redis.call('HINCRBY', KEYS[3], 'pushes', 1)
if redis.call('SET', KEYS[5], '1', 'NX', 'EX', 10) then return 1 end
return 0
"""

# Take up to ARGV[2] ids due by ARGV[1] from pending into in flight — or, when a whole call's
# worth is waiting, the first ARGV[2] due by ARGV[3] (a full call needn't wait for its ids to
# settle). KEYS: pending, in flight.
TAKE = """
local upto = ARGV[1]
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then upto = ARGV[3] end
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', upto, 'LIMIT', 0, tonumber(ARGV[2]))
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('ZADD', KEYS[2], ARGV[1], id)
end
return ids
"""

# Ids back from in flight to pending, due at ARGV[1] (kept earlier if a push made them due
# sooner). KEYS: in flight, pending. ARGV: due, ids...
GIVE_BACK = """
for i = 2, #ARGV do
  redis.call('ZREM', KEYS[1], ARGV[i])
  local due = redis.call('ZSCORE', KEYS[2], ARGV[i])
  if not due or tonumber(due) > tonumber(ARGV[1]) then
    redis.call('ZADD', KEYS[2], ARGV[1], ARGV[i])
  end
end
return #ARGV - 1
"""


def record(headers: dict[str, str], body: bytes, received_at: float) -> str:
    return json.dumps({"h": headers, "b": body.decode(), "at": received_at}, ensure_ascii=False)


def receive(redis: Any, shop_id: int, dedupe_id: str, item: str, now: float) -> int:
    script = redis.register_script(RECEIVE)
    keys = [
        f"{PREFIX}seen:{shop_id}:{dedupe_id}",
        pushes_key(shop_id),
        stats_key(shop_id),
        KNOWN,
        scheduled_key(shop_id),
    ]
    return int(script(keys=keys, args=[item, now, SEEN_SECONDS, shop_id]))


def add_pending(redis: Any, shop_id: int, ids: list[str], due: float) -> None:
    """Ids whose details are wanted by `due`; an id already waiting keeps its time."""
    if ids:
        redis.zadd(pending_key(shop_id), dict.fromkeys(ids, due), nx=True)
        redis.sadd(KNOWN, shop_id)


def take(redis: Any, shop_id: int, now: float, limit: int, full_until: float = 0.0) -> list[str]:
    """Ids due by `now`; when `limit` or more wait, those due by `full_until` too."""
    script = redis.register_script(TAKE)
    keys = [pending_key(shop_id), in_flight_key(shop_id)]
    ids = script(keys=keys, args=[now, limit, max(now, full_until)])
    return [i.decode() if isinstance(i, bytes) else str(i) for i in ids]


def give_back(redis: Any, shop_id: int, ids: list[str], due: float) -> None:
    if ids:
        script = redis.register_script(GIVE_BACK)
        script(keys=[in_flight_key(shop_id), pending_key(shop_id)], args=[due, *ids])


def done(redis: Any, shop_id: int, ids: list[str]) -> None:
    if ids:
        pipe = redis.pipeline(transaction=True)
        pipe.zrem(in_flight_key(shop_id), *ids)
        pipe.hdel(attempts_key(shop_id), *ids)
        pipe.execute()


def recover_in_flight(redis: Any, shop_id: int) -> int:
    """Ids a dead worker held (only the lock holder calls this): due again now."""
    ids = [i.decode() for i in redis.zrange(in_flight_key(shop_id), 0, -1)]
    give_back(redis, shop_id, ids, time.time())
    return len(ids)


def remember_returns(redis: Any, shop_id: int, returns: dict[str, datetime]) -> None:
    """Each order's earliest return time (only the shop's lock holder writes here)."""
    known = returns_of(redis, shop_id, list(returns))
    earliest = {
        order_id: int(min(at, known.get(order_id, at)).timestamp())
        for order_id, at in returns.items()
    }
    redis.hset(returns_key(shop_id), mapping=earliest)


def returns_of(redis: Any, shop_id: int, order_ids: list[str]) -> dict[str, datetime]:
    if not order_ids:
        return {}
    stored = redis.hmget(returns_key(shop_id), order_ids)
    return {
        order_id: datetime.fromtimestamp(int(at), UTC)
        for order_id, at in zip(order_ids, stored, strict=True)
        if at is not None
    }


def next_due(redis: Any, shop_id: int) -> float | None:
    first = redis.zrange(pending_key(shop_id), 0, 0, withscores=True)
    return float(first[0][1]) if first else None


def note(redis: Any, shop_id: int, **fields: Any) -> None:
    redis.hset(stats_key(shop_id), mapping={k: str(v) for k, v in fields.items()})


def count(redis: Any, shop_id: int, field: str, by: int = 1) -> None:
    redis.hincrby(stats_key(shop_id), field, by)


def ignored(redis: Any, shop_id: int, now: float) -> None:
    """A verified push of a deactivated shop, answered and dropped: only counted."""
    pipe = redis.pipeline(transaction=False)
    pipe.hincrby(stats_key(shop_id), "ignored", 1)
    pipe.hset(stats_key(shop_id), "last_ignored", str(now))
    pipe.execute()


def failure(redis: Any, shop_id: int, error: str) -> None:
    pipe = redis.pipeline(transaction=False)
    pipe.hincrby(stats_key(shop_id), "failures", 1)
    pipe.hset(
        stats_key(shop_id), mapping={"last_error": error[:300], "last_error_at": str(time.time())}
    )
    pipe.execute()


def health(redis: Any, shop_id: int) -> dict[str, Any]:
    """What the producer sees of a shop: pushes, polls, fetches waiting, failures."""
    pipe = redis.pipeline(transaction=False)
    pipe.hgetall(stats_key(shop_id))
    pipe.llen(pushes_key(shop_id))
    pipe.zcard(pending_key(shop_id))
    pipe.zcard(in_flight_key(shop_id))
    pipe.llen(failed_key(shop_id))
    stats, waiting, pending, in_flight, unreadable = pipe.execute()
    text = {k.decode(): v.decode() for k, v in stats.items()}

    def number(name: str) -> int:
        return int(text.get(name, 0) or 0)

    def moment(name: str) -> float | None:
        return float(text[name]) if text.get(name) else None

    return {
        "last_push_at": moment("last_push"),
        "pushes": number("pushes"),
        "repeated_pushes": number("repeats"),
        "pushes_waiting": int(waiting),
        "last_poll_at": moment("last_poll"),
        "last_poll_orders": number("last_poll_orders"),
        "last_poll_error": text.get("last_poll_error") or None,
        "lost_pushes_recovered": number("lost_recovered"),
        "pending_fetches": int(pending) + int(in_flight),
        "detail_calls": number("calls"),
        "orders_fetched": number("fetched"),
        "failures": number("failures"),
        "last_error": text.get("last_error") or None,
        "last_error_at": moment("last_error_at"),
        "unreadable_pushes": int(unreadable),
        "other_shop_pushes": number("other_shop"),
        "ignored_pushes": number("ignored"),
        "last_ignored_at": moment("last_ignored"),
    }


def memory(redis: Any) -> int:
    """Redis's memory in use, bytes: a burst queued here is the producer's to see."""
    return int(redis.info("memory").get("used_memory", 0))
