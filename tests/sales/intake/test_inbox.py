"""The inbox's claim: two batches in flight never share an order (so two workers run side by
side instead of queueing on the same rows), and nothing is ever stuck behind a hold."""

from __future__ import annotations

import json
from typing import Any

from live.sales.intake import inbox


def _event(order_id: str, kind: str = "created") -> str:
    return inbox.envelope("tiktok_shop", {"type": kind, "order_id": order_id}, 1.0)


def _orders(raw: list[bytes]) -> list[str]:
    return [json.loads(item)["event"]["order_id"] for item in raw]


def _queue(redis: Any, *order_ids: str) -> None:
    inbox.append(redis, [_event(o) for o in order_ids], limit=10_000)


def test_a_second_batch_leaves_the_orders_the_first_one_holds(redis: Any) -> None:
    box = inbox.Inbox(redis)
    _queue(redis, "A", "B", "A", "C", "B", "D", "A", "E")
    with inbox.Lease(redis, "one") as one, inbox.Lease(redis, "two") as two:
        first = box.claim(2, one)
        assert first is not None
        # The first batch takes A and B, and every copy of them within its reach: a batch
        # holds an order whole.
        assert _orders(first[1]) == ["A", "B"]
        _queue(redis, "A", "F")
        second = box.claim(10, two)
        assert second is not None
        assert _orders(second[1]) == ["C", "D", "E", "F"]
        # What the first batch holds waits, in the order it came.
        assert _orders(redis.lrange(inbox.INBOX, 0, -1)) == ["A", "B", "A", "A"]
        assert box.claim(10, two) is None  # only held orders left: nothing to take yet

        box.done(first[0])
        third = box.claim(10, two)
        assert third is not None and _orders(third[1]) == ["A", "B", "A", "A"]
        box.done(second[0])
        box.done(third[0])
    assert redis.hlen(inbox.HOLDS) == 0, "a finished batch lets go of its orders"
    assert not redis.keys(inbox.BATCH + "*")


def test_a_batch_given_back_keeps_its_orders_until_it_is_applied(redis: Any) -> None:
    box = inbox.Inbox(redis)
    _queue(redis, "A", "B")
    with inbox.Lease(redis, "one") as one:
        first = box.claim(1, one)
        assert first is not None and _orders(first[1]) == ["A"]
        box.release(first[0], "a lost race", 0.0)  # still in flight, resting
        _queue(redis, "A")
        second = box.claim(10, one)
        assert second is not None and _orders(second[1]) == ["B"]
        assert _orders(redis.lrange(inbox.INBOX, 0, -1)) == ["A"]


def test_a_hold_left_by_a_batch_no_longer_in_flight_is_taken_over(redis: Any) -> None:
    box = inbox.Inbox(redis)
    redis.hset(inbox.HOLDS, "tiktok_shop|A", inbox.BATCH + "gone")  # e.g. a cleanup cut short
    _queue(redis, "A")
    with inbox.Lease(redis, "one") as one:
        batch = box.claim(10, one)
    assert batch is not None and _orders(batch[1]) == ["A"]


def test_an_item_that_is_not_an_event_is_taken_not_left_for_ever(redis: Any) -> None:
    box = inbox.Inbox(redis)
    inbox.append(redis, ["not json", json.dumps({"platform": "x"})], limit=10)
    with inbox.Lease(redis, "one") as one:
        batch = box.claim(10, one)
        assert batch is not None and len(batch[1]) == 2
        box.bury(batch[0], batch[1], "unreadable")
    assert redis.llen(inbox.DEAD) == 2 and redis.hlen(inbox.HOLDS) == 0
