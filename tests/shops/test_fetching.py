"""Workers turn pushes into orders through each platform's detail API (the simulator's, on a
real port): ids batched, failures and 429s retried with backoff and never dropped; lost pushes
recovered by the backfill poll (and Shopee's lost-push API). In-process here; the production
shape (web and worker processes, both databases) is in test_storm.py."""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from rq import Queue
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from starlette.testclient import TestClient

from live.db import Database
from live.platforms.sim import pusher
from live.platforms.sim.server import Faults, SimState
from live.platforms.sim.world import SimOrder, expected, make_orders
from live.queueing import ORDERS
from live.sales.models import Order
from live.sales.pipeline import service
from live.settings import Settings
from live.shops import backfill, pushes
from live.shops.fetching import ShopWorker
from tests.shops.conftest import new_shop, register, shop_of

PLATFORMS = ("tiktok_shop", "shopee", "lazada", "shopify")
SKUS = [("BTR-KEODUA-500", 65_000), ("TRA-SEN-100", 120_000), ("MAM-TOM", 45_000)]
STATE = {"created": "placed", "paid": "paid", "delivered": "paid", "cancelled": "cancelled",
         "returned": "returned"}  # fmt: skip


def storm(
    state: SimState, url: str, db: Database, settings: Settings, per_shop: int, seed: int
) -> tuple[dict[int, Any], list[SimOrder]]:
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(minutes=30)
    shops, orders = {}, []
    for n, platform in enumerate(PLATFORMS):
        shop = new_shop(state, url, platform)
        shop_id = register(db, settings, shop, f"kenh-{platform}")
        shops[shop_id] = shop
        orders += make_orders(
            shop, per_shop, SKUS, start, 20, rng, 10**12 * (n + 1), until=all_past()
        )
    return shops, orders


def deliver(client: TestClient, deliveries: list[pusher.Delivery]) -> None:
    for d in deliveries:
        path = d.url.removeprefix("http://testserver")
        answer = client.post(path, content=d.body, headers=d.headers)
        assert (answer.status_code, answer.content) == (200, b""), answer.text


def work_until_done(redis: Any, settings: Settings, db: Database, shop_ids: list[int]) -> list[Any]:
    turns = []
    for _ in range(60):
        busy = False
        for shop_id in shop_ids:
            worker = ShopWorker(redis, settings, shop_of(db, settings, shop_id), settle=0)
            turns.append(worker.run(budget_seconds=5))
            worker.http.close()
            health = pushes.health(redis, shop_id)
            busy = busy or health["pending_fetches"] > 0 or health["pushes_waiting"] > 0
        service.drain(db, redis)
        Queue(ORDERS, connection=redis).empty()  # the drain jobs the turns queued: just run
        if not busy:
            return turns
    raise AssertionError("fetches still pending after 60 rounds")


def assert_exact(db: Database, orders: list[SimOrder]) -> None:
    with db.reading() as s:
        stored = {
            (o.platform, o.platform_order_id): o
            for o in s.scalars(select(Order).options(selectinload(Order.lines)))
        }
        assert len(stored) == len(orders)
        for order in orders:
            want = expected(order)
            got = stored[(order.shop.platform, order.order_id)]
            assert got.state.value == STATE[want["kind"]], (order.order_id, order.steps)
            if want["kind"] == "delivered":
                assert got.delivered
            lines = sorted((x.sku, x.quantity, x.unit_price) for x in got.lines)
            assert lines == want["lines"], order.order_id
            assert off_lines(got) == want["off"], (order.order_id, order.line_cancelled)
            assert got.buyer_province == want["province"]
            assert got.channel == f"kenh-{order.shop.platform}"
            assert got.ordered_at == order.created_at


def off_lines(order: Order) -> list[tuple[str, int, int, int]]:
    """The order's lines with units off on their own, as `expected` lists them."""
    return sorted(
        (x.sku, x.unit_price, x.cancelled_quantity, x.returned_quantity)
        for x in order.lines
        if x.cancelled_quantity or x.returned_quantity
    )


