"""Revenue over time: a campaign's sales per time bucket, the dashboards' chart."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, case, cast, func
from sqlalchemy.orm import Session

from live.api.crud import get_or_404
from live.catalog.models import Product
from live.sales.models import Order, OrderLine, SaleState
from live.sales.reporting.aggregates import SalesFilter, filtered
from live.sales.reporting.figures import ORDERS, counted_lines
from live.schedule.models import Campaign

MAX_POINTS = 2000  # a chart can't show more buckets than this legibly; older ones are cut
VALUES = ("orders", "units", "revenue", "gross_units", "gross_revenue")


def _bucket(column: Any, seconds: int, dialect: str) -> Any:
    """The start of the `seconds`-long bucket an instant falls in, as Unix seconds."""
    if dialect == "sqlite":
        epoch: Any = cast(func.strftime("%s", column), Integer)
        return (epoch // seconds) * seconds
    return cast(func.floor(func.extract("epoch", column) / seconds), BigInteger) * seconds


def sales_over_time(
    db: Session, campaign_id: int, f: SalesFilter, *, minutes: int = 15
) -> dict[str, Any]:
    """Orders, units and revenue per time bucket (by order time), gaps filled with zeros.

    Read from the order lines, the only place that keeps the time, under the aggregates' rules
    (`figures.counted_lines`): rehearsal orders and oversold lines are left out, and net leaves
    out what is now cancelled or returned. Labels are local times of the campaign's timezone.
    """
    campaign = get_or_404(db, Campaign, campaign_id)
    seconds = minutes * 60
    found = _buckets(db, campaign_id, f, seconds)
    points, truncated = _points(found, seconds, ZoneInfo(campaign.timezone))
    return {
        "campaign_id": campaign.id,
        "timezone": campaign.timezone,
        "bucket_minutes": minutes,
        "filters": f.applied(),
        "points": points,
        "truncated": truncated,
        "totals": {name: sum(p[name] for p in points) for name in VALUES},
    }


def _buckets(db: Session, campaign_id: int, f: SalesFilter, seconds: int) -> dict[int, Any]:
    """The figures of each bucket that has any, by the bucket's start (Unix seconds)."""
    bucket = _bucket(Order.ordered_at, seconds, db.get_bind().dialect.name).label("bucket")
    kept = Order.state.in_([SaleState.placed, SaleState.paid])
    revenue = OrderLine.quantity * OrderLine.unit_price
    # A line's units cancelled or returned on their own are off net whatever the order's state.
    on = OrderLine.quantity - OrderLine.cancelled_quantity - OrderLine.returned_quantity
    stmt = (
        counted_lines(
            bucket,
            ORDERS.label("orders"),
            func.coalesce(func.sum(OrderLine.quantity), 0).label("gross_units"),
            func.coalesce(func.sum(revenue), 0).label("gross_revenue"),
            func.coalesce(func.sum(case((kept, on), else_=0)), 0).label("units"),
            func.coalesce(func.sum(case((kept, on * OrderLine.unit_price), else_=0)), 0).label(
                "revenue"
            ),
        )
        .join(Product, Product.id == OrderLine.product_id)
        .where(Order.campaign_id == campaign_id, Order.session_id.is_not(None))
        .group_by(bucket)
        .order_by(bucket)
    )
    stmt = filtered(stmt, f, Order.buyer_province, Order.session_id, Order.platform)
    return {int(r.bucket): r for r in db.execute(stmt).all()}


def _points(found: dict[int, Any], seconds: int, tz: ZoneInfo) -> tuple[list[dict[str, Any]], bool]:
    """Every bucket from the first to the last with sales, empty ones as zeros, the running
    revenue added; the oldest cut beyond MAX_POINTS (True when some were)."""
    if not found:
        return [], False
    first, last = min(found), max(found)
    truncated = (last - first) // seconds + 1 > MAX_POINTS
    if truncated:
        first = last - (MAX_POINTS - 1) * seconds
    starts = range(first, last + seconds, seconds)
    days = {datetime.fromtimestamp(b, tz).date() for b in starts}
    points: list[dict[str, Any]] = []
    cumulative = 0
    for start in starts:
        row = found.get(start)
        local = datetime.fromtimestamp(start, tz)
        values = {name: int(getattr(row, name)) if row is not None else 0 for name in VALUES}
        cumulative += values["revenue"]
        points.append(
            {
                "start": local,
                "label": local.strftime("%H:%M" if len(days) == 1 else "%d/%m %H:%M"),
                **values,
                "cumulative_revenue": cumulative,
            }
        )
    return points, truncated
