"""Schedule storage. Times are UTC instants; people see them in the campaign's timezone."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Enum,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from live.catalog.models import Creator, Product
from live.db import Base, UTCDateTime, utcnow
from live.platforms import Platform


class SessionStatus(enum.StrEnum):
    draft = "draft"
    scheduled = "scheduled"
    live = "live"
    ended = "ended"
    cancelled = "cancelled"


class SegmentKind(enum.StrEnum):
    intro = "intro"
    product = "product"
    flash_sale = "flash_sale"
    giveaway = "giveaway"
    break_ = "break"
    outro = "outro"


class Campaign(Base):
    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64), default="Asia/Ho_Chi_Minh")
    sales_goal: Mapped[int] = mapped_column(BigInteger, default=0)
    changeover_buffer_minutes: Mapped[int] = mapped_column(Integer, default=30)
    # Orders arriving just after a session ends still belong to it (used by attribution).
    attribution_grace_minutes: Mapped[int] = mapped_column(Integer, default=15)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    sessions: Mapped[list[LiveSession]] = relationship(back_populates="campaign")


session_cohosts = Table(
    "session_cohosts",
    Base.metadata,
    Column("session_id", ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True),
    Column("creator_id", ForeignKey("creators.id"), primary_key=True),
)


class LiveSession(Base):
    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaigns.id"), index=True)
    # Short code shown on air and carried by orders ("SLHV-07") for attribution.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    host_creator_id: Mapped[int] = mapped_column(ForeignKey("creators.id"), index=True)
    platform: Mapped[Platform] = mapped_column(Enum(Platform, native_enum=False, length=20))
    channel: Mapped[str] = mapped_column(String(200))
    studio: Mapped[str] = mapped_column(String(200))
    scheduled_start: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    scheduled_end: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    status: Mapped[SessionStatus] = mapped_column(
        Enum(SessionStatus, native_enum=False, length=16), default=SessionStatus.draft
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    search_key: Mapped[str] = mapped_column(String(2000), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    campaign: Mapped[Campaign] = relationship(back_populates="sessions")
    host: Mapped[Creator] = relationship(foreign_keys=[host_creator_id])
    cohosts: Mapped[list[Creator]] = relationship(secondary=session_cohosts, order_by=Creator.id)
    segments: Mapped[list[Segment]] = relationship(
        back_populates="session", cascade="all, delete-orphan", order_by="Segment.position"
    )

    @property
    def creator_ids(self) -> set[int]:
        return {self.host_creator_id, *(c.id for c in self.cohosts)}

    @property
    def host_name(self) -> str:
        return self.host.name

    @property
    def cohost_ids(self) -> list[int]:
        return [c.id for c in self.cohosts]


class Segment(Base):
    """One line of the run-of-show."""

    __tablename__ = "segments"
    __table_args__ = (UniqueConstraint("session_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    kind: Mapped[SegmentKind] = mapped_column(Enum(SegmentKind, native_enum=False, length=16))
    title: Mapped[str] = mapped_column(String(300), default="")
    planned_seconds: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"), index=True)
    flash_price: Mapped[int | None] = mapped_column(Integer)
    flash_quantity: Mapped[int | None] = mapped_column(Integer)
    notes: Mapped[str] = mapped_column(Text, default="")
    # The OBS scene the studio switches to when this segment is taken (null: leave OBS be).
    obs_scene: Mapped[str | None] = mapped_column(String(256))

    session: Mapped[LiveSession] = relationship(back_populates="segments")
    product: Mapped[Product | None] = relationship()

    @property
    def product_name(self) -> str | None:
        return self.product.name if self.product is not None else None
