"""The campaign leaderboard (retailers, producers): products ranked by net units or revenue,
with sell-through and speed on air; and the values its filters offer."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from live.api.crud import get_or_404
from live.catalog.models import Product, Supplier
from live.db import utcnow
from live.sales.models import SalesTotal
from live.sales.reporting.aggregates import (
    SalesFilter,
    campaign_product_ids,
    campaign_session_ids,
    figure_columns,
    figures_of,
    on_air_hours,
    scoped,
    sold_share,
    speed,
)
from live.sales.reporting.figures import NET_REVENUE, NET_UNITS, stock_left
from live.schedule.models import Campaign, LiveSession
from live.text import fold


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
    rows, total = _ranked(db, campaign_id, f, sort, limit, offset)
    ids = [r.product_id for r in rows]
    products = _with_suppliers(db, ids)
    # The product's own stock left, whatever the filter: the shelf is not filtered.
    left = stock_left(db, (p for p, _name in products.values()))
    hours = on_air_hours(db, _sessions_sold_in(db, campaign_id, f))
    product_hours = _hours_per_product(db, campaign_id, f, ids, hours)
    items = [
        _item(rank, figures_of(row), *products[row.product_id], left, product_hours)
        for rank, row in enumerate(rows, start=offset + 1)
    ]
    totals = figures_of(db.execute(scoped(figure_columns(), campaign_id, f)).one())
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


def _ranked(
    db: Session, campaign_id: int, f: SalesFilter, sort: str, limit: int, offset: int
) -> tuple[list[Any], int]:
    """One page of the products' figures, best first, and how many products sold at all."""
    net_units = func.sum(NET_UNITS)
    net_revenue = func.sum(NET_REVENUE)
    keys = [net_units.desc(), net_revenue.desc()]
    if sort == "revenue":
        keys.reverse()
    grouped = scoped([SalesTotal.product_id, *figure_columns()], campaign_id, f).group_by(
        SalesTotal.product_id
    )
    total = db.scalar(select(func.count()).select_from(grouped.subquery())) or 0
    rows = db.execute(
        grouped.order_by(*keys, SalesTotal.product_id).limit(limit).offset(offset)
    ).all()
    return list(rows), total


def _with_suppliers(db: Session, ids: list[int]) -> dict[int, tuple[Product, str]]:
    return {
        p.id: (p, name)
        for p, name in db.execute(
            select(Product, Supplier.name)
            .join(Supplier, Supplier.id == Product.supplier_id)
            .where(Product.id.in_(ids))
        ).all()
    }


def _hours_per_product(
    db: Session, campaign_id: int, f: SalesFilter, ids: list[int], hours: dict[int, float]
) -> dict[int, float]:
    """Hours on air of the sessions each product sold in, added up."""
    pairs = db.execute(
        scoped([SalesTotal.product_id, SalesTotal.session_key], campaign_id, f)
        .where(SalesTotal.product_id.in_(ids))
        .distinct()
    ).all()
    product_hours: dict[int, float] = {}
    for pid, sid in pairs:
        product_hours[pid] = product_hours.get(pid, 0.0) + hours.get(sid, 0.0)
    return product_hours


def _item(
    rank: int,
    figures: dict[str, int],
    product: Product,
    supplier_name: str,
    left: dict[int, int],
    product_hours: dict[int, float],
) -> dict[str, Any]:
    return {
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


def _sessions_sold_in(db: Session, campaign_id: int, f: SalesFilter) -> set[int]:
    return set(db.scalars(scoped([SalesTotal.session_key], campaign_id, f).distinct()))


def _sorted_text(values: Any) -> list[str]:
    """Vietnamese names in the order people look for them: accents don't move a name."""
    return sorted({v for v in values if v}, key=lambda v: (fold(v), v))


def filter_options(db: Session, campaign_id: int) -> dict[str, Any]:
    """What the dashboard's filters offer: values that occur in the campaign's line-ups or
    sales. Buyer provinces are aggregate values (how many bought where), never a buyer."""
    get_or_404(db, Campaign, campaign_id)
    in_campaign = campaign_session_ids(campaign_id)
    products = db.execute(
        select(Product.province, Product.category, Product.ocop_stars).where(
            Product.id.in_(campaign_product_ids(campaign_id))
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
