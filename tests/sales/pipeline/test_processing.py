"""Processing batches: duplicates, reordering, attribution, aggregates, the stock gate."""

from __future__ import annotations

import itertools
import random
import threading
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from live.catalog.models import Product
from live.db import utcnow
from live.sales.models import Attribution, Order, SaleState, SalesTotal
from live.schedule.models import LiveSession
from tests.sales.conftest import event, new_order_id, post_events
from tests.shows.test_commands import ok

AT = "2024-09-26T19:05:00+07:00"  # inside the fixture session's slot (19:00–21:00)


def skus(db: Any, show_session: dict[str, Any]) -> list[str]:
    with db.reading() as s:
        return [s.get(Product, pid).sku for pid in show_session["products"]]


def code(db: Any, show_session: dict[str, Any]) -> str:
    with db.reading() as s:
        return s.get(LiveSession, show_session["id"]).code


def totals(db: Any) -> dict[str, int]:
    with db.reading() as s:
        row = s.execute(
            select(
                func.coalesce(func.sum(SalesTotal.gross_units), 0),
                func.coalesce(func.sum(SalesTotal.gross_revenue), 0),
                func.coalesce(func.sum(SalesTotal.paid_units), 0),
                func.coalesce(func.sum(SalesTotal.cancelled_units), 0),
                func.coalesce(func.sum(SalesTotal.returned_units), 0),
            )
        ).one()
    return dict(
        zip(("gross_units", "gross_revenue", "paid", "cancelled", "returned"), row, strict=True)
    )


def test_an_order_is_stored_attributed_and_aggregated(client, db, drain, show_session):
    sku = skus(db, show_session)[0]
    oid = new_order_id()
    live = code(db, show_session)
    post_events(
        client,
        event("created", oid, AT, [(sku, 2, 65_000)], live_code=live, buyer_province="Đắk Lắk"),
    )
    post_events(client, event("paid", oid, "2024-09-26T19:06:00+07:00"))
    report = drain()
    assert report.events == 2
    with db.reading() as s:
        order = s.scalar(select(Order))
        assert order.state is SaleState.paid
        assert order.session_id == show_session["id"]
        assert order.attribution is Attribution.code
        assert order.buyer_province == "Đắk Lắk"
    assert totals(db) == {
        "gross_units": 2,
        "gross_revenue": 130_000,
        "paid": 2,
        "cancelled": 0,
        "returned": 0,
    }


def test_duplicates_and_any_delivery_order_converge(client, db, drain, show_session):
    sku = skus(db, show_session)[0]
    live = code(db, show_session)
    history = []
    for n in range(12):
        oid = new_order_id()
        history += [
            event("created", oid, AT, [(sku, 1, 65_000)], live_code=live),
            event("paid", oid, "2024-09-26T19:06:00+07:00"),
        ]
        if n % 3 == 0:
            history.append(event("cancelled", oid, "2024-09-26T19:07:00+07:00"))
        if n % 4 == 1:
            history.append(event("delivered", oid, "2024-09-28T10:00:00+07:00"))
            history.append(event("returned", oid, "2024-09-30T10:00:00+07:00"))
    deliveries = history + random.Random(7).sample(history, len(history))  # every one twice
    random.Random(11).shuffle(deliveries)
    for start in range(0, len(deliveries), 7):
        post_events(client, {"events": deliveries[start : start + 7]})
        if start % 21 == 0:
            drain()  # several batches, duplicates across them
    drain()
    # Cancelled: 0, 3, 6, 9; returned: 1, 5, 9 — 9 ends returned, which ranks above
    # cancelled. So 3 cancelled, 3 returned, 6 paid, whatever order the events came in.
    with db.reading() as s:
        states = dict(s.execute(select(Order.state, func.count()).group_by(Order.state)).all())
    assert sum(states.values()) == 12
    got = totals(db)
    assert got["gross_units"] == 12
    assert got["gross_revenue"] == 12 * 65_000
    assert got["paid"] == states.get(SaleState.paid, 0)
    assert got["cancelled"] == states.get(SaleState.cancelled, 0)
    assert got["returned"] == states.get(SaleState.returned, 0)
    assert states == {SaleState.paid: 6, SaleState.cancelled: 3, SaleState.returned: 3}


