"""Sales figures for the dashboards, read from the aggregates (`SalesTotal`).

Every figure here is a sum over aggregate rows, so none of it can carry buyer data: what a
retailer, supplier or creator is shown comes from this module. Net = gross − cancelled −
returned; oversold lines and rehearsal orders never reach the aggregates. Stock left and the
orders count come from `live/sales/reporting/figures.py`, as on air. The producers' lists of single
orders live in `live/sales/reporting/orders.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import BigInteger, Integer, Select, case, cast, func, select
from sqlalchemy.orm import Session

from live.api.crud import get_or_404
from live.catalog.models import Product, Supplier
from live.db import utcnow
from live.sales.models import Order, OrderLine, SaleState, SalesTotal
from live.sales.reporting.figures import (
    NET_REVENUE,
    NET_UNITS,
    ORDERS,
    counted_lines,
    session_orders,
    stock_left,
)
from live.schedule.models import Campaign, LiveSession, Segment, SessionStatus
from live.shows.models import Show
from live.text import fold

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
SORTS = ("units", "revenue")
BUCKET_MINUTES = (5, 15, 60)
MAX_POINTS = 2000  # a chart can't show more buckets than this legibly; older ones are cut


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


def _figure_columns() -> list[Any]:
    return [func.coalesce(func.sum(expr), 0).label(name) for name, expr in FIGURES.items()]


def _figures(row: Any) -> dict[str, int]:
    return {name: int(getattr(row, name) or 0) for name in FIGURES}


def zero_figures() -> dict[str, int]:
    return dict.fromkeys(FIGURES, 0)


def _campaign_sessions(campaign_id: int) -> Any:
    return select(LiveSession.id).where(LiveSession.campaign_id == campaign_id)


def _scoped(columns: list[Any], campaign_id: int, f: SalesFilter) -> Select[Any]:
    """Aggregate rows of the campaign's sessions that pass the filter (products joined)."""
    stmt = (
        select(*columns)
        .select_from(SalesTotal)
        .join(Product, Product.id == SalesTotal.product_id)
        .where(SalesTotal.session_key.in_(_campaign_sessions(campaign_id)))
    )
    return _filtered(stmt, f, SalesTotal.province, SalesTotal.session_key, SalesTotal.platform)


def _filtered(stmt: Select[Any], f: SalesFilter, province: Any, session: Any, platform: Any) -> Any:
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


# The campaign leaderboard (retailers, producers)