def all_past() -> datetime:
    """Orders' steps no later than this: a poll a moment later lists every one of them (a
    poll up to now leaves out the current second, which its next poll's overlap takes)."""
    return datetime.now(UTC) - timedelta(seconds=5)


def test_pushes_with_repeats_reordering_and_failing_detail_calls(
    client: TestClient, db: Database, settings: Settings, redis: Any, sim: tuple[SimState, str]
) -> None:
    state, url = sim
    shops, orders = storm(state, url, db, settings, per_shop=40, seed=3)
    state.faults = Faults(fail_rate=0.15, throttle_rate=0.1)
    plan = pusher.plan(orders, state, random.Random(4), repeat_rate=0.3)
    deliver(client, plan.deliveries)
    turns = work_until_done(redis, settings, db, list(shops))
    assert_exact(db, orders)
    calls = sum(t.calls for t in turns)
    assert sum(t.failures for t in turns) > 0  # the faults were met, and retried
    assert state.calls["failed"] + state.calls["throttled"] > 0
    # Ids gather: far fewer detail calls than pushes.
    assert calls < len(plan.deliveries) / 3
    assert sum(pushes.health(redis, i)["failures"] for i in shops) > 0


def test_backfill_recovers_orders_whose_every_push_was_lost(
    client: TestClient, db: Database, settings: Settings, redis: Any, sim: tuple[SimState, str]
) -> None:
    state, url = sim
    shops, orders = storm(state, url, db, settings, per_shop=25, seed=5)
    plan = pusher.plan(orders, state, random.Random(6), lose_rate=0.2, lose_orders=0.3)
    # A TikTok return whose every push is lost: TikTok's return search must bring it back.
    returned = next(o for o in orders if o.shop.platform == "tiktok_shop" and o.final == "returned")
    plan.deliveries = [d for d in plan.deliveries if d.order_id != returned.order_id]
    assert plan.lost_orders
    deliver(client, plan.deliveries)
    work_until_done(redis, settings, db, list(shops))
    with db.reading() as s:
        assert len(s.scalars(select(Order)).all()) < len(orders)
    for shop_id in shops:
        report = backfill.poll(
            redis, shop_of(db, settings, shop_id), since=datetime.now(UTC) - timedelta(hours=2)
        )
        assert "error" not in report, report
    work_until_done(redis, settings, db, list(shops))
    assert_exact(db, orders)
    shopee_id = next(i for i, s in shops.items() if s.platform == "shopee")
    health = pushes.health(redis, shopee_id)
    assert health["lost_pushes_recovered"] > 0 and health["last_poll_at"] is not None


def test_a_shops_rate_limit_holds_across_workers(
    db: Database, settings: Settings, redis: Any, sim: tuple[SimState, str]
) -> None:
    """Detail and list calls to one shop's API stay within its `calls_per_second`, whichever
    worker makes them (the count is per wall-clock second, in Redis): a platform's 429 is met
    by not calling, not by retrying."""
    from live.shops.models import Shop

    state, url = sim
    shop_id = register(db, settings, new_shop(state, url, "lazada"), "kenh-lazada")
    with db.unit_of_work() as s:
        s.get(Shop, shop_id).calls_per_second = 2  # type: ignore[union-attr]
    workers = [ShopWorker(redis, settings, shop_of(db, settings, shop_id)) for _ in range(2)]
    seconds: list[int] = []
    for n in range(7):
        workers[n % 2]._wait_for_rate()  # as each does before a call
        seconds.append(int(time.time()))
    for worker in workers:
        worker.http.close()
    per_second = Counter(seconds)
    assert max(per_second.values()) <= 2, per_second
    assert len(per_second) >= 4, "seven calls at two a second span at least four seconds"