def test_attribution_by_channel_at_order_time_with_grace_and_unmatched_orders_kept(
    client, db, drain, show_session
):
    sku = skus(db, show_session)[0]
    with db.reading() as s:
        channel = s.get(LiveSession, show_session["id"]).channel
    on_air = event("created", new_order_id(), AT, [(sku, 1, 65_000)], channel=channel)
    # The slot ends 21:00; the campaign's grace is 15 minutes.
    late = event(
        "created", new_order_id(), "2024-09-26T21:10:00+07:00", [(sku, 1, 65_000)], channel=channel
    )
    too_late = event(
        "created", new_order_id(), "2024-09-26T21:20:00+07:00", [(sku, 1, 65_000)], channel=channel
    )
    elsewhere = event("created", new_order_id(), AT, [(sku, 1, 65_000)], channel="other-shop")
    post_events(client, {"events": [on_air, late, too_late, elsewhere]})
    drain()
    with db.reading() as s:
        got = {o.platform_order_id: (o.session_id, o.attribution) for o in s.scalars(select(Order))}
    sid = show_session["id"]
    assert got[on_air["order_id"]] == (sid, Attribution.channel)
    assert got[late["order_id"]] == (sid, Attribution.channel)
    assert got[too_late["order_id"]] == (None, Attribution.none)
    assert got[elsewhere["order_id"]] == (None, Attribution.none)


def test_lines_go_to_the_segment_that_featured_the_product(producer, db, drain, show_session):
    a, b = skus(db, show_session)
    sid = show_session["id"]
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "next", 1)  # product a on air
    now = utcnow().isoformat()
    live = code(db, show_session)
    post_events(
        producer,
        event("created", new_order_id(), now, [(a, 1, 65_000), (b, 1, 65_000)], live_code=live),
    )
    drain()
    with db.reading() as s:
        rows = {r.product_id: r.segment_key for r in s.scalars(select(SalesTotal))}
        state_segment = s.get(LiveSession, sid).segments[1].id
    assert rows[show_session["products"][0]] == state_segment
    assert rows[show_session["products"][1]] == 0, "b was not featured: no segment"