def leaderboard(
    db: Session,
    campaign_id: int,
    f: SalesFilter,
    *,
    sort: str = "units",
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    """Products of the campaign ranked by net units or net revenue, with sell-through."""
    campaign = get_or_404(db, Campaign, campaign_id)
    net_units = func.sum(NET_UNITS)
    net_revenue = func.sum(NET_REVENUE)
    keys = [net_units.desc(), net_revenue.desc()]
    if sort == "revenue":
        keys.reverse()
    grouped = _scoped([SalesTotal.product_id, *_figure_columns()], campaign_id, f).group_by(
        SalesTotal.product_id
    )
    total = db.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    rows = db.execute(
        grouped.order_by(*keys, SalesTotal.product_id).limit(limit).offset(offset)
    ).all()
    ids = [r.product_id for r in rows]
    products = {
        p.id: (p, name)
        for p, name in db.execute(
            select(Product, Supplier.name)
            .join(Supplier, Supplier.id == Product.supplier_id)
            .where(Product.id.in_(ids))
        ).all()
    }
    # The product's own stock left, whatever the filter: the shelf is not filtered.
    left = stock_left(db, (p for p, _name in products.values()))
    hours = on_air_hours(db, _sessions_sold_in(db, campaign_id, f))
    pairs = db.execute(
        _scoped([SalesTotal.product_id, SalesTotal.session_key], campaign_id, f)
        .where(SalesTotal.product_id.in_(ids))
        .distinct()
    ).all()
    product_hours: dict[int, float] = {}
    for pid, sid in pairs:
        product_hours[pid] = product_hours.get(pid, 0.0) + hours.get(sid, 0.0)
    items = []
    for rank, row in enumerate(rows, start=offset + 1):
        product, supplier_name = products[row.product_id]
        figures = _figures(row)
        items.append(
            {
                "rank": rank,
                "product_id": product.id,
                "sku": product.sku,
                "name": product.name,
                "supplier_name": supplier_name,
                "province": product.province,
                "category": product.category,
                "ocop_stars": product.ocop_stars,
                "live_price": product.live_price,
                "campaign_stock": product.campaign_stock,
                "stock_left": left[product.id],
                **figures,
                "hours_on_air": round(product_hours.get(product.id, 0.0), 2),
                "units_per_hour": speed(figures["net_units"], product_hours.get(product.id, 0)),
                "stock_sold_percent": sold_share(figures["net_units"], product.campaign_stock),
            }
        )
    totals = _figures(db.execute(_scoped(_figure_columns(), campaign_id, f)).one())
    on_air = sum(hours.values())
    return {
        "campaign": {"id": campaign.id, "name": campaign.name, "timezone": campaign.timezone},
        "filters": f.applied(),
        "sort": sort,
        "totals": {
            **totals,
            "products": total,
            "hours_on_air": round(on_air, 2),
            "units_per_hour": speed(totals["net_units"], on_air),
        },
        "items": items,
        "total": total,
        "limit": limit,
        "offset": offset,
        "at": utcnow(),
    }


def _sessions_sold_in(db: Session, campaign_id: int, f: SalesFilter) -> set[int]:
    return set(db.scalars(_scoped([SalesTotal.session_key], campaign_id, f).distinct()))


def _sorted_text(values: Any) -> list[str]:
    """Vietnamese names in the order people look for them: accents don't move a name."""
    return sorted({v for v in values if v}, key=lambda v: (fold(v), v))


def filter_options(db: Session, campaign_id: int) -> dict[str, Any]:
    """What the dashboard's filters offer: values that occur in the campaign's line-ups or
    sales. Buyer provinces are aggregate values (how many bought where), never a buyer."""
    get_or_404(db, Campaign, campaign_id)
    in_campaign = _campaign_sessions(campaign_id)
    sold = select(SalesTotal.product_id).where(SalesTotal.session_key.in_(in_campaign))
    featured = select(Segment.product_id).where(
        Segment.session_id.in_(in_campaign), Segment.product_id.is_not(None)
    )
    products = db.execute(
        select(Product.province, Product.category, Product.ocop_stars).where(
            Product.id.in_(sold.union(featured))
        )
    ).all()
    sessions = db.execute(
        select(LiveSession.id, LiveSession.code, LiveSession.title, LiveSession.platform)
        .where(LiveSession.campaign_id == campaign_id)
        .order_by(LiveSession.scheduled_start, LiveSession.id)
    ).all()
    sold_platforms = db.scalars(
        select(SalesTotal.platform).where(SalesTotal.session_key.in_(in_campaign)).distinct()
    )
    buyer_provinces = db.scalars(
        select(SalesTotal.province).where(SalesTotal.session_key.in_(in_campaign)).distinct()
    )
    return {
        "buyer_provinces": _sorted_text(buyer_provinces),
        "product_provinces": _sorted_text(p.province for p in products),
        "categories": _sorted_text(p.category for p in products),
        "ocop_stars": sorted({p.ocop_stars for p in products if p.ocop_stars}),
        "sessions": [{"id": s.id, "code": s.code, "title": s.title} for s in sessions],
        "platforms": sorted({*sold_platforms, *(s.platform.value for s in sessions)}),
    }


# Revenue over time (the chart)


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
    dialect = db.get_bind().dialect.name
    bucket = _bucket(Order.ordered_at, seconds, dialect).label("bucket")
    kept = Order.state.in_([SaleState.placed, SaleState.paid])
    revenue = OrderLine.quantity * OrderLine.unit_price
    stmt = (
        counted_lines(
            bucket,
            ORDERS.label("orders"),
            func.coalesce(func.sum(OrderLine.quantity), 0).label("gross_units"),
            func.coalesce(func.sum(revenue), 0).label("gross_revenue"),
            func.coalesce(func.sum(case((kept, OrderLine.quantity), else_=0)), 0).label("units"),
            func.coalesce(func.sum(case((kept, revenue), else_=0)), 0).label("revenue"),
        )
        .join(Product, Product.id == OrderLine.product_id)
        .where(Order.campaign_id == campaign_id, Order.session_id.is_not(None))
        .group_by(bucket)
        .order_by(bucket)
    )
    stmt = _filtered(stmt, f, Order.buyer_province, Order.session_id, Order.platform)
    found = {int(r.bucket): r for r in db.execute(stmt).all()}
    tz = ZoneInfo(campaign.timezone)
    points: list[dict[str, Any]] = []
    truncated = False
    if found:
        first, last = min(found), max(found)
        if (last - first) // seconds + 1 > MAX_POINTS:
            first, truncated = last - (MAX_POINTS - 1) * seconds, True
        days = {datetime.fromtimestamp(b, tz).date() for b in range(first, last + seconds, seconds)}
        cumulative = 0
        for start in range(first, last + seconds, seconds):
            row = found.get(start)
            local = datetime.fromtimestamp(start, tz)
            values = {
                name: int(getattr(row, name)) if row is not None else 0
                for name in ("orders", "units", "revenue", "gross_units", "gross_revenue")
            }
            cumulative += values["revenue"]
            points.append(
                {
                    "start": local,
                    "label": local.strftime("%H:%M" if len(days) == 1 else "%d/%m %H:%M"),
                    **values,
                    "cumulative_revenue": cumulative,
                }
            )
    return {
        "campaign_id": campaign.id,
        "timezone": campaign.timezone,
        "bucket_minutes": minutes,
        "filters": f.applied(),
        "points": points,
        "truncated": truncated,
        "totals": {
            name: sum(p[name] for p in points)
            for name in ("orders", "units", "revenue", "gross_units", "gross_revenue")
        },
    }


# Per session (producers; creators on their own sessions)


def session_report(db: Session, session_id: int) -> dict[str, Any]:
    """One session's sales per product and per platform, with speed on air."""
    session = get_or_404(db, LiveSession, session_id, "session")
    scoped = [SalesTotal.session_key == session_id]
    totals = _figures(db.execute(select(*_figure_columns()).where(*scoped)).one())
    per_product = db.execute(
        select(SalesTotal.product_id, Product.sku, Product.name, Supplier.name.label("supplier"))
        .add_columns(*_figure_columns())
        .join(Product, Product.id == SalesTotal.product_id)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .where(*scoped)
        .group_by(SalesTotal.product_id, Product.sku, Product.name, Supplier.name)
        .order_by(func.sum(NET_REVENUE).desc(), SalesTotal.product_id)
    ).all()
    per_platform = db.execute(
        select(SalesTotal.platform, *_figure_columns())
        .where(*scoped)
        .group_by(SalesTotal.platform)
        .order_by(SalesTotal.platform)
    ).all()
    orders = session_orders(db, [session_id]).get(session_id, 0)
    hours = on_air_hours(db, {session_id}).get(session_id, 0.0)
    return {
        "session": {
            "id": session.id,
            "code": session.code,
            "title": session.title,
            "status": session.status,
            "platform": session.platform,
            "campaign_id": session.campaign_id,
            "scheduled_start": session.scheduled_start,
            "scheduled_end": session.scheduled_end,
        },
        "orders": orders,
        "totals": totals,
        "hours_on_air": round(hours, 2),
        "units_per_hour": speed(totals["net_units"], hours),
        "products": [
            {
                "product_id": r.product_id,
                "sku": r.sku,
                "name": r.name,
                "supplier_name": r.supplier,
                **_figures(r),
            }
            for r in per_product
        ],
        "platforms": [{"platform": r.platform, **_figures(r)} for r in per_platform],
    }


def campaign_sessions(db: Session, campaign_id: int) -> list[dict[str, Any]]:
    """Every session of the campaign with its figures (the producers' table)."""
    get_or_404(db, Campaign, campaign_id)
    sessions = db.execute(
        select(LiveSession)
        .where(LiveSession.campaign_id == campaign_id)
        .order_by(LiveSession.scheduled_start, LiveSession.id)
    ).scalars()
    rows = list(sessions)
    ids = {s.id for s in rows}
    figures = {
        r.session_key: _figures(r)
        for r in db.execute(
            select(SalesTotal.session_key, *_figure_columns())
            .where(SalesTotal.session_key.in_(sorted(ids)))
            .group_by(SalesTotal.session_key)
        ).all()
    }
    orders = session_orders(db, ids)
    hours = on_air_hours(db, ids)
    result = []
    for s in rows:
        fig = figures.get(s.id) or zero_figures()
        result.append(
            {
                "session_id": s.id,
                "code": s.code,
                "title": s.title,
                "status": s.status,
                "platform": s.platform,
                "scheduled_start": s.scheduled_start,
                "orders": orders.get(s.id, 0),
                **fig,
                "hours_on_air": round(hours.get(s.id, 0.0), 2),
                "units_per_hour": speed(fig["net_units"], hours.get(s.id, 0.0)),
            }
        )
    return result


def campaign_stock(db: Session, campaign_id: int) -> list[dict[str, Any]]:
    """Each product of the campaign — in a session's line-up, or sold in one — with its stock
    left, the figure the overlays and consoles show on air."""
    get_or_404(db, Campaign, campaign_id)
    in_campaign = _campaign_sessions(campaign_id)
    sold = select(SalesTotal.product_id).where(SalesTotal.session_key.in_(in_campaign))
    featured = select(Segment.product_id).where(
        Segment.session_id.in_(in_campaign), Segment.product_id.is_not(None)
    )
    products = list(
        db.scalars(
            select(Product)
            .where(Product.id.in_(sold.union(featured)))
            .order_by(Product.name, Product.id)
        )
    )
    left = stock_left(db, products)
    return [
        {
            "product_id": p.id,
            "sku": p.sku,
            "name": p.name,
            "campaign_stock": p.campaign_stock,
            "stock_left": left[p.id],
        }
        for p in products
    ]


# Per product across everything (stock left, shortlists)


def product_figures(db: Session, product_ids: set[int]) -> dict[int, dict[str, int]]:
    """All sales of each product, every session (and unattributed orders: sold all the same)."""
    if not product_ids:
        return {}
    rows = db.execute(
        select(SalesTotal.product_id, *_figure_columns())
        .where(SalesTotal.product_id.in_(sorted(product_ids)))
        .group_by(SalesTotal.product_id)
    ).all()
    return {r.product_id: _figures(r) for r in rows}


# Suppliers: their own products only


def supplier_sales(db: Session, supplier_id: int) -> dict[str, Any]:
    """A supplier's products: sales per session, stock left, cancellations and returns, and
    the sessions whose settlement can be downloaded (ended ones)."""
    supplier = get_or_404(db, Supplier, supplier_id)
    products = list(
        db.scalars(
            select(Product)
            .where(Product.supplier_id == supplier_id)
            .order_by(Product.name, Product.id)
        )
    )
    ids = [p.id for p in products]
    cells = db.execute(
        select(SalesTotal.product_id, SalesTotal.session_key, *_figure_columns())
        .where(SalesTotal.product_id.in_(ids))
        .group_by(SalesTotal.product_id, SalesTotal.session_key)
    ).all()
    featured = set(
        db.scalars(select(Segment.session_id).where(Segment.product_id.in_(ids)).distinct())
    )
    session_ids = featured | {c.session_key for c in cells if c.session_key}
    sessions = {
        s.id: s
        for s in db.scalars(select(LiveSession).where(LiveSession.id.in_(sorted(session_ids))))
    }
    campaigns = dict(
        db.execute(
            select(Campaign.id, Campaign.name).where(
                Campaign.id.in_({s.campaign_id for s in sessions.values()})
            )
        ).all()
    )
    by_product: dict[int, list[dict[str, Any]]] = {pid: [] for pid in ids}
    per_session: dict[int, dict[str, int]] = {}
    for c in cells:
        figures = _figures(c)
        s = sessions.get(c.session_key)
        by_product[c.product_id].append(
            {"session_id": s.id if s else None, "code": s.code if s else None, **figures}
        )
        if s is not None:
            acc = per_session.setdefault(s.id, zero_figures())
            for name, value in figures.items():
                acc[name] += value
    totals = zero_figures()
    left = stock_left(db, products)
    product_rows = []
    for p in products:
        rows = sorted(
            by_product[p.id],
            key=lambda r: (
                r["session_id"] is None,
                sessions[r["session_id"]].scheduled_start if r["session_id"] else None,
            ),
        )
        figures = zero_figures()
        for r in rows:
            for name in figures:
                figures[name] += r[name]
        for name in totals:
            totals[name] += figures[name]
        product_rows.append(
            {
                "product_id": p.id,
                "sku": p.sku,
                "name": p.name,
                "live_price": p.live_price,
                "campaign_stock": p.campaign_stock,
                "stock_left": left[p.id],
                "stock_sold_percent": sold_share(figures["net_units"], p.campaign_stock),
                **figures,
                "sessions": rows,
            }
        )
    ordered = sorted(sessions.values(), key=lambda s: (s.scheduled_start, s.id))
    return {
        "supplier": {"id": supplier.id, "name": supplier.name, "province": supplier.province},
        "totals": totals,
        "products": product_rows,
        "sessions": [
            {
                "session_id": s.id,
                "code": s.code,
                "title": s.title,
                "campaign_id": s.campaign_id,
                "campaign_name": campaigns.get(s.campaign_id, ""),
                "status": s.status,
                "scheduled_start": s.scheduled_start,
                "scheduled_end": s.scheduled_end,
                **(per_session.get(s.id) or zero_figures()),
                "settlement_ready": s.status is SessionStatus.ended,
            }
            for s in ordered
        ],
        "at": utcnow(),
    }


# Settlement: one session, one supplier


@dataclass
class SettlementLine:
    product_id: int
    sku: str
    product_name: str
    platform: str
    gross_units: int = 0
    cancelled_units: int = 0
    returned_units: int = 0
    net_units: int = 0
    gross_revenue: int = 0
    cancelled_revenue: int = 0
    returned_revenue: int = 0
    net_revenue: int = 0


@dataclass
class SettlementReport:
    """What a supplier settles with the organisers after a session: per product and platform,
    units and revenue gross (as ordered) and net (cancellations and returns taken off).

    `final` is False while the session has not ended: figures can still move.
    """

    session_id: int
    session_code: str
    session_title: str
    session_status: str
    platform: str
    campaign_name: str
    timezone: str
    starts_at: datetime
    ends_at: datetime
    supplier_id: int
    supplier_name: str
    supplier_tax_code: str | None
    final: bool
    generated_at: datetime
    lines: list[SettlementLine] = field(default_factory=list)

    AMOUNTS = (
        "gross_units",
        "cancelled_units",
        "returned_units",
        "net_units",
        "gross_revenue",
        "cancelled_revenue",
        "returned_revenue",
        "net_revenue",
    )

    @property
    def totals(self) -> dict[str, int]:
        return {name: sum(getattr(line, name) for line in self.lines) for name in self.AMOUNTS}

    @property
    def local_start(self) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(self.timezone))

    def as_dict(self) -> dict[str, Any]:
        return {
            "session": {
                "id": self.session_id,
                "code": self.session_code,
                "title": self.session_title,
                "status": self.session_status,
                "platform": self.platform,
                "campaign_name": self.campaign_name,
                "scheduled_start": self.starts_at,
                "scheduled_end": self.ends_at,
            },
            "supplier": {
                "id": self.supplier_id,
                "name": self.supplier_name,
                "tax_code": self.supplier_tax_code,
            },
            "final": self.final,
            "generated_at": self.generated_at,
            "lines": [line.__dict__ for line in self.lines],
            "totals": self.totals,
        }


