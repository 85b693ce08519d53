"""The storm generator: deterministic, complete, shaped as promised, its ground truth right."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta

import pytest

from live.bench.storm import (
    FIGURES,
    RANK,
    STATE_AFTER,
    SessionSpec,
    Storm,
    make_storm,
)
from live.sales.intake.events import RANK as PIPELINE_RANK
from live.sales.intake.events import EventBatch, EventType
from live.sales.models import SaleState

SESSIONS = [
    SessionSpec(
        f"SLHV-{i:02d}",
        tuple((f"SKU-{i}-{j}", 10_000 * (j + 1) + i) for j in range(5)),
        channel=f"shop-{i}" if i % 2 else None,
    )
    for i in range(1, 6)
]


@pytest.fixture(scope="module")
def storm() -> Storm:
    return make_storm(SESSIONS, 3000, seed=11)


def _key(event: dict) -> str:
    return json.dumps(event, sort_keys=True, ensure_ascii=False)


def test_the_same_seed_gives_the_same_storm_and_another_seed_another() -> None:
    a = make_storm(SESSIONS, 500, seed=3)
    b = make_storm(SESSIONS, 500, seed=3)
    c = make_storm(SESSIONS, 500, seed=4)
    assert [a.early, a.main, a.late] == [b.early, b.main, b.late]
    assert a.orders == b.orders and a.sessions == b.sessions
    assert a.main != c.main


def test_it_speaks_the_pipelines_vocabulary() -> None:
    assert set(RANK) == {t.value for t in EventType}
    assert all(RANK[t.value] == PIPELINE_RANK[t] for t in EventType)
    assert set(STATE_AFTER.values()) == {s.value for s in SaleState}


def test_every_body_is_a_valid_webhook_body(storm: Storm) -> None:
    bodies = list(storm.bodies())
    assert all(1 <= len(body) <= 100 for body in bodies)
    assert len({len(body) for body in storm.main}) > 10, "bodies of many sizes"
    for body in bodies[:: max(1, len(bodies) // 40)]:
        events = EventBatch.model_validate({"events": body}).events
        assert all(e.occurred_at.utcoffset() == timedelta(hours=7) for e in events)


def test_every_orders_lifecycle_is_there_in_increasing_time_and_rank(storm: Storm) -> None:
    sent: dict[str, dict[str, dict]] = {}
    for body in storm.bodies():
        for event in body:
            sent.setdefault(event["order_id"], {})[event["type"]] = event
    assert set(sent) == set(storm.orders)
    distinct = 0
    for order_id, truth in storm.orders.items():
        events = sent[order_id]
        assert tuple(sorted(events, key=lambda t: events[t]["occurred_at"])) == truth.events
        times = [datetime.fromisoformat(events[t]["occurred_at"]) for t in truth.events]
        assert times == sorted(times) and len(set(times)) == len(times)
        ranks = [RANK[t] for t in truth.events]
        assert ranks == sorted(ranks) and truth.events[0] == "created"
        assert truth.state == STATE_AFTER[truth.events[-1]]
        lines = [line.as_dict() for line in truth.lines]
        assert events["created"]["lines"] == lines
        assert all(e.get("lines", lines) == lines for e in events.values())
        skus = [line.sku for line in truth.lines]
        assert 1 <= len(skus) <= 4 and len(set(skus)) == len(skus)
        assert all(e["live_code"] == truth.live_code for e in events.values())
        distinct += len(events)
    assert distinct == storm.distinct_events


def test_duplicates_shuffling_early_cancellations_and_late_low_ranks(storm: Storm) -> None:
    main = [e for body in storm.main for e in body]
    early = [e for body in storm.early for e in body]
    late = [e for body in storm.late for e in body]
    assert storm.deliveries == len(main) + len(early) + len(late)
    copies = Counter(_key(e) for e in main + early + late)
    assert len(copies) == storm.distinct_events, "late copies are no new events"
    assert {1, 2, 3} <= set(copies.values())
    assert sum(1 for n in copies.values() if n > 1) > storm.distinct_events // 4

    # Shuffled: an order's events do not arrive in time order.
    arrival: dict[str, list[str]] = {}
    for event in main:
        arrival.setdefault(event["order_id"], []).append(event["occurred_at"])
    out_of_order = sum(1 for times in arrival.values() if times != sorted(times))
    assert out_of_order > len(storm.orders) // 5

    # Early: only cancellations, about 5 % of orders, each once; their creation comes later.
    assert {e["type"] for e in early} == {"cancelled"}
    early_ids = [e["order_id"] for e in early]
    assert len(early_ids) == len(set(early_ids))
    assert 0.03 * len(storm.orders) < len(early_ids) < 0.07 * len(storm.orders)
    assert {i for i, t in storm.orders.items() if t.early_cancel} == set(early_ids)
    assert all(storm.orders[i].state == "cancelled" for i in early_ids)
    created_in_main = {e["order_id"] for e in main if e["type"] == "created"}
    assert set(early_ids) <= created_in_main

    # Late: copies of a created/paid event of an order that went further.
    assert late and {e["type"] for e in late} <= {"created", "paid"}
    sent_before = {_key(e) for e in main}
    for event in late:
        assert _key(event) in sent_before
        truth = storm.orders[event["order_id"]]
        assert RANK[truth.events[-1]] > RANK[event["type"]]


def test_the_ground_truth_adds_up(storm: Storm) -> None:
    assert set(storm.sessions) == {s.live_code for s in SESSIONS}
    assert storm.states().keys() == {"placed", "paid", "cancelled", "returned"}
    assert storm.lines == sum(len(t.lines) for t in storm.orders.values())
    prices = {sku: price for s in SESSIONS for sku, price in s.lineup}
    for code, session in storm.sessions.items():
        mine = [t for t in storm.orders.values() if t.live_code == code]
        assert session.orders == len(mine) > 0
        assert session.gross_units == sum(t.units for t in mine)
        by_state = {
            state: sum(t.revenue for t in mine if t.state == state)
            for state in ("paid", "cancelled", "returned")
        }
        assert session.paid_revenue == by_state["paid"]
        assert session.cancelled_revenue == by_state["cancelled"]
        assert session.returned_revenue == by_state["returned"]
        assert session.net_units == sum(t.units for t in mine if t.state in ("placed", "paid"))
        assert session.net_revenue == sum(t.revenue for t in mine if t.state in ("placed", "paid"))
        assert all(prices[line.sku] == line.unit_price for t in mine for line in t.lines)
        assert list(session.counters()) == list(FIGURES)
    total = storm.totals()
    assert total.orders == len(storm.orders)
    assert total.gross_units == sum(t.units for t in storm.orders.values())
    assert total.figures()["net_units"] == sum(s.net_units for s in storm.sessions.values())


def test_twenty_thousand_orders_like_the_issue() -> None:
    sessions = [
        SessionSpec(f"S{i}", tuple((f"P{i}-{j}", 50_000) for j in range(8))) for i in range(19)
    ]
    storm = make_storm(sessions, 20_000, seed=1)
    assert len(storm.orders) == 20_000
    assert 40_000 < storm.distinct_events < 60_000
    assert storm.deliveries > storm.distinct_events * 1.3


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        make_storm([], 10)
    with pytest.raises(ValueError):
        make_storm([SessionSpec("X", ())], 10)
    with pytest.raises(ValueError):
        make_storm(SESSIONS, 10, max_body=0)