def test_flash_sale_stock_is_never_oversold_under_concurrent_orders(
    producer, db, redis, show_session
):
    from live.sales.pipeline import service

    _a, b = skus(db, show_session)
    sid = show_session["id"]
    live = code(db, show_session)
    ok(producer, sid, "go_live", 0)
    state = ok(producer, sid, "jump", 1, position=4)  # the flash sale: 50 units of b
    assert state["flash_sale"]["quantity"] == 50
    now = utcnow()
    ids = itertools.count()
    events = [
        event(
            "created",
            f"FS{next(ids):05d}",
            (now + timedelta(seconds=1)).isoformat(),
            [(b, 1 + n % 3, 49_000)],
            live_code=live,
        )
        for n in range(60)
    ]
    for start in range(0, 60, 5):
        response = post_events(producer, {"events": events[start : start + 5]})
        assert response.status_code == 202, response.json()
    failures: list[BaseException] = []

    def worker() -> None:
        try:
            service.drain(db, redis, batch_size=5)
        except BaseException as exc:  # a worker dying is what we look for
            failures.append(exc)

    workers = [threading.Thread(target=worker) for _ in range(4)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert failures == []
    service.drain(db, redis)
    with db.reading() as s:
        orders = s.scalars(select(Order)).all()
        assert len(orders) == 60
        sold = sum(line.quantity for o in orders for line in o.lines if not line.oversold)
        oversold = [o for o in orders if any(line.oversold for line in o.lines)]
    assert sold <= 50
    assert sold >= 48, "the gate fills the stock up to what fits"
    assert oversold, "orders beyond the stock are marked oversold"
    assert totals(db)["gross_units"] == sold, "oversold lines are not counted as sold"


def test_sales_reach_the_show_state_and_the_dashboards_coalesced(
    producer, db, drain, show_session, tokens
):
    from tests.hub.test_protocol import receive

    sku = skus(db, show_session)[0]
    live = code(db, show_session)
    sid, cid = show_session["id"], show_session["campaign_id"]
    token = tokens["producer"]  # retailers get no campaign totals (tests/hub/test_projections.py)
    with producer.websocket_connect(f"/ws/campaigns/{cid}?token={token}") as ws:
        first = receive(ws, "state")
        assert first["data"]["totals"]["gross_units"] == 0
        post_events(
            producer,
            {
                "events": [
                    event(
                        "created",
                        new_order_id(),
                        AT,
                        [(sku, 2, 65_000)],
                        live_code=live,
                        buyer_province="Cần Thơ",
                    )
                    for _ in range(3)
                ]
            },
        )
        drain()
        change = receive(ws)
        assert change["kind"] == "sales"
        assert change["data"]["totals"]["gross_units"] == 6
        assert change["data"]["totals"]["net_revenue"] == 390_000
    state = producer.get(f"/api/sessions/{sid}/show").json()
    assert state["sales"] == {
        "orders": 3,
        "units": 6,
        "revenue": 390_000,
        "gross_units": 6,
        "gross_revenue": 390_000,
    }
    ticker = state["recent_purchases"]
    assert len(ticker) == 3
    assert set(ticker[0]) == {"product_name", "province", "quantity", "at"}, "no buyer data"
    assert ticker[0]["province"] == "Cần Thơ"


def test_an_order_placed_in_a_rehearsal_counts_nothing_even_when_applied_after_it(
    client, producer, db, drain, show_session
):
    """The batch may be applied after the rehearsal ended (a backlog, a retry): what was
    ordered during it stays rehearsal; what is ordered after it counts."""
    sid, sku, live = show_session["id"], skus(db, show_session)[0], code(db, show_session)
    ok(producer, sid, "go_live", 0, rehearsal=True)
    during = utcnow().isoformat()
    post_events(client, event("created", "REH-1", during, [(sku, 1, 65_000)], live_code=live))
    ok(producer, sid, "end", 1)
    after = (utcnow() + timedelta(seconds=1)).isoformat()
    post_events(client, event("created", "REAL-1", after, [(sku, 2, 65_000)], live_code=live))
    drain()
    with db.reading() as s:
        rehearsal = dict(s.execute(select(Order.platform_order_id, Order.rehearsal)).all())
    assert rehearsal == {"REH-1": True, "REAL-1": False}
    assert totals(db)["gross_units"] == 2


def test_a_line_taken_off_on_its_own_leaves_net_whatever_the_delivery_order(
    client, db, redis, drain, show_session
):
    """A platform with a status per line (Lazada) cancels one line while the others are
    delivered, and returns a unit of another. The lines were set by the order's first event;
    the later events name the units off on the lines themselves. Every delivery order, each
    event once or twice, ends with the same order and the same figures, and reconcile agrees."""
    from live.sales.pipeline.reconcile import reconcile

    a, b = skus(db, show_session)
    live = code(db, show_session)
    placed = [(a, 2, 65_000), (b, 1, 50_000)]

    def said(cancelled: tuple[int, int], returned: tuple[int, int]) -> list[dict[str, Any]]:
        lines = []
        for (sku, quantity, price), c, r in zip(placed, cancelled, returned, strict=True):
            line: dict[str, Any] = {"sku": sku, "quantity": quantity, "unit_price": price}
            if c:
                line["cancelled_quantity"] = c
            if r:
                line["returned_quantity"] = r
            lines.append(line)
        return lines

    endings = []
    for n in range(6):
        oid = new_order_id()
        history = [
            event("created", oid, AT, placed, live_code=live),
            event("paid", oid, "2024-09-26T19:06:00+07:00"),
            # b cancelled alone, a goes on
            {**event("paid", oid, "2024-09-26T20:00:00+07:00"), "lines": said((0, 1), (0, 0))},
            {**event("delivered", oid, "2024-09-28T10:00:00+07:00"), "lines": said((0, 1), (0, 0))},
            # one unit of a comes back
            {**event("delivered", oid, "2024-09-30T10:00:00+07:00"), "lines": said((0, 1), (1, 0))},
        ]
        rng = random.Random(n)
        deliveries = history + rng.sample(history, 2)
        rng.shuffle(deliveries)
        for one in deliveries:
            post_events(client, one)
            if rng.random() < 0.4:
                drain()
        drain()
        with db.reading() as s:
            order = s.scalar(select(Order).where(Order.platform_order_id == oid))
            endings.append(
                (
                    order.state,
                    [
                        (x.sku, x.quantity, x.cancelled_quantity, x.returned_quantity)
                        for x in order.lines
                    ],
                )
            )
    assert endings == [(SaleState.paid, [(a, 2, 0, 1), (b, 1, 1, 0)])] * 6
    got = totals(db)
    assert got == {
        "gross_units": 6 * 3,
        "gross_revenue": 6 * 180_000,
        "paid": 6 * 1,  # one unit of a kept, each order
        "cancelled": 6 * 1,
        "returned": 6 * 1,
    }
    assert reconcile(db, redis, repair=False).clean


def test_more_units_off_than_the_line_has_is_refused(client, db, show_session):
    a = skus(db, show_session)[0]
    line = {"sku": a, "quantity": 1, "unit_price": 65_000, "cancelled_quantity": 1,
            "returned_quantity": 1}  # fmt: skip
    answer = post_events(client, {**event("paid", new_order_id(), AT), "lines": [line]})
    assert answer.status_code == 422
    assert answer.json()["error"]["details"]["fields"][0]["field"] == "lines.0"


def test_only_an_order_placed_in_a_flash_sale_takes_its_stock(
    producer, db, drain, redis, show_session
):
    """The gate counts an order by the time it was placed. An order placed before the sale
    whose `paid` (lines repeated, as platforms send them) comes in a later batch, during the
    sale, takes nothing; an order whose placement moves out of the sale (an earlier event
    arriving late) gives back what it took."""
    from live.sales.pipeline.stock import StockGate
    from live.shows.models import FlashSale

    _a, b = skus(db, show_session)
    sid = show_session["id"]
    live = code(db, show_session)
    ok(producer, sid, "go_live", 0)
    placed_before = utcnow()
    ok(producer, sid, "jump", 1, position=4)  # the flash sale: 50 units of b, from now
    with db.reading() as s:
        sale = s.scalars(select(FlashSale).where(FlashSale.session_id == sid)).one()
        sale_id, quantity = sale.id, sale.quantity
    gate = StockGate(redis)
    during = (utcnow() + timedelta(seconds=1)).isoformat()
    line = [(b, 2, 49_000)]
    early, moved = new_order_id(), new_order_id()

    def send(*events: dict[str, Any]) -> None:
        assert post_events(producer, {"events": list(events)}).status_code == 202
        drain()

    send(event("created", early, placed_before.isoformat(), line, live_code=live))
    send(event("paid", early, during, line, live_code=live))
    assert gate.left(sale_id, quantity) == quantity, "placed before the sale: no flash stock"

    send(event("created", moved, during, line, live_code=live))
    assert gate.left(sale_id, quantity) == quantity - 2
    send(event("paid", moved, placed_before.isoformat(), line, live_code=live))
    assert gate.left(sale_id, quantity) == quantity, "placed before the sale after all: given back"
    with db.reading() as s:
        orders = s.scalars(select(Order).where(Order.platform_order_id.in_([early, moved]))).all()
        assert len(orders) == 2
        assert all(not line.oversold for o in orders for line in o.lines)
    assert totals(db)["gross_units"] == 4


def test_a_line_whose_sku_no_product_has_is_kept_and_listed_until_the_catalog_names_it(
    producer, db, drain, redis, show_session
):
    """A platform's seller SKU the catalog doesn't know: the order is stored whole, the known
    line counts, the unknown one is listed (producers only) and counts nowhere; once the
    product is added, `reconcile --repair` places it and the figures take it in."""
    from live.sales.pipeline.reconcile import reconcile
    from tests import factories

    a, _b = skus(db, show_session)
    live = code(db, show_session)
    order = new_order_id()
    at = utcnow().isoformat()
    lines = [(a, 1, 65_000), ("BT-KEO-999", 2, 10_000)]
    sent = post_events(producer, {"events": [event("created", order, at, lines, live_code=live)]})
    assert sent.status_code == 202
    drain()
    campaign = show_session["campaign_id"]
    listed = producer.get(f"/api/orders/unmapped?campaign_id={campaign}").json()
    assert [o["platform_order_id"] for o in listed["items"]] == [order]
    kept = {line["sku"]: line["product_id"] for line in listed["items"][0]["lines"]}
    assert kept["BT-KEO-999"] is None and kept[a] is not None
    assert totals(db)["gross_units"] == 1, "only the known line counts"
    assert producer.get("/api/orders/unattributed").json()["total"] == 0, "its session is known"

    with db.unit_of_work() as s:
        factories.product(s, sku="BT-KEO-999", name="Kẹo dừa sầu riêng")
    report = reconcile(db, redis, repair=True)
    assert report.orders_repaired and "product_id" in report.orders_repaired[0]["problems"][0]
    assert totals(db)["gross_units"] == 3
    assert producer.get("/api/orders/unmapped").json()["total"] == 0
    producer.headers.pop("Authorization")
    assert producer.get("/api/orders/unmapped").status_code == 401


def test_a_later_batch_of_a_flash_order_gives_nothing_back(
    producer, db, drain, redis, show_session
):
    """An order granted flash stock, then its `paid` and `delivered` in one later batch (the
    second naming the buyer's province for the first time in that batch): its units stay
    taken — the batch's stand-in of the order, placed twice before the lock, gives nothing
    back on the stored order's behalf."""
    from live.sales.pipeline.stock import StockGate
    from live.shows.models import FlashSale

    _a, b = skus(db, show_session)
    sid = show_session["id"]
    live = code(db, show_session)
    ok(producer, sid, "go_live", 0)
    ok(producer, sid, "jump", 1, position=4)  # the flash sale: 50 units of b, from now
    with db.reading() as s:
        sale = s.scalars(select(FlashSale).where(FlashSale.session_id == sid)).one()
        sale_id, quantity = sale.id, sale.quantity
    gate = StockGate(redis)
    order, line = new_order_id(), [(b, 2, 49_000)]
    at = [(utcnow() + timedelta(seconds=n)).isoformat() for n in (1, 2, 3)]
    created = event("created", order, at[0], line, live_code=live, buyer_province="Cần Thơ")
    assert post_events(producer, {"events": [created]}).status_code == 202
    drain()
    assert gate.left(sale_id, quantity) == quantity - 2
    later = [
        event("paid", order, at[1], line, live_code=live),
        event("delivered", order, at[2], buyer_province="Cần Thơ"),
    ]
    assert post_events(producer, {"events": later}).status_code == 202
    drain()
    assert gate.left(sale_id, quantity) == quantity - 2, "still taken by the order"
    with db.reading() as s:
        stored = s.scalars(select(Order).where(Order.platform_order_id == order)).one()
        assert [line.oversold for line in stored.lines] == [False]
