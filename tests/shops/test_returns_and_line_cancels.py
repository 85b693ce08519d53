"""What a platform says after an order was fetched reaches the figures: a Lazada line
cancelled alone while the rest of the order is delivered, and a TikTok Shop return, told only
by its return pushes (type 12) — end to end through the push route, the simulator's APIs on a
real port, the shop's worker and the order pipeline, on the test database and Redis.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from starlette.testclient import TestClient

from live.db import Database
from live.platforms.adapters import adapter
from live.platforms.sim import pusher
from live.platforms.sim.server import SimState
from live.platforms.sim.world import SimOrder, SimShop
from live.sales.models import Order, SalesTotal
from live.sales.pipeline.reconcile import reconcile
from live.settings import Settings
from tests.shops.conftest import new_shop, register
from tests.shops.test_fetching import deliver, work_until_done
from tests.shops.test_storm import seed

Figures = dict[str, int]


def push(shop: SimShop, body: dict[str, Any], order_id: str) -> pusher.Delivery:
    """One push as the platform signs it."""
    raw = json.dumps(body, separators=(",", ":")).encode()
    headers = adapter(shop.platform).push_headers(shop.keys, raw, shop.push_url)
    return pusher.Delivery(shop.push_url, headers, raw, order_id)


def every_push(order: SimOrder) -> list[pusher.Delivery]:
    return [push(order.shop, body, order.order_id) for _headers, body in order.pushes()]


def stored(db: Database, platform: str, order_id: str) -> dict[str, Any]:
    """The order as stored: state, delivered, and (sku, quantity, cancelled, returned) a line."""
    with db.reading() as s:
        order = s.scalar(
            select(Order)
            .options(selectinload(Order.lines))
            .where(Order.platform == platform, Order.platform_order_id == order_id)
        )
        assert order is not None, order_id
        return {
            "state": order.state.value,
            "delivered": order.delivered,
            "lines": [
                (x.sku, x.quantity, x.cancelled_quantity, x.returned_quantity) for x in order.lines
            ],
        }


def figures(db: Database, session_id: int) -> Figures:
    with db.reading() as s:
        row = s.execute(
            select(
                func.coalesce(func.sum(SalesTotal.gross_units), 0),
                func.coalesce(func.sum(SalesTotal.paid_units), 0),
                func.coalesce(func.sum(SalesTotal.cancelled_units), 0),
                func.coalesce(func.sum(SalesTotal.returned_units), 0),
            ).where(SalesTotal.session_key == session_id)
        ).one()
    gross, paid, cancelled, returned = (int(v) for v in row)
    return {
        "gross": gross,
        "paid": paid,
        "cancelled": cancelled,
        "returned": returned,
        "net": gross - cancelled - returned,
    }


def test_a_lazada_line_cancelled_after_the_order_was_fetched_leaves_net(
    client: TestClient, db: Database, settings: Settings, redis: Any, sim: tuple[SimState, str]
) -> None:
    """Two lines, both paid and fetched; then Lazada cancels one line alone (its own push)
    and delivers the other. The order's lines were set by its first fetch: the cancelled
    line's units leave net on the line itself, the delivered one's stay."""
    state, url = sim
    start = (datetime.now(UTC) - timedelta(minutes=40)).replace(microsecond=0)
    sessions, skus = seed(db, start)
    shop = new_shop(state, url, "lazada")
    shop_id = register(db, settings, shop, "kenh-lazada")
    (a, price_a), (b, price_b) = skus["lazada"][:2]
    placed = start + timedelta(minutes=10)
    order = SimOrder(
        "403981070000001",
        shop,
        [(a, 2, price_a), (b, 1, price_b)],
        "Cần Thơ",
        [("created", placed), ("paid", placed + timedelta(minutes=1))],
    )
    shop.orders[order.order_id] = order
    deliver(client, every_push(order))
    work_until_done(redis, settings, db, [shop_id])
    got = stored(db, "lazada", order.order_id)
    assert (got["state"], got["lines"]) == ("paid", [(a, 2, 0, 0), (b, 1, 0, 0)])
    session = sessions["lazada"]
    assert figures(db, session) == {"gross": 3, "paid": 3, "cancelled": 0, "returned": 0, "net": 3}

    # Line b cancelled alone: Lazada pushes that line's new status.
    cancelled_at = placed + timedelta(minutes=3)
    order.line_cancelled[1] = cancelled_at
    line_push = order._lazada_push(1, "canceled", int(cancelled_at.timestamp()))[1]
    deliver(client, [push(shop, line_push, order.order_id)])
    work_until_done(redis, settings, db, [shop_id])
    got = stored(db, "lazada", order.order_id)
    assert (got["state"], got["lines"]) == ("paid", [(a, 2, 0, 0), (b, 1, 1, 0)])
    assert figures(db, session) == {"gross": 3, "paid": 2, "cancelled": 1, "returned": 0, "net": 2}

    # Then the rest is delivered: b stays off, a counts.
    delivered_at = placed + timedelta(minutes=8)
    order.steps.append(("delivered", delivered_at))
    line_push = order._lazada_push(0, "delivered", int(delivered_at.timestamp()))[1]
    deliver(client, [push(shop, line_push, order.order_id)])
    work_until_done(redis, settings, db, [shop_id])
    got = stored(db, "lazada", order.order_id)
    assert (got["state"], got["delivered"]) == ("paid", True)
    assert figures(db, session) == {"gross": 3, "paid": 2, "cancelled": 1, "returned": 0, "net": 2}
    assert reconcile(db, redis, repair=False).clean


def test_tiktok_returns_take_orders_off_net_only_when_granted(
    client: TestClient, db: Database, settings: Settings, redis: Any, sim: tuple[SimState, str]
) -> None:
    """Three delivered orders, fetched. One's return is asked for and refused: nothing
    changes. One's return completes: off net at the push's time, and a later push of the
    order (COMPLETED, updated after the refund) doesn't put it back. For the third, TikTok's
    update after the refund is fetched first and the return push comes after: off net all
    the same. Every return push repeated, as TikTok repeats."""
    state, url = sim
    start = (datetime.now(UTC) - timedelta(minutes=40)).replace(microsecond=0)
    sessions, skus = seed(db, start)
    shop = new_shop(state, url, "tiktok_shop")
    shop_id = register(db, settings, shop, "kenh-tiktok_shop")
    sku, price = skus["tiktok_shop"][0]
    placed = start + timedelta(minutes=10)
    orders = []
    for n in range(3):
        order = SimOrder(
            f"57665368813525{n:04d}",
            shop,
            [(sku, 1 + n, price)],
            "Hà Nội",
            [
                ("created", placed),
                ("paid", placed + timedelta(minutes=1)),
                ("delivered", placed + timedelta(minutes=5)),
            ],
        )
        shop.orders[order.order_id] = order
        orders.append(order)
        deliver(client, every_push(order))
    work_until_done(redis, settings, db, [shop_id])
    session = sessions["tiktok_shop"]
    assert figures(db, session) == {"gross": 6, "paid": 6, "cancelled": 0, "returned": 0, "net": 6}
    refused, returned, fetched_first = orders
    returned_at = placed + timedelta(minutes=20)

    refused.steps.append(("return_refused", returned_at))
    returns = every_push(refused)[-2:]  # asked for, then refused
    deliver(client, returns + returns)
    work_until_done(redis, settings, db, [shop_id])
    assert stored(db, "tiktok_shop", refused.order_id)["state"] == "paid"

    returned.steps.append(("returned", returned_at))
    returns = every_push(returned)[-2:]  # asked for, then completed
    deliver(client, returns + returns)
    work_until_done(redis, settings, db, [shop_id])
    assert stored(db, "tiktok_shop", returned.order_id)["state"] == "returned"
    # TikTok updates the order after the refund, still COMPLETED, a newer update time.
    deliver(client, [status_push(shop, returned)])
    work_until_done(redis, settings, db, [shop_id])
    assert stored(db, "tiktok_shop", returned.order_id)["state"] == "returned"

    fetched_first.steps.append(("returned", returned_at))
    deliver(client, [status_push(shop, fetched_first)])  # its update, fetched first
    work_until_done(redis, settings, db, [shop_id])
    assert stored(db, "tiktok_shop", fetched_first.order_id)["state"] == "paid"
    deliver(client, every_push(fetched_first)[-2:])  # then the return's pushes
    work_until_done(redis, settings, db, [shop_id])
    assert stored(db, "tiktok_shop", fetched_first.order_id)["state"] == "returned"

    assert figures(db, session) == {"gross": 6, "paid": 1, "cancelled": 0, "returned": 5, "net": 1}
    assert reconcile(db, redis, repair=False).clean


def status_push(shop: SimShop, order: SimOrder) -> pusher.Delivery:
    """A type-1 push of the order as it now reads (COMPLETED, at its update time)."""
    at = int(order.updated_at.timestamp())
    body = {
        "type": 1,
        "tts_notification_id": str(random.Random(order.order_id).randrange(10**18)),
        "shop_id": shop.keys.shop_ref,
        "timestamp": at,
        "data": {"order_id": order.order_id, "order_status": "COMPLETED", "update_time": at},
    }
    return push(shop, body, order.order_id)
