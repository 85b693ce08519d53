"""Figures on air are true: stock left and the orders count, the same number on every surface.

One campaign, orders sent through the signed webhook and drained by the worker's code:

S, live (real), products a and b (500 each), a flash sale of 50 units of b:
  P1 a×3 paid · P2 a×2 cancelled · P3 a×4 paid then returned · P4 a×1 placed
  F1 b×50 in the flash sale (fits) · F2 b×2 after it (oversold: its only line)
  F3 b×1 oversold + a×1 (one counted line: an order sold)
  U1 a line of a SKU nobody sells (no product: nothing counted)
R, same campaign, live in rehearsal, featuring a: R1 a×5 (rehearsal: counts nothing)
X1 a×1 matching no session (unattributed: left the warehouse all the same)

a: 500 − (3 + 0 + 0 + 1 + 1 + 1) = 494 left · b: 500 − 50 = 450 left, flash sale sold out.
Orders: S has P1, P2, P3, P4, F1, F3 = 6; R none; the campaign 6.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from live.catalog.models import Product
from live.db import Database, utcnow
from live.sales.models import Order
from live.sales.pipeline.processing import contributions
from live.sales.reporting import figures
from live.schedule.models import LiveSession
from tests import factories
from tests.sales.conftest import event, post_events
from tests.shows.test_commands import ok

A_LEFT, B_LEFT = 494, 450


@dataclass
class Floor:
    campaign_id: int
    s: int
    r: int
    a: int
    b: int
    supplier_a: int
    supplier_b: int


def _code(db: Database, session_id: int) -> str:
    with db.reading() as s:
        return s.get(LiveSession, session_id).code


def _sku(db: Database, product_id: int) -> str:
    with db.reading() as s:
        return s.get(Product, product_id).sku


def _send(client: Any, *events: dict[str, Any]) -> None:
    response = post_events(client, {"events": list(events)})
    assert response.status_code == 202, response.text


@pytest.fixture
def floor(producer: Any, db: Database, drain: Any, show_session: dict[str, Any]) -> Floor:
    sid, cid = show_session["id"], show_session["campaign_id"]
    a, b = show_session["products"]
    with db.unit_of_work() as s:
        rehearsed = factories.session(
            s,
            campaign_id=cid,
            segments=[{"kind": "product", "planned_seconds": 600, "product_id": a}],
        )
        rid = rehearsed.id
        suppliers = {p.id: p.supplier_id for p in s.scalars(select(Product))}
    sku_a, sku_b = _sku(db, a), _sku(db, b)
    code_s, code_r = _code(db, sid), _code(db, rid)

    def at(seconds: int) -> str:
        return (utcnow() + timedelta(seconds=seconds)).isoformat()

    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "next", 1)  # a featured
    ok(producer, rid, "go_live", 0, rehearsal=True)  # a featured, in rehearsal
    on_s = {"live_code": code_s}
    _send(
        producer,
        event("created", "P1", at(0), [(sku_a, 3, 65_000)], **on_s),
        event("paid", "P1", at(1)),
        event("created", "P2", at(0), [(sku_a, 2, 65_000)], **on_s),
        event("cancelled", "P2", at(1)),
        event("created", "P3", at(0), [(sku_a, 4, 65_000)], **on_s),
        event("paid", "P3", at(1)),
        event("returned", "P3", at(2)),
        event("created", "P4", at(0), [(sku_a, 1, 65_000)], **on_s),
        event("created", "U1", at(0), [("NO-SUCH-SKU", 1, 10_000)], **on_s),
        event("created", "R1", at(0), [(sku_a, 5, 65_000)], live_code=code_r),
        event("created", "X1", at(0), [(sku_a, 1, 65_000)], channel="no-such-channel"),
    )
    drain()
    state = ok(producer, sid, "jump", 2, position=4)  # the flash sale: 50 units of b
    assert state["flash_sale"]["quantity"] == 50
    # One batch each, so the gate meets them in this order.
    _send(producer, event("created", "F1", at(1), [(sku_b, 50, 49_000)], **on_s))
    drain()
    _send(producer, event("created", "F2", at(2), [(sku_b, 2, 49_000)], **on_s))
    drain()
    _send(
        producer,
        event("created", "F3", at(3), [(sku_b, 1, 49_000), (sku_a, 1, 65_000)], **on_s),
    )
    drain()
    return Floor(cid, sid, rid, a, b, suppliers[a], suppliers[b])


def _page_data(producer: Any, url: str, element: str) -> dict[str, Any]:
    response = producer.get(url)
    assert response.status_code == 200, response.text
    pattern = rf'<script type="application/json" id="{element}">(.*?)</script>'
    found = re.search(pattern, response.text)
    assert found is not None
    return dict(json.loads(found.group(1)))


def test_stock_left_is_the_same_live_figure_everywhere(producer: Any, floor: Floor) -> None:
    expected = {floor.a: A_LEFT, floor.b: B_LEFT}

    on_s = producer.get(f"/api/sessions/{floor.s}/show").json()
    assert on_s["featured"]["id"] == floor.b
    assert on_s["featured"]["stock_left"] == B_LEFT
    flash = on_s["flash_sale"]
    assert flash["product"]["stock_left"] == B_LEFT
    # The flash sale's own units left still come from its gate: all 50 went to F1.
    assert (flash["remaining"], flash["sold"], flash["sold_out"]) == (0, 50, True)
    on_r = producer.get(f"/api/sessions/{floor.r}/show").json()
    assert on_r["featured"]["id"] == floor.a
    assert on_r["featured"]["stock_left"] == A_LEFT
    assert on_r["featured"]["campaign_stock"] == 500

    campaign = producer.get(f"/api/campaigns/{floor.campaign_id}/sales").json()
    assert {p["product_id"]: p["stock_left"] for p in campaign["products"]} == expected

    for supplier_id, product_id in ((floor.supplier_a, floor.a), (floor.supplier_b, floor.b)):
        supplier = producer.get(f"/api/suppliers/{supplier_id}/sales").json()
        (row,) = supplier["products"]
        assert row["stock_left"] == expected[product_id]
        page = _page_data(producer, f"/suppliers/{supplier_id}/sales", "sales-data")
        assert page["sales"]["products"][0]["stock_left"] == expected[product_id]

    board = producer.get(f"/api/campaigns/{floor.campaign_id}/leaderboard").json()
    assert {i["product_id"]: i["stock_left"] for i in board["items"]} == expected
    # A filter narrows the sales, not the shelf: S alone sold 5 of a (X1 was no session's),
    # and a's stock left is still 500 − 6.
    narrowed = producer.get(
        f"/api/campaigns/{floor.campaign_id}/leaderboard?session_id={floor.s}"
    ).json()
    assert {i["product_id"]: (i["net_units"], i["stock_left"]) for i in narrowed["items"]} == {
        floor.a: (5, A_LEFT),
        floor.b: (50, B_LEFT),
    }
    desk = _page_data(producer, f"/campaigns/{floor.campaign_id}/sales", "sales-data")
    assert {i["product_id"]: i["stock_left"] for i in desk["board"]["items"]} == expected

    console = _page_data(producer, f"/sessions/{floor.r}/producer", "console-data")
    assert console["state"]["featured"]["stock_left"] == A_LEFT


def test_orders_count_orders_with_a_counted_line_everywhere(producer: Any, floor: Floor) -> None:
    on_s = producer.get(f"/api/sessions/{floor.s}/show").json()
    assert on_s["sales"]["orders"] == 6
    assert on_s["sales"]["gross_units"] == 3 + 2 + 4 + 1 + 50 + 1
    assert on_s["sales"]["units"] == 3 + 1 + 50 + 1
    assert producer.get(f"/api/sessions/{floor.r}/show").json()["sales"]["orders"] == 0

    assert producer.get(f"/api/sessions/{floor.s}/sales").json()["orders"] == 6
    assert producer.get(f"/api/sessions/{floor.r}/sales").json()["orders"] == 0
    campaign = producer.get(f"/api/campaigns/{floor.campaign_id}/sales").json()
    assert {s["session_id"]: s["orders"] for s in campaign["sessions"]} == {
        floor.s: 6,
        floor.r: 0,
    }
    assert campaign["totals"]["orders"] == 6
    chart = producer.get(f"/api/campaigns/{floor.campaign_id}/sales-over-time").json()
    assert chart["totals"]["orders"] == 6
    desk = _page_data(producer, f"/campaigns/{floor.campaign_id}/sales", "sales-data")
    assert {s["session_id"]: s["orders"] for s in desk["sessions"]} == {floor.s: 6, floor.r: 0}
    console = _page_data(producer, f"/sessions/{floor.s}/producer", "console-data")
    assert console["state"]["sales"]["orders"] == 6

    # Narrowed to a product (by its province: a's is Đắk Lắk), an order counts when one of its
    # counted lines is that product's: F3 is an order of a (its b line is oversold), F2 of
    # nothing.
    def chart_orders(province: str) -> int:
        url = f"/api/campaigns/{floor.campaign_id}/sales-over-time?product_province={province}"
        return int(producer.get(url).json()["totals"]["orders"])

    assert chart_orders("Đắk Lắk") == 5  # P1–P4 and F3
    assert chart_orders("Bến Tre") == 1  # F1


def test_the_sql_rule_counts_the_orders_contributions_counts(db: Database, floor: Floor) -> None:
    """`figures.counted_lines` and `figures.has_counted_line` are the SQL reading of
    `processing.contributions`: an order is counted by them exactly when it adds something to
    the aggregates by the other."""
    with db.reading() as s:
        every = s.scalars(select(Order).options(selectinload(Order.lines))).all()
        by_python = sorted(o.platform_order_id for o in every if contributions(o))
        by_lines = s.scalars(figures.counted_lines(Order.platform_order_id).distinct()).all()
        by_orders = s.scalars(select(Order.platform_order_id).where(figures.has_counted_line()))
        assert sorted(by_lines) == sorted(by_orders) == by_python
    assert by_python == ["F1", "F3", "P1", "P2", "P3", "P4", "X1"]
