"""One statement for a batch's rows on PostgreSQL: order kept, conflicts skipped, JSON and
non-ASCII text carried, updates matched by key. (NULLs: the pipeline's tests, whose
unattributed orders have no session.)"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from live.db import Database
from live.sales.models import OrderEvent
from live.sales.pipeline import bulk
from live.sales.pipeline.record import EVENT_COLUMNS


@pytest.fixture
def pg(db: Database) -> Database:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only: SQLite keeps executemany")
    return db


def event_row(key: str, order_id: str, at: datetime, data: str = "{}") -> tuple[Any, ...]:
    return (key, "tiktok_shop", order_id, "created", at, data, at, "batch-1")


def insert_events(db: Database, rows: list[tuple[Any, ...]]) -> None:
    with db.unit_of_work() as s:
        bulk.insert(
            s,
            "order_events",
            EVENT_COLUMNS,
            rows,
            values=[f"u.{n}::json" if n == "data" else f"u.{n}" for n, _ in EVENT_COLUMNS],
            on_conflict="ON CONFLICT (event_key) DO NOTHING",
        )


def test_rows_go_in_in_the_order_given_and_conflicts_are_skipped(pg: Database) -> None:
    at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    insert_events(pg, [event_row(f"k{i}", f"O-{i}", at) for i in (3, 1, 2)])
    insert_events(
        pg,
        [
            event_row("k1", "O-changed", at),  # already kept: nothing happens
            event_row("k9", "Đơn-9", at, '{"buyer_province": "Hồ Chí Minh", "x": null}'),
        ],
    )
    with pg.reading() as s:
        rows = s.execute(
            select(OrderEvent.event_key, OrderEvent.order_id, OrderEvent.data).order_by(
                OrderEvent.id
            )
        ).all()
    assert [(k, o) for k, o, _ in rows] == [
        ("k3", "O-3"),
        ("k1", "O-1"),
        ("k2", "O-2"),
        ("k9", "Đơn-9"),
    ]
    assert rows[-1][2] == {"buyer_province": "Hồ Chí Minh", "x": None}


def test_update_sets_each_row_by_its_key(pg: Database) -> None:
    at = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
    insert_events(pg, [event_row(f"k{i}", f"O-{i}", at) for i in range(3)])
    later = datetime(2026, 11, 30, 13, 30, tzinfo=UTC)
    with pg.unit_of_work() as s:
        bulk.update(
            s,
            "order_events",
            ("event_key", "text"),
            (("type", "text"), ("occurred_at", "timestamptz")),
            [("k0", "paid", later), ("k2", "cancelled", at)],
        )
    with pg.reading() as s:
        rows = s.execute(
            select(OrderEvent.event_key, OrderEvent.type, OrderEvent.occurred_at).order_by(
                OrderEvent.event_key
            )
        ).all()
    assert rows == [("k0", "paid", later), ("k1", "created", at), ("k2", "cancelled", at)]
