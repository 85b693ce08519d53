"""The watchdog every worker runs: a drain for waiting events or orphaned batches, enqueued
once, never a pile of them."""

from __future__ import annotations

import time
from typing import Any

from rq import Queue

from live.sales.intake import inbox
from live.sales.tasks import QUEUE
from workers.watchdog import Watchdog


def _queued(redis: Any) -> int:
    return Queue(QUEUE, connection=redis).count


def test_nothing_waiting_enqueues_nothing(redis: Any) -> None:
    assert Watchdog(redis).look() is False
    assert _queued(redis) == 0


def test_waiting_events_get_one_drain_job_however_often_it_looks(redis: Any) -> None:
    # Accepted by a web process that was killed before it enqueued the drain job.
    inbox.append(redis, [inbox.envelope("tiktok_shop", {"type": "paid"}, time.time())], 100)
    dog = Watchdog(redis)
    assert dog.look() is True
    assert dog.look() is False and dog.look() is False
    assert _queued(redis) == 1


def test_a_batch_left_by_a_dead_drain_gets_a_drain_job(redis: Any) -> None:
    inbox.append(redis, [inbox.envelope("tiktok_shop", {"type": "paid"}, time.time())], 100)
    box = inbox.Inbox(redis)
    with inbox.Lease(redis) as lease:
        assert box.claim(10, lease) is not None
        assert Watchdog(redis).look() is False, "its drain is alive"
    assert Watchdog(redis).look() is True  # the lease ended with the batch still in flight


def test_the_thread_looks_every_tick_until_stopped(redis: Any) -> None:
    dog = Watchdog(redis, tick=0.05).start()
    try:
        inbox.append(redis, [inbox.envelope("tiktok_shop", {"type": "paid"}, time.time())], 100)
        deadline = time.monotonic() + 10
        while not _queued(redis) and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        dog.stop()
    assert _queued(redis) == 1
