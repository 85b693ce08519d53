"""Catalog storage. Provinces are plain data: 63 units in 2024, 34 since July 2025."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from live.db import Base, UTCDateTime, utcnow


class QualityStatus(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class Supplier(Base):
    __tablename__ = "suppliers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    province: Mapped[str] = mapped_column(String(100))
    tax_code: Mapped[str | None] = mapped_column(String(20), unique=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    search_key: Mapped[str] = mapped_column(String(600), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    products: Mapped[list[Product]] = relationship(back_populates="supplier")


class Product(Base):
    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("supplier_id", "sku"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    supplier_id: Mapped[int] = mapped_column(ForeignKey("suppliers.id"), index=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(300))
    category: Mapped[str] = mapped_column(String(100), default="")
    province: Mapped[str] = mapped_column(String(100))
    list_price: Mapped[int] = mapped_column(Integer)
    live_price: Mapped[int] = mapped_column(Integer)
    ocop_stars: Mapped[int | None] = mapped_column(Integer)
    qc_status: Mapped[QualityStatus] = mapped_column(
        Enum(QualityStatus, native_enum=False, length=16), default=QualityStatus.pending
    )
    qc_reviewer: Mapped[str | None] = mapped_column(String(200))
    qc_note: Mapped[str | None] = mapped_column(Text)
    campaign_stock: Mapped[int] = mapped_column(Integer, default=0)
    talking_points: Mapped[str] = mapped_column(Text, default="")
    image_url: Mapped[str | None] = mapped_column(String(1000))
    buy_link: Mapped[str | None] = mapped_column(String(1000))
    search_key: Mapped[str] = mapped_column(String(1000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    supplier: Mapped[Supplier] = relationship(back_populates="products")
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="Certification.id"
    )

    @property
    def supplier_name(self) -> str:
        return self.supplier.name


class Certification(Base):
    __tablename__ = "certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("products.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    number: Mapped[str | None] = mapped_column(String(100))
    expires_on: Mapped[date | None] = mapped_column(Date)

    product: Mapped[Product] = relationship(back_populates="certifications")


class Retailer(Base):
    __tablename__ = "retailers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    search_key: Mapped[str] = mapped_column(String(600), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Creator(Base):
    __tablename__ = "creators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # Platform -> handle, e.g. {"tiktok_shop": "@hoaiphuong.review"}.
    handles: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The secret in the creator's iCalendar feed URL (phones can't send Bearer headers) is
    # shown once, when made; only its SHA-256 is kept. Making a new one revokes the old.
    calendar_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    search_key: Mapped[str] = mapped_column(String(600), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    availability: Mapped[list[Availability]] = relationship(
        back_populates="creator", cascade="all, delete-orphan", order_by="Availability.starts_at"
    )


class Availability(Base):
    """A window in which a creator said they can host."""

    __tablename__ = "creator_availability"

    id: Mapped[int] = mapped_column(primary_key=True)
    creator_id: Mapped[int] = mapped_column(
        ForeignKey("creators.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    creator: Mapped[Creator] = relationship(back_populates="availability")
