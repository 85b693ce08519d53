"""Several workers applying batches that share orders at once: one writer per order."""

from __future__ import annotations

import random
import threading
from typing import Any

from sqlalchemy import func, select

from live.sales.intake.events import OrderEvent
from live.sales.models import Order, OrderLine, SaleState
from live.sales.pipeline import service
from tests.sales.pipeline.test_processing import code, skus, totals

STATES = ["created", "paid", "delivered", "cancelled", "returned"]


def _history(sku: str, live: str, n: int) -> list[OrderEvent]:
    """Order n: created with two lines, then paid; every third cancelled, every fourth
    delivered then returned — each a minute after the last."""
    kinds = ["created", "paid"]
    if n % 3 == 0:
        kinds.append("cancelled")
    elif n % 4 == 1:
        kinds += ["delivered", "returned"]
    events = []
    for minute, kind in enumerate(kinds):
        data: dict[str, Any] = {
            "type": kind,
            "order_id": f"RACE-{n}",
            "occurred_at": f"2024-09-26T19:{5 + minute:02d}:00+07:00",
        }
        if kind == "created":
            data["lines"] = [
                {"sku": sku, "quantity": 1, "unit_price": 65_000},
                {"sku": sku, "quantity": 2, "unit_price": 60_000},
            ]
            data["live_code"] = live
        events.append(OrderEvent.model_validate(data))
    return events


def test_workers_sharing_orders_store_each_order_once_and_count_it_once(
    db: Any, show_session: Any
) -> None:
    sku = skus(db, show_session)[0]
    live = code(db, show_session)
    orders = 40
    history = [e for n in range(orders) for e in _history(sku, live, n)]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def worker(seed: int) -> None:
        # Every worker gets every event, shuffled and cut into its own batches: the same new
        # orders are inserted, locked and moved on by four transactions at once.
        mine = random.Random(seed).sample(history, len(history))
        try:
            start.wait()
            for at in range(0, len(mine), 25):
                batch = [("tiktok_shop", e) for e in mine[at : at + 25]]
                service.apply_batch(db, None, batch)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(seed,)) for seed in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors

    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Order)) == orders
        assert s.scalar(select(func.count()).select_from(OrderLine)) == 2 * orders
        states = dict(s.execute(select(Order.state, func.count()).group_by(Order.state)).all())
    cancelled = len(range(0, orders, 3))
    returned = len([n for n in range(orders) if n % 3 and n % 4 == 1])
    assert states == {
        SaleState.cancelled: cancelled,
        SaleState.returned: returned,
        SaleState.paid: orders - cancelled - returned,
    }
    got = totals(db)
    assert got["gross_units"] == 3 * orders
    assert got["cancelled"] == 3 * cancelled
    assert got["returned"] == 3 * returned
    assert got["paid"] == 3 * (orders - cancelled - returned)


def test_a_batch_applied_twice_applies_nothing_the_second_time(db: Any, show_session: Any) -> None:
    sku = skus(db, show_session)[0]
    live = code(db, show_session)
    batch = [("tiktok_shop", e) for e in _history(sku, live, 1)]
    first = service.apply_batch(db, None, batch, batch_key="sieulive:orders:batch:x")
    again = service.apply_batch(db, None, batch, batch_key="sieulive:orders:batch:x")
    assert not first.again and again.again
    assert again.outcome.deltas == first.outcome.deltas  # for the live counters it may owe
    assert totals(db)["gross_units"] == 3
