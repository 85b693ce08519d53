"""`reconcile` rebuilds orders from their kept events: lines stored twice or missing, a wrong
state and a wrong session are found (and repaired), not only totals that disagree with lines."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from live.sales.models import Order, OrderEvent, OrderLine, SaleState
from live.sales.pipeline.reconcile import reconcile
from tests import factories
from tests.sales.conftest import event, post_events
from tests.sales.pipeline.test_processing import AT, code, skus, totals

LATER = "2024-09-26T19:30:00+07:00"


def _orders(client: Any, drain: Any, sku: str, live: str) -> None:
    events = []
    for n in range(4):
        events.append(
            event("created", f"E{n}", AT, [(sku, 2, 65_000), (sku, 1, 60_000)], live_code=live)
        )
        events.append(event("paid", f"E{n}", LATER))
    assert post_events(client, {"events": events + events[:3]}).status_code == 202  # dups
    drain()


def test_the_events_are_kept_once_each(client, db, drain, show_session):
    _orders(client, drain, skus(db, show_session)[0], code(db, show_session))
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(OrderEvent)) == 8
        kinds = dict(
            s.execute(select(OrderEvent.type, func.count()).group_by(OrderEvent.type)).all()
        )
    assert kinds == {"created": 4, "paid": 4}


def test_reconcile_finds_and_repairs_doubled_lines_a_wrong_state_and_a_wrong_session(
    client, db, redis, drain, show_session
):
    _orders(client, drain, skus(db, show_session)[0], code(db, show_session))
    assert reconcile(db, redis, repair=False).clean
    before = totals(db)
    with db.unit_of_work() as s:
        other = factories.session(s, campaign_id=show_session["campaign_id"]).id
        doubled = s.scalar(select(Order).where(Order.platform_order_id == "E0"))
        for line in list(doubled.lines):  # what two racing writers once did
            s.add(
                OrderLine(
                    order_id=doubled.id,
                    line_no=line.line_no + 10,
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_price=line.unit_price,
                    product_id=line.product_id,
                    oversold=False,
                )
            )
        s.scalar(select(Order).where(Order.platform_order_id == "E1")).state = SaleState.placed
        s.scalar(select(Order).where(Order.platform_order_id == "E2")).session_id = other
    report = reconcile(db, redis, repair=False)
    problems = {item["order"]: item["problems"] for item in report.orders_repaired}
    assert problems["tiktok_shop:E0"] == ["lines: 4 stored, 2 in its events"]
    assert problems["tiktok_shop:E1"] == ["state: stored placed, events say paid"]
    assert problems["tiktok_shop:E2"] == [
        f"session_id: stored {other}, events say {show_session['id']}"
    ]
    assert report.orders_rebuilt == 4 and report.events == 8

    assert not reconcile(db, redis).clean, "the repairing run reports what it fixed"
    assert reconcile(db, redis, repair=False).clean
    assert totals(db) == before
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(OrderLine)) == 8
        assert (
            s.scalar(select(Order.state).where(Order.platform_order_id == "E1")) is SaleState.paid
        )
