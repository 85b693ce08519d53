"""Studio storage: the studio records and what was asked of each studio's OBS."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from live.db import Base, UTCDateTime, utcnow

# The bridge reports every 2 s; a studio whose bridge went quiet for longer than this counts as
# offline (its web process may have been killed and could not say so).
BRIDGE_FRESH_SECONDS = 8


def name_key(name: str) -> str:
    """How a studio is recognised by name: spaces collapsed, case folded ("Phòng  đỏ" is
    "Phòng Đỏ"). Sessions name their studio by this name."""
    return " ".join(name.split()).casefold()


class Studio(Base):
    """A studio, with its OBS: the bridge's token (only its hash kept) and the scenes the show
    switches to on stand-by, hold and end (null: leave OBS as it is)."""

    __tablename__ = "studios"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(600), unique=True)  # casefold may triple
    standby_scene: Mapped[str | None] = mapped_column(String(256))
    hold_scene: Mapped[str | None] = mapped_column(String(256))
    ended_scene: Mapped[str | None] = mapped_column(String(256))
    # The bridge's credential: shown once when made, its SHA-256 kept; null when none or revoked.
    bridge_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    bridge_token_prefix: Mapped[str | None] = mapped_column(String(16))
    bridge_token_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The last word from the bridge, and OBS's health as it reported it then.
    bridge_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    obs_health: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def bridge_token_issued(self) -> bool:
        return self.bridge_token_hash is not None

    def bridge_online(self, now: datetime | None = None) -> bool:
        """Whether a bridge with the current token reported within `BRIDGE_FRESH_SECONDS`."""
        seen = self.bridge_seen_at
        if seen is None or self.bridge_token_hash is None:
            return False
        return (now or utcnow()) - seen <= timedelta(seconds=BRIDGE_FRESH_SECONDS)

    @property
    def bridge_connected(self) -> bool:
        return self.bridge_online()


class ActionStatus:
    sent = "sent"  # on its way to the bridge; no answer yet
    done = "done"
    failed = "failed"  # OBS refused it (its comment kept) or was unreachable from the bridge
    bridge_offline = "bridge_offline"  # no bridge was connected: nothing was sent
    reported = "reported"  # something done in OBS by hand, reported by the bridge


class StudioAction(Base):
    """One thing asked of (or seen in) a studio's OBS, with its outcome: a scene switch for a
    show command, an overlay refresh, or a manual switch in OBS reported by the bridge."""

    __tablename__ = "studio_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    studio_id: Mapped[int] = mapped_column(ForeignKey("studios.id", ondelete="CASCADE"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("sessions.id", ondelete="CASCADE"), index=True
    )
    # The show command that caused it (`show_commands.command_id`), if any.
    command_id: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # scene, refresh, manual
    scene: Mapped[str | None] = mapped_column(String(256))
    status: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str] = mapped_column(String(500), default="")
    # The overlay refresh: which browser sources were pressed.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    took_ms: Mapped[int | None] = mapped_column(Integer)
