"""A shop's turn makes way for the order drain: with a drain queued and no worker free for
it, the turn ends and queues the next one behind the drain, instead of holding a worker for
its whole budget while the dashboards wait (the tail of the dashboard lag)."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from rq import Queue
from starlette.testclient import TestClient

from live.db import Database
from live.platforms.sim import pusher
from live.platforms.sim.server import SimState
from live.platforms.sim.world import SimShop, make_orders
from live.queueing import ORDERS, PLATFORMS
from live.settings import Settings
from live.shops import pushes, watch
from live.shops.fetching import MAKE_WAY_AFTER_SECONDS
from live.shops.tasks import work_shop
from tests.shops.conftest import new_shop, register
from tests.shops.test_fetching import SKUS, deliver


def push_orders(client: TestClient, state: SimState, shop: SimShop, count: int, seed: int) -> None:
    """`count` orders of the simulated shop, each push of theirs sent once."""
    orders = make_orders(shop, count, SKUS, datetime.now(UTC) - timedelta(minutes=5), 2,
                         random.Random(seed), 10**12)  # fmt: skip
    plan = pusher.plan(orders, state, random.Random(seed + 1), repeat_rate=0.0)
    deliver(client, plan.deliveries)


def test_a_turn_ends_for_a_waiting_order_drain_and_comes_back_after_it(
    cli_env: None,
    client: TestClient,
    db: Database,
    redis: Any,
    settings: Settings,
    sim: tuple[SimState, str],
) -> None:
    state, url = sim
    shop = new_shop(state, url, "tiktok_shop")
    shop_id = register(db, settings, shop, "kenh-tiktok")
    push_orders(client, state, shop, 3, seed=1)
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


def test_a_turn_left_without_a_job_gets_one_from_the_watchdog_within_its_tick(
    cli_env: None,
    client: TestClient,
    db: Database,
    redis: Any,
    settings: Settings,
    sim: tuple[SimState, str],
) -> None:
    """A push during a turn queues a job that finds the shop taken and ends at once, leaving
    the pushes' "scheduled" flag set with nothing queued. The pushes that came meanwhile don't
    wait for that flag to expire (10 s): the watchdog's next look queues a turn."""
    state, url = sim
    shop = new_shop(state, url, "tiktok_shop")
    shop_id = register(db, settings, shop, "kenh-tiktok")
    platforms = Queue(PLATFORMS, connection=redis)
    platforms.empty()
    lock = pushes.lock_key(shop_id)
    redis.set(lock, "another worker's turn", ex=60)
    push_orders(client, state, shop, 2, seed=3)
    platforms.empty()
    assert work_shop(shop_id)["pushes"] == 0, "the shop was taken: the job ends at once"
    assert redis.exists(pushes.scheduled_key(shop_id)), "…leaving the flag set"
    assert watch.look(redis, [], poll_seconds=0) == 0, "no turn while the shop is taken"

    redis.delete(lock)  # that turn ends, the pushes it didn't read still waiting
    assert watch.look(redis, [], poll_seconds=0) == 1
    assert watch.look(redis, [], poll_seconds=0) == 0, "one watchdog a tick, not one each"
    assert [(j.func_name, j.args) for j in platforms.jobs] == [
        ("live.shops.tasks.work_shop", (shop_id,))
    ]
