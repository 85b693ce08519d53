"""Suppliers' sales: their own products only — per session, stock left, cancellations and
returns, and the sessions whose settlement can be downloaded."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from live.api.crud import get_or_404
from live.catalog.models import Product, Supplier
from live.db import utcnow
from live.sales.models import SalesTotal
from live.sales.reporting.aggregates import figure_columns, figures_of, sold_share, zero_figures
from live.sales.reporting.figures import stock_left
from live.schedule.models import Campaign, LiveSession, Segment, SessionStatus


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
        select(SalesTotal.product_id, SalesTotal.session_key, *figure_columns())
        .where(SalesTotal.product_id.in_(ids))
        .group_by(SalesTotal.product_id, SalesTotal.session_key)
    ).all()
    sessions = _sessions(db, ids, {c.session_key for c in cells if c.session_key})
    by_product: dict[int, list[dict[str, Any]]] = {pid: [] for pid in ids}
    per_session: dict[int, dict[str, int]] = {}
    for c in cells:
        figures = figures_of(c)
        s = sessions.get(c.session_key)
        by_product[c.product_id].append(
            {"session_id": s.id if s else None, "code": s.code if s else None, **figures}
        )
        if s is not None:
            _add(per_session.setdefault(s.id, zero_figures()), figures)
    left = stock_left(db, products)
    product_rows = [_product_row(p, by_product[p.id], sessions, left) for p in products]
    totals = zero_figures()
    for row in product_rows:
        _add(totals, row)
    return {
        "supplier": {"id": supplier.id, "name": supplier.name, "province": supplier.province},
        "totals": totals,
        "products": product_rows,
        "sessions": _session_rows(db, sessions, per_session),
        "at": utcnow(),
    }


def _sessions(db: Session, product_ids: list[int], sold_in: set[int]) -> dict[int, LiveSession]:
    """The sessions the products sold in or are planned into."""
    featured = set(
        db.scalars(select(Segment.session_id).where(Segment.product_id.in_(product_ids)).distinct())
    )
    ids = sorted(featured | sold_in)
    return {s.id: s for s in db.scalars(select(LiveSession).where(LiveSession.id.in_(ids)))}


def _add(into: dict[str, int], figures: dict[str, Any]) -> None:
    for name in into:
        into[name] += figures[name]


def _product_row(
    p: Product,
    cells: list[dict[str, Any]],
    sessions: dict[int, LiveSession],
    left: dict[int, int],
) -> dict[str, Any]:
    """A product's figures, with its sessions in the order they ran (unattributed last)."""
    rows = sorted(
        cells,
        key=lambda r: (
            r["session_id"] is None,
            sessions[r["session_id"]].scheduled_start if r["session_id"] else None,
        ),
    )
    figures = zero_figures()
    for r in rows:
        _add(figures, r)
    return {
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


def _session_rows(
    db: Session, sessions: dict[int, LiveSession], per_session: dict[int, dict[str, int]]
) -> list[dict[str, Any]]:
    campaigns = dict(
        db.execute(
            select(Campaign.id, Campaign.name).where(
                Campaign.id.in_({s.campaign_id for s in sessions.values()})
            )
        ).all()
    )
    ordered = sorted(sessions.values(), key=lambda s: (s.scheduled_start, s.id))
    return [
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
    ]
