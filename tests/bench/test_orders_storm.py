"""The storm phases' verdict (`live/bench/orders_storm.py`): exact when the pipeline applied
the storm as its ground truth says — and not exact, naming what, when a figure is off."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import insert, select, update

from live import redis_conn
from live.bench.orders import PLATFORM, seed
from live.bench.orders_storm import build, check, reconcile_differences, schedule
from live.db import Database
from live.sales.intake import inbox
from live.sales.intake.events import OrderEvent
from live.sales.models import Order, OrderLine, SaleState
from live.sales.pipeline import counters, service
from live.settings import Settings

PREFIX = "1_1-"


@pytest.fixture
def redis(settings: Settings) -> Iterator[Any]:
    client = redis_conn.connect(settings)
    yield client
    client.close()


def apply(db: Database, redis: Any, bodies: list[list[dict[str, Any]]]) -> None:
    """What the web process and a worker do, in-process: accept, then drain everything."""
    for body in bodies:
        events = [OrderEvent.model_validate(event) for event in body]
        inbox.accept(redis, PLATFORM, events, time.time(), limit=10**9)
    report = service.drain(db, redis, budget_seconds=60)
    assert report.dead == 0


def test_rounds_alternate_in_the_thue_morse_order_each_pair_one_of_each() -> None:
    assert schedule(4) == [
        ("storm_1", "storm_1_1"),
        ("storm_n", "storm_n_1"),
        ("storm_n", "storm_n_2"),
        ("storm_1", "storm_1_2"),
        ("storm_n", "storm_n_3"),
        ("storm_1", "storm_1_3"),
        ("storm_1", "storm_1_4"),
        ("storm_n", "storm_n_4"),
    ]
    for rounds in range(1, 9):
        plan = schedule(rounds)
        assert len(plan) == 2 * rounds
        for i in range(0, 2 * rounds, 2):
            assert {plan[i][0], plan[i + 1][0]} == {"storm_1", "storm_n"}


@pytest.mark.bench
def test_the_verdict_is_exact_for_an_applied_storm_and_names_what_is_off(
    settings: Settings, db: Database, redis: Any
) -> None:
    data = seed(settings, ["storm_1_1"])
    campaign = data.campaigns["storm_1_1"]
    storm = build(campaign, data.skus, 80, PREFIX, 7)
    assert storm.early and storm.late, "the storm has every part"
    apply(db, redis, storm.early)
    apply(db, redis, storm.main)
    apply(db, redis, storm.late)

    expected, found = check(settings, redis, storm, campaign, PREFIX)
    assert found == {k: v for k, v in expected.items() if k in found}
    assert reconcile_differences(settings, redis) == 0
    assert found["orders"] == 80 and found["lines"] == storm.lines
    assert found["events_kept"] == storm.distinct_events

    # A doubled line, a status written over a later one, a live counter off by one.
    with db.unit_of_work() as s:
        order_id, state = s.execute(
            select(Order.id, Order.state)
            .where(Order.platform_order_id.like(f"{PREFIX}%"))
            .order_by(Order.id)
            .limit(1)
        ).one()
        line = s.execute(select(OrderLine).where(OrderLine.order_id == order_id).limit(1))
        first = line.scalar_one()
        s.execute(
            insert(OrderLine).values(
                order_id=order_id,
                line_no=99,
                sku=first.sku,
                quantity=first.quantity,
                unit_price=first.unit_price,
                product_id=first.product_id,
                segment_id=first.segment_id,
                oversold=False,
            )
        )
        wrong = SaleState.paid if state is not SaleState.paid else SaleState.cancelled
        s.execute(update(Order).where(Order.id == order_id).values(state=wrong))
    redis.hincrby(f"{counters.SESSION}{campaign.session_ids[0]}", "paid_units", 1)

    expected, found = check(settings, redis, storm, campaign, PREFIX)
    assert found["lines"] == storm.lines + 1
    assert found["orders_with_wrong_lines"] == 1
    assert found["states_wrong"] == 1
    assert found["live_counters_wrong"] >= 1
    assert reconcile_differences(settings, redis) >= 1  # the doubled line, the state, …
    assert found["orders"] == expected["orders"]
