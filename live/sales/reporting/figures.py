"""The sales figures shown in more than one place — net, stock left, the orders count — each
from one definition here, so the overlay, the consoles, the dashboards, the API and the
downloads can't tell two stories.

What counts is what `processing.contributions` adds to the aggregates: a line of an order that
is not a rehearsal's, whose product is known and that is not oversold (beyond a flash sale's
stock). Units and revenue are read from the aggregates (`sales_totals`), which hold exactly
those lines; the orders count can't be (an order spans several aggregate rows), so it is read
from the order lines under the same rule, written once below as `counted_lines`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, distinct, exists, func, select
from sqlalchemy.orm import Session

from live.catalog.models import Product
from live.sales.models import Order, OrderLine, SalesTotal
from live.shows.models import FlashSale

NET_UNITS = SalesTotal.gross_units - SalesTotal.cancelled_units - SalesTotal.returned_units
NET_REVENUE = SalesTotal.gross_revenue - SalesTotal.cancelled_revenue - SalesTotal.returned_revenue

# The rule, once: a line counts unless oversold or of no known product, in an order that is
# not a rehearsal's.
COUNTED_LINE = (OrderLine.oversold.is_(False), OrderLine.product_id.is_not(None))
SOLD_ORDER = Order.rehearsal.is_(False)

# Among the lines selected, the orders they belong to: an order counts once, however many of
# its lines are selected, and not at all when none of them counts.
ORDERS = func.count(distinct(Order.id))


def counted_lines(*columns: Any) -> Select[Any]:
    """Order lines the aggregates count, joined to their orders; add `where`s to narrow."""
    return (
        select(*columns)
        .select_from(OrderLine)
        .join(Order, Order.id == OrderLine.order_id)
        .where(SOLD_ORDER, *COUNTED_LINE)
    )


def has_counted_line() -> ColumnElement[bool]:
    """An order with at least one counted line: an order sold. One whose every line is
    oversold, with no lines yet (a cancellation before its creation) or a rehearsal's is not."""
    return and_(SOLD_ORDER, exists().where(OrderLine.order_id == Order.id, *COUNTED_LINE))


def session_orders(db: Session, session_ids: Iterable[int]) -> dict[int, int]:
    """The `orders` figure of each session (absent: none).

    A semi-join of the session's orders on their lines (EXISTS: about 4× cheaper than counting
    distinct orders over the joined lines on PostgreSQL, measured at 20,000 orders a session)."""
    ids = sorted(set(session_ids))
    if not ids:
        return {}
    rows = db.execute(
        select(Order.session_id, func.count())
        .where(Order.session_id.in_(ids), has_counted_line())
        .group_by(Order.session_id)
    ).all()
    return {session_id: int(count) for session_id, count in rows if session_id is not None}


def stock_left(db: Session, products: Iterable[Product]) -> dict[int, int]:
    """Stock left of each product: its campaign stock less the net units of every sale of it —
    every session's, flash sales' and orders that matched no session (the goods left the
    warehouse all the same). Below zero when more was sold than brought: the supplier must see
    it, so it is not clamped here (screens on air say "sold out" instead).

    Read from the aggregates, not the Redis live counters: they change in the order's own
    transaction (the counters follow after the commit and can lag until `reconcile`), the
    counters hold no per-product figure, and summing a product's rows is one indexed query —
    cheap enough for a show state rebuilt a few times a second and sent once to every client."""
    stock = {p.id: p.campaign_stock for p in products}
    if not stock:
        return {}
    sold = dict(
        db.execute(
            select(SalesTotal.product_id, func.coalesce(func.sum(NET_UNITS), 0))
            .where(SalesTotal.product_id.in_(sorted(stock)))
            .group_by(SalesTotal.product_id)
        ).all()
    )
    return {pid: campaign_stock - int(sold.get(pid, 0)) for pid, campaign_stock in stock.items()}


def session_sales(db: Session, session_id: int) -> dict[str, Any]:
    """The session's figures from the DB aggregates (the truth), with recent purchases."""
    row = db.execute(
        select(
            func.coalesce(func.sum(SalesTotal.gross_units), 0),
            func.coalesce(func.sum(SalesTotal.gross_revenue), 0),
            func.coalesce(func.sum(SalesTotal.cancelled_units + SalesTotal.returned_units), 0),
            func.coalesce(func.sum(SalesTotal.cancelled_revenue + SalesTotal.returned_revenue), 0),
        ).where(SalesTotal.session_key == session_id)
    ).one()
    gross_units, gross_revenue, off_units, off_revenue = (int(v) for v in row)
    return {
        "orders": session_orders(db, [session_id]).get(session_id, 0),
        "units": gross_units - off_units,
        "revenue": gross_revenue - off_revenue,
        "gross_units": gross_units,
        "gross_revenue": gross_revenue,
    }


def recent_purchases(db: Session, session_id: int, limit: int = 8) -> list[dict[str, Any]]:
    """What the ticker shows: product, province, quantity, time — no buyer data."""
    rows = db.execute(
        select(Product.name, Order.buyer_province, OrderLine.quantity, Order.ordered_at)
        .join(OrderLine, OrderLine.order_id == Order.id)
        .join(Product, Product.id == OrderLine.product_id)
        .where(Order.session_id == session_id, OrderLine.oversold.is_(False))
        .order_by(Order.ordered_at.desc(), OrderLine.id.desc())
        .limit(limit)
    ).all()
    return [
        {"product_name": name, "province": province, "quantity": qty, "at": at}
        for name, province, qty, at in rows
    ]


def flash_sold(db: Session, sale: FlashSale) -> int:
    """Units a flash sale granted: its product's lines in the session's orders placed while it
    ran, oversold ones (refused by its stock gate) not counted."""
    sold = db.scalar(
        select(func.coalesce(func.sum(OrderLine.quantity), 0))
        .join(Order, Order.id == OrderLine.order_id)
        .where(
            Order.session_id == sale.session_id,
            OrderLine.product_id == sale.product_id,
            OrderLine.oversold.is_(False),
            Order.ordered_at >= sale.started_at,
            Order.ordered_at <= (sale.ended_at or sale.ends_at),
        )
    )
    return int(sold or 0)


class FiguresOnAir:
    """The shows' `SalesOnAir` (`live/shows/on_air.py`): these figures, lent at start-up."""

    def stock_left(self, db: Session, products: Iterable[Product]) -> dict[int, int]:
        return stock_left(db, products)

    def flash_sold(self, db: Session, sale: FlashSale) -> int:
        return flash_sold(db, sale)

    def session_sales(self, db: Session, session_id: int) -> dict[str, Any]:
        return session_sales(db, session_id)

    def recent_purchases(self, db: Session, session_id: int) -> list[dict[str, Any]]:
        return recent_purchases(db, session_id)
