"""Sales per session: one session's report (producers; creators on their own sessions), the
producers' table of a campaign's sessions, and the campaign's stock left."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from live.api.crud import get_or_404
from live.catalog.models import Product, Supplier
from live.sales.models import SalesTotal
from live.sales.reporting.aggregates import (
    campaign_product_ids,
    figure_columns,
    figures_of,
    on_air_hours,
    speed,
    zero_figures,
)
from live.sales.reporting.figures import NET_REVENUE, session_orders, stock_left
from live.schedule.models import Campaign, LiveSession


def session_report(db: Session, session_id: int) -> dict[str, Any]:
    """One session's sales per product and per platform, with speed on air."""
    session = get_or_404(db, LiveSession, session_id, "session")
    scoped = [SalesTotal.session_key == session_id]
    totals = figures_of(db.execute(select(*figure_columns()).where(*scoped)).one())
    per_product = db.execute(
        select(SalesTotal.product_id, Product.sku, Product.name, Supplier.name.label("supplier"))
        .add_columns(*figure_columns())
        .join(Product, Product.id == SalesTotal.product_id)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .where(*scoped)
        .group_by(SalesTotal.product_id, Product.sku, Product.name, Supplier.name)
        .order_by(func.sum(NET_REVENUE).desc(), SalesTotal.product_id)
    ).all()
    per_platform = db.execute(
        select(SalesTotal.platform, *figure_columns())
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
                **figures_of(r),
            }
            for r in per_product
        ],
        "platforms": [{"platform": r.platform, **figures_of(r)} for r in per_platform],
    }


def campaign_sales(db: Session, campaign_id: int) -> dict[str, Any]:
    """The producers' view of a campaign: every session's figures, their sum, and the stock
    left of each product."""
    sessions = campaign_sessions(db, campaign_id)
    totals = zero_figures()
    for row in sessions:
        for name in totals:
            totals[name] += row[name]
    return {
        "campaign_id": campaign_id,
        # An order belongs to one session: the campaign's orders are the sessions' sum.
        "totals": {**totals, "orders": sum(s["orders"] for s in sessions)},
        "sessions": sessions,
        "products": campaign_stock(db, campaign_id),
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
        r.session_key: figures_of(r)
        for r in db.execute(
            select(SalesTotal.session_key, *figure_columns())
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
    products = list(
        db.scalars(
            select(Product)
            .where(Product.id.in_(campaign_product_ids(campaign_id)))
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
