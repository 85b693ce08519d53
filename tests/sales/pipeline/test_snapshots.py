"""Show states are published again when sales move their figures — the session's own sales,
and the stock left of a product it shows when that product sells anywhere else."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from live.catalog.models import Product
from live.db import Database, utcnow
from live.sales.pipeline import counters, snapshots
from live.sales.pipeline.processing import COUNTERS
from live.schedule.models import LiveSession
from live.shows.models import Phase, Show
from tests import factories
from tests.hub.test_protocol import overlay_token
from tests.sales.conftest import event, post_events
from tests.shows.test_commands import ok


class Recorder:
    def __init__(self) -> None:
        self.sent: dict[str, dict[str, Any]] = {}

    def publish(self, channel: str, kind: str, data: dict[str, Any]) -> None:
        assert kind == "show"
        self.sent[channel] = data


def delta(**values: int) -> list[int]:
    return [values.get(name, 0) for name in COUNTERS]


def members(redis: Any, key: str) -> set[int]:
    return {int(x) for x in redis.smembers(key)}


def test_a_batch_marks_the_products_whose_stock_left_moved(redis: Any) -> None:
    counters.add(
        redis,
        {
            (1, 0, 7, "tiktok_shop", ""): delta(gross_units=2, gross_revenue=130_000),
            # Placed to paid: net units unchanged, stock left too.
            (1, 0, 8, "tiktok_shop", ""): delta(paid_units=1, paid_revenue=65_000),
            (0, 0, 9, "shopee", ""): delta(returned_units=1, returned_revenue=50_000),
        },
        {1: 1},
    )
    assert members(redis, counters.DIRTY_PRODUCTS) == {7, 9}
    assert members(redis, counters.DIRTY) == {1}


def _show(db: Database, session_id: int, phase: Phase, **fields: Any) -> None:
    with db.unit_of_work() as s:
        s.add(Show(session_id=session_id, phase=phase, **fields))


def test_shows_featuring_or_flash_selling_a_product_that_sold_are_published(
    db: Database, redis: Any, show_session: dict[str, Any]
) -> None:
    a, b = show_session["products"]
    with db.unit_of_work() as s:
        ids = [factories.session(s).id for _ in range(4)]
    now = utcnow()
    flash = {"product_id": a, "price": 49_000, "quantity": 10, "ends_at": now.isoformat()}
    _show(db, show_session["id"], Phase.live, featured_product_id=a)
    _show(db, ids[0], Phase.held, featured_product_id=b, flash_sale=flash)
    _show(db, ids[1], Phase.standby, featured_product_id=a)
    _show(db, ids[2], Phase.ended, featured_product_id=a, ended_at=now - timedelta(hours=1))
    _show(db, ids[3], Phase.live, featured_product_id=b)
    redis.sadd(counters.DIRTY_PRODUCTS, a)
    sent = Recorder()
    assert snapshots.publish_sessions(db, redis, sent, "test") == 3
    assert sorted(sent.sent) == sorted(
        f"show:{sid}" for sid in (show_session["id"], ids[0], ids[1])
    ), "an ended show, or one showing other products, is left alone"
    assert sent.sent[f"show:{show_session['id']}"]["featured"]["stock_left"] == 500
    assert redis.scard(counters.DIRTY_PRODUCTS) == 0


def test_a_session_nobody_opened_gets_no_show_state(db: Database, redis: Any) -> None:
    """Its sales move (a past session's returns, one not opened yet): nobody watches it, so
    no state is built — and no show is made for it on the way."""
    with db.unit_of_work() as s:
        opened, unopened = factories.session(s).id, factories.session(s).id
    _show(db, opened, Phase.live)
    redis.sadd(counters.DIRTY, opened, unopened)
    sent = Recorder()
    assert snapshots.publish_sessions(db, redis, sent, "test") == 1
    assert list(sent.sent) == [f"show:{opened}"]
    with db.reading() as s:
        assert s.get(Show, unopened) is None


def test_the_overlay_hears_of_a_sale_of_its_product_in_another_session(
    producer: Any, db: Database, drain: Any, show_session: dict[str, Any]
) -> None:
    """The overlay of R features a; a sells in S (not R): R's stock left moved all the same."""
    a, _b = show_session["products"]
    with db.unit_of_work() as s:
        r = factories.session(
            s,
            campaign_id=show_session["campaign_id"],
            segments=[{"kind": "product", "planned_seconds": 600, "product_id": a}],
        )
        rid, sku = r.id, s.get(Product, a).sku
        code_s = s.get(LiveSession, show_session["id"]).code
    state = ok(producer, rid, "go_live", 0)
    assert state["featured"]["stock_left"] == 500
    token = overlay_token(producer, rid)
    with producer.websocket_connect(f"/ws/overlay?token={token}") as ws:
        assert ws.receive_json()["type"] == "state"
        at = utcnow().isoformat()
        body = event("created", "ELSEWHERE-1", at, [(sku, 3, 65_000)], live_code=code_s)
        assert post_events(producer, body).status_code == 202
        drain()
        state = next_show_state(ws)
    assert state is not None, "R's show state was not published again"
    assert state["session"]["id"] == rid
    assert state["featured"]["stock_left"] == 497


def next_show_state(ws: Any, seconds: float = 5.0) -> dict[str, Any] | None:
    """The next show state the socket is sent, or None after `seconds`: a ping every tenth of
    a second, so a frame that never comes can't block the test (its pong always comes)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ws.send_json({"type": "ping", "client_time": 0})
        while (frame := ws.receive_json())["type"] != "pong":
            if frame["type"] == "change" and frame["kind"] == "show":
                return dict(frame["data"])
        time.sleep(0.1)
    return None
