"""Retailers' shortlists: which campaign products a retail chain wants to source after the fair.

An entry records interest only (the retailer, the product, a note); what the product sold is
read from the aggregates when the list is shown or exported, so the figures are always current
and never carry buyer data.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from live.catalog.models import Product, Retailer, Supplier
from live.db import Base, UTCDateTime, utcnow
from live.errors import RuleBroken
from live.sales.reporting.aggregates import product_figures


class ShortlistEntry(Base):
    __tablename__ = "shortlist_entries"
    # One entry per retailer and product: shortlisting again only updates the note.
    __table_args__ = (UniqueConstraint("retailer_id", "product_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unique key's first column serves lookups by retailer: no index of its own.
    retailer_id: Mapped[int] = mapped_column(ForeignKey("retailers.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    note: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


def shortlist(
    db: Session, retailer_id: int, product_id: int, note: str | None
) -> tuple[ShortlistEntry, bool]:
    """Record the retailer's interest; (entry, created). Idempotent: a second call keeps the one
    entry, and changes its note only when a note is sent."""
    if db.get(Product, product_id) is None:
        raise RuleBroken.one("product_id", f"product {product_id} does not exist")
    entry = db.scalar(
        select(ShortlistEntry).where(
            ShortlistEntry.retailer_id == retailer_id, ShortlistEntry.product_id == product_id
        )
    )
    if entry is not None:
        if note is not None and note != entry.note:
            entry.note = note
            entry.updated_at = utcnow()
        return entry, False
    entry = ShortlistEntry(retailer_id=retailer_id, product_id=product_id, note=note or "")
    db.add(entry)
    db.flush()
    return entry, True


def unlist(db: Session, retailer_id: int, product_id: int) -> bool:
    """Take a product off the list; True if it was on it (removing twice is not an error)."""
    result: Any = db.execute(
        delete(ShortlistEntry).where(
            ShortlistEntry.retailer_id == retailer_id, ShortlistEntry.product_id == product_id
        )
    )
    return bool(result.rowcount)


def entries(db: Session, retailer_id: int | None) -> list[dict[str, Any]]:
    """The shortlist with each product's facts and its sales so far; every retailer's when
    `retailer_id` is None (producers see who is interested in what)."""
    stmt = (
        select(ShortlistEntry, Product, Supplier.name, Retailer.name)
        .join(Product, Product.id == ShortlistEntry.product_id)
        .join(Supplier, Supplier.id == Product.supplier_id)
        .join(Retailer, Retailer.id == ShortlistEntry.retailer_id)
        .order_by(Retailer.name, ShortlistEntry.created_at, ShortlistEntry.id)
    )
    if retailer_id is not None:
        stmt = stmt.where(ShortlistEntry.retailer_id == retailer_id)
    rows = db.execute(stmt).all()
    figures = product_figures(db, {p.id for _e, p, _s, _r in rows})
    result = []
    for entry, product, supplier_name, retailer_name in rows:
        sold = figures.get(product.id, {})
        result.append(
            {
                "product_id": product.id,
                "sku": product.sku,
                "product_name": product.name,
                "supplier_name": supplier_name,
                "province": product.province,
                "category": product.category,
                "ocop_stars": product.ocop_stars,
                "live_price": product.live_price,
                "campaign_stock": product.campaign_stock,
                "net_units": sold.get("net_units", 0),
                "net_revenue": sold.get("net_revenue", 0),
                "note": entry.note,
                "retailer_id": entry.retailer_id,
                "retailer_name": retailer_name,
                "created_at": entry.created_at,
            }
        )
    return result


def shortlisted_ids(db: Session, retailer_id: int) -> set[int]:
    return set(
        db.scalars(
            select(ShortlistEntry.product_id).where(ShortlistEntry.retailer_id == retailer_id)
        )
    )
