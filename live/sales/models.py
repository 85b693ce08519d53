"""Sales storage. The DB is the truth: orders keyed on (platform, order id) are where
duplicate deliveries die, and aggregates change in the same transaction as the order."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
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
    # Events only move an order forward, so duplicates and out-of-order deliveries converge on
    # the same final state.
    # Rank of the event that set the state. An event sets it only when it is newer: a later
    # platform time, or the same time and a higher rank (see `processing.is_newer`).
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
    # A line is its order's n-th: storing an order's lines twice is impossible, not just avoided.
    __table_args__ = (UniqueConstraint("order_id", "line_no"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("orders.id", ondelete="CASCADE"), index=True)
    line_no: Mapped[int] = mapped_column(Integer)
    sku: Mapped[str] = mapped_column(String(64))
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(
        ForeignKey("segments.id", ondelete="SET NULL"), index=True
    )
    quantity: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(BigInteger)
    # Beyond the flash sale's stock: kept, never counted as sold.
    oversold: Mapped[bool] = mapped_column(Boolean, default=False)
    # Units of the line cancelled or returned on their own while the order went on (a
    # platform with a status per line, such as Lazada): counted as such whatever the order's
    # state (`processing.contributions`).
    cancelled_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    returned_quantity: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

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


class OrderEvent(Base):
    """Every distinct order event, as received, appended once (keyed on a hash of its content):
    the record orders, lines and aggregates can be rebuilt from (`sieulive reconcile`)."""

    __tablename__ = "order_events"
    __table_args__ = (Index("ix_order_events_order", "platform", "order_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_key: Mapped[str] = mapped_column(String(64), unique=True)
    platform: Mapped[str] = mapped_column(String(20))
    order_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(16))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    batch_key: Mapped[str] = mapped_column(String(64))


class OrderBatch(Base):
    """A batch of the inbox applied and committed. Written in the batch's own transaction, so
    a batch run twice (its worker died after the commit, or a paused worker woke up) is seen
    as applied; its deltas let the live counters catch up exactly once."""

    __tablename__ = "order_batches"

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_key: Mapped[str] = mapped_column(String(64), unique=True)
    events: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str] = mapped_column(String(200), default="")
    # [[session, segment, product, platform, province, *counters], ...]
    deltas: Mapped[list[list[Any]]] = mapped_column(JSON, default=list)
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
