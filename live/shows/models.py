"""Show storage. The DB is the source of truth for live state, so any web process (or a
restarted one) can rebuild exactly what is on air. Timers are timestamps, never counters."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from live.db import Base, UTCDateTime, utcnow


class Phase(enum.StrEnum):
    standby = "standby"  # not on air yet (or a rehearsal was ended)
    live = "live"
    held = "held"  # on air, run-of-show paused: segment timers stop
    ended = "ended"


class Show(Base):
    """The live state of one session's show."""

    __tablename__ = "shows"

    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), primary_key=True
    )
    revision: Mapped[int] = mapped_column(Integer, default=0)
    phase: Mapped[Phase] = mapped_column(
        Enum(Phase, native_enum=False, length=16), default=Phase.standby
    )
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False)
    auto_advance: Mapped[bool] = mapped_column(Boolean, default=False)
    current_position: Mapped[int | None] = mapped_column(Integer)
    segment_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Seconds the current segment spent on hold; elapsed = now - started - held.
    held_seconds: Mapped[int] = mapped_column(Integer, default=0)
    featured_product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id"))
    featured_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # {"product_id", "price", "quantity", "started_at", "ends_at", "segment_id"} or null.
    flash_sale: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The overlay URL's token (the capability OBS loads) is shown once, when made, and only
    # its SHA-256 is kept; making a new one revokes the old. Null: none made yet.
    overlay_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class SegmentRun(Base):
    """When a segment was actually on air (taken again after `previous`: another row)."""

    __tablename__ = "segment_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer)
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    held_seconds: Mapped[int] = mapped_column(Integer, default=0)


class FeaturedPeriod(Base):
    """What was featured when: sales are attributed to the product on screen at order time."""

    __tablename__ = "featured_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="SET NULL"))
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ShowCommand(Base):
    """Every command applied, with who sent it; the client's command id makes retries safe."""

    __tablename__ = "show_commands"
    __table_args__ = (UniqueConstraint("session_id", "command_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    command_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    actor: Mapped[str] = mapped_column(String(200))
    actor_token_id: Mapped[int | None] = mapped_column(Integer)
    revision: Mapped[int] = mapped_column(Integer)  # the revision this command produced
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FlashSale(Base):
    """Every flash sale run, so orders can be checked against the stock of the one that was on
    at their time (the show row only holds the current one)."""

    __tablename__ = "flash_sales"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id"), index=True)
    segment_id: Mapped[int | None] = mapped_column(ForeignKey("segments.id", ondelete="SET NULL"))
    price: Mapped[int] = mapped_column(Integer)
    quantity: Mapped[int] = mapped_column(Integer)
    rehearsal: Mapped[bool] = mapped_column(Boolean, default=False)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
