"""The show state's product cards carry the live stock left
(`live.sales.reporting.figures.stock_left`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update

from live.catalog.models import Product
from live.db import Database, utcnow
from live.schedule.models import LiveSession
from tests.sales.conftest import drain, event, post_events, redis
from tests.shows.test_commands import ok

__all__ = ["drain", "redis"]  # the worker's drain, as the sales tests run it


def test_the_card_shows_stock_left_falling_with_sales_and_below_zero_when_oversold(
    producer: Any, db: Database, drain: Any, show_session: dict[str, Any]
) -> None:
    sid = show_session["id"]
    a, _b = show_session["products"]
    with db.unit_of_work() as s:
        # Fewer brought than will be sold; set directly: this is about the figure, not the rules.
        s.execute(update(Product).where(Product.id == a).values(campaign_stock=4))
        sku = s.get(Product, a).sku
        code = s.get(LiveSession, sid).code
    ok(producer, sid, "go_live", 0)
    state = ok(producer, sid, "next", 1)
    assert state["featured"]["id"] == a
    assert (state["featured"]["campaign_stock"], state["featured"]["stock_left"]) == (4, 4)
    at = utcnow().isoformat()
    post_events(
        producer,
        {
            "events": [
                event("created", "C1", at, [(sku, 3, 65_000)], live_code=code),
                event("created", "C2", at, [(sku, 3, 65_000)], live_code=code),
                event("created", "C3", at, [(sku, 1, 65_000)], live_code=code),
                event("cancelled", "C3", at),
            ]
        },
    )
    drain()
    state = producer.get(f"/api/sessions/{sid}/show").json()
    # 6 sold net of 4 brought: the same −2 the supplier's page shows (the screens say sold out).
    assert state["featured"]["stock_left"] == 4 - 6
    assert state["sales"]["orders"] == 3  # C3 was cancelled since: still an order placed


def test_only_web_addresses_go_on_air(
    producer: Any, db: Database, show_session: dict[str, Any]
) -> None:
    """However a bad URL got stored (written before the schema refused it, or by hand in the
    database), the overlay never gets it: no `javascript:` QR code on stream."""
    sid = show_session["id"]
    a, _b = show_session["products"]
    with db.unit_of_work() as s:
        s.execute(
            update(Product)
            .where(Product.id == a)
            .values(image_url="data:image/svg+xml,<svg/>", buy_link="javascript:alert(1)")
        )
    ok(producer, sid, "go_live", 0)
    state = ok(producer, sid, "next", 1)
    assert state["featured"]["id"] == a
    assert (state["featured"]["image_url"], state["featured"]["buy_link"]) == (None, None)
    with db.unit_of_work() as s:
        s.execute(
            update(Product).where(Product.id == a).values(buy_link="https://shop.example.vn/a")
        )
    state = producer.get(f"/api/sessions/{sid}/show").json()
    assert state["featured"]["buy_link"] == "https://shop.example.vn/a"


def test_every_time_in_the_state_is_in_the_campaigns_offset(producer, show_session):
    """Like every other response: 2026-…T19:00:00+07:00, never +00:00."""
    import re

    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "next", 1)
    ok(producer, sid, "flash_sale.start", 2, price=39_000, quantity=5, duration_seconds=60)
    body = producer.get(f"/api/sessions/{sid}/show").text
    stamps = re.findall(r'"(\d{4}-\d\d-\d\dT[\d:.]+(?:[+-]\d\d:\d\d|Z))"', body)
    assert len(stamps) >= 10, body
    assert all(stamp.endswith("+07:00") for stamp in stamps), stamps
    state = producer.get(f"/api/sessions/{sid}/show").json()
    assert state["flash_sale"]["ends_at"].endswith("+07:00")


def test_the_show_history_is_in_the_campaigns_offset_too(producer, show_session):
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    history = producer.get(f"/api/sessions/{sid}/show/history").json()["items"]
    assert history and history[0]["at"].endswith("+07:00")
    assert producer.get("/api/sessions/999999/show/history").status_code == 404
