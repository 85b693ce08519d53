"""The dashboards' figures, from orders sent through the real webhook and drained by the worker's
code, checked exactly against the scene's hand-worked sums (tests/sales/scene.py)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

from live.api.fields import Page
from live.db import Database, utcnow
from live.sales.reporting import orders
from live.sales.reporting.aggregates import SalesFilter, on_air_hours
from live.sales.reporting.leaderboard import filter_options, leaderboard
from live.sales.reporting.over_time import sales_over_time
from live.sales.reporting.sessions import campaign_sessions, session_report
from live.sales.reporting.settlement import settlement_report
from live.sales.reporting.suppliers import supplier_sales
from live.shows.models import Show
from live.shows.service import ensure_show
from tests.sales.scene import (
    SalesScene,
    build_sales_scene,
    local,
    one_more_order,
    send_scene_orders,
)

F = SalesFilter


@pytest.fixture
def scene(client: Any, db: Database, drain: Any) -> SalesScene:
    scene = build_sales_scene(db)
    send_scene_orders(client, scene)
    report = drain()
    assert report.new_orders == 8
    return scene


def board(db: Database, scene: SalesScene, f: SalesFilter | None = None, **kw: Any) -> Any:
    with db.reading() as s:
        return leaderboard(s, scene.campaign_id, f or F(), **kw)


def units(result: dict[str, Any]) -> list[tuple[str, int, int]]:
    return [(i["sku"], i["net_units"], i["net_revenue"]) for i in result["items"]]


def test_the_leaderboard_ranks_by_net_units_then_revenue(db: Database, scene: SalesScene) -> None:
    result = board(db, scene)
    # Coffee: 2 paid + 1 cancelled + 2 in the flash sale (the oversold third is not counted);
    # the unattributed order belongs to no campaign. Fish sauce: 7 ordered, 1 cancelled,
    # 3 returned. Candy: 4 paid. Coffee and candy tie on units; revenue breaks the tie.
    assert units(result) == [
        ("CF-500", 4, 260_000),
        ("KD-01", 4, 200_000),
        ("NM-40", 3, 360_000),
    ]
    coffee, _candy, sauce = result["items"]
    assert [i["rank"] for i in result["items"]] == [1, 2, 3]
    assert coffee["gross_units"] == 5 and coffee["gross_revenue"] == 325_000
    assert coffee["cancelled_units"] == 1 and coffee["cancelled_revenue"] == 65_000
    assert sauce["gross_units"] == 7 and sauce["gross_revenue"] == 840_000
    assert (sauce["cancelled_units"], sauce["returned_units"]) == (1, 3)
    assert sauce["returned_revenue"] == 360_000
    assert coffee["supplier_name"] == "Hợp tác xã Cà phê Đắk Lắk"
    assert result["totals"] == {
        "gross_units": 16,
        "gross_revenue": 1_365_000,
        "paid_units": 7,
        "paid_revenue": 450_000,
        "cancelled_units": 2,
        "cancelled_revenue": 185_000,
        "returned_units": 3,
        "returned_revenue": 360_000,
        "net_units": 11,
        "net_revenue": 820_000,
        "products": 3,
        "hours_on_air": 4.0,
        "units_per_hour": round(11 / 4, 1),
    }
    by_revenue = board(db, scene, sort="revenue")
    assert [i["sku"] for i in by_revenue["items"]] == ["NM-40", "CF-500", "KD-01"]


def test_sell_through_speed_and_share_of_stock(db: Database, scene: SalesScene) -> None:
    items = {i["sku"]: i for i in board(db, scene)["items"]}
    # No console run: each session counts its two-hour slot. Fish sauce sold in both.
    assert items["CF-500"]["hours_on_air"] == 2.0
    assert items["CF-500"]["units_per_hour"] == 2.0
    assert items["NM-40"]["hours_on_air"] == 4.0
    assert items["NM-40"]["units_per_hour"] == round(3 / 4, 1)
    assert items["CF-500"]["stock_sold_percent"] == 4.0  # 4 of 100
    assert items["NM-40"]["stock_sold_percent"] == 1.5  # 3 of 200
    assert items["KD-01"]["stock_sold_percent"] == 0.8  # 4 of 500
    # A show run through the console counts from go-live to its end instead. (Its row through
    # ensure_show, as the app makes it: the app's tick may have made it already.)
    with db.unit_of_work() as s:
        show = ensure_show(s, scene.s1)
        show.started_at, show.ended_at = local(26, 19, 0), local(26, 19, 30)
    items = {i["sku"]: i for i in board(db, scene)["items"]}
    assert items["CF-500"]["hours_on_air"] == 0.5
    assert items["CF-500"]["units_per_hour"] == 8.0


@pytest.mark.parametrize(
    ("which", "expected"),
    [
        ("buyer_province", [("CF-500", 2, 130_000), ("NM-40", 0, 0)]),
        ("product_province", [("NM-40", 3, 360_000)]),
        ("category", [("KD-01", 4, 200_000)]),
        ("ocop_stars", [("NM-40", 3, 360_000)]),
        ("session", [("KD-01", 4, 200_000), ("NM-40", 1, 120_000)]),
        ("platform", [("KD-01", 4, 200_000), ("NM-40", 1, 120_000)]),
    ],
)
def test_each_filter_narrows_the_leaderboard(
    db: Database, scene: SalesScene, which: str, expected: list[tuple[str, int, int]]
) -> None:
    f = {
        "buyer_province": F(buyer_province="Hà Nội"),
        "product_province": F(product_province="Kiên Giang"),
        "category": F(category="Bánh kẹo"),
        "ocop_stars": F(ocop_stars=5),
        "session": F(session_id=scene.s2),
        "platform": F(platform="shopee"),
    }[which]
    result = board(db, scene, f)
    assert units(result) == expected
    assert result["totals"]["net_units"] == sum(u for _s, u, _r in expected)
    assert result["filters"] == f.applied()


def test_filters_combine_and_pages_keep_their_rank(db: Database, scene: SalesScene) -> None:
    both = board(db, scene, F(buyer_province="Hà Nội", platform="tiktok_shop", category="Gia vị"))
    assert units(both) == [("NM-40", 0, 0)]
    assert both["items"][0]["returned_units"] == 3
    second = board(db, scene, limit=1, offset=1)
    assert [(i["rank"], i["sku"]) for i in second["items"]] == [(2, "KD-01")]
    assert second["total"] == 3
    assert board(db, scene, F(buyer_province="Nowhere"))["items"] == []


def test_filter_options_offer_what_occurs(db: Database, scene: SalesScene) -> None:
    with db.reading() as s:
        options = filter_options(s, scene.campaign_id)
    assert options["buyer_provinces"] == ["Cần Thơ", "Đà Nẵng", "Hà Nội", "TP. Hồ Chí Minh"]
    assert options["product_provinces"] == ["Bến Tre", "Đắk Lắk", "Kiên Giang"]
    assert options["categories"] == ["Bánh kẹo", "Cà phê", "Gia vị"]
    assert options["ocop_stars"] == [3, 4, 5]
    assert [o["id"] for o in options["sessions"]] == [scene.s1, scene.s2]
    assert options["platforms"] == ["shopee", "tiktok_shop"]


def test_revenue_over_time_in_buckets_of_local_time(db: Database, scene: SalesScene) -> None:
    with db.reading() as s:
        series = sales_over_time(s, scene.campaign_id, F(session_id=scene.s1), minutes=15)
    points = [
        (p["label"], p["orders"], p["gross_units"], p["units"], p["revenue"])
        for p in series["points"]
    ]
    assert points == [
        # o1 paid (2 coffee) and o2 cancelled (coffee + fish sauce): net is o1 only
        ("19:00", 2, 4, 2, 130_000),
        ("19:15", 1, 3, 0, 0),  # o3, returned since
        ("19:30", 1, 2, 2, 240_000),  # o4, placed
        ("19:45", 1, 2, 2, 130_000),  # o7; o8's only line is oversold: not an order here
    ]
    assert [p["cumulative_revenue"] for p in series["points"]] == [
        130_000,
        130_000,
        370_000,
        500_000,
    ]
    assert series["points"][0]["start"].isoformat() == "2024-09-26T19:00:00+07:00"
    with db.reading() as s:
        hourly = sales_over_time(s, scene.campaign_id, F(), minutes=60)
    # Two days: labels carry the day; the night between is there, as zeros.
    assert hourly["points"][0]["label"] == "26/09 19:00"
    assert hourly["points"][-1]["label"] == "27/09 19:00"
    assert len(hourly["points"]) == 25
    assert hourly["totals"]["revenue"] == 820_000  # the leaderboard's net revenue
    assert hourly["totals"]["gross_units"] == 16
    assert sum(p["orders"] for p in hourly["points"][1:-1]) == 0


def test_a_late_order_moves_the_figures(
    client: Any, db: Database, drain: Any, scene: SalesScene
) -> None:
    one_more_order(client, scene, "LATE-1", 3)
    drain()
    assert units(board(db, scene))[0] == ("CF-500", 7, 455_000)
    with db.reading() as s:
        series = sales_over_time(s, scene.campaign_id, F(session_id=scene.s1))
    assert series["points"][2]["units"] == 2 + 3


def test_supplier_sales_only_their_products_with_stock_left(
    db: Database, scene: SalesScene
) -> None:
    with db.reading() as s:
        a = supplier_sales(s, scene.supplier_a)
        b = supplier_sales(s, scene.supplier_b)
    assert [p["sku"] for p in a["products"]] == ["CF-500"]
    (coffee,) = a["products"]
    # 4 sold in S1 and 1 in the order no session claimed: both left the warehouse.
    assert coffee["net_units"] == 5
    assert coffee["stock_left"] == 100 - 5
    assert [(r["code"], r["net_units"]) for r in coffee["sessions"]] == [
        (scene.s1_code, 4),
        (None, 1),
    ]
    assert [s["session_id"] for s in a["sessions"]] == [scene.s1]
    assert a["sessions"][0]["settlement_ready"] is True  # S1 has ended
    assert sorted(p["sku"] for p in b["products"]) == ["KD-01", "NM-40"]
    sauce = next(p for p in b["products"] if p["sku"] == "NM-40")
    assert sauce["stock_left"] == 200 - 3
    assert (sauce["cancelled_units"], sauce["returned_units"]) == (1, 3)
    assert [(r["code"], r["net_units"]) for r in sauce["sessions"]] == [
        (scene.s1_code, 2),
        (scene.s2_code, 1),
    ]
    assert [(s["code"], s["net_units"], s["settlement_ready"]) for s in b["sessions"]] == [
        (scene.s1_code, 2, True),
        (scene.s2_code, 5, False),
    ]
    assert b["totals"]["net_revenue"] == 240_000 + 120_000 + 200_000


def test_settlement_per_product_and_platform(db: Database, scene: SalesScene) -> None:
    with db.reading() as s:
        report = settlement_report(s, scene.s1, scene.supplier_b)
        coffee_side = settlement_report(s, scene.s1, scene.supplier_a)
        nothing = settlement_report(s, scene.s2, scene.supplier_a)
    assert report.final is True
    (line,) = report.lines
    assert (line.sku, line.platform) == ("NM-40", "tiktok_shop")
    assert (line.gross_units, line.cancelled_units, line.returned_units, line.net_units) == (
        6,
        1,
        3,
        2,
    )
    assert (line.gross_revenue, line.net_revenue) == (720_000, 240_000)
    assert report.totals["net_revenue"] == 240_000
    assert [(x.sku, x.net_units, x.net_revenue) for x in coffee_side.lines] == [
        ("CF-500", 4, 260_000)
    ]
    assert nothing.lines == [] and nothing.final is False


def test_session_report_and_the_campaign_table(db: Database, scene: SalesScene) -> None:
    with db.reading() as s:
        one = session_report(s, scene.s2)
        table = campaign_sessions(s, scene.campaign_id)
    assert one["orders"] == 1
    assert one["totals"]["net_revenue"] == 320_000
    assert [(p["name"], p["net_units"]) for p in one["products"]] == [
        ("=Kẹo dừa Bến Tre", 4),
        ("Nước mắm Phú Quốc 40 độ đạm", 1),
    ]
    assert [(p["platform"], p["net_units"]) for p in one["platforms"]] == [("shopee", 5)]
    # S1: o1, o2, o3, o4 and o7; o8 is S1's but its only line is oversold: no order sold.
    assert [(r["code"], r["orders"], r["net_units"]) for r in table] == [
        (scene.s1_code, 5, 6),
        (scene.s2_code, 1, 5),
    ]


def test_producers_lists_of_odd_orders(db: Database, scene: SalesScene) -> None:
    with db.reading() as s:
        lost = orders.unattributed_orders(s, Page())
        over = orders.oversold_orders(s, Page(), scene.campaign_id)
        none_here = orders.oversold_orders(s, Page(), scene.campaign_id + 1)
    assert [o["platform_order_id"] for o in lost["items"]] == ["O6"]
    assert lost["items"][0]["lines"][0]["product_name"] == "Cà phê Buôn Ma Thuột 500g"
    assert [o["platform_order_id"] for o in over["items"]] == ["O8"]
    assert over["items"][0]["lines"][0]["oversold"] is True
    assert none_here["total"] == 0


def test_rehearsal_hours_do_not_count_and_now_caps_a_running_slot(
    db: Database, scene: SalesScene
) -> None:
    with db.unit_of_work() as s:
        show = ensure_show(s, scene.s1)
        show.started_at, show.rehearsal = utcnow(), True
    with db.reading() as s:
        hours = on_air_hours(s, {scene.s1})
    assert hours[scene.s1] == 2.0  # the planned slot, not the rehearsal
    with db.unit_of_work() as s:
        s.execute(update(Show).where(Show.session_id == scene.s1).values(rehearsal=False))
    with db.reading() as s:
        assert on_air_hours(s, {scene.s1})[scene.s1] < 0.01  # live since just now