def settlement_report(db: Session, session_id: int, supplier_id: int) -> SettlementReport:
    session = get_or_404(db, LiveSession, session_id, "session")
    supplier = get_or_404(db, Supplier, supplier_id)
    campaign = get_or_404(db, Campaign, session.campaign_id)
    rows = db.execute(
        select(SalesTotal.product_id, SalesTotal.platform, Product.sku, Product.name)
        .add_columns(*_figure_columns())
        .join(Product, Product.id == SalesTotal.product_id)
        .where(SalesTotal.session_key == session_id, Product.supplier_id == supplier_id)
        .group_by(SalesTotal.product_id, SalesTotal.platform, Product.sku, Product.name)
    ).all()
    lines = [
        SettlementLine(
            product_id=r.product_id,
            sku=r.sku,
            product_name=r.name,
            platform=r.platform,
            **{name: int(getattr(r, name)) for name in SettlementReport.AMOUNTS},
        )
        for r in rows
    ]
    # Products of the supplier in the run-of-show that sold nothing still belong on the
    # report: a zero is an answer, a missing line is a question.
    sold = {line.product_id for line in lines}
    for pid, sku, name in db.execute(
        select(Product.id, Product.sku, Product.name)
        .join(Segment, Segment.product_id == Product.id)
        .where(Segment.session_id == session_id, Product.supplier_id == supplier_id)
        .distinct()
    ).all():
        if pid not in sold:
            lines.append(SettlementLine(pid, sku, name, session.platform.value))
    lines.sort(key=lambda line: (fold(line.product_name), line.product_id, line.platform))
    return SettlementReport(
        session_id=session.id,
        session_code=session.code,
        session_title=session.title,
        session_status=session.status.value,
        platform=session.platform.value,
        campaign_name=campaign.name,
        timezone=campaign.timezone,
        starts_at=session.scheduled_start,
        ends_at=session.scheduled_end,
        supplier_id=supplier.id,
        supplier_name=supplier.name,
        supplier_tax_code=supplier.tax_code,
        final=session.status is SessionStatus.ended,
        generated_at=utcnow(),
        lines=lines,
    )
