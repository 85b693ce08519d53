"""A shop's turn makes way for the order drain: with a drain queued and no worker free for
it, the turn ends and queues the next one behind the drain, instead of holding a worker for
its whole budget while the dashboards wait (the tail of the dashboard lag). And a turn's end
hands over to the next when work is left."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from rq import Queue
from starlette.testclient import TestClient

from live.db import Database
from live.platforms.sim import pusher
from live.platforms.sim.server import SimState
from live.platforms.sim.world import make_orders
from live.queueing import ORDERS, PLATFORMS
from live.settings import Settings
from live.shops import fetching, pushes
from live.shops.fetching import MAKE_WAY_AFTER_SECONDS
from live.shops.tasks import hand_over, work_shop
from tests.conftest import SHOP_KEY
from tests.shops.conftest import new_shop, register
from tests.shops.test_fetching import SKUS, deliver


@pytest.fixture
def environment(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("REDIS_URL", settings.redis_url or "")
    monkeypatch.setenv("SIEULIVE_SHOP_KEY", SHOP_KEY)


def test_a_turn_ends_for_a_waiting_order_drain_and_comes_back_after_it(
    environment: None,
    client: TestClient,
    db: Database,
    redis: Any,
    settings: Settings,
    sim: tuple[SimState, str],
) -> None:
    state, url = sim
    shop = new_shop(state, url, "tiktok_shop")
    shop_id = register(db, settings, shop, "kenh-tiktok")
    orders = make_orders(shop, 3, SKUS, datetime.now(UTC) - timedelta(minutes=5), 2,
                         random.Random(1), 10**12)  # fmt: skip
    deliver(client, pusher.plan(orders, state, random.Random(2), repeat_rate=0.0).deliveries)
    waiting = redis.llen(pushes.pushes_key(shop_id))
    assert waiting > 0

    drains = Queue(ORDERS, connection=redis)
    platforms = Queue(PLATFORMS, connection=redis)
    platforms.empty()
    drains.enqueue("live.sales.tasks.drain_inbox")  # queued, no worker free for it
    time.sleep(MAKE_WAY_AFTER_SECONDS * 2)
    turn = work_shop(shop_id)
    assert turn["yielded"] is True and turn["pushes"] == 0
    assert redis.llen(pushes.pushes_key(shop_id)) == waiting, "the pushes wait, untouched"
    queued = platforms.jobs
    assert [(j.func_name, j.args) for j in queued] == [("live.shops.tasks.work_shop", (shop_id,))]

    drains.empty()  # the drain ran: the next turn does the shop's work
    turn = work_shop(shop_id)
    assert turn["yielded"] is False and turn["pushes"] == waiting


def test_pushes_that_came_during_a_turn_get_the_next_one(
    environment: None,
    client: TestClient,
    db: Database,
    redis: Any,
    settings: Settings,
    sim: tuple[SimState, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A push during a turn queues a job that finds the shop taken and ends at once, leaving
    the "scheduled" flag set: the turn's end hands over, or the shop's orders would wait for
    the flag to expire (no push and no watchdog queues a turn while it is set)."""
    monkeypatch.setattr(fetching, "MAKE_WAY_AFTER_SECONDS", 60.0)  # no drain runs here
    state, url = sim
    shop = new_shop(state, url, "tiktok_shop")
    shop_id = register(db, settings, shop, "kenh-tiktok")
    platforms = Queue(PLATFORMS, connection=redis)
    platforms.empty()
    lock, flag = pushes.lock_key(shop_id), pushes.scheduled_key(shop_id)
    redis.set(lock, "another worker's turn", ex=60)
    orders = make_orders(shop, 3, SKUS, datetime.now(UTC) - timedelta(minutes=5), 2,
                         random.Random(3), 10**12)  # fmt: skip
    deliver(client, pusher.plan(orders, state, random.Random(4), repeat_rate=0.0).deliveries)
    waiting = redis.llen(pushes.pushes_key(shop_id))
    assert waiting > 0
    assert [j.func_name for j in platforms.jobs] == ["live.shops.tasks.work_shop"]
    platforms.empty()

    turn = work_shop(shop_id)
    assert turn["locked_out"] is True and turn["pushes"] == 0
    assert platforms.jobs == [] and redis.exists(flag), "the flag is left to the turn on it"

    redis.delete(lock)  # that turn ends
    hand_over(redis, shop_id, yielded=False)
    assert [(j.func_name, j.args) for j in platforms.jobs] == [
        ("live.shops.tasks.work_shop", (shop_id,))
    ]
    platforms.empty()

    turn = work_shop(shop_id)
    assert turn["pushes"] == waiting and turn["orders"] == 3
    assert platforms.jobs == [], "nothing left: no next turn"
    assert not redis.exists(flag), "the next push queues a turn"
