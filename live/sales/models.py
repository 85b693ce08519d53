"""Sales storage. The DB is the truth: orders keyed on (platform, order id) are where
duplicate deliveries die, and aggregates change in the same transaction as the order."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from live.db import Base, UTCDateTime, utcnow


class SaleState(enum.StrEnum):
    placed = "placed"
    paid = "paid"
    cancelled = "cancelled"
    returned = "returned"


class Attribution(enum.StrEnum):
    code = "code"  # the order named its live room or session code
    channel = "channel"  # the session on air on that platform channel at order time
    none = "none"  # no session matched: kept and listed for producers


class Order(Base):
    __tablename__ = "orders"
    __table_args__ = (UniqueConstraint("platform", "platform_order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(20))
    platform_order_id: Mapped[str] = mapped_column(String(100))
    state: Mapped[SaleState] = mapped_column(Enum(SaleState, native_enum=False, length=16))
    # Rank of the strongest event seen; events only move an order forward, so duplicates and
    # out-of-order deliveries converge on the same final state.
    rank: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="SET NULL"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaigns.id"), index=True)
    attribution: Mapped[Attribution] = mapped_column(
        Enum(Attribution, native_enum=False, length=16), default=Attribution.none
    )
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False)
    live_code: Mapped[str | None] = mapped_column(String(100))
    channel: Mapped[str | None] = mapped_column(String(200))
    buyer_province: Mapped[str | None] = mapped_column(String(100))
    ordered_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    last_event_at: Mapped[datetime] = mapped_column(UTCDateTime)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    lines: Mapped[list[OrderLine]] = relationship(
        back_populates="order", cascade="all, delete-orphan", order_by="OrderLine.id"
    )


class OrderLine(Base):
    __tablename__ = "order_lines"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    # Beyond the flash sale's stock: kept, never counted as sold.
    oversold: Mapped[bool] = mapped_column(Boolean, default=False)

    order: Mapped[Order] = relationship(back_populates="lines")


class SalesTotal(Base):
    """Aggregates at the finest grain the dashboards slice by; every coarser figure (per
    session, product, supplier, province, platform) is a sum of these rows."""

    __tablename__ = "sales_totals"
    __table_args__ = (
        UniqueConstraint(
            "session_key",
            "segment_key",
            "product_id",
            "platform",
            "province",
            name="uq_sales_totals_grain",
        ),
        Index("ix_sales_totals_product", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # 0 stands for "none" so the grain can be a plain unique key on every database.
    session_key: Mapped[int] = mapped_column(Integer, index=True)
    segment_key: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"))
    platform: Mapped[str] = mapped_column(String(20))
    province: Mapped[str] = mapped_column(String(100))  # buyer's province, "" when unknown
    orders: Mapped[int] = mapped_column(Integer, default=0)
    gross_units: Mapped[int] = mapped_column(Integer, default=0)
    gross_revenue: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_units: Mapped[int] = mapped_column(Integer, default=0)
    paid_revenue: Mapped[int] = mapped_column(BigInteger, default=0)
    cancelled_units: Mapped[int] = mapped_column(Integer, default=0)
    cancelled_revenue: Mapped[int] = mapped_column(BigInteger, default=0)
    returned_units: Mapped[int] = mapped_column(Integer, default=0)
    returned_revenue: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
