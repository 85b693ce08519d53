"""Single orders for producers only: the ones no session claimed and the ones past a flash
sale's stock. These lists show platform order ids and buyer provinces, so no other role's
route may call them (retailers, suppliers and creators get aggregates: `aggregates.py`)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session, selectinload

from live.api.fields import Page
from live.catalog.models import Product
from live.sales.models import Attribution, Order, OrderLine


def _order_out(order: Order, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": order.id,
        "platform": order.platform,
        "platform_order_id": order.platform_order_id,
        "state": order.state,
        "attribution": order.attribution,
        "session_id": order.session_id,
        "campaign_id": order.campaign_id,
        "live_code": order.live_code,
        "channel": order.channel,
        "buyer_province": order.buyer_province,
        "ordered_at": order.ordered_at,
        "total": order.total,
        "lines": [
            {
                "sku": line.sku,
                "product_id": line.product_id,
                "product_name": names.get(line.product_id) if line.product_id else None,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "oversold": line.oversold,
                "cancelled_quantity": line.cancelled_quantity,
                "returned_quantity": line.returned_quantity,
            }
            for line in order.lines
        ],
    }


def _listing(db: Session, stmt: Select[Any], page: Page) -> dict[str, Any]:
    total = db.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    orders = list(
        db.scalars(
            stmt.options(selectinload(Order.lines))
            .order_by(Order.ordered_at.desc(), Order.id.desc())
            .limit(page.limit)
            .offset(page.offset)
        )
    )
    product_ids = {line.product_id for o in orders for line in o.lines if line.product_id}
    names = dict(
        db.execute(select(Product.id, Product.name).where(Product.id.in_(product_ids))).all()
    )
    return {
        "items": [_order_out(o, names) for o in orders],
        "total": total,
        "limit": page.limit,
        "offset": page.offset,
    }


def unattributed_orders(db: Session, page: Page) -> dict[str, Any]:
    """Orders that matched no session (no code, no channel on air at their time): kept, never
    dropped, for a producer to look into. Newest first."""
    stmt = select(Order).where(Order.attribution == Attribution.none)
    return _listing(db, stmt, page)


def unmapped_orders(db: Session, page: Page, campaign_id: int | None = None) -> dict[str, Any]:
    """Orders with a line whose SKU no product has (a platform's seller SKU mistyped, or a
    product not yet in the catalog): kept, counted in no product's figures until the catalog
    names the SKU and `sieulive reconcile --repair` places them again. Newest first."""
    unknown = exists().where(OrderLine.order_id == Order.id, OrderLine.product_id.is_(None))
    stmt = select(Order).where(unknown)
    if campaign_id is not None:
        stmt = stmt.where(Order.campaign_id == campaign_id)
    return _listing(db, stmt, page)


def oversold_orders(db: Session, page: Page, campaign_id: int | None = None) -> dict[str, Any]:
    """Orders with a line beyond a flash sale's stock (not counted as sold). Newest first."""
    over = exists().where(OrderLine.order_id == Order.id, OrderLine.oversold.is_(True))
    stmt = select(Order).where(over)
    if campaign_id is not None:
        stmt = stmt.where(Order.campaign_id == campaign_id)
    return _listing(db, stmt, page)
