"""Coalesced dashboard snapshots: whole figures a few times a second, never one push per order.

Workers mark sessions dirty after each committed batch; every web process runs the publisher
loop, and a short Redis lock lets one of them publish per tick: for each dirty session the
whole show state (sales, flash stock, recent purchases) on its show channel, and for each
campaign the whole sales snapshot on the campaign channel.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from live.catalog.models import Product
from live.db import Database
from live.hub.publish import Publisher, campaign_channel, show_channel
from live.sales.counters import CAMPAIGN, DIRTY, read
from live.sales.models import Order, OrderLine, SalesTotal
from live.schedule.models import LiveSession

log = logging.getLogger(__name__)
TICK_SECONDS = 0.25  # at most four snapshots a second per session
LOCK = "sieulive:sales:snapshot-lock"


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
    orders = db.scalar(
        select(func.count())
        .select_from(Order)
        .where(Order.session_id == session_id, Order.rehearsal.is_(False))
    )
    gross_units, gross_revenue, off_units, off_revenue = (int(v) for v in row)
    return {
        "orders": int(orders or 0),
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


def campaign_snapshot(redis: Any, campaign_id: int) -> dict[str, Any]:
    figures = read(redis, f"{CAMPAIGN}{campaign_id}")
    net_units = figures["gross_units"] - figures["cancelled_units"] - figures["returned_units"]
    net_revenue = (
        figures["gross_revenue"] - figures["cancelled_revenue"] - figures["returned_revenue"]
    )
    return {
        "campaign_id": campaign_id,
        "at": int(time.time() * 1000),
        "totals": {**figures, "net_units": net_units, "net_revenue": net_revenue},
    }


def publish_dirty(db: Database, redis: Any, publisher: Publisher, holder: str) -> int:
    """One tick: publish the sessions marked dirty since the last one (if this process holds
    the lock for this tick)."""
    if not redis.set(LOCK, holder, nx=True, px=int(TICK_SECONDS * 1000 * 0.9)):
        return 0
    raw = redis.spop(DIRTY, 500) or []
    session_ids = sorted({int(x) for x in raw if int(x)})
    if not session_ids:
        return 0
    from live.shows.service import current_state

    with db.reading() as s:
        campaign_of = dict(
            s.execute(
                select(LiveSession.id, LiveSession.campaign_id).where(
                    LiveSession.id.in_(session_ids)
                )
            ).all()
        )
    # Campaign figures first: they come from Redis counters and cost nothing, while each
    # session's whole show state takes several queries — dashboards shouldn't wait for those.
    for campaign_id in sorted(set(campaign_of.values())):
        publisher.publish(
            campaign_channel(campaign_id), "sales", campaign_snapshot(redis, campaign_id)
        )
    for session_id in session_ids:
        if session_id not in campaign_of:
            continue
        with db.unit_of_work() as s:
            state = current_state(s, session_id)
        publisher.publish(show_channel(session_id), "show", state)
    return len(session_ids)


async def run_forever(db: Database, redis: Any, publisher: Publisher, holder: str) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            await run_in_threadpool(publish_dirty, db, redis, publisher, holder)
        except Exception:
            log.exception("publishing sales snapshots failed")
