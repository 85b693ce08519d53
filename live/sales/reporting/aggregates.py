"""The sums every sales report is made of, read from the aggregates (`SalesTotal`).

Every figure here is a sum over aggregate rows, so none of it can carry buyer data: what a
retailer, supplier or creator is shown comes from these sums. Net = gross − cancelled −
returned; oversold lines and rehearsal orders never reach the aggregates. Stock left and the
orders count come from `figures.py`, as on air. The reports built from these sums:
`leaderboard.py` and `over_time.py` (a campaign's dashboards), `sessions.py`, `suppliers.py`,
`settlement.py`; the producers' lists of single orders are in `orders.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from live.catalog.models import Product
from live.db import utcnow
from live.sales.models import SalesTotal
from live.sales.reporting.figures import NET_REVENUE, NET_UNITS
from live.schedule.models import LiveSession, Segment, SessionStatus
from live.shows.models import Show

FIGURES: dict[str, Any] = {
    "gross_units": SalesTotal.gross_units,
    "gross_revenue": SalesTotal.gross_revenue,
    "paid_units": SalesTotal.paid_units,
    "paid_revenue": SalesTotal.paid_revenue,
    "cancelled_units": SalesTotal.cancelled_units,
    "cancelled_revenue": SalesTotal.cancelled_revenue,
    "returned_units": SalesTotal.returned_units,
    "returned_revenue": SalesTotal.returned_revenue,
    "net_units": NET_UNITS,
    "net_revenue": NET_REVENUE,
}


@dataclass(frozen=True)
class SalesFilter:
    """What a dashboard narrows the campaign's sales to; None = no filter on that."""

    buyer_province: str | None = None
    product_province: str | None = None
    category: str | None = None
    ocop_stars: int | None = None
    session_id: int | None = None
    platform: str | None = None

    def applied(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def figure_columns() -> list[Any]:
    return [func.coalesce(func.sum(expr), 0).label(name) for name, expr in FIGURES.items()]


def figures_of(row: Any) -> dict[str, int]:
    return {name: int(getattr(row, name) or 0) for name in FIGURES}


def zero_figures() -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0)


def campaign_session_ids(campaign_id: int) -> Any:
    return select(LiveSession.id).where(LiveSession.campaign_id == campaign_id)


def scoped(columns: list[Any], campaign_id: int, f: SalesFilter) -> Select[Any]:
    """Aggregate rows of the campaign's sessions that pass the filter (products joined)."""
    stmt = (
        select(*columns)
        .select_from(SalesTotal)
        .join(Product, Product.id == SalesTotal.product_id)
        .where(SalesTotal.session_key.in_(campaign_session_ids(campaign_id)))
    )
    return filtered(stmt, f, SalesTotal.province, SalesTotal.session_key, SalesTotal.platform)


def filtered(stmt: Select[Any], f: SalesFilter, province: Any, session: Any, platform: Any) -> Any:
    if f.buyer_province is not None:
        stmt = stmt.where(province == f.buyer_province)
    if f.product_province is not None:
        stmt = stmt.where(Product.province == f.product_province)
    if f.category is not None:
        stmt = stmt.where(Product.category == f.category)
    if f.ocop_stars is not None:
        stmt = stmt.where(Product.ocop_stars == f.ocop_stars)
    if f.session_id is not None:
        stmt = stmt.where(session == f.session_id)
    if f.platform is not None:
        stmt = stmt.where(platform == f.platform)
    return stmt


# Time on air


def on_air_hours(db: Session, session_ids: set[int]) -> dict[int, float]:
    """Hours each session has been on air: the show's real start to its end (or now); a
    session never run through the console counts its scheduled slot up to now."""
    if not session_ids:
        return {}
    now = utcnow()
    rows = db.execute(
        select(
            LiveSession.id,
            LiveSession.status,
            LiveSession.scheduled_start,
            LiveSession.scheduled_end,
            Show.started_at,
            Show.ended_at,
            Show.rehearsal,
        )
        .outerjoin(Show, Show.session_id == LiveSession.id)
        .where(LiveSession.id.in_(sorted(session_ids)))
    ).all()
    hours: dict[int, float] = {}
    for sid, status, slot_start, slot_end, started, ended, rehearsal in rows:
        if started is not None and not rehearsal:
            start, end = started, ended or now
        elif status is SessionStatus.cancelled:
            start = end = slot_start
        else:
            start, end = slot_start, min(slot_end, now)
        hours[sid] = max(0.0, (end - start).total_seconds() / 3600)
    return hours


def speed(net_units: int, hours: float) -> float | None:
    """Units sold per hour on air, to one decimal; None before any time on air."""
    return round(net_units / hours, 1) if hours > 0 else None


def sold_share(net_units: int, stock: int) -> float | None:
    """Percent of the stock brought for the campaign that is sold, to one decimal."""
    return round(100 * net_units / stock, 1) if stock > 0 else None


def campaign_product_ids(campaign_id: int) -> Any:
    """Products of the campaign: in a session's line-up, or sold in one."""
    in_campaign = campaign_session_ids(campaign_id)
    sold = select(SalesTotal.product_id).where(SalesTotal.session_key.in_(in_campaign))
    featured = select(Segment.product_id).where(
        Segment.session_id.in_(in_campaign), Segment.product_id.is_not(None)
    )
    return sold.union(featured)


# Per product across everything (stock left, shortlists)


def product_figures(db: Session, product_ids: set[int]) -> dict[int, dict[str, int]]:
    """All sales of each product, every session (and unattributed orders: sold all the same)."""
    if not product_ids:
        return {}
    rows = db.execute(
        select(SalesTotal.product_id, *figure_columns())
        .where(SalesTotal.product_id.in_(sorted(product_ids)))
        .group_by(SalesTotal.product_id)
    ).all()
    return {r.product_id: figures_of(r) for r in rows}
